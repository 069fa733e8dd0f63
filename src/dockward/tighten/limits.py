"""Resource limits from the peak usage the trials saw, with documented headroom.

A trial sees the workload idle or under its check, not under production load, so the
limits leave room: they are meant to stop a runaway (a leak, a fork bomb) from taking the
host, not to size the container tightly.

* memory: twice the peak, and at least the peak plus 32 MiB, rounded up to a whole MiB;
* PIDs: twice the peak, and at least the peak plus 32;
* CPUs: twice the busiest rate seen, rounded up to a quarter core, at least half a core and
  at most the engine's number of CPUs (the engine refuses more).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dockward.tighten.stats import Usage

MIB = 1024 * 1024
MEMORY_EXTRA = 32 * MIB
PIDS_EXTRA = 32
CPU_FLOOR = 0.5
CPU_STEP = 0.25
HEADROOM = 2

HEADROOM_TEXT = {
    "memory": "twice the peak, at least the peak + 32 MiB",
    "pids_limit": "twice the peak, at least the peak + 32",
    "cpus": "twice the peak rounded up to 0.25, at least 0.5, at most the engine's CPUs",
}


@dataclass(frozen=True, slots=True)
class Limits:
    memory: int
    pids_limit: int
    cpus: float


def limits_from_usage(peak: Usage, host_cpus: int) -> Limits:
    memory = max(HEADROOM * peak.memory, peak.memory + MEMORY_EXTRA)
    memory = math.ceil(memory / MIB) * MIB
    pids = max(HEADROOM * peak.pids, peak.pids + PIDS_EXTRA)
    cpus = math.ceil(HEADROOM * peak.cpus / CPU_STEP) * CPU_STEP
    cpus = max(CPU_FLOOR, cpus)
    if host_cpus > 0:
        cpus = min(float(host_cpus), cpus)
    return Limits(memory=memory, pids_limit=pids, cpus=cpus)


def format_bytes(value: int) -> str:
    """``37m`` / ``1g``: the docker CLI's notation, exact."""
    if value % (1024 * MIB) == 0:
        return f"{value // (1024 * MIB)}g"
    if value % MIB == 0:
        return f"{value // MIB}m"
    if value % 1024 == 0:
        return f"{value // 1024}k"
    return str(value)
