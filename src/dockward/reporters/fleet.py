"""The fleet view of an audit of many hosts (a merged report, or one audit of a fleet):
hosts ranked by the severity of their findings, and the rules that fail on most hosts.
The HTML report shows it above the per-host drill-down."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dockward.findings import Finding, Severity

SEVERITIES = [s.label for s in sorted(Severity, reverse=True)]
TOP_RULES = 15


@dataclass
class FleetHost:
    label: str
    anchor: str  # the id of the host's section in the page
    name: str = ""
    reachable: bool = True
    counts: dict[str, int] = field(default_factory=dict)
    errors: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def rank(self) -> tuple[int, ...]:
        return tuple(-self.counts.get(s, 0) for s in SEVERITIES)


@dataclass
class FleetRule:
    code: str
    name: str
    severity: str
    hosts: list[str]


@dataclass
class Fleet:
    hosts: list[FleetHost]
    rules: list[FleetRule]


def host_anchor(label: str) -> str:
    return "host-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in label)


def fleet_view(findings: list[Finding], subjects: list[dict[str, Any]]) -> Fleet | None:
    """The view, or None for fewer than two hosts (nothing to compare)."""
    hosts: dict[str, FleetHost] = {}
    for entry in subjects:
        if isinstance(entry, dict) and "url" in entry:
            label = str(entry.get("host") or "")
            hosts[label] = FleetHost(label=label, anchor=host_anchor(label),
                                     name=str(entry.get("name") or ""),
                                     reachable=bool(entry.get("reachable", True)),
                                     errors=len(entry.get("errors") or []))
    per_rule: dict[str, FleetRule] = {}
    for f in findings:
        if f.suppressed or f.location.file:
            continue
        label = str((f.extra or {}).get("host") or f.location.subject.split("/", 1)[0])
        host = hosts.setdefault(label, FleetHost(label=label, anchor=host_anchor(label)))
        host.counts[f.severity.label] = host.counts.get(f.severity.label, 0) + 1
        rule = per_rule.setdefault(f.code, FleetRule(f.code, f.name, f.severity.label, []))
        if label not in rule.hosts:
            rule.hosts.append(label)
    if len(hosts) < 2:
        return None
    ranked = sorted(hosts.values(), key=lambda h: (h.rank(), h.label))
    rules = sorted(per_rule.values(), key=lambda r: (-len(r.hosts), r.code))[:TOP_RULES]
    for rule in rules:
        rule.hosts.sort()
    return Fleet(hosts=ranked, rules=rules)
