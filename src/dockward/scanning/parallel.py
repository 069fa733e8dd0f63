"""Run a scan's tasks in this process or on every core, results in task order.

A pool pays for itself only when there is enough to read: starting worker processes costs
a few milliseconds each, so small inputs (a pre-commit hook's handful of files) stay in
this process.  Workers are forked where the platform allows it, after dockward is
imported, so they start with the readers and rules already loaded; elsewhere they are
spawned and import them once.  One exception: BuildKit's Dockerfile parser is Go code, and
a process whose Go runtime has run cannot be forked (the child hangs as soon as the runtime
needs the threads it had); once that parser is loaded here, workers come from a fresh
process (``forkserver``) instead.  Tasks travel in chunks (a few dozen files each, several
chunks per worker so a slow file does not leave the other cores idle) and results come
back in order.  If a worker dies (a parser crashing the interpreter), the unfinished
chunks are run here instead, so a scan with N jobs reports what a scan with one would.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar

from dockward.scanning.compact import Sharing
from dockward.scanning.units import (
    ScanContext,
    Task,
    TaskResult,
    UnitOutcome,
    run_component,
    run_task,
)

if TYPE_CHECKING:
    from concurrent.futures import Executor

log = logging.getLogger(__name__)

# Below this many files a pool costs more than it saves (start-up of the workers).
MIN_TASKS_PER_POOL = 24
MAX_CHUNK = 32

T = TypeVar("T")
R = TypeVar("R")

_CONTEXT: ScanContext | None = None  # the scan a worker process serves


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def start_method() -> str | None:
    """``fork`` unless the Go-based Dockerfile parser is loaded in this process."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and "dockerfile" not in sys.modules:
        return "fork"
    return "forkserver" if "forkserver" in methods else None


_FROZEN = False


def freeze_start_up_objects() -> None:
    """Move what this process has made so far (modules, classes, compiled patterns, the
    CLI: most of its heap) out of the cyclic garbage collector's reach, once per process.

    A scan allocates millions of short-lived objects, so the collector runs hundreds of
    times and, twice or so per scan of a big tree, walks the whole heap: that was ~10% of
    a corpus scan's CPU time (0.21 s, measured with ``gc.callbacks``), and ~0.07 s with
    start-up's objects frozen.  Forked workers inherit the frozen set, which also spares
    them copying those pages.  The cost: cyclic garbage made before the first scan of a
    process is never freed (import-time leftovers in the CLI).
    """
    global _FROZEN
    if not _FROZEN:
        _FROZEN = True
        gc.freeze()


def _init_worker(ctx: ScanContext) -> None:
    """A worker serves one scan: its context, and reads bounded to its roots (a forked
    worker inherits the bound; one started from a fresh process must set it)."""
    global _CONTEXT
    _CONTEXT = ctx
    from dockward.readers.files import current_scope, scan_scope

    if not current_scope().roots:
        scan_scope(list(ctx.roots)).__enter__()  # for the worker's whole life


def _tasks_chunk(chunk: list[Task]) -> list[TaskResult]:
    assert _CONTEXT is not None
    return [run_task(t, _CONTEXT) for t in chunk]


def _components_chunk(chunk: list[list[Task]]) -> list[list[UnitOutcome]]:
    assert _CONTEXT is not None
    return [run_component(c, _CONTEXT) for c in chunk]


class Runner:
    """Runs a scan's tasks with up to ``jobs`` processes (one: all in this process)."""

    def __init__(self, ctx: ScanContext, jobs: int, size: int,
                 sharing: Sharing | None = None) -> None:
        self.ctx = ctx
        self.jobs = jobs if jobs > 1 and size >= MIN_TASKS_PER_POOL else 1
        self._pool: Executor | None = None
        self._sharing = sharing or Sharing()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _executor(self) -> Executor | None:
        if self.jobs <= 1:
            return None
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            from dockward.rules.registry import all_rules

            all_rules()  # imported once here, not in every forked worker (a small scan,
            # in this process, imports only the rules of the models it meets)
            context = multiprocessing.get_context(start_method())
            self._pool = ProcessPoolExecutor(self.jobs, mp_context=context,
                                             initializer=_init_worker, initargs=(self.ctx,))
        return self._pool

    def tasks(self, tasks: Sequence[Task]) -> list[TaskResult]:
        """Each task's result, in order (tasks holding stdin run here, after the workers
        have started: see the module docstring on forking)."""
        local = [i for i, t in enumerate(tasks) if getattr(t, "data", None) is not None]
        remote = [i for i in range(len(tasks)) if i not in set(local)]
        results: list[TaskResult | None] = [None] * len(tasks)
        done = self._map(_tasks_chunk, [tasks[i] for i in remote],
                         lambda t: run_task(t, self.ctx), keep=self.share)
        for i, result in zip(remote, done, strict=True):
            results[i] = result
        for i in local:
            results[i] = self.share(run_task(tasks[i], self.ctx))
        return [r for r in results if r is not None]

    def share(self, result: TaskResult) -> TaskResult:
        """Share the repeated parts of the findings this process keeps (see .compact)."""
        self._sharing.result(result)
        return result

    def components(self, components: Sequence[list[Task]]) -> list[list[UnitOutcome]]:
        """Each component's unit outcomes, in order."""
        return self._map(_components_chunk, list(components),
                         lambda c: run_component(c, self.ctx), min_items=2)

    def _map(self, chunk_fn: Callable[[list[T]], list[R]], items: list[T],
             one: Callable[[T], R], min_items: int = MIN_TASKS_PER_POOL,
             keep: Callable[[R], R] = lambda r: r) -> list[R]:
        pool = self._executor() if len(items) >= min_items else None
        if pool is None:
            return [keep(one(item)) for item in items]
        from concurrent.futures.process import BrokenProcessPool

        size = max(1, min(MAX_CHUNK, len(items) // (self.jobs * 16) or 1))
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        out: list[R] = []
        try:
            for part in pool.map(chunk_fn, chunks):
                out.extend(keep(r) for r in part)
        except BrokenProcessPool:
            log.warning("a scan worker process died; reading the rest in this process")
            self.jobs = 1
            pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            for item in items[len(out):]:
                out.append(keep(one(item)))
        return out
