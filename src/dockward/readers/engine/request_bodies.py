"""Engine API request bodies other than ``containers/create``, as the models rules judge.

A create body is read by :func:`~dockward.readers.engine.inspect_to_workload.
workload_from_create_body`; the other requests that can start or widen a container are
read here into the same models, so the same rules decide them:

* ``POST /containers/{id}/exec``: a process started in an existing container, which may
  ask for ``Privileged`` or another ``User`` (a Workload holding only those);
* ``POST /containers/{id}/update``: new resources and restart policy;
* ``POST /volumes/create`` with the ``local`` driver: ``o=bind`` + ``device`` is a bind
  mount of a host path, a ``device`` under ``/dev`` mounts a host disk, ``overlay``
  layers host directories; a container using the volume gets that host path;
* ``POST /plugins/pull`` / ``upgrade``: the privileges a managed plugin (itself a
  container run by dockerd) is granted: host network, host PID/IPC, mounts, devices,
  capabilities; ``POST /plugins/{name}/set``: new mount sources and device paths;
* ``POST /build``: the network mode of ``RUN`` steps and the build args;
* ``POST /commit``: the image config the new image gets.

Settings an endpoint cannot express are marked unknown, never "missing": an exec does not
choose memory limits, so DW301 has nothing to say about it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from dockward.models.build import Build, ExternalArg
from dockward.models.image import Image
from dockward.models.location import Location
from dockward.models.workload import (
    Capability,
    Device,
    EnvVar,
    Mount,
    Workload,
    normalize_capability,
)

__all__ = [
    "build_from_query",
    "image_from_commit",
    "mounts_from_volume_options",
    "workload_from_build_query",
    "workload_from_exec_body",
    "workload_from_plugin_privileges",
    "workload_from_plugin_settings",
    "workload_from_update_body",
    "workload_from_volume_create",
]

# Workload fields a request that does not create a container cannot set.
_CONTAINER_ONLY = ("memory", "cpus", "pids_limit", "restart", "read_only", "cap_drop",
                   "security_opts", "no_new_privileges", "user", "mounts", "ports")


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """A field the way Go finds it: exact or folded spelling (last one wins)."""
    if not isinstance(obj, Mapping):
        return default
    found = default
    folded = name.casefold()
    for key, value in obj.items():
        if str(key).casefold() == folded and value is not None:
            found = value
    return found


def _flag(obj: Any, name: str) -> bool:
    value = _get(obj, name, False)
    if isinstance(value, str):
        return value.strip().lower() not in ("", "false", "0", "no")
    return bool(value)


def _unknown(w: Workload, fields: Iterable[str], reason: str) -> None:
    for name in fields:
        w.mark_unknown(name, reason)


def workload_from_exec_body(body: Any, subject: str, container: str) -> Workload:
    """``POST /containers/{id}/exec``: ``Privileged``, ``User``, ``Env`` of the new process."""
    where = Location(subject=subject, path="")
    w = Workload(name=container, source_kind="exec", anchor=where)
    _unknown(w, _CONTAINER_ONLY, "an exec runs inside the container's existing settings")
    if _flag(body, "Privileged"):
        w.set("privileged", True, where.child("Privileged"))
    user = _get(body, "User")
    if isinstance(user, str) and user.strip():
        w.set("user", user, where.child("User"))
    env = _get(body, "Env")
    if isinstance(env, list):
        for i, raw in enumerate(env):
            key, eq, value = str(raw).partition("=")
            w.env.append(EnvVar(key, value if eq else None, where.child(f"Env[{i}]")))
    cmd = _get(body, "Cmd")
    if isinstance(cmd, list):
        w.command = [str(c) for c in cmd]
    return w


def workload_from_update_body(body: Any, subject: str, container: str) -> Workload:
    """``POST /containers/{id}/update``: only what it sets; 0 means "unchanged" there."""
    where = Location(subject=subject, path="")
    w = Workload(name=container, source_kind="update", anchor=where)
    _unknown(w, ("user", "read_only", "cap_drop", "security_opts", "no_new_privileges",
                 "mounts", "ports"), "an update cannot change it")
    for attr, key in (("memory", "Memory"), ("pids_limit", "PidsLimit")):
        value = _get(body, key)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            w.set(attr, value, where.child(key))
        elif value is None or value == 0:
            w.mark_unknown(attr, "not changed by this update")
    nano = _get(body, "NanoCpus")
    if isinstance(nano, int | float) and nano > 0:
        w.set("cpus", nano / 1e9, where.child("NanoCpus"))
    else:
        w.mark_unknown("cpus", "not changed by this update")
    restart = _get(body, "RestartPolicy")
    if isinstance(restart, Mapping) and str(_get(restart, "Name", "")).strip():
        from dockward.models.workload import RestartPolicy

        name = str(_get(restart, "Name")).strip().lower()
        retries = _get(restart, "MaximumRetryCount", 0)
        w.set("restart", RestartPolicy(name, where.child("RestartPolicy"),
                                       int(retries) if name == "on-failure"
                                       and isinstance(retries, int) else None),
              where.child("RestartPolicy"))
    else:
        w.mark_unknown("restart", "not changed by this update")
    devices = _get(body, "Devices")
    if isinstance(devices, list):
        w.devices = _devices(devices, where.child("Devices"))
    return w


def _devices(values: list[Any], base: Location) -> list[Device]:
    out: list[Device] = []
    for i, raw in enumerate(values):
        host = str(_get(raw, "PathOnHost", "")) if isinstance(raw, Mapping) else str(raw)
        if host:
            inside = str(_get(raw, "PathInContainer", "")) if isinstance(raw, Mapping) else ""
            out.append(Device(host, inside or host, base.child(f"[{i}]")))
    return out


def mounts_from_volume_options(driver: str, options: Any, origin: Location,
                               read_only: bool = False, target: str = "") -> list[Mount]:
    """What a ``local``-driver volume really mounts from the host.

    ``type=none,o=bind,device=/x`` (or ``rbind``) is a bind mount of ``/x``; ``overlay``
    with ``lowerdir``/``upperdir`` layers host directories; a filesystem type with a
    ``device`` under ``/dev`` mounts a host block device (returned as a bind of the
    device, which DW202 judges as ``/dev``).  Other drivers are opaque and give nothing.
    """
    if (driver or "local").strip().lower() != "local" or not isinstance(options, Mapping):
        return []
    opts = {str(k).strip().lower(): str(v) for k, v in options.items()}
    fstype = opts.get("type", "").strip().lower()
    flags = [f.strip() for f in opts.get("o", "").split(",") if f.strip()]
    device = opts.get("device", "").strip()
    out: list[Mount] = []
    if any(f.lower() in ("bind", "rbind") for f in flags) and device:
        out.append(Mount("bind", device, target or device, origin,
                         read_only=read_only or "ro" in flags))
    elif fstype == "overlay":
        for flag in flags:
            key, eq, value = flag.partition("=")
            if eq and key.lower() in ("lowerdir", "upperdir", "workdir"):
                for path in value.split(":"):
                    if path.strip():
                        out.append(Mount("bind", path.strip(), target or path.strip(), origin,
                                         read_only=key.lower() == "lowerdir"))
    elif device.startswith("/") and fstype not in ("", "none", "tmpfs", "nfs", "nfs4",
                                                    "cifs", "smb3"):
        out.append(Mount("bind", device, target or device, origin,
                         read_only=read_only or "ro" in flags))
    return out


def workload_from_volume_create(body: Any, subject: str) -> Workload:
    """``POST /volumes/create``: a volume that is a host path is judged as that mount."""
    where = Location(subject=subject, path="")
    name = str(_get(body, "Name", "") or "")
    w = Workload(name=name, source_kind="volume", anchor=where)
    _unknown(w, _CONTAINER_ONLY, "a volume is not a container")
    for mount in mounts_from_volume_options(str(_get(body, "Driver", "local") or "local"),
                                            _get(body, "DriverOpts"),
                                            where.child("DriverOpts")):
        if (mount.source or "").startswith("/dev/"):  # a host disk, mounted as a filesystem
            w.devices.append(Device(mount.source or "", mount.target, mount.origin))
        else:
            w.mounts.append(mount)
    w.facts["volume_driver"] = str(_get(body, "Driver", "local") or "local")
    return w


def _plugin_workload(name: str, subject: str) -> Workload:
    """A managed plugin as a Workload: only what its privileges or settings say is known."""
    w = Workload(name=name, source_kind="plugin", anchor=Location(subject=subject, path=""))
    _unknown(w, ("memory", "cpus", "pids_limit", "restart", "read_only", "cap_drop",
                 "security_opts", "no_new_privileges", "user", "ports"),
             "a plugin's other settings come from its manifest")
    return w


def workload_from_plugin_privileges(body: Any, subject: str, name: str) -> Workload:
    """``POST /plugins/pull`` / ``upgrade``: the privileges the managed plugin is granted.

    A managed plugin is a container dockerd runs as root; its privileges are what the
    body accepts (dockerd refuses a pull whose accepted list differs from the plugin's).
    """
    w = _plugin_workload(name, subject)
    where = w.anchor
    for index, item in enumerate(body if isinstance(body, list) else []):
        kind = str(_get(item, "Name", "")).strip().lower()
        values = _get(item, "Value", [])
        values = [str(v) for v in values] if isinstance(values, list) else [str(values)]
        origin = where.child(f"[{index}]")
        if kind == "network" and "host" in (v.lower() for v in values):
            w.set("network_mode", "host", origin)
        elif kind == "host pid namespace" and _truthy_values(values):
            w.set("pid_mode", "host", origin)
        elif kind == "host ipc namespace" and _truthy_values(values):
            w.set("ipc_mode", "host", origin)
        elif kind == "mount":
            w.mounts.extend(Mount("bind", v, v, origin) for v in values if v)
        elif kind == "device":
            w.devices.extend(Device(v, v, origin) for v in values if v)
        elif kind == "allow-all-devices" and _truthy_values(values):
            w.devices.append(Device("/dev", "/dev", origin))
        elif kind == "capabilities":
            w.cap_add.extend(Capability(normalize_capability(v), origin) for v in values if v)
    return w


def _truthy_values(values: list[str]) -> bool:
    return any(v.strip().lower() not in ("", "false", "0") for v in values) or not values


def workload_from_plugin_settings(body: Any, subject: str, name: str) -> Workload:
    """``POST /plugins/{name}/set``: ``mnt.source=/path`` and ``dev.path=/dev/x`` widen it."""
    w = _plugin_workload(name, subject)
    where = w.anchor
    for index, raw in enumerate(body if isinstance(body, list) else []):
        key, eq, value = str(raw).partition("=")
        origin = where.child(f"[{index}]")
        if not eq:
            continue
        if key.endswith(".source") and value:
            w.mounts.append(Mount("bind", value, value, origin))
        elif key.endswith(".path") and value:
            w.devices.append(Device(value, value, origin))
        else:
            w.env.append(EnvVar(key, value, origin))
    return w


def workload_from_build_query(query: Mapping[str, str], subject: str) -> Workload:
    """``POST /build``: the settings of the containers that run the ``RUN`` steps."""
    where = Location(subject=subject, path="query")
    w = Workload(name=query.get("t", "") or "build", source_kind="build", anchor=where)
    _unknown(w, _CONTAINER_ONLY, "build steps run with the builder's settings")
    mode = query.get("networkmode", "").strip()
    if mode:
        w.set("network_mode", mode, where.child("networkmode"))
    return w


def build_from_query(query: Mapping[str, str], subject: str) -> Build:
    """``POST /build``'s ``buildargs`` as an invocation Build (DW401 judges them)."""
    where = Location(subject=subject, path="query")
    build = Build(name=query.get("t", "") or "build", source_kind="build-command",
                  anchor=where)
    try:
        args = json.loads(query.get("buildargs", "") or "{}")
    except ValueError:
        args = {}
    if isinstance(args, Mapping):
        for key, value in args.items():
            build.external_args.append(ExternalArg(
                name=str(key), value=None if value is None else str(value),
                value_kind="literal" if value is not None else "environment",
                origin=where.child(f"buildargs.{key}"), via="--build-arg"))
    return build


def image_from_commit(body: Any, query: Mapping[str, str], subject: str) -> Image:
    """``POST /commit``: the config the new image gets (``User``, ``Env``)."""
    where = Location(subject=subject, path="")
    ref = query.get("repo", "") + (f":{query['tag']}" if query.get("tag") else "")
    image = Image(ref=ref or query.get("container", ""), id="", anchor=where,
                  source_kind="commit")
    user = _get(body, "User")
    image.user = str(user) if isinstance(user, str) else None
    env = _get(body, "Env")
    if isinstance(env, list):
        for i, raw in enumerate(env):
            key, eq, value = str(raw).partition("=")
            image.env.append(EnvVar(key, value if eq else None, where.child(f"Env[{i}]")))
    return image
