"""Markdown PR comment: summary table, findings table, collapsible fixes, safe escaping."""

from __future__ import annotations

import io

from dockward.findings import Finding, Severity
from dockward.models.location import Location
from dockward.report import Report
from dockward.reporters import markdown
from tests.reporters.synthetic import audit_report, scan_report


def render(report: Report) -> str:
    buf = io.StringIO()
    markdown.render(report, buf)
    return buf.getvalue()


def test_summary_and_findings_tables() -> None:
    text = render(scan_report(hostile=False))
    lines = text.splitlines()
    assert lines[0] == "## dockward scan: 4 findings"
    assert "| severity | findings |" in lines and "| critical | 2 |" in lines
    header = lines.index("| severity | rule | location | message |")
    assert lines[header + 1] == "|---|---|---|---|"
    assert lines[header + 2].startswith("| critical | DW201 runtime\\-socket\\-mounted |") or \
        lines[header + 2].startswith("| critical | DW201 runtime-socket-mounted |")
    assert "deploy/compose.yaml:7" in text
    assert text.count("<details>") == 4  # one explanation per rule seen
    assert "https://github.com/dockward/dockward/blob/main/docs/rules/DW201.md" in text


def test_rows_keep_their_cells_and_inject_nothing() -> None:
    text = render(scan_report(hostile=True))
    row = next(line for line in text.splitlines() if "DW104" in line and line.startswith("|"))
    assert row.count(" | ") == 3  # four cells: no stray pipes, no line breaks
    assert "<script>" not in text and "&lt;script&gt;" in text
    f = Finding(code="DW101", name="p", severity=Severity.HIGH,
                message="a | b [click](https://evil) ![x](y)", location=Location(
                    file="f|g.sh", line=2))
    text = render(Report(command="scan", findings=[f]))
    row = next(line for line in text.splitlines() if line.startswith("| high | DW101"))
    assert row.count(" | ") == 3
    assert "\\[click\\](https://evil)" in row and "f\\|g.sh:2" in row


def test_audit_rows_show_subjects() -> None:
    text = render(audit_report(hostile=False))
    assert "prod\\-1/app\\-00" in text or "prod-1/app-00" in text
    assert "## dockward audit:" in text


def test_empty_report_says_so() -> None:
    assert render(Report(command="scan", findings=[])) == "## dockward scan: 0 findings\n\n" \
        "No findings.\n"


def test_long_reports_stay_under_the_comment_limit() -> None:
    findings = [Finding(code="DW101", name="privileged", severity=Severity.CRITICAL,
                        message="x" * 300, location=Location(file=f"f{i}.sh", line=i + 1))
                for i in range(1000)]
    text = render(Report(command="scan", findings=findings))
    assert len(text) <= markdown.MAX_CHARS + 100
    assert "more (see the full report)" in text or "(truncated)" in text
