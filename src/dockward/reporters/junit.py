"""JUnit XML: one testcase per rule and object (file, container or image).

CI dashboards (GitLab, Jenkins, Azure) count failed tests; a testcase fails when one of its
findings is at or above ``fail-on``, so the dashboard agrees with the exit code.  Findings
below the threshold are listed in the testcase's output, suppressed ones make it skipped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from dockward.findings import Finding
from dockward.report import Report

# Characters XML 1.0 cannot carry at all, even escaped (controls are escaped before).
_INVALID_XML = re.compile("[\ufffe\uffff]")


def _clean(text: str) -> str:
    """Control characters and bidi overrides shown escaped; what XML cannot hold replaced."""
    from dockward.text import visible

    return _INVALID_XML.sub("\ufffd", visible(text, keep_newlines=True))


def _object_of(f: Finding) -> str:
    return f.location.file or f.location.subject or f.location.path or "(no location)"


def _line(f: Finding) -> str:
    loc = f.location
    where = loc.describe() or "-"
    text = f"{where}: {f.severity.label}: {f.message}"
    if f.evidence:
        text += f" [{f.evidence}]"
    if f.fix:
        text += f"\n    fix: {f.fix}"
    return text


def _testcase(code: str, obj: str, items: list[Finding], report: Report
              ) -> tuple[ET.Element, bool, bool]:
    """The testcase for one rule on one object, whether it failed and whether it skipped."""
    first = items[0]
    case = ET.Element("testcase", classname=_clean(f"dockward.{code}"),
                      name=_clean(f"{code} {first.name}: {obj}"),
                      file=_clean(first.location.file or obj))
    active = [f for f in items if not f.suppressed]
    failing = [f for f in active if f.severity >= report.fail_on or f.code == "DW000"]
    text = _clean("\n".join(_line(f) for f in items))
    if failing:
        worst = max(failing, key=lambda f: f.severity)
        node = ET.SubElement(case, "failure", type=worst.severity.label,
                             message=_clean(f"{len(failing)} finding(s): {worst.message}"))
        node.text = text
    elif not active:
        ET.SubElement(case, "skipped", message=_clean(
            "suppressed: " + "; ".join(f.suppression_reason or "inline ignore" for f in items)))
    else:
        ET.SubElement(case, "system-out").text = text
    return case, bool(failing), not active


def build(report: Report) -> ET.Element:
    """The ``<testsuites>`` tree."""
    cases: dict[tuple[str, str], list[Finding]] = {}
    for f in sorted(report.visible, key=Finding.sort_key):
        cases.setdefault((f.code, _object_of(f)), []).append(f)
    suite = ET.Element("testsuite", name=f"dockward.{report.command}")
    failures = skipped = 0
    for (code, obj), items in sorted(cases.items()):
        case, failed, skip = _testcase(code, obj, items, report)
        failures += failed
        skipped += skip
        suite.append(case)
    if not cases:
        ET.SubElement(suite, "testcase", classname="dockward", name=f"dockward {report.command}")
    errors = 0
    for err in report.errors:
        case = ET.SubElement(suite, "testcase", classname="dockward", name="input")
        ET.SubElement(case, "error", message=_clean(err))
        errors += 1
    totals = {"tests": str(len(suite)), "failures": str(failures), "errors": str(errors),
              "skipped": str(skipped), "time": str(report.stats.get("seconds", 0))}
    for key, value in totals.items():
        suite.set(key, value)
    root = ET.Element("testsuites", {"name": "dockward", **totals})
    root.append(suite)
    return root


def render(report: Report, out: TextIO, color: bool = False) -> None:
    root = build(report)
    ET.indent(root, space="  ")
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")
