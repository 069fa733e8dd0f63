"""Findings: what rules report, with the metadata that travels with them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from dockward.models.location import Location


class Severity(IntEnum):
    """Ordered so that ``severity >= fail_on`` is the gate."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None

    @property
    def label(self) -> str:
        return self.name.lower()


class FixSafety(IntEnum):
    NONE = 0
    SAFE = 1
    UNSAFE = 2


class Confidence(IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3


@dataclass(slots=True)
class Hit:
    """What a rule yields: where, what, and the evidence; the engine adds the metadata."""

    location: Location
    message: str
    evidence: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Finding:
    """A reported problem.  ``evidence`` is already redacted when it touches a secret."""

    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    evidence: str = ""
    confidence: Confidence = Confidence.HIGH
    fix: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    suppressed: bool = False
    suppression_reason: str = ""

    @property
    def fingerprint(self) -> str:
        """Stable across line shifts: code + file + source path + evidence (+ subject)."""
        loc = self.location
        basis = "\x1f".join(
            (self.code, loc.file, loc.path, loc.subject, self.evidence or self.message)
        )
        return hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()[:32]

    def sort_key(self) -> tuple[str, str, int, int, str]:
        loc = self.location
        return (loc.file, loc.subject, loc.line, loc.column, self.code)
