"""The shape of the probe's observations, and a check that makes any JSON fit it.

Observations come from outside dockward's process: a file given to ``inside --from-json``,
or the output of the probe run in a container (``audit --inside``), whose Python an attacker
inside may have replaced.  Every consumer (the observed Workload, the summary, the drift
table) reads them field by field, so a field of the wrong type (``"bounding": 7``) used to
crash it.  :func:`conform` checks the observations against :data:`SHAPE` once, at the
door: a value of the wrong type is dropped (as if the probe could not read it) and named in
the result's ``errors``, a list item that does not fit is dropped, and fields the shape
does not name pass through untouched.  Consumers can then trust the types they read.

The shape is written from what :func:`dockward.inside.probe.observe` emits; a test runs the
probe on the fixture trees and checks that its output conforms without a single drop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Leaf types.  bool is not an int here (JSON true is not a number).
STR, INT, BOOL, FLOAT = ("str",), ("int",), ("bool",), ("int", "float")
OSTR, OINT, OBOOL, OFLOAT = ("str", "none"), ("int", "none"), ("bool", "none"), (
    "int", "float", "none")


@dataclass(frozen=True)
class Opt:
    """A mapping or list that may also be null."""

    shape: Any


def _names() -> Any:
    return [STR]


_CAP_SET = {"hex": OSTR, "names": Opt([STR])}
_LINK = {"initial": OBOOL, "inode": OINT, "link": OSTR}
_NAMESPACE = {"host": OBOOL, "signs": [STR]}
_DEVICE = {"path": STR, "type": STR, "major": INT, "minor": INT}
_CGROUP_LIMIT = {"file": OSTR, "known": OBOOL, "raw": OSTR}

SHAPE: dict[str, Any] = {
    "schema": STR,
    "probe_version": OSTR,
    "python": OSTR,
    "time": OFLOAT,
    "seconds": OFLOAT,
    "container_id": OSTR,
    "hostname": OSTR,
    "process": {"name": OSTR, "pid": OINT},
    "roots": {"*": STR},
    "kernel": {"release": OSTR, "cap_last_cap": OINT},
    "capabilities": {
        "added": Opt(_names()), "dropped": Opt(_names()), "all": OBOOL,
        "ambient": Opt(_names()), "bounding": Opt(_names()),
        "docker_default": Opt(_names()), "effective": Opt(_names()),
        "inheritable": Opt(_names()), "permitted": Opt(_names()),
        "not_in_bounding": Opt(_names()), "cap_last_cap": OINT,
        "sets": {"*": Opt(_CAP_SET)},
    },
    "security": {
        "no_new_privs": OBOOL,
        "seccomp": {"mode": OINT, "label": OSTR, "filters": OINT},
        "apparmor": {"enabled": OBOOL, "profile": OSTR, "mode": OSTR},
        "selinux": {"enabled": OBOOL, "enforcing": OBOOL, "context": OSTR, "user": OSTR,
                    "role": OSTR, "type": OSTR, "level": OSTR},
    },
    "user": {
        "uid": OINT, "gid": OINT, "uids": Opt([INT]), "gids": Opt([INT]),
        "groups": Opt([INT]), "uid_map": Opt([[INT]]), "gid_map": Opt([[INT]]),
        "userns_remapped": OBOOL, "root_maps_to": OINT, "host_uid": OINT,
    },
    "namespaces": {
        "links": {"*": Opt(_LINK)},
        "cgroup": _NAMESPACE, "ipc": _NAMESPACE, "mnt": _NAMESPACE, "time": _NAMESPACE,
        "user": _NAMESPACE,
        "net": {**_NAMESPACE, "interfaces": [STR], "runtime_unix_sockets": [STR]},
        "pid": {**_NAMESPACE, "pid1": OSTR, "visible_processes": OINT},
        "uts": {**_NAMESPACE, "hostname": OSTR},
    },
    "cgroup": {
        "version": OINT, "hybrid": OBOOL,
        "paths": {"v1": {"*": STR}, "v2": OSTR},
        "memory": Opt({**_CGROUP_LIMIT, "limit": OINT}),
        "cpu": Opt({**_CGROUP_LIMIT, "cpus": OFLOAT, "quota": OINT, "period": OINT}),
        "pids": Opt({**_CGROUP_LIMIT, "max": OINT}),
        "devices": Opt({"allow_all": OBOOL, "list": Opt([STR])}),
    },
    "devices": {"present": [_DEVICE], "extra": [_DEVICE]},
    "mounts": [{
        "id": INT, "parent": INT, "dev": STR, "root": STR, "mount_point": STR,
        "options": [STR], "optional": [STR], "propagation": OSTR, "fstype": STR,
        "source": STR, "super_options": [STR], "read_only": BOOL, "kind": OSTR,
        "role": OSTR, "host_source": OSTR, "source_resolved": OBOOL, "is_dir": OBOOL,
        "is_socket": OBOOL, "under": OSTR,
    }],
    "rootfs": Opt({"fstype": OSTR, "propagation": OSTR, "read_only": OBOOL}),
    "host_filesystems": [{
        "mount_point": STR, "host_source": OSTR, "fstype": OSTR, "read_only": OBOOL,
        "writable": OBOOL, "reasons": [STR], "sample": [STR], "submounts": OINT,
        "writable_submounts": [STR],
    }],
    "kernel_interfaces": {
        "interfaces": [{"path": STR, "how": STR, "writable": BOOL}],
        "masked_paths_exposed": [STR], "readonly_paths_writable": [STR],
    },
    "runtime_sockets": [{
        "address": STR, "path": OSTR, "runtime": OSTR, "protocol": OSTR,
        "connectable": OBOOL, "answers": OBOOL, "error": OSTR, "from_mount": OSTR,
        "ping": Opt({"status": OINT, "body": OSTR, "api_version": OSTR, "server": OSTR}),
        "version": Opt({"version": OSTR, "api_version": OSTR, "min_api_version": OSTR,
                        "os": OSTR, "arch": OSTR, "kernel": OSTR, "platform": OSTR,
                        "components": [OSTR]}),
    }],
    "errors": [{"path": STR, "error": STR}],
}

# Keys every item of a list must have (an item without them is dropped): what consumers
# index directly.
REQUIRED = frozenset({"path", "type", "major", "minor", "mount_point", "address", "how",
                      "writable", "error", "id", "parent", "options", "fstype", "source",
                      "read_only", "root", "dev", "super_options", "optional"})
_DROP = object()


def conform(obs: Any, where: str = "observations") -> dict[str, Any]:
    """``obs`` with every value of the wrong type dropped and named in ``errors``.

    Raises ValueError when ``obs`` is not a mapping at all.
    """
    if not isinstance(obs, dict):
        raise ValueError(f"{where} must be a JSON object, not {_type(obs)}")
    problems: list[tuple[str, str]] = []
    result = _fit(obs, SHAPE, "", problems)
    assert isinstance(result, dict)
    errors = result.get("errors")
    if not isinstance(errors, list):
        errors = result["errors"] = []
    errors.extend({"path": path, "error": f"ignored: {problem}"}
                  for path, problem in problems[:200])
    return result


def _fit(value: Any, shape: Any, path: str, problems: list[tuple[str, str]]) -> Any:
    if isinstance(shape, Opt):
        return None if value is None else _fit(value, shape.shape, path, problems)
    if isinstance(shape, tuple):
        if _type(value) in shape:
            return value
        problems.append((path, f"expected {_expected(shape)}, got {_type(value)}"))
        return _DROP
    if isinstance(shape, list):
        if not isinstance(value, list):
            problems.append((path, f"expected a list, got {_type(value)}"))
            return _DROP
        out = []
        for index, item in enumerate(value):
            fitted = _fit(item, shape[0], f"{path}[{index}]", problems)
            if fitted is not _DROP and not _missing_required(fitted, shape[0]):
                out.append(fitted)
        return out
    if not isinstance(value, dict):
        problems.append((path, f"expected an object, got {_type(value)}"))
        return _DROP
    fitted_map: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            continue
        sub = shape.get(key, shape.get("*"))
        if sub is None:
            fitted_map[key] = item  # not ours to judge
            continue
        fitted = _fit(item, sub, f"{path}.{key}" if path else key, problems)
        if fitted is not _DROP:
            fitted_map[key] = fitted
    return fitted_map


def _missing_required(item: Any, shape: Any) -> bool:
    if not isinstance(shape, dict) or not isinstance(item, dict):
        return False
    return any(key in shape and key not in item for key in REQUIRED)


_JSON_TYPES = {type(None): "none", bool: "bool", int: "int", float: "float", str: "str",
               list: "list", dict: "dict"}


def _type(value: Any) -> str:
    """The JSON type of a parsed value (``bool`` is not an ``int`` here)."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _expected(shape: tuple[str, ...]) -> str:
    names = {"str": "a string", "int": "a whole number", "float": "a number",
             "bool": "true or false", "none": "null"}
    return " or ".join(dict.fromkeys(names[t] for t in shape))
