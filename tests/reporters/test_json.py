"""The JSON report is what ``json.dump(report_to_dict(report), indent=2)`` writes, byte for
byte, although it is written finding by finding with a faster encoder of its own."""

from __future__ import annotations

import io
import json

from dockward.findings import Confidence, Finding, Severity
from dockward.models.location import Location
from dockward.report import Report
from dockward.reporters.json_report import render, report_to_dict
from tests.reporters.synthetic import XSS, audit_report


def _reference(report: Report) -> str:
    return json.dumps(report_to_dict(report), indent=2, sort_keys=False, default=str) + "\n"


def _rendered(report: Report) -> str:
    out = io.StringIO()
    render(report, out)
    return out.getvalue()


def test_a_report_of_many_findings_is_the_standard_encoders_text() -> None:
    report = audit_report(containers=60)
    assert len(report.findings) > 100
    assert _rendered(report) == _reference(report)


def test_values_of_every_shape_are_laid_out_as_the_standard_encoder_does() -> None:
    odd = Finding(
        code="DW401", name="build-arg-secret", severity=Severity.HIGH,
        message="caf\u00e9 \"quoted\" \\ tab\t nul\x00 lone surrogate \ud800 " + XSS,
        location=Location("dir/Dockerfile", 0, 7, "", "host/obj"),
        evidence="", confidence=Confidence.LOW, suppressed=True,
        suppression_reason="accepted\nrisk",
        extra={"nested": {"list": [1, 2.5, None, True, {"deep": []}], "empty": {}},
               "ratio": 0.1, "big": 10**20, "tuple": ("a", 1)},
    )
    plain = Finding(code="DW101", name="privileged", severity=Severity.CRITICAL,
                    message="runs privileged", location=Location("compose.yaml", 3, 5, "p"))
    report = Report(findings=[odd, plain], command="scan", root=".")
    text = _rendered(report)
    assert text == _reference(report)
    assert json.loads(text)["findings"][0]["extra"]["nested"]["list"][1] == 2.5
