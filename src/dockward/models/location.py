"""Where a fact came from: the provenance every model field carries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a source: a file position, or a logical object for live audits.

    ``path`` is the path inside the source (``services.web.volumes[0]``, ``argv[5]``,
    ``HostConfig.Binds[0]``); it is what fingerprints and fixers rely on, because it does
    not move when lines are inserted above.  ``file`` is empty for live objects, whose
    ``subject`` (``host/container``) names what the finding is about instead.

    ``via`` says where a value written elsewhere came from, when the text at this position
    only refers to it (``docker run $OPTS img`` with ``OPTS`` set on line 2: the flags are
    reported at ``$OPTS``, "via $OPTS set at line 2"); an editor must not rewrite it here.
    """

    file: str = ""
    line: int = 0
    column: int = 0
    path: str = ""
    subject: str = ""
    end_line: int = 0
    via: str = ""

    def child(self, suffix: str, line: int | None = None, column: int | None = None) -> Location:
        """A location for a sub-element, defaulting to this one's position."""
        sep = "" if suffix.startswith("[") or not self.path else "."
        return Location(
            file=self.file,
            line=self.line if line is None else line,
            column=self.column if column is None else column,
            path=f"{self.path}{sep}{suffix}",
            subject=self.subject,
        )

    def __reduce__(self) -> tuple[type[Location], tuple[str, int, int, str, str, int, str]]:
        """Pickled as its field values: a scan's findings travel from worker processes
        by pickle, and the default for a frozen slotted dataclass looks its fields up
        again for every object (a third of unpickling a scan's results)."""
        return (Location, (self.file, self.line, self.column, self.path, self.subject,
                           self.end_line, self.via))

    def describe(self) -> str:
        """Human form: ``file:line:col`` or the subject for live objects."""
        if self.file:
            if self.line:
                return f"{self.file}:{self.line}:{self.column or 1}"
            return self.file
        return self.subject or self.path
