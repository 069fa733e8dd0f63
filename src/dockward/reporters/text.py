"""Human output: findings grouped by file (or audited object), with the source line shown.

Everything that comes from the scanned input (file names, messages, the source line) goes
through :func:`dockward.text.visible`, so a hostile file cannot drive the terminal.  The
source line is the one the scan read and masked (``Finding.snippet``); this module never
opens a file.
"""

from __future__ import annotations

from collections.abc import Iterable
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


def render(report: Report, out: TextIO, color: bool = False) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(file=out, force_terminal=color, no_color=not color, highlight=False,
                      width=None if color else 200, soft_wrap=not color)
    for group, items in _groups(report.visible).items():
        console.print(Text(visible(group), style="bold underline"))
        for f in items:
            loc = f.location
            where = f"{loc.line}:{loc.column or 1}" if loc.line else "-"
            line = Text("  ")
            line.append(f"{where:<8} ", style="dim")
            line.append(f"{f.severity.label:<9}", style=STYLES[f.severity])
            line.append(f"{f.code} ", style="bold")
            line.append(f"{f.name}  ", style="dim")
            line.append(visible(f.message))
            if f.suppressed:
                line.append(f"  [suppressed: {visible(f.suppression_reason)}]", style="dim")
            console.print(line)
            if loc.file and loc.subject:
                console.print(Text(f"           {visible(loc.subject)}", style="dim"))
            elif not loc.file and loc.path:
                console.print(Text(f"           at {visible(loc.path)}", style="dim"))
            if f.snippet:
                console.print(Text(f"           | {visible(f.snippet)}", style="dim"))
        console.print()
    for err in report.errors:
        console.print(Text(f"error: {visible(err)}", style="bold red"))
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
    style = "bold green" if total == 0 else "bold"
    console.print(Text(summary, style=style))
