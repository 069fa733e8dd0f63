"""Typed models every reader produces and every rule consumes (see DESIGN.md)."""

from dockward.models.location import Location
from dockward.models.workload import (
    Capability,
    Device,
    EnvVar,
    Mount,
    Port,
    RestartPolicy,
    SecurityOpt,
    Workload,
)

__all__ = [
    "Capability",
    "Device",
    "EnvVar",
    "Location",
    "Mount",
    "Port",
    "RestartPolicy",
    "SecurityOpt",
    "Workload",
]
