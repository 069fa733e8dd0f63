"""Peak resource usage of a trial, from the stats stream and the process list.

dockerd's stats collector publishes a sample about once a second, and even a one-shot
``GET /containers/{id}/stats`` waits for the next one (0.8 s each on dockerd 20.10), so a
trial reads the *stream* in a thread of its own instead of polling.  Both cgroup versions
answer in the same JSON shape, with two differences that matter here:

* memory: cgroup v1 reports ``max_usage`` (the kernel's high-water mark since the container
  started, so spikes between samples are not missed); cgroup v2 has no such field in
  dockerd's stats, so the peak is the largest ``usage`` sampled;
* PIDs: neither version reports a peak, and one sample a second misses short-lived
  children, so the trial also counts processes with ``GET /containers/{id}/top`` (20 ms)
  every time it polls the container's state.

CPU is the largest rate seen between two samples: the growth of
``cpu_stats.cpu_usage.total_usage`` (nanoseconds of CPU time) divided by the wall time.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Usage:
    """Peaks seen in one or more trials."""

    memory: int = 0  # bytes
    pids: int = 0
    cpus: float = 0.0  # cores

    def merge(self, other: Usage) -> Usage:
        return Usage(max(self.memory, other.memory), max(self.pids, other.pids),
                     max(self.cpus, other.cpus))

    def as_dict(self) -> dict[str, Any]:
        return {"memory": self.memory, "pids": self.pids, "cpus": round(self.cpus, 3)}


class UsageSampler:
    """Accumulates stats samples of one container into :class:`Usage` peaks."""

    def __init__(self) -> None:
        self.memory = 0
        self.pids = 0
        self.cpus = 0.0
        self.samples = 0
        self._last_cpu: tuple[float, int] | None = None  # (monotonic seconds, cpu ns)
        self._lock = threading.Lock()

    def add_processes(self, count: int) -> None:
        """A process count from ``top``."""
        with self._lock:
            self.pids = max(self.pids, count)

    def add(self, stats: Mapping[str, Any], at: float) -> None:
        """Fold one stats answer, read at monotonic time ``at``, into the peaks."""
        with self._lock:
            self._add(stats, at)

    def _add(self, stats: Mapping[str, Any], at: float) -> None:
        memory = _mapping(stats.get("memory_stats"))
        for key in ("max_usage", "usage"):  # max_usage: cgroup v1 only
            self.memory = max(self.memory, _int(memory.get(key)))
        self.pids = max(self.pids, _int(_mapping(stats.get("pids_stats")).get("current")))
        cpu_ns = _int(_mapping(_mapping(stats.get("cpu_stats")).get("cpu_usage"))
                      .get("total_usage"))
        if cpu_ns and self._last_cpu is not None:
            then, before = self._last_cpu
            elapsed = at - then
            if elapsed > 0.05 and cpu_ns >= before:
                self.cpus = max(self.cpus, (cpu_ns - before) / 1e9 / elapsed)
        if cpu_ns:
            self._last_cpu = (at, cpu_ns)
        self.samples += 1

    def usage(self) -> Usage:
        with self._lock:
            return Usage(self.memory, self.pids, self.cpus)


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _int(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    return 0
