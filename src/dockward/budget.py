"""A per-file time budget: the second line of defence against input that is slow to read.

Every reader is meant to be linear in its input, and the worst cases we know of are tested;
still, a hostile repository must never be able to stall a CI job with a file nobody
thought of.  Each file (or compose group) gets ``file-time-budget`` seconds for reading and
checking; a file that takes longer is dropped and reported as DW000, and the scan goes on.

The budget is CPU time, not wall-clock time: a CI runner shared with other jobs must not
turn an ordinary file into a DW000, and a hostile file costs CPU whatever the load.
Interruption uses the profiling interval timer (``ITIMER_PROF``, ``SIGPROF``) when running
in the main thread, so a reader stuck in a Python loop is stopped on time; a long call into
C (the Dockerfile parser) is stopped as soon as it returns.  Elsewhere (a worker thread)
the time is checked when the step ends.  :class:`OverBudget` derives from ``BaseException`` so that
no reader's ``except Exception`` can swallow it.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class OverBudget(BaseException):
    """The current file used up its time budget."""


class FileBudget:
    """Seconds left per file, charged across the steps of a scan (reading, checking)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent: dict[str, float] = {}

    def message(self, step: str) -> str:
        return (f"took more than {self.seconds:g} s of CPU time to {step} (file-time-budget); "
                "skipped, nothing in it was checked")

    @contextmanager
    def charge(self, key: str) -> Iterator[None]:
        """Run the block on ``key``'s budget; raises OverBudget when it runs out."""
        before = self.spent.get(key, 0.0)
        left = self.seconds - before
        if left <= 0:
            raise OverBudget(key)
        started = time.process_time()
        timed_out = False
        try:
            with _interrupt_after(left):
                yield
        except OverBudget:
            timed_out = True
            raise
        finally:
            used = before + time.process_time() - started
            # when the timer fired, all of it is gone (its clock and ours differ a little)
            self.spent[key] = max(used, self.seconds) if timed_out else used
        if self.spent[key] > self.seconds:  # no timer (a thread): judged when the step ends
            raise OverBudget(key)


def _raise_over_budget(signum: int, frame: FrameType | None) -> None:
    # Re-armed first: when the signal lands in code whose exceptions Python only prints
    # (a __del__, a weakref or gc callback), the raise is lost; the next tick raises again,
    # until the step's own ``finally`` disarms the timer.
    signal.setitimer(signal.ITIMER_PROF, 0.02)
    raise OverBudget("timer")


@contextmanager
def _interrupt_after(seconds: float) -> Iterator[None]:
    """Raise OverBudget in this thread after ``seconds`` of CPU time (main thread on POSIX
    only)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
            signal, "setitimer"):
        yield
        return
    previous = signal.signal(signal.SIGPROF, _raise_over_budget)
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_PROF, max(seconds, 1e-6))
    started = time.process_time()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        if outer_delay > 0:  # someone else's timer was running: give it back what is left
            remaining = outer_delay - (time.process_time() - started)
            signal.setitimer(signal.ITIMER_PROF, max(remaining, 1e-6), outer_interval)
