"""What ``dockward tighten`` found: the proposed settings, why, and the trials behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dockward.models.workload import Workload
from dockward.tighten.candidate import Candidate
from dockward.tighten.stats import Usage
from dockward.tighten.trial import TrialOutcome


@dataclass
class Decision:
    """One setting tighten decided, in words, with the trials that show why."""

    setting: str  # privileged | user | capabilities | read_only | no_new_privileges | ...
    value: str
    evidence: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"setting": self.setting, "value": self.value, "evidence": list(self.evidence)}


@dataclass
class TightenResult:
    """The tightened configuration of one workload, proven by trial ``proof``."""

    original: Workload
    candidate: Candidate
    decisions: list[Decision]
    trials: list[TrialOutcome]
    proof: int  # the trial that ran the proposed configuration (restart policy aside)
    peak: Usage  # over every trial, the proof included
    notes: list[str] = field(default_factory=list)
    # the peak the limits were computed from: the trials before the hardening step; later
    # trials (the proof among them) may see a little more, and passed under the limits
    limits_peak: Usage | None = None

    def to_workload(self) -> Workload:
        """The original workload with the proposed settings: what fixers write back."""
        return self.candidate.apply(self.original)

    def decision(self, setting: str) -> Decision | None:
        return next((d for d in self.decisions if d.setting == setting), None)
