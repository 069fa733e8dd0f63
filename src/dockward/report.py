"""The Report every reporter renders: findings plus what was looked at."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dockward.findings import Finding, Severity


@dataclass
class Report:
    command: str  # scan | audit | inside
    findings: list[Finding]
    root: str = "."
    stats: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    fail_on: Severity = Severity.LOW
    show_suppressed: bool = False
    subjects: list[dict[str, Any]] = field(default_factory=list)  # audited objects
    inputs: list[str] = field(default_factory=list)  # files this run read: never overwritten

    @property
    def visible(self) -> list[Finding]:
        """Findings to display: suppressed ones only when asked for."""
        if self.show_suppressed:
            return self.findings
        return [f for f in self.findings if not f.suppressed]

    def counts(self) -> dict[str, int]:
        out = {s.label: 0 for s in sorted(Severity, reverse=True)}
        for f in self.findings:
            if not f.suppressed:
                out[f.severity.label] += 1
        return out
