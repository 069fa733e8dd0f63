"""The JSON report validates against the documented schema (docs/report.schema.json)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema

from dockward.config import Config
from dockward.report import Report
from dockward.reporters.json_report import render
from dockward.usecases.scan import scan_paths

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "report.schema.json").read_text())


def _json(report: Report) -> dict[str, object]:
    out = io.StringIO()
    render(report, out)
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def test_scan_report_of_the_seed_demo_validates() -> None:
    result = scan_paths([str(ROOT / "examples" / "seed-demo")], Config())
    data = _json(Report(command="scan", findings=result.findings, root="examples/seed-demo",
                        stats={"files_scanned": result.files_scanned}))
    jsonschema.validate(data, SCHEMA)
    assert data["summary"]["total"] == len(result.findings)  # type: ignore[index]


def test_a_report_that_breaks_the_schema_is_rejected() -> None:
    data = _json(Report(command="scan", findings=[]))
    data["findings"] = [{"code": "X1"}]
    try:
        jsonschema.validate(data, SCHEMA)
    except jsonschema.ValidationError:
        return
    raise AssertionError("schema accepted a finding without its required fields")
