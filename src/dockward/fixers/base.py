"""What every editor is given and how it says no.

An editor turns one part of a :class:`~dockward.findings.Remedy` into :class:`Edit`\\ s of one
file, at the location the model recorded.  It never looks for problems itself: the rules
found them, the remedy says what to change, the editor only knows the file's syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from dockward.findings import Remedy
from dockward.fixers.edits import Edit
from dockward.models.location import Location


@dataclass(slots=True)
class SourceText:
    """A file as the fixers see it: its current text (maybe already edited in memory)."""

    display: str  # as findings name it
    path: str  # on disk
    text: str
    kind: str  # an input kind (kinds.INPUT_KINDS)


class Unfixable(Exception):
    """A remedy part that cannot be written into this file; the message says why, in words
    a user can act on ("the value comes from ${MEM}: set it where the variable is set")."""


class Editor(Protocol):
    """One per file and pass; built from the file's current text."""

    settings: frozenset[str]  # the remedy settings this editor writes

    def __init__(self, source: SourceText) -> None: ...

    def edits(self, part: Remedy, anchor: Location) -> list[Edit]:
        """The edits that make ``part`` true; raises :class:`Unfixable`.  ``anchor`` is the
        finding's own location, used when the part names no target."""
        ...


def target_of(part: Remedy, anchor: Location) -> Location:
    return part.target or anchor
