"""GitHub Actions workflow-command annotations (``::error file=...,line=...::message``).

GitHub turns these lines into annotations on the pull request's diff.  The runner parses
them line by line, so every value is escaped as the workflow-command rules require: in the
message ``%``, CR and LF; in properties also ``:`` and ``,``.  Without that a message with a
newline could start a second, forged command.
"""

from __future__ import annotations

from typing import TextIO

from dockward.findings import Finding, Severity
from dockward.report import Report

COMMAND: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    """Escape a command's message (the part after ``::``); control characters and bidi
    overrides from the scanned input are shown escaped first."""
    from dockward.text import visible

    text = visible(text, keep_newlines=True)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(f: Finding) -> str:
    """One workflow command for one finding."""
    loc = f.location
    props: list[tuple[str, str]] = []
    title = f"{f.code} {f.name} ({f.severity.label})"
    if loc.file:
        props.append(("file", loc.file))
        if loc.line:
            props.append(("line", str(loc.line)))
            if loc.end_line > loc.line:
                props.append(("endLine", str(loc.end_line)))
            if loc.column:
                props.append(("col", str(loc.column)))
    elif loc.subject:
        title += f" in {loc.subject}"
    props.append(("title", title))
    message = f.message
    if f.fix:
        message += f"\nFix: {f.fix}"
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in props)
    return f"::{COMMAND[f.severity]} {joined}::{escape_data(message)}"


def render(report: Report, out: TextIO, color: bool = False) -> None:
    visible = [f for f in report.visible if not f.suppressed]
    for f in sorted(visible, key=Finding.sort_key):
        out.write(annotation(f) + "\n")
    for err in report.errors:
        out.write(f"::error title=dockward::{escape_data(err)}\n")
    counts = report.counts()
    total = sum(counts.values())
    parts = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
    out.write(f"dockward {report.command}: {total} finding{'s' if total != 1 else ''}"
              f"{': ' + parts if parts else ''}\n")
