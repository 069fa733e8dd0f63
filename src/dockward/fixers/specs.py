"""Rewrite the short specs Docker and compose share (``-v``/``volumes``, ``--mount``, ``-p``).

Each function changes one thing in a spec as written and leaves the rest alone: ``:ro`` added
to ``/srv/data:/data:z`` gives ``/srv/data:/data:ro,z``, not a normalized spec.
"""

from __future__ import annotations

import re

from dockward.fixers.base import Unfixable

_DRIVE = re.compile(r"[A-Za-z]:[\\/]")
_PROPAGATIONS = frozenset({"shared", "rshared", "slave", "rslave", "private", "rprivate"})


def _volume_parts(spec: str) -> list[str]:
    parts = spec.split(":")
    if len(parts) >= 3 and _DRIVE.match(f"{parts[0]}:{parts[1]}"):
        parts = [f"{parts[0]}:{parts[1]}", *parts[2:]]
    return parts


def volume_read_only(spec: str) -> str:
    """``SRC:DST[:OPTS]`` mounted read-only (``rw`` becomes ``ro``)."""
    parts = _volume_parts(spec)
    if len(parts) < 2:
        raise Unfixable(f"{spec!r} has no host source to make read-only")
    if len(parts) == 2:
        return f"{spec}:ro"
    options = [o for o in ":".join(parts[2:]).split(",") if o]
    if "ro" in options or "readonly" in options:
        return spec
    options = ["ro" if o == "rw" else o for o in options]
    if "ro" not in options:
        options.insert(0, "ro")
    return f"{parts[0]}:{parts[1]}:{','.join(options)}"


def volume_without_propagation(spec: str) -> str:
    """``SRC:DST:rshared`` -> ``SRC:DST`` (the default, rprivate)."""
    parts = _volume_parts(spec)
    if len(parts) < 3:
        return spec
    options = [o for o in ":".join(parts[2:]).split(",") if o and o not in _PROPAGATIONS]
    head = f"{parts[0]}:{parts[1]}"
    return f"{head}:{','.join(options)}" if options else head


def mount_read_only(spec: str) -> str:
    """``--mount type=bind,src=/x,dst=/y`` with ``readonly`` (a ``readonly=false`` flipped)."""
    fields = spec.split(",")
    out: list[str] = []
    found = False
    for item in fields:
        key, eq, _ = item.partition("=")
        if key.strip().lower() in ("readonly", "ro"):
            found = True
            out.append(key if not eq else f"{key}=true")
            continue
        out.append(item)
    if not found:
        out.append("readonly")
    return ",".join(out)


def mount_without_propagation(spec: str) -> str:
    return ",".join(f for f in spec.split(",")
                    if f.partition("=")[0].strip().lower() != "bind-propagation")


def port_with_host_ip(spec: str, ip: str) -> str:
    """``[IP:][HOST:]CONTAINER[/PROTO]`` published on ``ip`` only."""
    body, slash, protocol = spec.partition("/")
    suffix = f"/{protocol}" if slash else ""
    if body.startswith("["):
        close = body.find("]")
        if close < 0:
            raise Unfixable(f"cannot read the port {spec!r}")
        rest = body[close + 1:]
        return f"{ip}{rest}{suffix}" if rest.startswith(":") else f"{ip}::{rest}{suffix}"
    parts = body.split(":")
    if len(parts) == 1:
        return f"{ip}::{body}{suffix}"
    if len(parts) == 2:
        return f"{ip}:{body}{suffix}"
    return f"{ip}:{parts[-2]}:{parts[-1]}{suffix}"
