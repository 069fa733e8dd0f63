"""JSON report, schema ``dockward-report/1`` (docs/json-report.md, docs/report.schema.json)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from dockward import __version__
from dockward.findings import Finding
from dockward.report import Report

SCHEMA = "dockward-report/1"


def finding_to_dict(f: Finding) -> dict[str, Any]:
    loc = f.location
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.label,
        "confidence": f.confidence.name.lower(),
        "message": f.message,
        "file": loc.file or None,
        "line": loc.line or None,
        "column": loc.column or None,
        "path": loc.path or None,
        "subject": loc.subject or None,
        "evidence": f.evidence or None,
        "fix": f.fix or None,
        "fingerprint": f.fingerprint,
        "suppressed": f.suppressed,
        "suppression_reason": f.suppression_reason or None,
        "extra": f.extra or None,
    }


def report_to_dict(report: Report) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "tool": {"name": "dockward", "version": __version__},
        "command": report.command,
        "root": report.root,
        "fail_on": report.fail_on.label,
        "summary": {
            "total": sum(1 for f in report.findings if not f.suppressed),
            "suppressed": sum(1 for f in report.findings if f.suppressed),
            "by_severity": report.counts(),
            **report.stats,
        },
        "findings": [finding_to_dict(f) for f in report.findings],
        "errors": report.errors,
        "subjects": report.subjects,
    }


def render(report: Report, out: TextIO, color: bool = False) -> None:
    json.dump(report_to_dict(report), out, indent=2, sort_keys=False, default=str)
    out.write("\n")
