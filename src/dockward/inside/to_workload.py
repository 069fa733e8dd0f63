"""Observations (the probe's JSON) -> an observed Workload plus an Observation.

The observed Workload has the same meaning as a configured one (``HostConfig``), so every
Workload rule applies unchanged and ``compare`` can put the two side by side.  That shapes
a few choices:

* Capabilities come from the *bounding* set: that is what the container was granted (a
  non-root process has an empty effective set but can regain the bounding set through a
  setuid binary).  A bounding set missing every default capability reads as
  ``cap_drop: [ALL]`` plus what remains as ``cap_add``, exactly how ``--cap-drop=ALL
  --cap-add=NET_ADMIN`` is configured; a full set is ``cap_add: [ALL]``.
* A full bounding set *and* host devices (or a device cgroup that allows everything) is
  ``privileged``; what privileged implies (no seccomp, no AppArmor, unmasked /proc, all
  devices) is then not repeated field by field, as in a privileged container's
  ``HostConfig``.
* A namespace is ``host`` only on a definitive sign (the initial namespace's inode, kernel
  threads, runtime sockets bound in the network namespace); anything else stays ``None``
  (the engine default), never a guess.
* What cannot be seen from inside (restart policy, published ports, image, environment)
  is marked unknown, so rules about them stay silent instead of reporting it missing.

Provenance is a live location: ``subject`` names the container (``observed`` by default)
and ``path`` the file the fact was read from (``/proc/self/status:CapBnd``,
``/proc/self/mountinfo:/var/run/docker.sock``, ``/sys/fs/cgroup/pids/pids.max``).
"""

from __future__ import annotations

from typing import Any

from dockward.models.location import Location
from dockward.models.observation import (
    HostFilesystemView,
    KernelInterfaceView,
    Observation,
    RuntimeSocketView,
)
from dockward.models.workload import Capability, Device, Mount, SecurityOpt, Workload

NOT_VISIBLE = "not visible from inside the container"
UNCONFINED_SELINUX_TYPES = ("spc_t", "unconfined_t")


def _cap(name: str) -> str:
    """``cap_net_admin`` -> ``NET_ADMIN`` (the Workload's spelling)."""
    upper = name.upper()
    return upper[4:] if upper.startswith("CAP_") else upper


def container_label(obs: dict[str, Any]) -> str:
    """A short name for the observed container: its id prefix, else its hostname."""
    cid = obs.get("container_id")
    if cid:
        return str(cid)[:12]
    return str(obs.get("hostname") or "")


def _device_allowed(rules: list[str] | None, kind: str, major: int, minor: int) -> bool:
    """Whether a v1 ``devices.list`` lets the container read or write the device (no list:
    assume it does)."""
    if rules is None:
        return True
    for line in rules:
        parts = line.split()
        if len(parts) < 3 or not set(parts[2]) & {"r", "w"}:
            continue  # "c *:* m" lets the container mknod, not open
        if parts[0] == "a":
            return True
        if parts[0] != kind:
            continue
        want_major, _, want_minor = parts[1].partition(":")
        if want_major not in ("*", str(major)):
            continue
        if want_minor in ("*", str(minor)):
            return True
    return False


def is_privileged(obs: dict[str, Any]) -> bool:
    """Every capability in the bounding set and access to host devices."""
    caps = obs.get("capabilities") or {}
    if not caps.get("all"):
        return False
    devices = obs.get("devices") or {}
    cgroup_devices = (obs.get("cgroup") or {}).get("devices") or {}
    return bool(devices.get("extra")) or bool(cgroup_devices.get("allow_all"))


def build_observed(obs: dict[str, Any], subject: str = "observed",
                   name: str | None = None) -> tuple[Workload, Observation]:
    """The observed Workload and the inside-only Observation for one probe result."""
    label = name if name is not None else container_label(obs)

    def at(path: str) -> Location:
        return Location(subject=subject, path=path)

    anchor = at("/proc/self")
    w = Workload(name=label, source_kind="observed", anchor=anchor)
    privileged = is_privileged(obs)
    _capabilities(w, obs, privileged, at)
    _namespaces(w, obs, at)
    _user(w, obs, at)
    _security(w, obs, privileged, at)
    _mounts(w, obs, at)
    if not privileged:
        _devices(w, obs, at)
    _resources(w, obs, at)
    for field_name in ("restart", "ports", "image", "env", "command", "cgroupns_mode"):
        w.mark_unknown(field_name, NOT_VISIBLE)
    w.facts.update(_facts(obs))
    observation = Observation(name=label, anchor=anchor, facts=w.facts)
    _observation(observation, obs, at)
    return w, observation


