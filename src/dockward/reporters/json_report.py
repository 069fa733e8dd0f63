"""JSON report, schema ``dockward-report/1`` (docs/json-report.md, docs/report.schema.json)."""

from __future__ import annotations

import json
import secrets
from json.encoder import encode_basestring_ascii
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


def report_to_dict(report: Report, findings: bool = True) -> dict[str, Any]:
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
        "findings": [finding_to_dict(f) for f in report.findings] if findings else [],
        "errors": report.errors,
        "subjects": report.subjects,
    }


def render(report: Report, out: TextIO, color: bool = False) -> None:
    """The report as ``json.dump(report_to_dict(report), indent=2)`` writes it, byte for
    byte, but written finding by finding: no list of every finding's dict (nor the whole
    text) is held at once, which a tree with tens of thousands of findings would need."""
    if not report.findings:
        json.dump(report_to_dict(report), out, indent=2, sort_keys=False, default=str)
        out.write("\n")
        return
    marker = f"findings-{secrets.token_hex(16)}"
    frame = report_to_dict(report, findings=False)
    frame["findings"] = marker
    head, _, tail = json.dumps(frame, indent=2, sort_keys=False, default=str).partition(
        json.dumps(marker))
    out.write(head + "[\n")
    batch: list[str] = []
    for i, f in enumerate(report.findings):
        batch.append(_finding_text(f))
        if len(batch) == 512 or i == len(report.findings) - 1:
            out.write(",\n".join(batch))
            if i < len(report.findings) - 1:
                out.write(",\n")
            batch.clear()
    out.write("\n  ]" + tail + "\n")


_ITEM = "    "  # a finding's indentation in the report (a list item two levels down)
_ENCODER = json.JSONEncoder(indent=2, default=str)
_SCALARS = {None: "null", True: "true", False: "false"}


def _finding_text(f: Finding) -> str:
    """One finding as json.dumps(finding_to_dict(f), indent=2) lays it out inside the
    report (tests/reporters/test_json.py holds the two together).  The standard library
    encodes indented JSON in pure Python (~14 µs a finding, the bulk of a warm re-scan);
    a finding is a flat object of strings, numbers and booleans but for ``extra``, so each
    value is encoded on its own with the C string encoder, in a third of the time."""
    loc = f.location
    text = _or_null
    return (
        '    {\n      "code": ' + encode_basestring_ascii(f.code)
        + ',\n      "name": ' + encode_basestring_ascii(f.name)
        + ',\n      "severity": ' + encode_basestring_ascii(f.severity.label)
        + ',\n      "confidence": ' + encode_basestring_ascii(f.confidence.name.lower())
        + ',\n      "message": ' + encode_basestring_ascii(f.message)
        + ',\n      "file": ' + text(loc.file)
        + ',\n      "line": ' + _value_text(loc.line or None)
        + ',\n      "column": ' + _value_text(loc.column or None)
        + ',\n      "path": ' + text(loc.path)
        + ',\n      "subject": ' + text(loc.subject)
        + ',\n      "evidence": ' + text(f.evidence)
        + ',\n      "fix": ' + text(f.fix)
        + ',\n      "fingerprint": ' + encode_basestring_ascii(f.fingerprint)
        + ',\n      "suppressed": ' + _value_text(f.suppressed)
        + ',\n      "suppression_reason": ' + text(f.suppression_reason)
        + ',\n      "extra": ' + _value_text(f.extra or None)
        + "\n    }")


def _or_null(value: str) -> str:
    """A string field that the report writes as null when empty."""
    return encode_basestring_ascii(value) if value else "null"


def _value_text(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return encode_basestring_ascii(value)
    if value is None or kind is bool:
        return _SCALARS[value]
    if kind is int:
        return int.__repr__(value)
    return _ENCODER.encode(value).replace("\n", "\n" + _ITEM + "  ")
