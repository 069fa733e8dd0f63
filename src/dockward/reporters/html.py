"""HTML report: one self-contained file to open in a browser or attach to a CI run.

Everything the page needs is inline (CSS, a little JS, SVG charts): it makes no network
request, which the Content-Security-Policy enforces (``default-src 'none'``).  The inline
style and script are allowed by their SHA-256 hashes only, so even if some scanned text
slipped through unescaped it could not run.  It does not: jinja2 autoescapes every value, and
filter data lives in ``data-*`` attributes rather than in an embedded script.

Scans are shown per file; audits per host, then per container or image (subjects without
findings are listed as clean).  Each finding opens onto its rule's explanation and fix; the
explanation is stored once per rule and copied in when opened, so an audit of hundreds of
containers does not repeat it thousands of times.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, TextIO

from markupsafe import Markup, escape

from dockward import __version__
from dockward.findings import Finding, Severity
from dockward.report import Report
from dockward.reporters.fleet import fleet_view, host_anchor
from dockward.reporters.markdown import RuleFacts, doc_section, rule_facts

SEVERITIES = [s.label for s in sorted(Severity, reverse=True)]
CHART_WIDTH = 240  # px for the longest bar
CHART_ROWS = 12


@dataclass
class Group:
    """A file, a host, or a container/image under a host, with its findings."""

    key: str
    title: str
    findings: list[Finding] = field(default_factory=list)
    children: dict[str, Group] = field(default_factory=dict)
    clean: list[str] = field(default_factory=list)

    def all_findings(self) -> list[Finding]:
        out = list(self.findings)
        for child in self.children.values():
            out.extend(child.all_findings())
        return out

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(SEVERITIES, 0)
        for f in self.all_findings():
            out[f.severity.label] += 1
        return {k: v for k, v in out.items() if v}


@dataclass
class Bar:
    label: str
    value: int
    width: int
    css: str
    attr: str  # data-filter-* attribute name the bar's click sets
    key: str


_INLINE_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_LINK = re.compile(r"\[([^\]]+)\]\((https://[^)\s]+)\)")


def _inline(text: str) -> str:
    html = str(escape(text))
    html = _INLINE_CODE.sub(r"<code>\1</code>", html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    return _LINK.sub(r'<a href="\2" rel="noopener noreferrer">\1</a>', html)


def doc_html(doc: str) -> Markup:
    """Rule docs (trusted Markdown from our docstrings) as HTML; every span is escaped first."""
    parts: list[str] = []
    para: list[str] = []
    items: list[str] = []
    code: list[str] | None = None

    def flush() -> None:
        if para:
            parts.append(f"<p>{_inline(' '.join(para))}</p>")
            para.clear()
        if items:
            parts.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in doc.splitlines():
        stripped = line.strip()
        if code is not None:
            if stripped.startswith("```"):
                parts.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
                code = None
            else:
                code.append(line)
            continue
        if stripped.startswith("```"):
            flush()
            code = []
        elif stripped.startswith("#"):
            flush()
            parts.append(f"<h4>{_inline(stripped.lstrip('#').strip())}</h4>")
        elif stripped.startswith(("- ", "* ")):
            if para:
                flush()
            items.append(stripped[2:])
        elif not stripped:
            flush()
        else:
            if items:
                flush()
            para.append(stripped)
    if code is not None:
        parts.append(f"<pre><code>{escape(chr(10).join(code))}</code></pre>")
    flush()
    return Markup("".join(parts))  # built only from escaped pieces


def _subject_names(subjects: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Host -> every container and image the audit looked at (tolerant of entry shapes)."""
    out: dict[str, list[str]] = {}
    for entry in subjects:
        if not isinstance(entry, dict):
            continue
        host = str(entry.get("host") or "")
        names = out.setdefault(host, [])
        for kind in ("containers", "services", "images"):
            for item in entry.get(kind) or []:
                if isinstance(item, dict):
                    subject = str(item.get("subject") or "")
                    if subject.startswith(f"{host}/"):
                        item = subject[len(host) + 1:]
                    else:
                        item = (item.get("name") or item.get("ref") or item.get("Name")
                                or item.get("id") or "")
                if item:
                    names.append(str(item).lstrip("/"))
    return out


