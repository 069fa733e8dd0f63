"""Small helpers shared by the Workload rules (formatting and option parsing)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dockward.kinds import spell as spell_on
from dockward.kinds import surface_of
from dockward.models.workload import Mount, Port, Workload


def is_host_mode(mode: str | None) -> bool:
    """True for a namespace mode that joins the host's namespace (``host``)."""
    return mode is not None and mode.strip().lower() == "host"


def mount_spec(m: Mount) -> str:
    """A mount in ``source:target[:ro]`` form, as a user would have written it."""
    source = m.source or "(anonymous)"
    text = f"{source}:{m.target}"
    if m.read_only:
        text += ":ro"
    if m.propagation:
        text += f" ({m.propagation})"
    return text


def port_spec(p: Port) -> str:
    """A published port as ``[ip:]host:container/proto``."""
    host = p.host_port if p.host_port else "(random)"
    prefix = f"{p.host_ip}:" if p.host_ip else ""
    return f"{prefix}{host}:{p.container_port}/{p.protocol}"


def port_numbers(spec: str | None) -> range:
    """The port numbers a spec such as ``2375``, ``2375/tcp`` or ``2370-2380`` covers."""
    if not spec:
        return range(0)
    text = spec.split("/", 1)[0].strip()
    low, _, high = text.partition("-")
    try:
        first = int(low)
        last = int(high) if high else first
    except ValueError:
        return range(0)
    if last < first:
        return range(0)
    return range(first, last + 1)


def string_list(value: Any) -> list[str]:
    """An option that should be a list of strings (a single string is accepted too)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return [str(value)]


def unknown_any(w: Workload, *fields: str) -> bool:
    """True when any of ``fields`` cannot be known from the surface that described ``w``."""
    return any(w.is_unknown(f) for f in fields)


def join_names(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def surface(w: Workload) -> str:
    """``compose``, ``k8s`` or ``run`` (docker CLI flags, also right for live containers)."""
    return surface_of(w.source_kind).dialect


def spell(w: Workload, setting: str, **values: object) -> str:
    """The way ``setting`` is written on the surface that described ``w``."""
    return spell_on(w.source_kind, setting, **values)
