"""Remedies applied to a Workload in memory, and a Workload written as a ``docker run`` line.

A live container cannot be edited like a file: what ``docker update`` cannot change has to
be re-created.  The live fixer applies the remedies to a copy of the container's Workload and
renders the result as the ``docker run`` command that re-creates it; ``dockward tighten``
uses the same two steps to turn a learned configuration into a command line.
"""

from __future__ import annotations

import copy
import shlex
from collections.abc import Iterable

from dockward.findings import Change, Remedy
from dockward.fixers.base import Unfixable
from dockward.kinds import cpus_text, docker_size
from dockward.models.location import Location
from dockward.models.workload import (
    Capability,
    EnvVar,
    Mount,
    RestartPolicy,
    SecurityOpt,
    Workload,
    normalize_capability,
)

_NAMESPACES = ("pid_mode", "network_mode", "ipc_mode", "uts_mode", "userns_mode")


def apply_to_workload(w: Workload, remedies: Iterable[Remedy]) -> Workload:
    """A copy of ``w`` with every part of ``remedies`` applied; raises :class:`Unfixable`
    for a part the model cannot express (a Dockerfile's USER, a build secret)."""
    fixed = copy.deepcopy(w)
    for remedy in remedies:
        for part in remedy.parts():
            _apply(fixed, part)
    return fixed


def _apply(w: Workload, part: Remedy) -> None:
    setting, value, where = part.setting, part.value, part.target or w.anchor
    if setting in ("memory", "cpus", "pids_limit", "user", "read_only"):
        setattr(w, setting, value)
    elif setting == "restart":
        name, retries = value
        w.restart = RestartPolicy(str(name), where, int(retries) if retries else None)
    elif setting == "privileged":
        w.privileged = part.change is not Change.REMOVE and bool(value)
    elif setting in _NAMESPACES:
        setattr(w, setting, None)
    elif setting in ("cap_add", "cap_drop"):
        caps: list[Capability] = getattr(w, setting)
        name = normalize_capability(str(value))
        if part.change is Change.REMOVE:
            setattr(w, setting, [c for c in caps if c.name != name])
        elif all(c.name != name for c in caps):
            caps.append(Capability(name, where))
    elif setting == "security_opts":
        key, value_text = _opt_parts(str(value))
        w.security_opts = [o for o in w.security_opts if not (
            o.origin == where or (o.key == key and o.value == value_text))]
    elif setting == "no_new_privileges":
        w.security_opts = [o for o in w.security_opts if o.key != "no-new-privileges"]
        w.security_opts.append(SecurityOpt("no-new-privileges", "true", where))
    elif setting == "tmpfs":
        w.mounts.append(Mount(type="tmpfs", source=None, target=str(value), origin=where))
    elif setting == "mounts":
        w.mounts = [m for m in w.mounts if m.origin != where]
    elif setting in ("mount_read_only", "mount_propagation"):
        for m in w.mounts:
            if m.origin == where:
                if setting == "mount_read_only":
                    m.read_only = True
                else:
                    m.propagation = None
    elif setting == "port_host_ip":
        for p in w.ports:
            if p.origin == where:
                p.host_ip = str(value)
    elif setting == "env":
        key, _, text = str(value).partition("=")
        w.env.append(EnvVar(key, text, where))
    else:
        raise Unfixable(f"a container's settings cannot express {setting}")


def _opt_parts(raw: str) -> tuple[str, str]:
    opt = SecurityOpt.parse(raw, Location())
    return opt.key, opt.value


def run_args(w: Workload, name: str = "", detach: bool = True) -> list[str]:
    """``docker run`` arguments that create the container ``w`` describes (its security
    settings, mounts, ports, environment, image and command)."""
    args = ["docker", "run"]
    if detach:
        args.append("-d")
    if name:
        args += ["--name", name]
    if w.user:
        args += ["--user", w.user]
    if w.privileged:
        args.append("--privileged")
    args += [f"--cap-drop={c.name}" for c in w.cap_drop]
    args += [f"--cap-add={c.name}" for c in w.cap_add]
    for field, flag in (("pid_mode", "--pid"), ("network_mode", "--network"),
                        ("ipc_mode", "--ipc"), ("uts_mode", "--uts"),
                        ("userns_mode", "--userns"), ("cgroupns_mode", "--cgroupns")):
        value = getattr(w, field)
        if value and not (field == "network_mode" and value == "default"):
            args.append(f"{flag}={value}")
    for opt in w.security_opts:
        value = opt.value
        args += ["--security-opt", opt.key if opt.key == "no-new-privileges" and value in (
            "", "true") else f"{opt.key}={value}"]
    if w.read_only:
        args.append("--read-only")
    for m in w.mounts:
        args += _mount_args(m)
    for d in w.devices:
        args += ["--device", f"{d.host_path}:{d.container_path}:{d.permissions}"]
    for p in w.ports:
        if p.published:
            host = f"{p.host_ip}:" if p.host_ip else ""
            args += ["-p", f"{host}{p.host_port or ''}:{p.container_port}/{p.protocol}"
                     if host or p.host_port else f"{p.container_port}/{p.protocol}"]
    if w.memory and w.memory > 0:
        args += ["--memory", docker_size(int(w.memory))]
    if w.cpus and w.cpus > 0:
        args += ["--cpus", cpus_text(float(w.cpus))]
    if w.pids_limit and w.pids_limit > 0:
        args += ["--pids-limit", str(w.pids_limit)]
    if w.restart is not None and w.restart.name not in ("", "no"):
        retries = f":{w.restart.max_retries}" if w.restart.name == "on-failure" and \
            w.restart.max_retries else ""
        args += ["--restart", f"{w.restart.name}{retries}"]
    for e in w.env:
        args += ["-e", e.key if e.value is None else f"{e.key}={e.value}"]
    args.append(w.image or "IMAGE")
    args += list(w.command)
    return args


def _mount_args(m: Mount) -> list[str]:
    if m.type == "tmpfs":
        return ["--tmpfs", m.target]
    if m.type in ("bind", "volume") and m.source and ":" not in m.source and \
            ":" not in m.target and "," not in m.source:
        options = [o for o in ("ro" if m.read_only else "", m.propagation or "") if o]
        suffix = f":{','.join(options)}" if options else ""
        return ["-v", f"{m.source}:{m.target}{suffix}"]
    fields = [f"type={m.type or 'volume'}", f"target={m.target}"]
    if m.source:
        fields.insert(1, f"source={m.source}")
    if m.read_only:
        fields.append("readonly")
    if m.propagation and m.type == "bind":
        fields.append(f"bind-propagation={m.propagation}")
    return ["--mount", ",".join(fields)]


def command_line(args: list[str]) -> str:
    return " ".join(shlex.quote(a) for a in args)
