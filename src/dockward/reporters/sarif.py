"""SARIF 2.1.0, shaped for GitHub code scanning.

GitHub reads a few optional SARIF fields as if they were required: rule help, tags,
``precision`` and a numeric ``security-severity`` (which it buckets into critical/high/...),
and ``partialFingerprints`` to follow an alert across commits.  Our fingerprint does not
depend on line numbers, so an alert survives edits above it.

File URIs are relative to the folder the scan ran in (where every displayed path is relative
to), declared as the ``SRCROOT`` base in ``originalUriBaseIds``; in CI that folder is the
checkout, which is what GitHub resolves paths against.  Live audits have no files: their
results carry logical locations (``host/container`` or ``host/image``) instead.

No source snippets are embedded: a source line may hold a secret that the finding's
(redacted) evidence does not.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from dockward import __version__
from dockward.findings import Finding, Severity
from dockward.report import Report
from dockward.reporters.markdown import RuleFacts, doc_section, rule_facts

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/dockward/dockward"
FINGERPRINT_KEY = "dockward/v1"
SRCROOT = "SRCROOT"

# GitHub maps >= 9.0 to critical, >= 7.0 high, >= 4.0 medium, > 0 low.
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}

LEVEL: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

# GitHub's problem.severity vocabulary (error, warning, recommendation).
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}

PRECISION = {"high": "high", "medium": "medium", "low": "low"}

FAMILY_TAGS = {
    "DW0": "input", "DW1": "isolation", "DW2": "mounts-and-devices", "DW3": "resources",
    "DW4": "build", "DW5": "image", "DW6": "daemon-and-host", "DW7": "inside",
}


def _rule_descriptor(facts: RuleFacts) -> dict[str, Any]:
    level = LEVEL[facts.severity]
    about = doc_section(facts.doc, "What it does") or doc_section(facts.doc, "Why it matters")
    full = about.split("\n\n")[0].strip() if about else facts.summary
    tags = ["security", "docker", FAMILY_TAGS.get(facts.code[:3], "other"), *facts.refs]
    return {
        "id": facts.code,
        "name": facts.name,
        "shortDescription": {"text": facts.summary},
        "fullDescription": {"text": " ".join(full.split())},
        "help": {"text": facts.doc, "markdown": _help_markdown(facts)},
        "helpUri": facts.help_uri,
        "defaultConfiguration": {"level": level},
        "properties": {
            "tags": tags,
            "precision": PRECISION.get(facts.confidence, "medium"),
            "problem.severity": PROBLEM_SEVERITY[level],
            "security-severity": SECURITY_SEVERITY[facts.severity],
            "dockward-severity": facts.severity.label,
        },
    }


def _help_markdown(facts: RuleFacts) -> str:
    head = f"**{facts.code} {facts.name}** (severity: {facts.severity.label})"
    return f"{head}\n\n{facts.doc}\n\n[Rule documentation]({facts.help_uri})"


def _uri(file: str, base: Path) -> tuple[str, bool]:
    """A URI for ``file`` and whether it is relative to SRCROOT (``base``)."""
    p = Path(file)
    if not p.is_absolute():
        if not p.as_posix().startswith("../"):
            return _quote(p.as_posix()), True
        p = (base / p).resolve()
    try:
        return _quote(p.relative_to(base).as_posix()), True
    except ValueError:  # outside the root: only an absolute URI names it
        return "file://" + _quote(p.as_posix()), False


def _quote(path: str) -> str:
    """Percent-encode a path's bytes: a name that is not UTF-8 keeps its exact bytes
    (``%FF``) instead of crashing the writer."""
    return quote(os.fsencode(path), safe="/")


def _split_subject(subject: str) -> tuple[str, str]:
    """``host/web`` -> (``host``, ``web``); image references keep their own slashes."""
    host, sep, rest = subject.partition("/")
    return (host, rest) if sep else (subject, "")


def _location(f: Finding, base: Path) -> dict[str, Any]:
    loc = f.location
    out: dict[str, Any] = {}
    if loc.file:
        uri, relative = _uri(loc.file, base)
        artifact: dict[str, Any] = {"uri": uri}
        if relative:
            artifact["uriBaseId"] = SRCROOT
        region: dict[str, Any] = {"startLine": max(loc.line, 1)}
        if loc.column > 0:
            region["startColumn"] = loc.column
        if loc.end_line >= max(loc.line, 1):
            region["endLine"] = loc.end_line
        out["physicalLocation"] = {"artifactLocation": artifact, "region": region}
    if loc.subject:
        host, obj = _split_subject(loc.subject)
        logical: dict[str, Any] = {
            "name": obj or host,
            "fullyQualifiedName": loc.subject,
            "kind": "resource" if not loc.file else "object",
        }
        if obj and not loc.file:
            logical["properties"] = {"host": host}
        out["logicalLocations"] = [logical]
    elif not loc.file:  # neither file nor subject: keep the source path as the location
        out["logicalLocations"] = [{"name": loc.path or f.code, "kind": "resource"}]
    if loc.path:
        out.setdefault("properties", {})["path"] = loc.path
    return out


def _result(f: Finding, index: int, base: Path) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [_location(f, base)],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": {
            "severity": f.severity.label,
            "security-severity": SECURITY_SEVERITY[f.severity],
            "confidence": f.confidence.name.lower(),
        },
    }
    if f.evidence:
        result["properties"]["evidence"] = f.evidence
    if f.fix:
        result["properties"]["fix"] = f.fix
    if f.suppressed:
        suppression: dict[str, Any] = {"kind": "inSource", "status": "accepted"}
        if f.suppression_reason:
            suppression["justification"] = f.suppression_reason
        result["suppressions"] = [suppression]
    return result


def _known_codes() -> list[str]:
    from dockward.rules.registry import PSEUDO_RULES, all_rules

    return sorted({*PSEUDO_RULES, *(r.code for r in all_rules())})


def build(report: Report, base: Path | None = None) -> dict[str, Any]:
    """The SARIF log as a dict (``render`` serialises it)."""
    base = (base or Path.cwd()).resolve()
    findings = sorted(report.visible, key=Finding.sort_key)
    codes = _known_codes()
    for f in findings:
        if f.code not in codes:
            codes.append(f.code)
    by_code = {f.code: f for f in findings}
    descriptors = []
    for code in codes:
        seen = by_code.get(code)
        facts = rule_facts(code, seen.name if seen else "", seen.severity if seen else
                           Severity.MEDIUM)
        descriptors.append(_rule_descriptor(facts))
    index = {code: i for i, code in enumerate(codes)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "dockward",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFO_URI,
                "rules": descriptors,
            }
        },
        "automationDetails": {"id": f"dockward/{report.command}/"},
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
        "invocations": [_invocation(report)],
        "results": [_result(f, index[f.code], base) for f in findings],
        "properties": {
            "command": report.command,
            "root": report.root,
            "failOn": report.fail_on.label,
            "subjects": report.subjects,
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _invocation(report: Report) -> dict[str, Any]:
    inv: dict[str, Any] = {"executionSuccessful": True}
    if report.errors:
        inv["toolExecutionNotifications"] = [
            {"level": "error", "message": {"text": err}} for err in report.errors
        ]
    return inv


def render(report: Report, out: TextIO, color: bool = False) -> None:
    json.dump(build(report), out, indent=2, default=str)
    out.write("\n")
