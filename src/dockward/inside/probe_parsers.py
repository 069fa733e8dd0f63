"""Parsers of what the kernel shows a container: the probe's text formats, no I/O.

``/proc/self/status`` (capability masks, seccomp), ``mountinfo`` (with its octal escapes
and propagation tags), ``uid_map``/``gid_map``, ``/proc/self/cgroup``, namespace links,
cgroup v1 and v2 limit files and LSM labels.  :mod:`dockward.inside.probe` collects the
texts (what it reads of ``/proc``, ``/sys`` and sockets) and hands them to these functions.

Standard library only and Python 3.8 compatible, like the probe: both are shipped in the
``dockward-inside.pyz`` zipapp and run inside arbitrary images.
"""

from __future__ import annotations

import re
from typing import Any

# include/uapi/linux/capability.h, in bit order.  Bits past the end of this table (a newer
# kernel) are named ``cap_<bit>``; ``cap_last_cap`` of the running kernel bounds the set.
CAP_NAMES = (
    "cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_fsetid",
    "cap_kill", "cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable",
    "cap_net_bind_service", "cap_net_broadcast", "cap_net_admin", "cap_net_raw",
    "cap_ipc_lock", "cap_ipc_owner", "cap_sys_module", "cap_sys_rawio", "cap_sys_chroot",
    "cap_sys_ptrace", "cap_sys_pacct", "cap_sys_admin", "cap_sys_boot", "cap_sys_nice",
    "cap_sys_resource", "cap_sys_time", "cap_sys_tty_config", "cap_mknod", "cap_lease",
    "cap_audit_write", "cap_audit_control", "cap_setfcap", "cap_mac_override",
    "cap_mac_admin", "cap_syslog", "cap_wake_alarm", "cap_block_suspend", "cap_audit_read",
    "cap_perfmon", "cap_bpf", "cap_checkpoint_restore",
)

UNLIMITED_MEMORY = 1 << 60  # v1 reports "unlimited" as PAGE_COUNTER_MAX pages (~2**63)
_OCTAL = re.compile(r"\\([0-7]{3})")


def unescape_octal(text: str) -> str:
    """mountinfo escapes space, tab, newline and backslash as ``\\040`` etc."""
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), text)


def parse_status(text: str) -> dict[str, str]:
    """``/proc/<pid>/status`` as a ``key -> value`` dict (values stripped)."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


def cap_name(bit: int) -> str:
    return CAP_NAMES[bit] if bit < len(CAP_NAMES) else f"cap_{bit}"


def decode_caps(hex_mask: str, last_cap: int | None = None) -> list[str]:
    """Names of the bits set in a ``CapEff``-style hex mask, in bit order.

    Bits above ``last_cap`` (the running kernel's highest capability) do not exist and are
    ignored, which is also what ``capsh --print`` does.
    """
    try:
        mask = int(hex_mask, 16)
    except (TypeError, ValueError):
        return []
    names = []
    bit = 0
    while mask:
        if mask & 1 and (last_cap is None or bit <= last_cap):
            names.append(cap_name(bit))
        mask >>= 1
        bit += 1
    return names


def all_caps(last_cap: int) -> list[str]:
    return [cap_name(b) for b in range(last_cap + 1)]


def _propagation(optional: list[str]) -> str:
    shared = any(t.startswith("shared:") for t in optional)
    slave = any(t.startswith("master:") for t in optional)
    if shared and slave:
        return "shared+slave"
    if shared:
        return "shared"
    if slave:
        return "slave"
    if "unbindable" in optional:
        return "unbindable"
    return "private"


def parse_mountinfo(text: str) -> list[dict[str, Any]]:
    """``/proc/self/mountinfo`` (proc(5)) into dicts; malformed lines are skipped."""
    mounts = []
    for line in text.splitlines():
        fields = line.split(" ")
        if "-" not in fields:
            continue
        sep = fields.index("-")
        if sep < 6 or len(fields) < sep + 3:
            continue
        try:
            mount_id, parent_id = int(fields[0]), int(fields[1])
        except ValueError:
            continue
        options = fields[5].split(",")
        optional = [f for f in fields[6:sep] if f]
        mounts.append({
            "id": mount_id,
            "parent": parent_id,
            "dev": fields[2],
            "root": unescape_octal(fields[3]),
            "mount_point": unescape_octal(fields[4]),
            "options": options,
            "optional": optional,
            "propagation": _propagation(optional),
            "fstype": fields[sep + 1],
            "source": unescape_octal(fields[sep + 2]),
            "super_options": fields[sep + 3].split(",") if len(fields) > sep + 3 else [],
            "read_only": "ro" in options,
        })
    return mounts


def parse_id_map(text: str) -> list[list[int]]:
    """``uid_map``/``gid_map`` lines: ``[inside, outside, count]``."""
    out = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3:
            try:
                out.append([int(parts[0]), int(parts[1]), int(parts[2])])
            except ValueError:
                continue
    return out


def map_id(mapping: list[list[int]], inside: int) -> int | None:
    """The host (parent namespace) id an id inside maps to, or None if unmapped."""
    for start, outside, count in mapping:
        if start <= inside < start + count:
            return outside + inside - start
    return None


def parse_proc_cgroup(text: str) -> list[dict[str, Any]]:
    """``/proc/self/cgroup``: hierarchy id, controllers (v1) and path."""
    out = []
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        controllers = [c for c in parts[1].split(",") if c]
        out.append({"hierarchy": parts[0], "controllers": controllers, "path": parts[2]})
    return out


def parse_ns_link(target: str | None) -> int | None:
    """``pid:[4026531836]`` -> 4026531836."""
    if not target:
        return None
    m = re.search(r"\[(\d+)\]", target)
    return int(m.group(1)) if m else None


def parse_v1_memory(raw: str | None) -> int | None:
    value = as_int(raw)
    if value is None or value <= 0 or value >= UNLIMITED_MEMORY:
        return None
    return value


def parse_v2_max(raw: str | None) -> int | None:
    """``memory.max`` / ``pids.max``: ``max`` means unlimited."""
    if raw is None or raw.strip() == "max":
        return None
    value = as_int(raw)
    return value if value is not None and value > 0 else None


def parse_v2_cpu_max(raw: str | None) -> tuple[int | None, int | None]:
    """``cpu.max``: ``"max 100000"`` (no quota) or ``"50000 100000"`` (quota, period)."""
    if raw is None:
        return None, None
    parts = raw.split()
    period = as_int(parts[1]) if len(parts) > 1 else 100000
    if not parts or parts[0] == "max":
        return None, period
    return as_int(parts[0]), period


def parse_apparmor(label: str) -> dict[str, Any]:
    """``docker-default (enforce)`` -> name and mode; ``unconfined`` has no mode."""
    text = label.strip().rstrip("\x00").strip()
    m = re.match(r"^(.*?)\s+\((\w+)\)$", text)
    if m:
        return {"profile": m.group(1), "mode": m.group(2)}
    return {"profile": text, "mode": "unconfined" if text == "unconfined" else None}


def parse_selinux(label: str) -> dict[str, Any] | None:
    """``system_u:system_r:container_t:s0:c1,c2`` -> user/role/type/level."""
    text = label.strip().rstrip("\x00").strip()
    parts = text.split(":", 3)
    if len(parts) < 3:
        return None
    return {"context": text, "user": parts[0], "role": parts[1], "type": parts[2],
            "level": parts[3] if len(parts) > 3 else None}


def as_int(raw: Any) -> int | None:
    if raw is None:
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        return None
