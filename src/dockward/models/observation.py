"""The Observation model: facts only visible from inside a running container.

A Workload says how a container is *configured* (the meaning of ``HostConfig``); the
observed Workload that ``dockward inside`` builds says the same from the container's own
view, so the Workload rules apply unchanged.  Some facts have no ``HostConfig`` meaning at
all: a runtime socket that actually *answers* (not merely a mount that looks like one), a
host filesystem whose files are readable right now, a kernel knob that is writable from
here.  Those live in this model, and only the DW7xx rules look at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dockward.models.location import Location


@dataclass(slots=True)
class RuntimeSocketView:
    """A container-runtime API endpoint found from inside, and how it answered.

    ``answers`` is True when an HTTP runtime (Docker, Podman) replied ``OK`` to
    ``GET /_ping``; ``connectable`` alone is what a gRPC runtime (containerd, CRI-O) gives.
    """

    address: str  # unix:///var/run/docker.sock or tcp://host:2375
    runtime: str  # docker | podman | containerd | cri-o | ... | unknown
    protocol: str  # http | grpc
    origin: Location
    path: str | None = None
    host_source: str | None = None  # the host path, when the mount tells it
    from_mount: bool = False
    connectable: bool | None = None  # None: not probed
    answers: bool | None = None
    server: str | None = None  # the Server header, e.g. Docker/20.10.24 (linux)
    api_version: str | None = None
    engine_version: str | None = None
    platform: str | None = None
    error: str | None = None

    @property
    def reachable(self) -> bool:
        """An API call would get through: HTTP runtimes answered, gRPC ones accepted."""
        if self.protocol == "http":
            return bool(self.answers)
        return bool(self.connectable)


@dataclass(slots=True)
class HostFilesystemView:
    """A mount through which host files are visible (read or, worse, written)."""

    mount_point: str
    origin: Location
    host_source: str = ""
    fstype: str = ""
    read_only: bool = False
    writable: bool = False
    reasons: list[str] = field(default_factory=list)
    sample: list[str] = field(default_factory=list)  # a few names seen at the mount point
    submounts: int = 0  # host mounts below it that came with the recursive bind
    writable_submounts: list[str] = field(default_factory=list)  # their fstypes, if rw

    @property
    def os_root(self) -> bool:
        return any("root filesystem" in r for r in self.reasons)


@dataclass(slots=True)
class KernelInterfaceView:
    """A file whose write reaches the host kernel (core_pattern, sysrq-trigger, ...)."""

    path: str
    origin: Location
    writable: bool
    how: str = ""


@dataclass
class Observation:
    """What ``dockward inside`` saw that a container's configuration cannot express."""

    name: str
    anchor: Location
    sockets: list[RuntimeSocketView] = field(default_factory=list)
    host_filesystems: list[HostFilesystemView] = field(default_factory=list)
    kernel_interfaces: list[KernelInterfaceView] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        return f"this container '{self.name}'" if self.name else "this container"


@dataclass(slots=True)
class DriftRow:
    """One setting whose configured and observed values contradict each other."""

    setting: str
    configured: str
    observed: str
    note: str = ""


@dataclass
class Drift:
    """The disagreements between a container's configuration and what it actually got.

    Built by ``dockward audit --inside``: ``inspect`` says what the container was told,
    the probe inside says what it runs with.  A row here means something between the two
    (a daemon default, an orchestrator mutation, a change after start) altered the result.
    """

    name: str
    anchor: Location
    rows: list[DriftRow] = field(default_factory=list)
