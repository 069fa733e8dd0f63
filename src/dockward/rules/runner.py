"""Run the rules over models: the one rule engine every surface (scan, audit, inside) uses."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from dockward.config import Config, ConfigError
from dockward.findings import Finding, FixSafety, Hit, Severity
from dockward.kinds import surface_of
from dockward.models.environment import Environment
from dockward.models.location import Location
from dockward.readers.base import ParseProblem
from dockward.rules.registry import PSEUDO_RULES, Rule, RuleContext, all_rules, rules_for
from dockward.secrets import scrub

log = logging.getLogger(__name__)


def validate_rule_options(config: Config) -> None:
    """Reject what a rule does not declare or cannot use: unknown rules, unknown options,
    values of the wrong type or out of range (a typo must not silently weaken a policy).

    Tables named by rule name (``[rules.privileged]``) are re-keyed by code, so the runner
    finds them.
    """
    try:
        _validate(config)
    except ConfigError as exc:
        where = f"{config.source}: " if config.source else ""
        raise ConfigError(f"{where}{exc}") from None


def _validate(config: Config) -> None:
    from dockward.rules.registry import lookup

    validate_selectors(config)
    by_code: dict[str, dict[str, Any]] = {}
    for key, opts in config.rule_options.items():
        found = lookup(key)
        if found is None:
            raise ConfigError(f"[rules.{key}]: no such rule")
        unknown = set(opts) - set(found.options)
        if unknown:
            allowed = ", ".join(sorted(found.options)) or "none"
            raise ConfigError(
                f"[rules.{key}]: unknown option(s) {', '.join(sorted(unknown))} "
                f"(allowed: {allowed})"
            )
        for name, value in opts.items():
            problem = found.option_specs[name].problem(value)
            if problem:
                raise ConfigError(f"[rules.{key}] {name} {problem}")
        by_code.setdefault(found.code, {}).update(opts)
    config.rule_options = by_code


def validate_selectors(config: Config) -> None:
    """Every selector (select, ignore, per-file-ignores, severity) must name a rule: a
    misspelt code (``DW1O1``), an empty ``select = []`` or a stray word would otherwise
    select nothing, or ignore nothing, without a word."""
    check_selectors("select", config.select, allow_empty=False)
    check_selectors("ignore", config.ignore)
    for glob, codes in config.per_file_ignores.items():
        check_selectors(f"per-file-ignores.{glob}", codes)
    overrides: dict[str, Severity] = {}
    for key, level in config.severity_overrides.items():
        code = _exact_code(key)
        if code is None:
            raise ConfigError(f"severity: {key!r} is not a rule code or name "
                              "(`dockward rules` lists them)")
        overrides[code] = level
    config.severity_overrides = overrides


def _exact_code(key: str) -> str | None:
    from dockward.rules.registry import lookup

    if key.strip().upper() in PSEUDO_RULES:
        return key.strip().upper()
    found = lookup(key)
    return found.code if found else None


def check_selectors(where: str, selectors: list[str], *, allow_empty: bool = True
                    ) -> list[str]:
    """``selectors`` unchanged, or a ConfigError naming the first that matches no rule."""
    if not selectors and not allow_empty:
        raise ConfigError(f"{where} is empty: name at least one rule, prefix or ALL")
    for selector in selectors:
        if not selector_matches_a_rule(selector):
            raise ConfigError(f"{where}: {selector!r} matches no rule (expected a code such "
                              "as DW201, a prefix such as DW2, a rule name, or ALL; "
                              "`dockward rules` lists them)")
    return selectors


def selector_matches_a_rule(selector: str) -> bool:
    """Whether a code, prefix, rule name or ``ALL`` names at least one rule."""
    from dockward.rules.registry import lookup

    text = selector.strip()
    if not text:
        return False
    prefix = text.upper()
    if prefix == "ALL":
        return True
    # the engine's own codes first: the default selection ``DW`` is answered without
    # importing every rule (a scan answered from the cache needs none of them)
    if prefix.startswith("DW") and any(code.startswith(prefix) for code in PSEUDO_RULES):
        return True
    if lookup(text) is not None:
        return True
    codes = [r.code for r in all_rules()]
    return prefix.startswith("DW") and any(code.startswith(prefix) for code in codes)


def problem_finding(problem: ParseProblem) -> Finding:
    """A DW000 finding for input that could not be read."""
    name, severity, _ = PSEUDO_RULES["DW000"]
    message = scrub(problem.message)
    return Finding(
        code="DW000",
        name=name,
        severity=severity,
        message=message,
        location=problem.location,
        evidence=message,
    )


class RuleRunner:
    """Applies the enabled rules to models, with severity overrides and rule options.

    This is the one rule engine: scan, audit, inside and the guard all judge models here.
    ``env`` (the daemon's defaults, the image's user) is passed per call, because one runner
    judges containers of several daemons (audit) or requests for many images (guard).
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._by_model: dict[type, list[tuple[Rule, RuleContext]]] = {}

    def _rules_for(self, model: type) -> list[tuple[Rule, RuleContext]]:
        """The enabled rules for a model class, with their options; looked up on the first
        model of that class, so only the rules of the models met are imported."""
        found = self._by_model.get(model)
        if found is None:
            config = self.config
            found = self._by_model[model] = [
                (r, RuleContext(options=config.options_for(r.code, r.options), fix=config.fix))
                for r in rules_for(model) if config.is_enabled(r.code)]
        return found

    def run(self, models: Iterable[object], env: Environment | None = None) -> list[Finding]:
        findings: list[Finding] = []
        for model in models:
            if isinstance(model, ParseProblem):
                if self.config.is_enabled("DW000", model.location.file):
                    findings.append(problem_finding(model))
                continue
            findings.extend(self.check(model, env))
        return findings

    def check(self, model: object, env: Environment | None = None) -> list[Finding]:
        out: list[Finding] = []
        dialect: str | None = None
        for r, ctx in self._rules_for(type(model)):
            if env is not None:
                ctx = replace(ctx, env=env)
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
                        message=scrub(f"internal error in rule {r.code}: "
                                      f"{type(exc).__name__} (please report)"),
                        location=anchor,
                    )
                )
                continue
            for hit in hits:
                if not self.config.is_enabled(r.code, hit.location.file):
                    continue
                if dialect is None:  # most rules find nothing: looked up on the first hit
                    dialect = surface_of(str(getattr(model, "source_kind", ""))).dialect
                out.append(self._finding(r, hit, dialect))
        return out

    def _finding(self, r: Rule, hit: Hit, dialect: str = "") -> Finding:
        """Config overrides win over a hit's own severity, which wins over the rule's.

        ``dialect`` is the syntax of the surface the model came from, so the fix text reads
        ``add `--pids-limit 200``` on a run line and ``add `pids_limit: 200``` in compose.
        """
        remedy = hit.remedy
        message = hit.message
        if hit.location.via:  # the value was written elsewhere: say where
            message = f"{message} (via {hit.location.via})"
        return Finding(
            code=r.code,
            name=r.name,
            severity=self.config.severity_for(r.code, hit.severity or r.severity),
            # the one detector masks what a rule quoted from the input (a DOCKER_HOST URL
            # with a password, a ?token= query), whatever the rule
            message=scrub(message),
            location=hit.location,
            evidence=scrub(hit.evidence),
            confidence=r.confidence,
            extra=hit.extra,
            remedy=remedy,
            fix=remedy.describe(dialect) if remedy is not None else "",
            fix_safety=(remedy.safety or r.fix) if remedy is not None else FixSafety.NONE,
            manual=hit.manual,
        )


def gate(findings: Iterable[Finding], fail_on: Severity) -> int:
    """Exit code 1 when an unsuppressed finding is at or above ``fail_on``, else 0.

    DW000 (input that could not be read) fails whatever the threshold: nothing in that
    input was checked, so "no finding at or above critical" would be a claim nobody made.
    Ignoring DW000 in the config (or per file) is the way to accept an unreadable file.
    """
    for f in findings:
        if not f.suppressed and (f.severity >= fail_on or f.code == "DW000"):
            return 1
    return 0
