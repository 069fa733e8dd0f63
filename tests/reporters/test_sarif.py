"""SARIF: valid against the 2.1.0 schema, and carrying what GitHub code scanning reads."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from dockward.findings import Finding, Severity
from dockward.models.location import Location
from dockward.report import Report
from dockward.reporters import sarif
from tests.reporters.conftest import FIXTURES, ROOT, run_cli
from tests.reporters.synthetic import audit_report, scan_report

EXAMPLES = ROOT / "examples"
EXAMPLE_DIRS = sorted(p for p in EXAMPLES.iterdir() if p.is_dir()) if EXAMPLES.is_dir() else []


def validate(log: dict[str, Any], schema: dict[str, Any]) -> None:
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(log), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def github_problems(log: dict[str, Any]) -> list[str]:
    """What GitHub code scanning needs beyond the schema (its 'SARIF support' page)."""
    out: list[str] = []
    if log.get("version") != "2.1.0" or "$schema" not in log:
        out.append("version/$schema")
    for run in log["runs"]:
        driver = run["tool"]["driver"]
        if not driver.get("name") or not driver.get("version"):
            out.append("driver name/version")
        rules = driver.get("rules", [])
        for r in rules:
            where = f"rule {r.get('id')}"
            for key in ("id", "name", "helpUri"):
                if not r.get(key):
                    out.append(f"{where}: {key}")
            for key in ("shortDescription", "fullDescription"):
                if not r.get(key, {}).get("text"):
                    out.append(f"{where}: {key}.text")
            if not r.get("help", {}).get("text") or not r.get("help", {}).get("markdown"):
                out.append(f"{where}: help text/markdown")
            props = r.get("properties", {})
            sev = props.get("security-severity")
            if not isinstance(sev, str) or not 0.0 <= float(sev) <= 10.0:
                out.append(f"{where}: security-severity {sev!r}")
            if not isinstance(props.get("tags"), list) or "security" not in props["tags"]:
                out.append(f"{where}: tags")
            if props.get("precision") not in ("very-high", "high", "medium", "low"):
                out.append(f"{where}: precision")
            if props.get("problem.severity") not in ("error", "warning", "recommendation"):
                out.append(f"{where}: problem.severity")
            if r.get("defaultConfiguration", {}).get("level") not in ("error", "warning",
                                                                       "note"):
                out.append(f"{where}: defaultConfiguration.level")
        for i, res in enumerate(run.get("results", [])):
            where = f"result {i}"
            idx = res.get("ruleIndex")
            if idx is None or rules[idx]["id"] != res.get("ruleId"):
                out.append(f"{where}: ruleIndex/ruleId")
            if res.get("level") not in ("error", "warning", "note"):
                out.append(f"{where}: level")
            if not res.get("message", {}).get("text"):
                out.append(f"{where}: message")
            if not res.get("partialFingerprints"):
                out.append(f"{where}: partialFingerprints")
            locs = res.get("locations") or []
            if not locs:
                out.append(f"{where}: locations")
            for loc in locs:
                phys = loc.get("physicalLocation")
                if phys:
                    uri = phys["artifactLocation"]["uri"]
                    if uri.startswith("/") or "\\" in uri:
                        out.append(f"{where}: uri {uri!r}")
                    if phys.get("region", {}).get("startLine", 0) < 1:
                        out.append(f"{where}: region.startLine")
                elif not loc.get("logicalLocations"):
                    out.append(f"{where}: neither physical nor logical location")
    return out


def render(report: Report) -> dict[str, Any]:
    buf = io.StringIO()
    sarif.render(report, buf)
    return json.loads(buf.getvalue())


@pytest.mark.parametrize("target", [EXAMPLES, *EXAMPLE_DIRS],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_sarif_of_every_example_scan_validates(target: Path, sarif_schema: dict[str, Any],
                                               tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    proc = run_cli("scan", str(target.relative_to(ROOT)), "--format", "sarif", "--output",
                   str(out))
    assert proc.returncode in (0, 1), proc.stderr
    log = json.loads(out.read_text(encoding="utf-8"))
    validate(log, sarif_schema)
    assert github_problems(log) == []
    for res in log["runs"][0]["results"]:
        art = res["locations"][0]["physicalLocation"]["artifactLocation"]
        assert art["uriBaseId"] == "SRCROOT"
        assert (ROOT / art["uri"]).is_file(), art["uri"]  # relative to where the scan ran


def test_sarif_of_fixture_scan(sarif_schema: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "report.sarif"
    proc = run_cli("scan", str(FIXTURES / "project"), "--format", "sarif", "-o", str(out),
                   cwd=FIXTURES)
    assert proc.returncode == 1, proc.stderr
    log = json.loads(out.read_text(encoding="utf-8"))
    validate(log, sarif_schema)
    assert github_problems(log) == []
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == FIXTURES.resolve().as_uri() + "/"
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]}
    assert "project/compose.yaml" in uris
    codes = {r["ruleId"] for r in run["results"]}
    assert {"DW101", "DW201", "DW104"} <= codes


def test_sarif_of_audit_uses_logical_locations(sarif_schema: dict[str, Any]) -> None:
    report = audit_report(containers=24)
    log = render(report)
    validate(log, sarif_schema)
    assert github_problems(log) == []
    results = log["runs"][0]["results"]
    assert len(results) == len(report.visible)
    for res in results:
        (loc,) = res["locations"]
        assert "physicalLocation" not in loc
        (logical,) = loc["logicalLocations"]
        assert logical["fullyQualifiedName"]
    web = [r for r in results if r["locations"][0]["logicalLocations"][0][
        "fullyQualifiedName"] == "prod-1/app-00"]
    assert web and web[0]["locations"][0]["logicalLocations"][0]["name"] == "app-00"
    assert web[0]["locations"][0]["logicalLocations"][0]["properties"]["host"] == "prod-1"
    image = next(r for r in results if r["ruleId"] == "DW113")
    assert image["locations"][0]["logicalLocations"][0]["name"] == \
        "registry.example.com/team/api:1.4"
    assert log["runs"][0]["automationDetails"]["id"] == "dockward/audit/"


def test_suppressed_findings_carry_suppressions(sarif_schema: dict[str, Any]) -> None:
    report = audit_report()
    report.show_suppressed = True
    log = render(report)
    validate(log, sarif_schema)
    suppressed = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    assert len(suppressed) == 1
    assert suppressed[0]["suppressions"][0]["justification"] == "accepted for the demo"


def test_levels_and_security_severity_follow_severity() -> None:
    log = render(scan_report())
    rules = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    expected = {Severity.CRITICAL: ("9.5", "error"), Severity.HIGH: ("8.0", "error"),
                Severity.MEDIUM: ("5.5", "warning"), Severity.LOW: ("3.0", "note"),
                Severity.INFO: ("0.0", "note")}
    for res in log["runs"][0]["results"]:
        sev = Severity.parse(res["properties"]["severity"])
        assert (res["properties"]["security-severity"], res["level"]) == expected[sev]
        rule = rules[res["ruleId"]]
        assert rule["helpUri"].endswith(f"/docs/rules/{res['ruleId']}.md")
    assert rules["DW101"]["properties"]["security-severity"] == "9.5"
    assert "## Fix" in rules["DW101"]["help"]["markdown"]


def test_every_registered_rule_is_described() -> None:
    from dockward.rules.registry import PSEUDO_RULES, all_rules

    log = render(Report(command="scan", findings=[]))
    ids = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert set(ids) == {*PSEUDO_RULES, *(r.code for r in all_rules())}
    assert log["runs"][0]["results"] == []


def test_unknown_codes_and_odd_paths_still_validate(sarif_schema: dict[str, Any]) -> None:
    findings = [
        Finding(code="XP900", name="third-party", severity=Severity.HIGH, message="m",
                location=Location(file="dir with space/ü#1.yaml", line=0)),
        Finding(code="DW101", name="privileged", severity=Severity.CRITICAL, message="m",
                location=Location(file="<stdin>", line=3, column=0, end_line=5)),
        Finding(code="DW101", name="privileged", severity=Severity.CRITICAL, message="m",
                location=Location(file="/elsewhere/compose.yaml", line=1)),
        Finding(code="DW601", name="daemon", severity=Severity.CRITICAL, message="m",
                location=Location(path="daemon.hosts[0]")),
    ]
    log = render(Report(command="scan", findings=findings, errors=["could not read x"]))
    validate(log, sarif_schema)
    assert github_problems(log) == []
    by_msg = log["runs"][0]["results"]
    uris = [r["locations"][0].get("physicalLocation", {}).get("artifactLocation", {})
            for r in by_msg]
    assert {"uri": "file:///elsewhere/compose.yaml"} in uris
    assert {"uri": "dir%20with%20space/%C3%BC%231.yaml", "uriBaseId": "SRCROOT"} in uris
    assert log["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"][
        "text"] == "could not read x"


def test_fingerprint_ignores_line_numbers() -> None:
    a = scan_report().findings[0]
    b = Finding(code=a.code, name=a.name, severity=a.severity, message=a.message,
                location=Location(file=a.location.file, line=a.location.line + 10,
                                  column=a.location.column, path=a.location.path,
                                  subject=a.location.subject), evidence=a.evidence)
    fa = render(Report(command="scan", findings=[a]))["runs"][0]["results"][0]
    fb = render(Report(command="scan", findings=[b]))["runs"][0]["results"][0]
    assert fa["partialFingerprints"] == fb["partialFingerprints"]


def test_inside_findings_name_the_observed_container(sarif_schema: dict[str, Any]) -> None:
    f = Finding(code="DW102", name="dangerous-capability-added", severity=Severity.HIGH,
                message="adds SYS_MODULE", location=Location(subject="observed",
                                                              path="/proc/self/status:CapBnd"))
    log = render(Report(command="inside", findings=[f]))
    validate(log, sarif_schema)
    assert github_problems(log) == []
    (loc,) = log["runs"][0]["results"][0]["locations"]
    assert loc["logicalLocations"] == [{"name": "observed", "fullyQualifiedName": "observed",
                                        "kind": "resource"}]
    assert loc["properties"]["path"] == "/proc/self/status:CapBnd"