def _capabilities(w: Workload, obs: dict[str, Any], privileged: bool, at: Any) -> None:
    caps = obs.get("capabilities") or {}
    bounding = caps.get("bounding")
    if bounding is None:
        for f in ("cap_add", "cap_drop", "privileged"):
            w.mark_unknown(f, "/proc/self/status could not be read")
        return
    origin = at("/proc/self/status:CapBnd")
    if privileged:
        w.set("privileged", True, origin)
        return
    if caps.get("all"):
        w.cap_add = [Capability("ALL", origin)]
        w.origins["cap_add"] = origin
        return
    added = [_cap(c) for c in caps.get("added") or []]
    dropped = [_cap(c) for c in caps.get("dropped") or []]
    defaults = [_cap(c) for c in caps.get("docker_default") or []]
    if dropped and set(dropped) >= set(defaults):
        w.cap_drop = [Capability("ALL", origin)]
    else:
        w.cap_drop = [Capability(c, origin) for c in dropped]
    w.cap_add = [Capability(c, origin) for c in added]
    if w.cap_drop:
        w.origins["cap_drop"] = origin
    if w.cap_add:
        w.origins["cap_add"] = origin


def _namespaces(w: Workload, obs: dict[str, Any], at: Any) -> None:
    ns = obs.get("namespaces") or {}
    for kind, field_name in (("pid", "pid_mode"), ("net", "network_mode"),
                             ("ipc", "ipc_mode"), ("uts", "uts_mode")):
        info = ns.get(kind) or {}
        host = info.get("host")
        if host is None:
            w.mark_unknown(field_name, f"the {kind} namespace could not be inspected")
        elif host:
            links = ns.get("links") or {}
            if (links.get(kind) or {}).get("initial"):
                path = f"/proc/self/ns/{kind}"
            else:
                path = {"pid": "/proc/2/stat", "net": "/sys/class/net",
                        "ipc": "/proc/self/mountinfo:/dev/shm"}.get(kind, f"/proc/self/ns/{kind}")
            w.set(field_name, "host", at(path))


def _user(w: Workload, obs: dict[str, Any], at: Any) -> None:
    user = obs.get("user") or {}
    uid, gid = user.get("uid"), user.get("gid")
    if uid is None:
        w.mark_unknown("user", "/proc/self/status could not be read")
        return
    w.set("user", f"{uid}:{gid}" if gid is not None else str(uid), at("/proc/self/status:Uid"))


def _security(w: Workload, obs: dict[str, Any], privileged: bool, at: Any) -> None:
    sec = obs.get("security") or {}
    nnp = sec.get("no_new_privs")
    if nnp is None:
        w.mark_unknown("no_new_privileges", "NoNewPrivs not in /proc/self/status")
    elif nnp:
        w.security_opts.append(SecurityOpt("no-new-privileges", "true",
                                           at("/proc/self/status:NoNewPrivs"),
                                           raw="no-new-privileges"))
    if privileged:
        return  # privileged implies the rest; DW101 says it
    seccomp = sec.get("seccomp") or {}
    if seccomp.get("mode") == 0:
        w.security_opts.append(SecurityOpt("seccomp", "unconfined",
                                           at("/proc/self/status:Seccomp"),
                                           raw="seccomp=unconfined"))
    apparmor = sec.get("apparmor") or {}
    if apparmor.get("enabled") and apparmor.get("profile") == "unconfined":
        w.security_opts.append(SecurityOpt("apparmor", "unconfined",
                                           at("/proc/self/attr/current"),
                                           raw="apparmor=unconfined"))
    selinux = sec.get("selinux") or {}
    if selinux.get("type") in UNCONFINED_SELINUX_TYPES:
        w.security_opts.append(SecurityOpt("label", f"type:{selinux['type']}",
                                           at("/proc/self/attr/current"),
                                           raw=f"label=type:{selinux['type']}"))
    kernel = obs.get("kernel_interfaces") or {}
    writable = kernel.get("readonly_paths_writable") or []
    if writable:
        w.security_opts.append(SecurityOpt("systempaths", "unconfined",
                                           at(f"/proc/self/mountinfo:{writable[0]}"),
                                           raw="systempaths=unconfined"))


