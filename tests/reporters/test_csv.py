"""CSV: round-trips every field, and never hands a spreadsheet a formula."""

from __future__ import annotations

import io

from dockward.findings import Finding, Severity
from dockward.models.location import Location
from dockward.report import Report
from dockward.reporters import csv_report
from tests.reporters.conftest import FIXTURES, run_cli
from tests.reporters.synthetic import audit_report, scan_report


def roundtrip(report: Report) -> list[dict[str, str]]:
    buf = io.StringIO()
    csv_report.render(report, buf)
    return csv_report.read(buf.getvalue())


def test_rows_round_trip() -> None:
    for report in (scan_report(), audit_report()):
        rows = roundtrip(report)
        expected = [csv_report.row(f) for f in sorted(report.visible, key=Finding.sort_key)]
        assert rows == expected


def test_formula_cells_are_neutralised_and_restored() -> None:
    f = Finding(code="DW101", name="privileged", severity=Severity.CRITICAL,
                message="=HYPERLINK(\"http://evil\",\"x\")", location=Location(
                    file="+cmd.sh", line=1, path="@SUM(1)"), evidence="-v /:/host",
                fix="'quoted")
    buf = io.StringIO()
    csv_report.render(Report(command="scan", findings=[f]), buf)
    raw = buf.getvalue()
    assert ",'+cmd.sh," in raw and "'=HYPERLINK" in raw and ",'-v /:/host," in raw
    (row,) = csv_report.read(raw)
    assert row["message"] == f.message and row["file"] == "+cmd.sh"
    assert row["path"] == "@SUM(1)" and row["evidence"] == "-v /:/host"
    assert row["fix"] == "'quoted"


def test_cli_csv_header_and_rows() -> None:
    proc = run_cli("scan", "project", "--format", "csv", cwd=FIXTURES)
    assert proc.returncode == 1
    rows = csv_report.read(proc.stdout)
    assert proc.stdout.splitlines()[0] == ",".join(csv_report.COLUMNS)
    assert {r["code"] for r in rows} >= {"DW101", "DW201"}
    assert all(len(r["fingerprint"]) == 32 for r in rows)
