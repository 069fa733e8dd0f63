"""The edit model: spans, conflicts, groups that are accepted whole."""

from __future__ import annotations

import pytest

from dockward.fixers.edits import Edit, EditPlan, apply_edits


def test_apply_keeps_everything_outside_the_edits() -> None:
    text = "one two three"
    assert apply_edits(text, [Edit(4, 7, "2"), Edit(0, 0, ">"), Edit(13, 13, "!")]) == \
        ">one 2 three!"


def test_insertions_at_one_point_keep_their_order_unless_ordered() -> None:
    assert apply_edits("ab", [Edit(1, 1, "x"), Edit(1, 1, "y")]) == "axyb"
    assert apply_edits("ab", [Edit(1, 1, "outer", order=-2), Edit(1, 1, "inner", order=-4)]) \
        == "ainnerouterb"


def test_insertion_at_the_start_of_a_replaced_span_goes_first() -> None:
    assert apply_edits("abc", [Edit(1, 2, "B"), Edit(1, 1, "+")]) == "a+Bc"


def test_overlapping_edits_are_refused_by_apply() -> None:
    with pytest.raises(ValueError):
        apply_edits("abcdef", [Edit(0, 3, ""), Edit(2, 4, "")])


@pytest.mark.parametrize(("a", "b", "conflict"), [
    (Edit(0, 3, ""), Edit(2, 4, ""), True),  # overlapping spans
    (Edit(0, 3, ""), Edit(3, 5, ""), False),  # adjacent spans
    (Edit(0, 3, ""), Edit(2, 2, "x"), True),  # insertion inside a replaced span
    (Edit(0, 3, ""), Edit(3, 3, "x"), False),  # insertion at its end
    (Edit(5, 5, "a"), Edit(5, 5, "b"), False),  # two insertions at one point
    (Edit(5, 5, "a", claim="k"), Edit(5, 5, "b", claim="k"), True),  # same key created twice
    (Edit(0, 9, "", claim="list"), Edit(20, 20, "- x", touches="list"), True),  # into a
    (Edit(20, 20, "- x", touches="list"), Edit(25, 25, "- y", touches="list"), False),
    (Edit(1, 2, "x", claim="k"), Edit(1, 2, "x", claim="k"), False),  # the same edit
])
def test_conflicts(a: Edit, b: Edit, conflict: bool) -> None:
    assert a.conflicts_with(b) is conflict
    assert b.conflicts_with(a) is conflict


def test_a_group_is_accepted_whole_or_not_at_all() -> None:
    plan = EditPlan()
    assert plan.try_add({"a": [Edit(0, 3, "x")]})
    assert not plan.try_add({"b": [Edit(0, 1, "y")], "a": [Edit(1, 2, "z")]})
    assert plan.edits == {"a": [Edit(0, 3, "x")]}  # nothing of the refused group went in
    assert plan.try_add({"a": [Edit(0, 3, "x")], "b": [Edit(0, 1, "y")]})  # duplicate ok
    assert plan.edits == {"a": [Edit(0, 3, "x")], "b": [Edit(0, 1, "y")]}
