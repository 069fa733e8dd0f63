"""HTML report: self-contained, escaped, and working in a real (headless) browser."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dockward.findings import Severity
from dockward.report import Report
from dockward.reporters import html
from tests.reporters.browser import Browser, find_chromium
from tests.reporters.conftest import FIXTURES, run_cli, skip_or_fail
from tests.reporters.synthetic import XSS, audit_report, scan_report

URL_ATTRS = {"src", "href", "action", "formaction", "poster", "data", "srcset", "xlink:href",
             "background", "manifest", "ping"}


class _Collector(HTMLParser):
    """Every tag with its attributes, and the text of <script> and <style> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.blocks: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.blocks:
            self._in = tag
            self.blocks[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.blocks[self._in][-1] += data


def render(report: Report) -> str:
    buf = io.StringIO()
    html.render(report, buf)
    return buf.getvalue()


def collect(page: str) -> _Collector:
    parser = _Collector()
    parser.feed(page)
    return parser


@pytest.mark.parametrize("make", [audit_report, scan_report], ids=["audit", "scan"])
def test_self_contained(make: object) -> None:
    page = render(make())  # type: ignore[operator]
    parsed = collect(page)
    for tag, attrs in parsed.tags:
        assert tag not in ("link", "iframe", "object", "embed", "img", "base"), tag
        if tag in ("script", "style"):
            assert "src" not in attrs and "href" not in attrs
        for name, value in attrs.items():
            if name in URL_ATTRS and value:
                # only plain links to documentation; nothing the page loads itself
                assert tag == "a" and name == "href", (tag, name, value)
                assert value.startswith(("#", "https://")), value
    assert "url(" not in "".join(parsed.blocks["style"])  # no CSS fetches
    assert "@import" not in "".join(parsed.blocks["style"])
    assert not re.search(r"\bfetch\(|XMLHttpRequest|import\(", "".join(parsed.blocks["script"]))


def test_csp_allows_exactly_the_inline_style_and_script() -> None:
    page = render(scan_report())
    parsed = collect(page)
    csp = next(a["content"] for t, a in parsed.tags
               if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp
    (script,) = parsed.blocks["script"]
    (style,) = parsed.blocks["style"]

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert f"script-src 'sha256-{digest(script)}'" in csp
    assert f"style-src 'sha256-{digest(style)}'" in csp
    assert "unsafe-inline" not in csp


@pytest.mark.parametrize("make", [audit_report, scan_report], ids=["audit", "scan"])
def test_hostile_names_and_messages_render_as_text(make: object) -> None:
    page = render(make())  # type: ignore[operator]
    assert XSS not in page
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in page
    parsed = collect(page)
    assert len(parsed.blocks["script"]) == 1  # only ours
    assert not any(t == "img" for t, _ in parsed.tags)
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)


def test_audit_groups_hosts_then_containers() -> None:
    report = audit_report(containers=24)
    files, hosts = html.group_findings(report)
    assert files == []
    assert [h.title for h in hosts] == ["prod-1", "prod-2"]
    objects = [c for h in hosts for c in h.children]
    assert len(objects) >= 20
    assert "registry.example.com/team/api:1.4" in hosts[0].children
    assert [f.code for f in hosts[1].findings] == ["DW601"]  # host-level: no object
    assert "app-05" in hosts[1].clean  # audited, no findings


def test_scan_groups_per_file_and_explains_findings() -> None:
    page = render(scan_report(hostile=False))
    assert page.count('class="group file"') == 3
    assert 'id="rule-DW201"' in page and 'href="#rule-DW201"' in page
    assert "<h4>Fix</h4>" in page  # the rule's fix travels with each finding
    assert "add pids_limit: 200" in page  # and the finding's own fix


def test_empty_report() -> None:
    page = render(Report(command="scan", findings=[]))
    assert "No findings." in page and 'id="filters"' not in page


def test_rule_docs_markdown_is_escaped() -> None:
    out = html.doc_html("Hi <b>x</b> `a<b`\n\n## Fix\n- one `two`\n\n```sh\n<x> & y\n```")
    assert "&lt;b&gt;x&lt;/b&gt;" in out and "<code>a&lt;b</code>" in out
    assert "<h4>Fix</h4><ul><li>one <code>two</code></li></ul>" in out
    assert "<pre><code>&lt;x&gt; &amp; y</code></pre>" in out


def test_cli_html_of_fixture_scan(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = run_cli("scan", "project", "--format", "html", "--output", str(out), cwd=FIXTURES)
    assert proc.returncode == 1, proc.stderr
    page = out.read_text(encoding="utf-8")
    assert "project/compose.yaml" in page and "DW201" in page


# -- a real browser --------------------------------------------------------------------------

_ARTIFACTS = os.environ.get("DOCKWARD_ARTIFACTS")


def _keep(path: Path) -> None:
    """Copy a screenshot or page to $DOCKWARD_ARTIFACTS, for humans and CI uploads."""
    if _ARTIFACTS:
        Path(_ARTIFACTS).mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, Path(_ARTIFACTS) / path.name)


@pytest.fixture
def chromium() -> str:
    found = find_chromium()
    if found is None:
        skip_or_fail("chromium is not installed (apt-get install chromium)")
    return found  # type: ignore[return-value]


@pytest.mark.slow
def test_audit_of_many_containers_renders_in_chromium(chromium: str, tmp_path: Path) -> None:
    report = audit_report(containers=24)
    page = tmp_path / "audit-report.html"
    page.write_text(render(report), encoding="utf-8")
    shot = tmp_path / "audit-report.png"
    profile = tmp_path / "profile"
    profile.mkdir()
    visible = [f for f in report.visible]
    critical = sum(1 for f in visible if f.severity == Severity.CRITICAL)
    dw303 = sum(1 for f in visible if f.code == "DW303")
    app07 = sum(1 for f in visible if f.location.subject.endswith("/app-07"))
    with Browser(chromium, profile) as browser:
        browser.open(page.as_uri())
        js = browser.evaluate
        assert js("document.querySelectorAll('details.group.object').length") >= 20
        assert js("document.querySelectorAll('li.finding').length") == len(visible)
        assert js("window.__xss") is None  # the hostile container name did not run
        assert js("performance.getEntriesByType('resource').length") == 0  # no fetches
        assert js("document.scripts.length") == 1
        assert js("document.getElementById('shown').textContent") == str(len(visible))
        # severity filter: critical only
        js("document.querySelectorAll('input[name=sev]').forEach(b => {"
           " b.checked = b.value === 'critical'; b.dispatchEvent(new Event('change')); })")
        assert js("document.getElementById('shown').textContent") == str(critical)
        assert js("[...document.querySelectorAll('li.finding:not([hidden])')]"
                  ".every(li => li.dataset.sev === 'critical')")
        # rule filter, then the reset button
        js("document.getElementById('reset').click()")
        js("const s = document.getElementById('f-rule'); s.value = 'DW303';"
           " s.dispatchEvent(new Event('change'))")
        assert js("document.getElementById('shown').textContent") == str(dw303)
        # text search matches the container name from the group heading
        js("document.getElementById('reset').click()")
        js("const t = document.getElementById('f-text'); t.value = 'app-07';"
           " t.dispatchEvent(new Event('input'))")
        assert js("document.getElementById('shown').textContent") == str(app07)
        hidden_groups = js("[...document.querySelectorAll('details.group.object')]"
                           ".filter(g => g.hidden).length")
        assert hidden_groups >= 20
        # a chart bar click filters too
        js("document.getElementById('reset').click()")
        js("document.querySelector('.barrow[data-filter-sev=high]')"
           ".dispatchEvent(new MouseEvent('click', {bubbles: true}))")
        assert js("document.getElementById('shown').textContent") == str(
            sum(1 for f in visible if f.severity == Severity.HIGH))
        # a finding's "why" section fills in from its rule's template when opened
        js("const w = document.querySelector('details.why[data-rule=DW303]'); w.open = true")
        assert js("new Promise(r => setTimeout(() => r(document.querySelector("
                  "'details.why[data-rule=DW303] .explain').textContent), 50))").count("Fix") >= 1
        # screenshot of the unfiltered page with the first containers opened
        js("document.getElementById('reset').click();"
           " document.getElementById('collapse').click();"
           " document.querySelectorAll('details.group.host').forEach(d => d.open = true);"
           " document.querySelectorAll('details.group.object')[0].open = true;"
           " window.scrollTo(0, 0)")
        browser.screenshot(shot)
        problems = browser.problems()
    assert problems == [], json.dumps(problems, indent=2)
    assert shot.stat().st_size > 20_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    _keep(shot)
    _keep(page)


@pytest.mark.slow
def test_scan_report_renders_in_chromium(chromium: str, tmp_path: Path) -> None:
    page = tmp_path / "scan-report.html"
    proc = run_cli("scan", "project", "--format", "html", "--output", str(page), cwd=FIXTURES)
    assert proc.returncode == 1, proc.stderr
    profile = tmp_path / "profile"
    profile.mkdir()
    shot = tmp_path / "scan-report.png"
    with Browser(chromium, profile) as browser:
        browser.open(page.as_uri())
        assert browser.evaluate("document.querySelectorAll('details.group.file').length") >= 3
        assert browser.evaluate("performance.getEntriesByType('resource').length") == 0
        browser.screenshot(shot)
        problems = browser.problems()
    assert problems == [], problems
    _keep(shot)
