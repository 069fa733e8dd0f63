"""The Swarm model: a swarm cluster's own settings, as a manager sees them or a stack file
declares them.

Services are Workloads like any container; what is left is the cluster itself: whether
the raft keys are locked (autolock), how long node certificates live and how old the CA
is, which nodes are managers and whether they also run tasks, where the manager listens,
the overlay networks services talk over (``encrypted`` or not), and what services pass
through their environment (visible to anyone who can inspect them).  A live swarm comes
from ``GET /swarm``, ``/nodes`` and ``/networks`` of a manager (plus the manager's own
``swarm/docker-state.json`` for its listen address, when the daemon is local); a stack file
(``docker stack deploy -c``) can only show its overlay networks and its services'
environment, so every other field is ``None``: unknown, never "unset".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dockward.models.location import Location


@dataclass(slots=True)
class SwarmNode:
    """One node of the cluster, from ``GET /nodes``."""

    id: str
    hostname: str
    role: str  # manager | worker
    availability: str  # active | pause | drain
    state: str  # ready | down | unknown ...
    origin: Location
    manager_addr: str = ""  # ManagerStatus.Addr (the advertised address)
    leader: bool = False


@dataclass(slots=True)
class SwarmNetwork:
    """An overlay network and the services attached to it."""

    name: str
    origin: Location
    driver: str = "overlay"
    encrypted: bool = False
    ingress: bool = False
    services: list[str] = field(default_factory=list)
    id: str = ""


@dataclass(slots=True)
class ServiceEnv:
    """One environment variable of a service (``value`` None: taken from the shell that
    runs ``docker stack deploy``, as ``environment: [NAME]`` does)."""

    service: str
    name: str
    value: str | None
    origin: Location


@dataclass
class Swarm:
    """A swarm cluster (``source_kind``: ``live`` from a manager, or ``stack-file``)."""

    name: str  # the host label (live) or the stack file (stack-file)
    anchor: Location
    source_kind: str = "live"
    cluster_id: str = ""
    autolock: bool | None = None
    node_cert_expiry_seconds: int | None = None
    ca_not_before: datetime | None = None  # when the current root CA was made
    external_ca: bool | None = None
    root_rotation_in_progress: bool = False
    listen_addr: str | None = None  # None: not readable (remote manager, stack file)
    advertise_addr: str | None = None
    local_node_id: str = ""
    nodes: list[SwarmNode] = field(default_factory=list)
    networks: list[SwarmNetwork] = field(default_factory=list)
    service_env: list[ServiceEnv] = field(default_factory=list)
    origins: dict[str, Location] = field(default_factory=dict)

    @property
    def is_live(self) -> bool:
        return self.source_kind == "live"

    def where(self, key: str) -> Location:
        return self.origins.get(key, self.anchor.child(key))

    def managers(self) -> list[SwarmNode]:
        return [n for n in self.nodes if n.role == "manager"]

    def workers(self) -> list[SwarmNode]:
        return [n for n in self.nodes if n.role == "worker"]

    def summary(self) -> dict[str, Any]:
        """The cluster for a report's host subject (what the HTML fleet view shows)."""
        return {
            "cluster_id": self.cluster_id,
            "autolock": self.autolock,
            "node_cert_expiry_hours": (None if self.node_cert_expiry_seconds is None
                                       else self.node_cert_expiry_seconds // 3600),
            "ca_not_before": self.ca_not_before.isoformat() if self.ca_not_before else None,
            "listen_addr": self.listen_addr,
            "managers": len(self.managers()),
            "workers": len(self.workers()),
            "overlay_networks": [
                {"name": n.name, "encrypted": n.encrypted, "services": n.services}
                for n in self.networks],
        }