_PROPAGATION = {"shared": "shared", "shared+slave": "shared", "slave": "slave"}


def _mounts(w: Workload, obs: dict[str, Any], at: Any) -> None:
    rootfs = obs.get("rootfs")
    if rootfs is None:
        w.mark_unknown("read_only", "/proc/self/mountinfo could not be read")
        w.mark_unknown("mounts", "/proc/self/mountinfo could not be read")
    else:
        w.set("read_only", bool(rootfs.get("read_only")), at("/proc/self/mountinfo:/"))
    for m in obs.get("mounts") or []:
        if m.get("role") != "user":
            continue
        kind = m.get("kind") or "bind"
        if kind == "volume":
            source = None if m.get("anonymous") else m.get("volume")
        elif kind == "tmpfs":
            source = None
        else:
            source = m.get("host_source") or m.get("root")
        w.mounts.append(Mount(
            type=kind,
            source=source,
            target=m["mount_point"],
            origin=at(f"/proc/self/mountinfo:{m['mount_point']}"),
            read_only=bool(m.get("read_only")),
            propagation=_PROPAGATION.get(m.get("propagation") or ""),
            unresolved=not m.get("source_resolved", True),
        ))


def _devices(w: Workload, obs: dict[str, Any], at: Any) -> None:
    devices = obs.get("devices") or {}
    cgroup_devices = (obs.get("cgroup") or {}).get("devices") or None
    rules = cgroup_devices.get("list") if cgroup_devices else None
    for d in devices.get("extra") or []:
        if not _device_allowed(rules, d["type"], d["major"], d["minor"]):
            continue
        w.devices.append(Device(host_path=d["path"], container_path=d["path"],
                                origin=at(d["path"]), permissions="rwm"))


def _resources(w: Workload, obs: dict[str, Any], at: Any) -> None:
    cg = obs.get("cgroup") or {}
    memory, cpu, pids = cg.get("memory") or {}, cg.get("cpu") or {}, cg.get("pids") or {}
    if memory.get("known"):
        w.set("memory", memory.get("limit"), at(memory.get("file") or "/sys/fs/cgroup"))
    else:
        w.mark_unknown("memory", "the memory cgroup could not be read")
    if cpu.get("known"):
        w.set("cpus", cpu.get("cpus"), at(cpu.get("file") or "/sys/fs/cgroup"))
    else:
        w.mark_unknown("cpus", "the cpu cgroup could not be read")
    if pids.get("known"):
        w.set("pids_limit", pids.get("max"), at(pids.get("file") or "/sys/fs/cgroup"))
    else:
        w.mark_unknown("pids_limit", "the pids cgroup could not be read")


def _facts(obs: dict[str, Any]) -> dict[str, Any]:
    caps = obs.get("capabilities") or {}
    user = obs.get("user") or {}
    sec = obs.get("security") or {}
    ns = obs.get("namespaces") or {}
    cg = obs.get("cgroup") or {}
    return {
        "observed": True,
        "container_id": obs.get("container_id"),
        "hostname": obs.get("hostname"),
        "effective_capabilities": caps.get("effective"),
        "bounding_capabilities": caps.get("bounding"),
        "cap_last_cap": caps.get("cap_last_cap"),
        "capabilities_added": caps.get("added"),
        "capabilities_dropped": caps.get("dropped"),
        "userns_remapped": user.get("userns_remapped"),
        "root_maps_to": user.get("root_maps_to"),
        "seccomp_mode": (sec.get("seccomp") or {}).get("mode"),
        "seccomp_filters": (sec.get("seccomp") or {}).get("filters"),
        "apparmor_profile": (sec.get("apparmor") or {}).get("profile"),
        "selinux_context": (sec.get("selinux") or {}).get("context"),
        "namespace_signs": {k: (ns.get(k) or {}).get("signs") or []
                            for k in ("pid", "net", "ipc", "uts")},
        "cgroup_version": cg.get("version"),
        "masked_paths_exposed": (obs.get("kernel_interfaces") or {}).get(
            "masked_paths_exposed"),
    }


