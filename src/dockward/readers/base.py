"""What every file reader receives and may yield besides models."""

from __future__ import annotations

from dataclasses import dataclass, field

from dockward.models.location import Location


@dataclass(slots=True)
class SourceFile:
    """One file to scan, already decoded.  ``display`` is the path shown in findings."""

    path: str  # filesystem path ('' for stdin)
    display: str
    text: str
    kind: str  # compose | dockerfile | shell | makefile | markdown | ci-yaml | k8s | yaml
    options: dict[str, object] = field(default_factory=dict)

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


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
