"""Human output: findings grouped by file (or audited object), with the source line shown.

Everything that comes from the scanned input (file names, messages, the source line) goes
through :func:`dockward.text.visible`, so a hostile file cannot drive the terminal.  The
source line is the one the scan read and masked (``Finding.snippet``); this module never
opens a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from dockward.findings import Finding, Severity
from dockward.report import Report
from dockward.text import visible

STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def _group_key(f: Finding) -> str:
    """Files group scan findings; the audited object (``host/container``) groups live ones."""
    return f.location.file or f.location.subject or "(no location)"


def _groups(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in findings:
        out.setdefault(_group_key(f), []).append(f)
    return out


# One output line: its first text and that text's style, then more (text, style) pieces.
Line = tuple[str, str, list[tuple[str, str]]]


def _lines(report: Report) -> Iterator[Line]:
    """The report as styled lines; how they are written (plain or with rich) is separate."""
    for group, items in _groups(report.visible).items():
        yield visible(group), "bold underline", []
        for f in items:
            loc = f.location
            where = f"{loc.line}:{loc.column or 1}" if loc.line else "-"
            pieces = [(f"{where:<8} ", "dim"), (f"{f.severity.label:<9}", STYLES[f.severity]),
                      (f"{f.code} ", "bold"), (f"{f.name}  ", "dim"), (visible(f.message), "")]
            if f.suppressed:
                pieces.append((f"  [suppressed: {visible(f.suppression_reason)}]", "dim"))
            yield "  ", "", pieces
            if loc.file and loc.subject:
                yield f"           {visible(loc.subject)}", "dim", []
            elif not loc.file and loc.path:
                yield f"           at {visible(loc.path)}", "dim", []
            if f.snippet:
                yield f"           | {visible(f.snippet)}", "dim", []
        yield "", "", []
    for err in report.errors:
        yield f"error: {visible(err)}", "bold red", []
    yield _summary(report)


def _summary(report: Report) -> Line:
    counts = report.counts()
    total = sum(counts.values())
    parts = [f"{n} {name}" for name, n in counts.items() if n]
    suppressed = sum(1 for f in report.findings if f.suppressed)
    summary = f"{total} finding{'s' if total != 1 else ''}"
    if parts:
        summary += ": " + ", ".join(parts)
    if suppressed:
        summary += f" ({suppressed} suppressed)"
    stats = report.stats
    if "files_scanned" in stats:
        summary += f" in {stats['files_scanned']} file{'s' if stats['files_scanned'] != 1 else ''}"
    if "seconds" in stats:
        summary += f" ({stats['seconds']:.2f}s)"
    return summary, "bold green" if total == 0 else "bold", []


def render(report: Report, out: TextIO, color: bool = False) -> None:
    """Without colour the lines are written as they are, without importing rich (a
    pre-commit run pays its start-up for nothing); rich renders colour, and the rare
    line with a tab, which rich expands to its own tab stops."""
    lines = list(_lines(report))
    if not color and not any("\t" in text or any("\t" in t for t, _ in more)
                             for text, _, more in lines):
        out.write("".join(text + "".join(t for t, _ in more) + "\n"
                          for text, _, more in lines))
        return
    _render_rich(lines, out, color)


def _render_rich(lines: list[Line], out: TextIO, color: bool) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, force_terminal=color, no_color=not color, highlight=False,
                      width=None if color else 200, soft_wrap=not color)
    for text, style, more in lines:
        if not text and not more:
            console.print()
            continue
        line = Text(text, style=style)
        for piece, piece_style in more:
            line.append(piece, style=piece_style or None)
        console.print(line)
