"""Typed models every reader produces and every rule consumes (see DESIGN.md).

The names below are imported on first use: ``dockward.models.location`` (which every
finding carries) must not pull in the workload model, whose dataclasses a scan answered
from the cache never builds.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {"Location": "location", **{name: "workload" for name in (
    "Capability", "Device", "EnvVar", "Mount", "Port", "RestartPolicy", "SecurityOpt",
    "Workload")}}

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


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