def group_findings(report: Report) -> tuple[list[Group], list[Group]]:
    """(files, hosts): scan findings per file; audit findings per host -> object."""
    files: dict[str, Group] = {}
    hosts: dict[str, Group] = {}
    for f in sorted(report.visible, key=Finding.sort_key):
        loc = f.location
        if loc.file:
            files.setdefault(loc.file, Group(loc.file, loc.file)).findings.append(f)
            continue
        host, _, obj = (loc.subject or "(unknown)").partition("/")
        hgroup = hosts.setdefault(host, Group(host, host))
        if not obj:
            hgroup.findings.append(f)  # about the host or daemon itself
            continue
        hgroup.children.setdefault(obj, Group(f"{host}/{obj}", obj)).findings.append(f)
    for hgroup in hosts.values():  # most severe first within a host and a container
        for group in (hgroup, *hgroup.children.values()):
            group.findings.sort(key=lambda f: (-f.severity, f.code, f.location.path))
    for host, names in _subject_names(report.subjects).items():
        hgroup = hosts.setdefault(host, Group(host, host))
        hgroup.clean = sorted({n for n in names if n not in hgroup.children})
    return list(files.values()), [hosts[h] for h in sorted(hosts)]


def _bars(counts: list[tuple[str, int]], attr: str, css: dict[str, str] | None = None
          ) -> list[Bar]:
    """Horizontal bars scaled to the largest value; ``attr`` names the filter a click sets."""
    peak = max((v for _, v in counts), default=0) or 1
    return [Bar(label=k, value=v, width=max(2, round(CHART_WIDTH * v / peak)) if v else 0,
                css=(css or {}).get(k, "bar"), attr=attr, key=k) for k, v in counts]


def _top(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:CHART_ROWS]


@dataclass
class Chart:
    title: str
    bars: list[Bar]


def charts(report: Report, files: list[Group], hosts: list[Group]) -> list[Chart]:
    """The summary charts: by severity, by rule, and by the most affected object."""
    visible = [f for f in report.visible if not f.suppressed]
    by_rule: dict[str, int] = {}
    names: dict[str, str] = {}
    for f in visible:
        by_rule[f.code] = by_rule.get(f.code, 0) + 1
        names[f.code] = f"{f.code} {f.name}"
    rule_bars = _bars(_top(by_rule), "rule")
    for bar in rule_bars:
        bar.label = names[bar.key]
    out = [
        Chart("Findings by severity", _bars(list(report.counts().items()), "sev",
                                            {s: f"sev-{s}" for s in SEVERITIES})),
        Chart("Findings by rule", rule_bars),
    ]
    per_object: dict[str, int] = {}
    for g in files:
        per_object[g.title] = len(g.all_findings())
    for h in hosts:
        for child in h.children.values():
            per_object[child.key] = len(child.all_findings())
    if per_object:
        title = "Most affected containers" if hosts and not files else "Most affected files"
        out.append(Chart(title, _bars(_top(per_object), "")))
    return out


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _asset(name: str) -> str:
    return (resources.files("dockward.reporters") / "templates" / name).read_text("utf-8")


def _rules_seen(findings: list[Finding]) -> list[RuleFacts]:
    seen: dict[str, Finding] = {}
    for f in findings:
        seen.setdefault(f.code, f)
    return [rule_facts(c, seen[c].name, seen[c].severity) for c in sorted(seen)]


def _explanation(facts: RuleFacts) -> Markup:
    """What each finding shows inline: why (first paragraph) and how to fix."""
    why = doc_section(facts.doc, "Why it matters").split("\n\n")[0]
    fix = doc_section(facts.doc, "Fix")
    parts = [doc_html(why or facts.summary)]
    if fix:
        parts.append(Markup("<h4>Fix</h4>") + doc_html(fix))
    return Markup("").join(parts)


def _shown(value: Any) -> Any:
    """Every text the page prints: control characters and bidi overrides escaped, as in
    every human-facing format (markup the reporter built itself is left alone)."""
    from dockward.text import visible

    if isinstance(value, str) and not isinstance(value, Markup):
        return visible(value, keep_newlines=True)
    return value


def render(report: Report, out: TextIO, color: bool = False) -> None:
    import jinja2

    css, js = _asset("report.css"), _asset("report.js")
    csp = ("default-src 'none'; img-src data:; base-uri 'none'; form-action 'none'; "
           f"style-src 'sha256-{_sha256(css)}'; script-src 'sha256-{_sha256(js)}'")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, finalize=_shown)
    env.globals.update(doc_html=doc_html)
    template = env.from_string(_asset("report.html.j2"))
    files, hosts = group_findings(report)
    rules = _rules_seen(report.visible)
    counts = report.counts()
    page = template.render(
        report=report, version=__version__, css=Markup(css), js=Markup(js), csp=csp,
        files=files, hosts=hosts, rules=rules, counts=counts,
        explain={r.code: _explanation(r) for r in rules}, total=sum(counts.values()),
        severities=SEVERITIES, charts=charts(report, files, hosts),
        objects=sum(len(h.children) + len(h.clean) for h in hosts),
        suppressed=sum(1 for f in report.findings if f.suppressed),
        fleet=fleet_view(report.visible, report.subjects), host_anchor=host_anchor,
    )
    out.write(page)
