"""Inline ignores: ``# dockward: ignore[DW201] reason`` and ``# dockward: ignore-file[DW3]``.

An ignore on a comment-only line covers the next line; a trailing one covers its own line.
Codes are prefixes (``DW2`` covers DW201) or rule names.  An ignore that matches nothing is
reported (DW001), as ruff does, so stale waivers do not pile up.  A missing finding is
anchored at the owning object (service key, ``FROM``), so it can be waived there too.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from dockward.findings import Finding
from dockward.models.location import Location
from dockward.text import LineIndex

_DIRECTIVE = re.compile(
    r"dockward:[ \t]*(?P<kind>ignore-file|ignore)\b(?:\[(?P<codes>[^\]\n]*)\])?"
    r"(?P<reason>[^\n]*)",
    re.IGNORECASE,
)
_COMMENT_ONLY = re.compile(r"[ \t]*(#|//|<!--|;|--)")


@dataclass
class Directive:
    line: int
    column: int
    codes: list[str]  # empty: every code
    reason: str
    file_level: bool
    covers: tuple[int, ...]
    used: bool = False
    used_codes: set[str] = field(default_factory=set)

    def matches(self, code: str, name: str) -> bool:
        if not self.codes:
            return True
        return any(code.startswith(c.upper()) or name == c.lower() for c in self.codes)


def parse_directives(text: str, comments: Iterable[int] | None) -> list[Directive]:
    """Find the dockward directives of a file's text.

    ``comments`` are the offsets where the file's real comments start
    (:func:`dockward.readers.comments.comment_starts`); a directive counts only inside
    one, so the same words in a string value, an ``echo`` argument or prose do nothing.
    ``None`` trusts every line (only for text that is known to be comments).
    Lines end at ``\n`` only, as everywhere in dockward.
    """
    out: list[Directive] = []
    if "dockward" not in text:
        return out
    starts = sorted(comments) if comments is not None else None
    index = LineIndex(text)
    for m in _DIRECTIVE.finditer(text):
        number, column = index.position(m.start())
        line_start = m.start() - column + 1
        if starts is not None:
            i = bisect.bisect_right(starts, m.start()) - 1
            if i < 0 or starts[i] < line_start:
                continue  # no comment opens before the directive on its line
            comment = starts[i]
        else:
            found = _COMMENT_ONLY.match(text, line_start)
            comment = found.start(1) if found and found.start(1) <= m.start() else m.start()
        codes = [c.strip() for c in (m.group("codes") or "").split(",") if c.strip()]
        reason = m.group("reason").strip().strip("-").strip()
        reason = reason.removesuffix("-->").strip()
        file_level = m.group("kind").lower() == "ignore-file"
        comment_only = not text[line_start:comment].strip()
        covers = (number, number + 1) if comment_only else (number,)
        out.append(Directive(number, column, codes, reason, file_level, covers))
    return out


def apply_directives(findings: list[Finding], directives: list[Directive]) -> None:
    """Mark findings covered by a directive as suppressed (they stay in the list).

    DW000 is never suppressed inline: a file that could not be read cannot vouch for
    itself (per-file-ignores in the config can still waive it).
    """
    if not directives:
        return
    for f in findings:
        if f.code == "DW000":
            continue
        for d in directives:
            if not d.matches(f.code, f.name):
                continue
            if d.file_level or f.location.line in d.covers:
                f.suppressed = True
                f.suppression_reason = d.reason or "inline ignore"
                d.used = True
                d.used_codes.add(f.code)
                break


def unused_directive_findings(
    directives: list[Directive], file: str, enabled: Callable[[str], bool]
) -> list[Finding]:
    """DW001 for each ignore that matched nothing (only when the codes it names are enabled)."""
    from dockward.findings import Severity

    out: list[Finding] = []
    for d in directives:
        if d.used:
            continue
        if d.codes and not any(enabled(c) for c in d.codes):
            continue
        what = ", ".join(d.codes) if d.codes else "all rules"
        kind = "ignore-file" if d.file_level else "ignore"
        out.append(
            Finding(
                code="DW001",
                name="unused-suppression",
                severity=Severity.LOW,
                message=f"unused `dockward: {kind}[{what}]`: no such finding here; remove it",
                location=Location(file=file, line=d.line, column=d.column,
                                  path=f"ignore@{d.line}"),
                evidence=what,
            )
        )
    return out
