"""JUnit XML: well-formed, one testcase per rule and object, failures agree with fail-on."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from dockward.findings import Finding, Severity
from dockward.models.location import Location
from dockward.report import Report
from dockward.reporters import junit
from tests.reporters.conftest import FIXTURES, run_cli
from tests.reporters.synthetic import audit_report, scan_report


def parse(report: Report) -> ET.Element:
    buf = io.StringIO()
    junit.render(report, buf)
    return ET.fromstring(buf.getvalue())


def test_audit_has_one_testcase_per_rule_and_container() -> None:
    report = audit_report()
    root = parse(report)
    assert root.tag == "testsuites"
    cases = root.findall("./testsuite/testcase")
    pairs = {(f.code, f.location.subject) for f in report.visible}
    assert len(cases) == len(pairs)
    assert int(root.get("tests", "0")) == len(cases)
    names = {c.get("name") for c in cases}
    assert "DW101 privileged: prod-1/app-00" in names
    failures = root.findall("./testsuite/testcase/failure")
    assert int(root.get("failures", "0")) == len(failures) > 0


def test_fail_on_decides_failure_or_output() -> None:
    report = scan_report(hostile=False)
    report.fail_on = Severity.CRITICAL
    root = parse(report)
    failed = {c.get("classname") for c in root.iter("testcase") if c.find("failure") is not None}
    passed_with_output = {c.get("classname") for c in root.iter("testcase")
                          if c.find("system-out") is not None}
    # DW000 (a file nothing was checked in) fails any threshold, as the exit code does
    assert failed == {"dockward.DW201", "dockward.DW101", "dockward.DW000"}
    assert passed_with_output == {"dockward.DW303"}


def test_suppressed_only_testcase_is_skipped() -> None:
    f = Finding(code="DW304", name="restart", severity=Severity.LOW, message="m",
                location=Location(file="a.sh", line=1), suppressed=True,
                suppression_reason="why not")
    root = parse(Report(command="scan", findings=[f], show_suppressed=True))
    skipped = root.find("./testsuite/testcase/skipped")
    assert skipped is not None and "why not" in (skipped.get("message") or "")
    assert root.get("skipped") == "1"


def test_hostile_text_and_control_characters_stay_well_formed() -> None:
    f = Finding(code="DW101", name="privileged", severity=Severity.CRITICAL,
                message="bad \x00\x1b[31m <tag> & ]]> \"q\"", location=Location(
                    file="a\x07.sh", line=1), evidence="<script>")
    root = parse(Report(command="scan", findings=[f]))
    failure = root.find("./testsuite/testcase/failure")
    assert failure is not None
    assert "<tag> & ]]>" in (failure.get("message") or "")
    assert "\x00" not in (failure.text or "")


def test_empty_report_has_one_passing_testcase() -> None:
    root = parse(Report(command="scan", findings=[]))
    assert root.get("tests") == "1" and root.get("failures") == "0"


def test_cli_junit_parses(tmp_path: object) -> None:
    proc = run_cli("scan", "project", "--format", "junit", cwd=FIXTURES)
    assert proc.returncode == 1
    root = ET.fromstring(proc.stdout)
    assert root.find("./testsuite[@name='dockward.scan']") is not None
    assert any(c.get("name", "").endswith("project/compose.yaml") for c in root.iter("testcase"))
