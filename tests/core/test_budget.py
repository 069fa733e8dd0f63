"""The per-file time budget stops a step even when its first signal lands where Python
swallows exceptions (a ``__del__``, a weakref or gc callback)."""

from __future__ import annotations

import time

import pytest

from dockward.budget import FileBudget, OverBudget


class _SlowToCollect:
    def __del__(self) -> None:
        spin_until = time.process_time() + 0.3
        while time.process_time() < spin_until:
            pass


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_budget_that_runs_out_inside_a_finalizer_still_stops_the_step() -> None:
    budget = FileBudget(0.1)
    gave_up_at = time.process_time() + 5.0
    with pytest.raises(OverBudget), budget.charge("hostile.yaml"):
        _SlowToCollect()  # dropped at once: its __del__ uses up the budget
        while time.process_time() < gave_up_at:  # a reader stuck in a loop
            pass
    assert time.process_time() < gave_up_at
    assert budget.spent["hostile.yaml"] >= 0.1


def test_a_step_within_its_budget_is_left_alone() -> None:
    budget = FileBudget(5.0)
    with budget.charge("ok.yaml"):
        sum(range(1000))
    assert budget.spent["ok.yaml"] < 5.0
