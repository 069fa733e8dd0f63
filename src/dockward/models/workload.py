"""The Workload model: the security-relevant settings of one container.

Every surface (compose service, ``docker run`` argv, live container inspect, create request,
Kubernetes container, the ``/proc`` view from inside) is read into this one shape, with the
meaning of the Engine API's ``HostConfig``/``Config``.  Rules only see Workloads, so one rule
covers every surface.

Unset and unknown are different things: ``None`` (or an empty list) means "not set, the
engine default applies"; a field named in ``unknown`` could not be known from this surface
(not expressible, or an unresolved ``${VAR}``), and rules must not report it as missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dockward.models.location import Location


def normalize_capability(name: str) -> str:
    """``cap_sys_admin`` / ``CAP_SYS_ADMIN`` / ``sys_admin`` all become ``SYS_ADMIN``."""
    upper = name.strip().upper()
    return upper[4:] if upper.startswith("CAP_") else upper


@dataclass(slots=True)
class Capability:
    """A capability named in cap_add or cap_drop (normalized, without ``CAP_``)."""

    name: str
    origin: Location


@dataclass(slots=True)
class Mount:
    """A bind mount, volume or tmpfs, as the Engine API's ``Mounts``/``Binds`` express it."""

    type: str  # bind | volume | tmpfs | npipe | cluster | image
    source: str | None
    target: str
    origin: Location
    read_only: bool = False
    propagation: str | None = None  # private | rprivate | shared | rshared | slave | rslave
    unresolved: bool = False  # the source held a variable that could not be resolved

    @property
    def is_host_path(self) -> bool:
        """True for binds of a host path (named volumes are not host paths)."""
        return self.type == "bind" and bool(self.source)


@dataclass(slots=True)
class Device:
    """A host device made available to the container (``--device``, ``devices:``)."""

    host_path: str
    container_path: str
    origin: Location
    permissions: str = "rwm"


@dataclass(slots=True)
class Port:
    """A port.  ``host_port`` None: not published; ``""``: published on a random host port.

    ``host_ip`` empty means every interface (the engine default).
    """

    container_port: str
    origin: Location
    host_port: str | None = None
    host_ip: str = ""
    protocol: str = "tcp"

    @property
    def published(self) -> bool:
        """Only ports mapped to the host are reachable from outside."""
        return self.host_port is not None

    @property
    def on_all_interfaces(self) -> bool:
        return self.published and self.host_ip in ("", "0.0.0.0", "::", "[::]")


@dataclass(slots=True)
class EnvVar:
    """An environment variable; ``value`` None means taken from the caller's environment.

    ``interpolated``: the value came from a variable (compose ``${X}`` resolved from ``.env``),
    so it is not written in the file itself.  ``from_image``: a live container inherited it
    from its image's ``ENV`` (reported once, on the image).
    """

    key: str
    value: str | None
    origin: Location
    interpolated: bool = False
    from_image: bool = False


@dataclass(slots=True)
class SecurityOpt:
    """One ``--security-opt``: ``seccomp=unconfined`` is key ``seccomp``, value ``unconfined``.

    Both the ``=`` and the legacy ``:`` separator are accepted; a bare
    ``no-new-privileges`` means ``true``.
    """

    key: str
    value: str
    origin: Location
    raw: str = ""

    @classmethod
    def parse(cls, raw: str, origin: Location) -> SecurityOpt:
        text = raw.strip()
        idx_eq, idx_colon = text.find("="), text.find(":")
        candidates = [i for i in (idx_eq, idx_colon) if i >= 0]
        if not candidates:
            return cls(key=text.lower(), value="true", origin=origin, raw=raw)
        cut = min(candidates)
        return cls(key=text[:cut].strip().lower(), value=text[cut + 1 :].strip(), origin=origin,
                   raw=raw)


@dataclass(slots=True)
class RestartPolicy:
    """Restart policy name (``no``, ``always``, ``unless-stopped``, ``on-failure``) and cap."""

    name: str
    origin: Location
    max_retries: int | None = None


@dataclass(slots=True)
class BuildArgSpec:
    """One build argument given from outside a Dockerfile (compose ``build.args``)."""

    name: str
    value: str | None  # None: taken from the caller's environment
    origin: Location


@dataclass(slots=True)
class BuildSpec:
    """How a workload's image is built (compose ``build:``), as the cross-file linker needs it."""

    location: Location
    context: str = "."
    dockerfile: str | None = None
    dockerfile_inline: str | None = None
    args: list[BuildArgSpec] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)


@dataclass
class Workload:
    """One container's security-relevant settings, whatever surface described it."""

    name: str
    source_kind: str  # compose-service | run-line | container | swarm-service | k8s | observed
    anchor: Location  # where findings about something *missing* are attached
    image: str | None = None
    privileged: bool = False
    cap_add: list[Capability] = field(default_factory=list)
    cap_drop: list[Capability] = field(default_factory=list)
    pid_mode: str | None = None
    network_mode: str | None = None
    ipc_mode: str | None = None
    uts_mode: str | None = None
    userns_mode: str | None = None
    cgroupns_mode: str | None = None
    mounts: list[Mount] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)
    user: str | None = None
    security_opts: list[SecurityOpt] = field(default_factory=list)
    read_only: bool = False
    memory: int | None = None  # bytes; None or 0: unlimited (the Engine's meaning of 0)
    cpus: float | None = None  # effective CPU limit in cores; None or 0: unlimited
    pids_limit: int | None = None  # None or <= 0: unlimited
    restart: RestartPolicy | None = None
    ports: list[Port] = field(default_factory=list)
    env: list[EnvVar] = field(default_factory=list)
    command: list[str] = field(default_factory=list)
    origins: dict[str, Location] = field(default_factory=dict)
    unknown: dict[str, str] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    image_user: str | None = None  # USER known from the image or the Dockerfile that builds it
    build_context: str | None = None
    build: BuildSpec | None = None  # compose build: section
    # Kubernetes securityContext facts with no Engine API equivalent (None: not expressible)
    run_as_non_root: bool | None = None
    allow_privilege_escalation: bool | None = None

    def where(self, field_name: str) -> Location:
        """The location that set ``field_name``, or the anchor when it was never set."""
        return self.origins.get(field_name, self.anchor)

    def set(self, field_name: str, value: Any, origin: Location) -> None:
        """Set a scalar field and remember where it came from."""
        setattr(self, field_name, value)
        self.origins[field_name] = origin
        self.unknown.pop(field_name, None)

    def mark_unknown(self, field_name: str, reason: str) -> None:
        """Record that a field cannot be known from this surface (never 'missing')."""
        self.unknown[field_name] = reason

    def is_unknown(self, field_name: str) -> bool:
        return field_name in self.unknown

    def security_opt(self, key: str) -> SecurityOpt | None:
        """The last security option with this key (later options override earlier ones)."""
        found = None
        for opt in self.security_opts:
            if opt.key == key:
                found = opt
        return found

    @property
    def no_new_privileges(self) -> bool:
        opt = self.security_opt("no-new-privileges")
        return opt is not None and opt.value.lower() in ("", "true", "1", "yes")

    def dropped(self, cap: str) -> bool:
        names = {c.name for c in self.cap_drop}
        return cap in names or "ALL" in names

    def describe(self) -> str:
        """A short label for messages: ``service 'web'`` or ``container 'x'``."""
        from dockward.kinds import surface_of

        label = surface_of(self.source_kind).label
        return f"{label} '{self.name}'" if self.name else label