def _observation(o: Observation, obs: dict[str, Any], at: Any) -> None:
    for s in obs.get("runtime_sockets") or []:
        version = s.get("version") or {}
        ping = s.get("ping") or {}
        address = s.get("address") or f"unix://{s.get('path')}"
        o.sockets.append(RuntimeSocketView(
            address=address,
            runtime=s.get("runtime") or "unknown",
            protocol=s.get("protocol") or "http",
            origin=at(f"/proc/self/mountinfo:{s['path']}" if s.get("path") else address),
            path=s.get("path"),
            host_source=s.get("host_source"),
            from_mount=bool(s.get("from_mount")),
            connectable=s.get("connectable"),
            answers=s.get("answers"),
            server=ping.get("server"),
            api_version=version.get("api_version") or ping.get("api_version"),
            engine_version=version.get("version"),
            platform=version.get("platform"),
            error=s.get("error"),
        ))
    for h in obs.get("host_filesystems") or []:
        o.host_filesystems.append(HostFilesystemView(
            mount_point=h["mount_point"],
            origin=at(f"/proc/self/mountinfo:{h['mount_point']}"),
            host_source=h.get("host_source") or "",
            fstype=h.get("fstype") or "",
            read_only=bool(h.get("read_only")),
            writable=bool(h.get("writable")),
            reasons=list(h.get("reasons") or []),
            sample=list(h.get("sample") or []),
            submounts=int(h.get("submounts") or 0),
            writable_submounts=list(h.get("writable_submounts") or []),
        ))
    for k in (obs.get("kernel_interfaces") or {}).get("interfaces") or []:
        o.kernel_interfaces.append(KernelInterfaceView(
            path=k["path"], origin=at(k["path"]), writable=bool(k.get("writable")),
            how=k.get("how") or ""))


def summary(obs: dict[str, Any]) -> dict[str, Any]:
    """The attacker's-eye summary shown before findings and stored in the report's
    ``subjects`` (effective capabilities as capsh shows them, namespaces, limits)."""
    caps = obs.get("capabilities") or {}
    ns = obs.get("namespaces") or {}
    cg = obs.get("cgroup") or {}
    sec = obs.get("security") or {}
    user = obs.get("user") or {}
    return {
        "kind": "observed",
        "name": container_label(obs),
        "container_id": obs.get("container_id"),
        "hostname": obs.get("hostname"),
        "capabilities": {
            "effective": caps.get("effective"),
            "bounding": caps.get("bounding"),
            "ambient": caps.get("ambient"),
            "added": caps.get("added"),
            "dropped": caps.get("dropped"),
        },
        "user": {"uid": user.get("uid"), "gid": user.get("gid"),
                 "userns_remapped": user.get("userns_remapped"),
                 "root_maps_to": user.get("root_maps_to")},
        "seccomp": (sec.get("seccomp") or {}).get("label"),
        "no_new_privs": sec.get("no_new_privs"),
        "apparmor": (sec.get("apparmor") or {}).get("profile"),
        "selinux": (sec.get("selinux") or {}).get("context"),
        "host_namespaces": sorted(k for k in ("pid", "net", "ipc", "uts")
                                  if (ns.get(k) or {}).get("host")),
        "host_cgroup_namespace": (ns.get("cgroup") or {}).get("host"),
        "cgroup_version": cg.get("version"),
        "memory_limit": (cg.get("memory") or {}).get("limit"),
        "cpus": (cg.get("cpu") or {}).get("cpus"),
        "pids_max": (cg.get("pids") or {}).get("max"),
        "read_only_rootfs": (obs.get("rootfs") or {}).get("read_only"),
        "extra_devices": [d["path"] for d in (obs.get("devices") or {}).get("extra") or []],
        "runtime_sockets": [
            {"address": s.get("address"), "runtime": s.get("runtime"),
             "answers": s.get("answers"), "connectable": s.get("connectable")}
            for s in obs.get("runtime_sockets") or []],
        "probe": {"python": obs.get("python"), "schema": obs.get("schema"),
                  "errors": len(obs.get("errors") or [])},
    }
