"""Every rule says, in its doc, whether ``dockward fix`` fixes it and how; the line agrees
with the decorator, and every fixable rule has fix fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockward.findings import FixSafety
from dockward.rules.registry import all_rules
from dockward.usecases.fix import manual_reason

FIXTURES = Path(__file__).parent / "fixtures"
RULES = [r for r in all_rules() if r.module.startswith("dockward.")]


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_fix_line_matches_decorator(rule) -> None:  # type: ignore[no-untyped-def]
    safety, text = rule.fix_line
    assert safety == rule.fix.name.lower(), f"'Automatic fix: {safety}.' but fix={rule.fix}"
    assert len(text) > 40, "say what the fix does, or why a human must decide"


@pytest.mark.parametrize("rule", RULES, ids=[r.code for r in RULES])
def test_fixable_rules_have_fixtures(rule) -> None:  # type: ignore[no-untyped-def]
    cases = list((FIXTURES / rule.code).glob("*")) if (FIXTURES / rule.code).is_dir() else []
    if rule.fix is FixSafety.NONE:
        assert not cases, "a rule without an automatic fix has no fix fixtures"
        assert manual_reason(rule.code) == rule.fix_note
    else:
        assert [c for c in cases if not c.name.startswith("manual_")], "no fix fixture"


def test_manual_reason_is_the_doc_line() -> None:
    assert manual_reason("DW203").startswith("whether the workload can do without the device")
    assert manual_reason("DW999") == "this rule has no automatic fix"
