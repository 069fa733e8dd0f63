"""Markdown report: a pull-request comment that fits GitHub's comment limit.

A severity summary table first (what a reviewer reads), then the findings table and one
collapsible explanation per rule (what the author needs to fix it).  Everything taken from
the scanned input is escaped, so a file name or message cannot inject links, HTML or table
cells into the comment.

This module also holds the small rule-metadata helpers (``rule_facts``, ``doc_section``) the
other reporters share: rule docs are Markdown, so they belong with the Markdown renderer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TextIO

from dockward.findings import Finding, Severity
from dockward.report import Report

DOCS_URL = "https://github.com/dockward/dockward/blob/main/docs/rules/{code}.md"

# GitHub rejects comments over 65536 characters; keep a margin for the surrounding text.
MAX_CHARS = 60_000
MAX_ROWS = 200


@dataclass(frozen=True)
class RuleFacts:
    """What reporters show about a rule, whether it is a registered rule or a pseudo rule."""

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    refs: tuple[str, ...] = ()
    fix: str = "none"
    confidence: str = "high"
    model: str = ""

    @property
    def help_uri(self) -> str:
        return DOCS_URL.format(code=self.code)


@lru_cache(maxsize=512)
def rule_facts(code: str, name: str = "", severity: Severity = Severity.MEDIUM) -> RuleFacts:
    """Metadata for ``code``; unknown codes (a rule pack removed since) get a minimal entry."""
    from dockward.rules.registry import PSEUDO_RULES, lookup

    found = lookup(code)
    if found is not None:
        return RuleFacts(
            code=found.code, name=found.name, severity=found.severity, summary=found.summary,
            doc=found.doc, refs=found.refs, fix=found.fix.name.lower(),
            confidence=found.confidence.name.lower(), model=found.model.__name__,
        )
    if code in PSEUDO_RULES:
        pname, psev, summary = PSEUDO_RULES[code]
        return RuleFacts(code=code, name=pname, severity=psev, summary=summary, doc=summary,
                         model="input")
    return RuleFacts(code=code, name=name or code.lower(), severity=severity,
                     summary=name or code, doc=name or code)


def doc_section(doc: str, heading: str) -> str:
    """The text under ``## heading`` in a rule doc, up to the next ``## `` heading."""
    out: list[str] = []
    inside = False
    fenced = False
    for line in doc.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("## "):
            if inside:
                break
            inside = line[3:].strip().lower() == heading.lower()
            continue
        if inside:
            out.append(line)
    return "\n".join(out).strip()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#!~])")


def escape_md(text: str) -> str:
    """Inline-safe Markdown: no formatting, links, HTML or table cells from user text, and
    control characters or bidi overrides shown escaped (:func:`dockward.text.visible`)."""
    from dockward.text import visible

    text = visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return " ".join(text.split())  # newlines would end the table row


def _where(f: Finding) -> str:
    loc = f.location
    if loc.file:
        return f"{loc.file}:{loc.line}" if loc.line else loc.file
    return loc.subject or loc.path or "-"


def _counts_table(report: Report) -> list[str]:
    counts = report.counts()
    lines = ["| severity | findings |", "|---|---:|"]
    lines += [f"| {name} | {n} |" for name, n in counts.items()]
    return lines


def _findings_table(findings: list[Finding]) -> list[str]:
    lines = ["| severity | rule | location | message |", "|---|---|---|---|"]
    for f in findings[:MAX_ROWS]:
        note = " (suppressed)" if f.suppressed else ""
        lines.append(
            f"| {f.severity.label}{note} | {escape_md(f.code)} {escape_md(f.name)} "
            f"| {escape_md(_where(f))} | {escape_md(f.message)} |"
        )
    if len(findings) > MAX_ROWS:
        lines.append(f"\n…and {len(findings) - MAX_ROWS} more (see the full report).")
    return lines


def _rule_details(findings: list[Finding]) -> list[str]:
    seen: dict[str, Finding] = {}
    for f in findings:
        seen.setdefault(f.code, f)
    lines: list[str] = []
    for code in sorted(seen):
        f = seen[code]
        facts = rule_facts(code, f.name, f.severity)
        fix = doc_section(facts.doc, "Fix") or (f.fix or "")
        lines += [
            "<details>",
            f"<summary>{escape_md(code)} {escape_md(facts.name)}: "
            f"{escape_md(facts.summary)}</summary>",
            "",
        ]
        if fix:
            lines += ["**Fix**", "", fix, ""]
        lines += [f"[Rule documentation]({facts.help_uri})", "", "</details>", ""]
    return lines


def render(report: Report, out: TextIO, color: bool = False) -> None:
    findings = sorted(report.visible, key=lambda f: (-f.severity, f.sort_key()))
    total = sum(report.counts().values())
    title = f"## dockward {report.command}: {total} finding{'s' if total != 1 else ''}"
    lines = [title, ""]
    if not findings and not report.errors:
        lines.append("No findings.")
    else:
        lines += _counts_table(report)
        if findings:
            lines += ["", "<details open>", f"<summary>Findings ({len(findings)})</summary>", ""]
            lines += _findings_table(findings)
            lines += ["", "</details>", "", "### How to fix", ""]
            lines += _rule_details(findings)
        for err in report.errors:
            lines.append(f"- error: {escape_md(err)}")
    text = "\n".join(lines).rstrip() + "\n"
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS].rsplit("\n", 1)[0] + "\n\n…(truncated)\n"
    out.write(text)
