"""Text: without colour it is written without rich, byte for byte what rich would write."""

from __future__ import annotations

import io

from dockward.findings import Finding, Severity
from dockward.models.location import Location
from dockward.report import Report
from dockward.reporters import text
from tests.reporters.synthetic import audit_report, scan_report

# Wide, combining, zero-width and right-to-left characters, rich markup, escapes, a line
# far wider than rich's 200 columns, trailing spaces: what rich could wrap, crop or style.
AWKWARD = ["服务 容器 🐳 ✔︎", "e\u0301 a\u200bb", "[bold]not markup[/bold] :smile:", "x" * 450,
           "trailing   ", "עברית", "\\x1b[31m", "back\\slash"]


def _awkward_report() -> Report:
    findings = [Finding(code="DW101", name="privileged", severity=sev, message=f"m {s}",
                        location=Location(file=f"dir/{s[:30]}.yml", line=i + 1, column=3,
                                          subject=s[:20]),
                        snippet=s, suppressed=i % 3 == 0, suppression_reason=s[:10])
                for i, s in enumerate(AWKWARD) for sev in (Severity.HIGH, Severity.LOW)]
    findings.append(Finding(code="DW113", name="runs-as-root", severity=Severity.MEDIUM,
                            message="runs as root", location=Location(path="Config.User")))
    return Report(command="scan", findings=findings, errors=["could not reach 服务 [x]"],
                  show_suppressed=True,
                  stats={"files_scanned": 3, "seconds": 0.25})


def _plain(report: Report) -> str:
    out = io.StringIO()
    text.render(report, out, color=False)
    return out.getvalue()


def _with_rich(report: Report) -> str:
    out = io.StringIO()
    text._render_rich(list(text._lines(report)), out, color=False)
    return out.getvalue()


def test_plain_output_is_what_rich_writes() -> None:
    empty = Report(command="scan", findings=[])
    for report in (_awkward_report(), scan_report(), audit_report(), empty):
        assert _plain(report) == _with_rich(report)


def test_plain_output_lines() -> None:
    f = Finding(code="DW205", name="port-on-all-interfaces", severity=Severity.LOW,
                message="publishes 8080", location=Location(file="compose.yml", line=22,
                                                            column=9, subject="vote"),
                snippet='- "8080:80"')
    report = Report(command="scan", findings=[f], stats={"files_scanned": 1, "seconds": 0.03})
    assert _plain(report) == (
        "compose.yml\n"
        "  22:9     low      DW205 port-on-all-interfaces  publishes 8080\n"
        "           vote\n"
        '           | - "8080:80"\n'
        "\n"
        "1 finding: 1 low in 1 file (0.03s)\n")
    assert _plain(Report(command="scan", findings=[])) == "0 findings\n"


def test_a_tab_is_expanded_as_rich_does() -> None:
    f = Finding(code="DW101", name="privileged", severity=Severity.HIGH, message="m",
                location=Location(file="Dockerfile", line=2, column=1),
                snippet="RUN\tx\t\ty")
    report = Report(command="scan", findings=[f])
    # tab stops every 8 columns of the whole line, as rich counts them
    assert f"\n           | RUN{' ' * 8}x{' ' * 15}y\n" in _plain(report)
    assert _plain(report) == _with_rich(report)
