"""A thread pool of daemon threads that can grow: the audit's request workers.

``concurrent.futures.ThreadPoolExecutor`` joins its threads at interpreter exit, so one
request stuck on a host that stopped answering (an ``ssh`` child process has no socket
timeout) would keep ``dockward audit`` from ever exiting.  Here the threads are daemon
threads, and :meth:`add_workers` replaces the ones an abandoned host still occupies.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable


class DaemonThreadPool:
    """Run submitted callables on ``size`` daemon threads (no results: callers report)."""

    def __init__(self, size: int, name: str = "pool") -> None:
        self._tasks: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._name = name
        self._threads: list[threading.Thread] = []
        self.add_workers(size)

    def add_workers(self, count: int) -> None:
        for _ in range(max(0, count)):
            thread = threading.Thread(target=self._work, daemon=True,
                                      name=f"{self._name}-{len(self._threads)}")
            self._threads.append(thread)
            thread.start()

    def submit(self, task: Callable[[], None]) -> None:
        self._tasks.put(task)

    def shutdown(self) -> None:
        """Let idle threads end; busy ones end after their task (never waited for)."""
        for _ in self._threads:
            self._tasks.put(None)

    def _work(self) -> None:
        while True:
            task = self._tasks.get()
            if task is None:
                return
            task()  # tasks catch their own exceptions and report through the caller
