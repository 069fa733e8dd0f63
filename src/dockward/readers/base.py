"""What every file reader receives and may yield besides models."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dockward.models.location import Location

if TYPE_CHECKING:
    from dockward.suppression import Directive


@dataclass(slots=True)
class SourceFile:
    """One file to scan, already decoded.  ``display`` is the path shown in findings."""

    path: str  # filesystem path ('' for stdin)
    display: str
    text: str
    kind: str  # an input kind of dockward.kinds (compose, dockerfile, shell ...)
    # inline ignore comments, kept when the text is released after reading
    directives: list[Directive] | None = None
    # the command extractor's lexed commands, shared by the readers of one file
    lexed: dict[Any, Any] = field(default_factory=dict)
    # the text, compressed, kept after it is released: the source line of each finding
    packed: bytes = b""

    @property
    def lines(self) -> list[str]:
        from dockward.text import split_lines

        return split_lines(self.text)


@dataclass(slots=True)
class ParseProblem:
    """A part of a file that could not be read; reported as DW000, the scan goes on."""

    location: Location
    message: str


class ReadError(Exception):
    """The whole file could not be read; carries the line the parser stopped at."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
