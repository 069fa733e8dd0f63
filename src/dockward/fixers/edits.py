"""The edit model every fixer produces: text replacements at exact character spans.

Fixers never rewrite a file: each one says "replace the characters ``start:end`` with this
text", so everything it does not touch stays byte for byte.  Edits of one remedy form a
group that is accepted or refused as a whole (a secret build arg moved out of a Dockerfile
must also leave the script that passes it); a group that overlaps an accepted edit is refused
and retried on the next pass, when the text it would have edited has settled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``text[start:end]`` with ``replacement`` (``start == end``: an insertion).

    ``claim`` names a structure the edit creates or removes as a whole (a new ``deploy:``
    key, a ``volumes:`` list deleted with its last item); ``touches`` one it changes inside
    (an item appended to that list).  Two edits conflict when one claims what the other
    claims or touches, even without overlapping text: the file would get a key twice, or
    an item would land where its list used to be.  ``order`` sorts insertions at the same
    point (lower first): a key added to a service must precede a new service inserted after
    it, so YAML insertions use minus their indentation.
    """

    start: int
    end: int
    replacement: str
    claim: str = ""
    order: int = 0
    touches: str = ""

    @property
    def is_insertion(self) -> bool:
        return self.start == self.end

    def conflicts_with(self, other: Edit) -> bool:
        """True when applying both would be ambiguous or lose one of them."""
        if self == other:
            return False
        if self.claim and self.claim in (other.claim, other.touches):
            return True
        if other.claim and other.claim == self.touches:
            return True
        if self.is_insertion and other.is_insertion:
            return False  # both go in, in the order they were accepted
        if self.is_insertion:
            return other.start < self.start < other.end
        if other.is_insertion:
            return self.start < other.start < self.end
        return self.start < other.end and other.start < self.end


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """``text`` with non-conflicting ``edits`` applied (insertions at one point keep their
    order; an insertion at the start of a replaced span goes before the replacement)."""
    ordered = sorted(enumerate(edits), key=lambda pair: (
        pair[1].start, 0 if pair[1].is_insertion else 1, pair[1].order, pair[0]))
    out: list[str] = []
    position = 0
    for _, edit in ordered:
        if edit.start < position:
            raise ValueError(f"overlapping edits at {edit.start}")
        out.append(text[position:edit.start])
        out.append(edit.replacement)
        position = edit.end
    out.append(text[position:])
    return "".join(out)


@dataclass
class EditPlan:
    """Accepted edits per file; groups are added all or nothing."""

    edits: dict[str, list[Edit]] = field(default_factory=dict)

    def try_add(self, group: Mapping[str, list[Edit]]) -> bool:
        """Accept every edit of ``group`` (file -> edits), or none when one conflicts with
        an accepted edit.  Edits already accepted (the same fix reached from two findings)
        are not added twice."""
        fresh: dict[str, list[Edit]] = {}
        for file, edits in group.items():
            accepted = self.edits.get(file, [])
            mine: list[Edit] = []
            for edit in edits:
                if edit in accepted or edit in mine:
                    continue
                if any(edit.conflicts_with(other) for other in (*accepted, *mine)):
                    return False
                mine.append(edit)
            fresh[file] = mine
        for file, edits in fresh.items():
            if edits:
                self.edits.setdefault(file, []).extend(edits)
        return True

    def files(self) -> list[str]:
        return [file for file, edits in self.edits.items() if edits]
