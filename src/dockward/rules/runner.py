"""Run the rules over models: the one rule engine every surface (scan, audit, inside) uses."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from dockward.config import Config, ConfigError
from dockward.findings import Finding, Hit, Severity
from dockward.models.location import Location
from dockward.readers.base import ParseProblem
from dockward.rules.registry import PSEUDO_RULES, Rule, RuleContext, all_rules

log = logging.getLogger(__name__)


def validate_rule_options(config: Config) -> None:
    """Reject options a rule does not declare (a typo must not silently weaken a policy)."""
    from dockward.rules.registry import lookup

    for code, opts in config.rule_options.items():
        found = lookup(code)
        if found is None:
            raise ConfigError(f"[rules.{code}]: no such rule")
        unknown = set(opts) - set(found.options)
        if unknown:
            allowed = ", ".join(sorted(found.options)) or "none"
            raise ConfigError(
                f"[rules.{code}]: unknown option(s) {', '.join(sorted(unknown))} "
                f"(allowed: {allowed})"
            )


def problem_finding(problem: ParseProblem) -> Finding:
    """A DW000 finding for input that could not be read."""
    name, severity, _ = PSEUDO_RULES["DW000"]
    return Finding(
        code="DW000",
        name=name,
        severity=severity,
        message=problem.message,
        location=problem.location,
        evidence=problem.message,
    )


class RuleRunner:
    """Applies the enabled rules to models, with severity overrides and rule options."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._by_model: dict[type, list[tuple[Rule, RuleContext]]] = {}
        for r in all_rules():
            if not config.is_enabled(r.code):
                continue
            ctx = RuleContext(options=config.options_for(r.code, r.options))
            for model in r.models:
                self._by_model.setdefault(model, []).append((r, ctx))

    def run(self, models: Iterable[object]) -> list[Finding]:
        findings: list[Finding] = []
        for model in models:
            if isinstance(model, ParseProblem):
                if self.config.is_enabled("DW000", model.location.file):
                    findings.append(problem_finding(model))
                continue
            findings.extend(self.check(model))
        return findings

    def _severity(self, r: Rule, hit: Hit) -> Severity:
        """Config overrides win over a rule's per-hit severity, which wins over its default."""
        default = _hit_severity(r, hit)
        return self.config.severity_for(r.code, default)

    def check(self, model: object) -> list[Finding]:
        out: list[Finding] = []
        for r, ctx in self._by_model.get(type(model), []):
            try:
                hits = list(r.check(model, ctx))
            except Exception as exc:  # a rule bug must not end the scan
                log.exception("rule %s failed", r.code)
                anchor = getattr(model, "anchor", Location())
                out.append(
                    Finding(
                        code="DW000",
                        name="internal-error",
                        severity=Severity.HIGH,
                        message=f"internal error in rule {r.code}: {exc!r} (please report)",
                        location=anchor,
                    )
                )
                continue
            for hit in hits:
                if not self.config.is_enabled(r.code, hit.location.file):
                    continue
                out.append(
                    Finding(
                        code=r.code,
                        name=r.name,
                        severity=self._severity(r, hit),
                        message=hit.message,
                        location=hit.location,
                        evidence=hit.evidence,
                        confidence=r.confidence,
                        extra=hit.extra,
                    )
                )
        return out


def _hit_severity(r: Rule, hit: Hit) -> Severity:
    """A rule may raise or lower severity for one hit (``Hit.extra['severity']``)."""
    wanted = hit.extra.pop("severity", None) if hit.extra else None
    if isinstance(wanted, Severity):
        return wanted
    if isinstance(wanted, str):
        try:
            return Severity.parse(wanted)
        except ValueError:
            return r.severity
    return r.severity


def gate(findings: Iterable[Finding], fail_on: Severity) -> int:
    """Exit code 1 when an unsuppressed finding is at or above ``fail_on``, else 0."""
    for f in findings:
        if not f.suppressed and f.severity >= fail_on:
            return 1
    return 0
