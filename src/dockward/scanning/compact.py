"""Findings held by the main process, with their repeated parts shared.

A big tree yields tens of thousands of findings, and most of their text repeats: the same
message for every service without a memory limit, the same file name and place for the
findings of one service, the same remedy target as the finding's own place.  Findings that
come back from worker processes (or from the cache) carry a copy of each; sharing equal
strings and equal locations halves what the scan holds until it reports.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

from dockward.findings import Finding, Remedy
from dockward.models.location import Location

if TYPE_CHECKING:
    from dockward.scanning.units import TaskResult

T = TypeVar("T")


class Sharing:
    """Replaces equal strings and locations by one shared object."""

    def __init__(self) -> None:
        self._strings: dict[str, str] = {}
        self._locations: dict[Location, Location] = {}
        self._stored: dict[tuple[object, ...], Location] = {}

    def text(self, value: str) -> str:
        return self._strings.setdefault(value, value)

    def location(self, loc: Location) -> Location:
        found = self._locations.get(loc)
        if found is None:
            text = self.text
            found = Location(text(loc.file), loc.line, loc.column, text(loc.path),
                             text(loc.subject), loc.end_line, text(loc.via))
            self._locations[found] = found
        return found

    def stored_location(self, raw: list[Any]) -> Location:
        """The shared Location for a location as the cache stores it (a list of its fields);
        raises TypeError or ValueError for a malformed one."""
        key = tuple(raw)
        found = self._stored.get(key)
        if found is None:
            file, line, column, path, subject, end_line, via = raw
            found = self.location(Location(str(file), int(line), int(column),
                                           str(path), str(subject), int(end_line),
                                           str(via)))
            self._stored[key] = found
        return found

    def result(self, result: TaskResult | None) -> TaskResult | None:
        """Share the repeated parts of a task's findings (in place); the result itself."""
        if result is not None:
            for read in result.reads:
                self.findings(read.problems)
            if result.unit is not None:
                self.findings(result.unit.findings)
                self.findings(result.unit.invocation_findings)
        return result

    def findings(self, findings: list[Finding] | None) -> None:
        for f in findings or ():
            text = self.text
            f.code = text(f.code)
            f.name = text(f.name)
            f.message = text(f.message)
            f.evidence = text(f.evidence)
            f.fix = text(f.fix)
            f.manual = text(f.manual)
            f.snippet = text(f.snippet)
            f.location = self.location(f.location)
            if f.remedy is not None:
                f.remedy = self._remedy(f.remedy)

    def _remedy(self, remedy: Remedy) -> Remedy:
        target = remedy.target
        also = tuple(self._remedy(r) for r in remedy.also)
        if target is None:
            return remedy if not also else replace(remedy, also=also)
        return Remedy(remedy.change, self.text(remedy.setting), remedy.value,
                      self.location(target), remedy.safety, also)
