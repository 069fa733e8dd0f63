"""Findings: what rules report, with the metadata that travels with them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import Enum, IntEnum
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


class Change(Enum):
    """How a remedy changes a setting."""

    SET = "set"  # give the setting this value (replacing any other)
    ADD = "add"  # add this item to a list setting (cap_drop, security_opts, tmpfs ...)
    REMOVE = "remove"  # remove the item at ``target`` (a mount, a capability) or the setting


@dataclass(frozen=True, slots=True)
class Remedy:
    """A fix intent: the change to the model that makes a hit go away.

    Rules say *what* should change, in the model's terms (``Workload.pids_limit`` set to
    200, the mount at ``target`` removed); the editors in :mod:`dockward.fixers` say *how*,
    in the syntax of the file the model came from, at the recorded location.  ``setting`` is
    a model field name (or one of the few compound intents listed in
    :data:`dockward.kinds.FIELD_SPELLINGS`); ``target`` the element to change or remove
    (default: where the field was set, else the model's anchor).  ``safety`` overrides the
    rule's own fix safety for this hit (binding one port to 127.0.0.1 may be safe where
    another is not).

    ``also`` holds further changes that belong to the same fix and are applied all or
    nothing: ``cap_drop: [ALL]`` with the capabilities the config adds back, or a secret
    build arg moved out of the Dockerfile *and* out of every command that feeds it.  Their
    targets may lie in other files.
    """

    change: Change
    setting: str
    value: Any = None
    target: Location | None = None
    safety: FixSafety | None = None
    also: tuple[Remedy, ...] = ()

    def parts(self) -> tuple[Remedy, ...]:
        """This change and the ones that come with it, in order."""
        head = Remedy(self.change, self.setting, self.value, self.target, self.safety)
        return (head, *(p for extra in self.also for p in extra.parts()))

    def describe(self, dialect: str = "") -> str:
        """``add pids_limit: 200`` in the dialect's syntax (``--pids-limit 200`` for a run
        line); the model's words when the dialect has no spelling for the setting."""
        from dockward.kinds import spell_change

        return "; ".join(spell_change(p.change.value, p.setting, p.value, dialect)
                         for p in self.parts())


@dataclass(slots=True)
class Hit:
    """What a rule yields: where, what, and the evidence; the runner adds the metadata.

    ``severity`` overrides the rule's default for this hit (a writable ``/`` mount is
    critical where other host paths are high); config overrides still win.  ``remedy`` is
    the fix intent, when the rule knows one; ``manual`` says why a rule that can fix
    other hits cannot fix this one (the value is written in the file, the digest is not
    known ...).
    """

    location: Location
    message: str
    evidence: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    severity: Severity | None = None
    remedy: Remedy | None = None
    manual: str = ""  # why no automatic fix applies to this hit (printed by ``fix``)


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
    fix: str = ""  # the remedy, in words (empty when the rule knows none)
    extra: dict[str, Any] = field(default_factory=dict)
    suppressed: bool = False
    suppression_reason: str = ""
    remedy: Remedy | None = None
    fix_safety: FixSafety = FixSafety.NONE
    manual: str = ""  # why this finding needs a human (no remedy, or one that cannot apply)
    snippet: str = ""  # the source line, secrets masked, cut (set by the scan, not the rule)

    @property
    def fingerprint(self) -> str:
        """Stable across line shifts: code + file + source path + evidence (+ subject, and
        the engine's id for live findings, so two hosts with one name never share one)."""
        loc = self.location
        parts = [self.code, loc.file, loc.path, loc.subject, self.evidence or self.message]
        engine = (self.extra or {}).get("engine_id")
        if engine:
            parts.append(str(engine))
        basis = "\x1f".join(parts)
        return hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()[:32]

    def sort_key(self) -> tuple[str, str, int, int, str]:
        loc = self.location
        return (loc.file, loc.subject, loc.line, loc.column, self.code)
