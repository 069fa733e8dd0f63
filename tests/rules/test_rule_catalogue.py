"""Every registered rule is documented, referenced and (for Workload/Daemon) has fixtures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dockward.models.daemon import Daemon
from dockward.models.workload import Workload
from dockward.rules.registry import REQUIRED_DOC_HEADINGS, Rule, all_rules

FIXTURES = Path(__file__).parent / "fixtures"

# The headings every rule doc carries, in this order; "## Options" may follow "## Fix".
DOC_HEADINGS = REQUIRED_DOC_HEADINGS
OPTIONAL_HEADINGS = ("## Options",)

REF_PATTERNS = (
    re.compile(r"^CIS-\d+(\.\d+)+$"),
    re.compile(r"^OWASP-D\d+[a-z]?$"),
    re.compile(r"^ATTACK-T\d{4}(\.\d{3})?$"),
    re.compile(r"^PSS-(baseline|restricted)-[a-z0-9]+(-[a-z0-9]+)*$"),
    re.compile(r"^CWE-\d+$"),
)

RULES = all_rules()
OWN_MODELS = (Workload, Daemon)


def _ids(rules: list[Rule]) -> list[str]:
    return [r.code for r in rules]


def test_codes_are_unique_and_well_formed() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"DW\d{3}", code), code


def test_names_are_unique_kebab_case() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    for name in names:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), name


@pytest.mark.parametrize("r", RULES, ids=_ids(RULES))
def test_doc_has_summary_and_headings(r: Rule) -> None:
    lines = r.doc.splitlines()
    assert lines and lines[0].strip() and not lines[0].startswith("#"), r.code
    assert r.summary.endswith("."), f"{r.code}: summary should be one sentence"
    headings = [ln.strip() for ln in lines if ln.startswith("## ")]
    for h in headings:
        assert h in DOC_HEADINGS + OPTIONAL_HEADINGS, f"{r.code}: unexpected heading {h!r}"
    required = [h for h in headings if h in DOC_HEADINGS]
    assert required == list(DOC_HEADINGS), f"{r.code}: headings {headings}"
    for heading in DOC_HEADINGS:
        body = _section(r.doc, heading)
        assert body.strip(), f"{r.code}: {heading} is empty"


@pytest.mark.parametrize("r", RULES, ids=_ids(RULES))
def test_refs_are_present_and_cited_in_doc(r: Rule) -> None:
    assert r.refs, f"{r.code}: no refs"
    references = _section(r.doc, "## References")
    for ref in r.refs:
        assert any(p.match(ref) for p in REF_PATTERNS), f"{r.code}: odd ref {ref!r}"
        assert f"`{ref}`" in references, f"{r.code}: {ref} not cited under References"


@pytest.mark.parametrize("r", RULES, ids=_ids(RULES))
def test_options_are_documented(r: Rule) -> None:
    if not r.options:
        assert "## Options" not in r.doc, f"{r.code}: Options heading without options"
        return
    section = _section(r.doc, "## Options")
    for key in r.options:
        assert f"`{key}`" in section, f"{r.code}: option {key} not documented"


@pytest.mark.parametrize("r", RULES, ids=_ids(RULES))
def test_bad_and_good_examples_are_code(r: Rule) -> None:
    for heading in ("## Bad", "## Good"):
        assert "```" in _section(r.doc, heading), f"{r.code}: {heading} has no code block"


# Daemon rules whose fact no file can express: tested against a live daemon instead
# (tests/audit/test_daemon_host.py).
LIVE_ONLY = {"DW605", "DW614", "DW615"}


def _needs_fixtures(r: Rule) -> bool:
    if r.code in LIVE_ONLY:
        return False
    return r.model in OWN_MODELS or (FIXTURES / r.code).is_dir()


FIXTURE_RULES = [r for r in RULES if _needs_fixtures(r)]


@pytest.mark.parametrize("r", FIXTURE_RULES, ids=_ids(FIXTURE_RULES))
def test_fixture_directory_has_failing_and_passing_files(r: Rule) -> None:
    folder = FIXTURES / r.code
    assert folder.is_dir(), f"{r.code}: no fixtures in {folder}"
    names = [p.name for p in folder.iterdir() if p.is_file()]
    assert any(n.startswith("fail_") for n in names), f"{r.code}: no fail_ fixture"
    assert any(n.startswith("pass_") for n in names), f"{r.code}: no pass_ fixture"
    if r.model is Workload:
        for prefix in ("fail_", "pass_"):
            assert any(n.startswith(prefix) and n.endswith(".compose.yaml") for n in names), \
                f"{r.code}: no {prefix}*.compose.yaml"
        assert any(n.endswith((".sh", ".md")) and n.startswith("fail_") for n in names), \
            f"{r.code}: no failing docker run fixture (.sh/.md)"


def test_every_fixture_directory_belongs_to_a_rule() -> None:
    codes = {r.code for r in RULES}
    for folder in FIXTURES.iterdir():
        if folder.is_dir():
            assert folder.name in codes, f"fixtures for unknown rule {folder.name}"


def _section(doc: str, heading: str) -> str:
    lines = doc.splitlines()
    out: list[str] = []
    inside = False
    fence = False
    for line in lines:
        if line.strip().startswith("```"):
            fence = not fence
        if not fence and line.startswith("## "):
            inside = line.strip() == heading
            continue
        if inside:
            out.append(line)
    return "\n".join(out)
