"""A Workload as the ``POST /containers/create`` body that would make it: the opposite of
:func:`dockward.readers.engine.inspect_to_workload.workload_from_create_body`.

Proving that a fixed compose service still starts means handing what the compose reader
understood to a real engine; ``dockward tighten`` starts trial copies the same way.  Only
what the Workload holds is written (the security-relevant settings, image, user,
environment and command); networks, labels and names are the caller's.  The two directions
are tested as a round trip.
"""

from __future__ import annotations

from typing import Any

from dockward.models.workload import Mount, Port, Workload

__all__ = ["body_from_workload"]

_MODES = (("pid_mode", "PidMode"), ("network_mode", "NetworkMode"), ("ipc_mode", "IpcMode"),
          ("uts_mode", "UTSMode"), ("userns_mode", "UsernsMode"),
          ("cgroupns_mode", "CgroupnsMode"))


def body_from_workload(w: Workload) -> dict[str, Any]:
    """The create body (``Config`` fields at the top, ``HostConfig`` beside them)."""
    body: dict[str, Any] = {}
    if w.image:
        body["Image"] = w.image
    if w.user:
        body["User"] = w.user
    if w.env:
        body["Env"] = [e.key if e.value is None else f"{e.key}={e.value}" for e in w.env]
    if w.command:
        body["Cmd"] = list(w.command)
    exposed: dict[str, dict[str, Any]] = {_port_key(p): {} for p in w.ports}
    if exposed:
        body["ExposedPorts"] = exposed
    body["HostConfig"] = _host_config(w)
    return body


def _host_config(w: Workload) -> dict[str, Any]:
    hc: dict[str, Any] = {}
    if w.privileged:
        hc["Privileged"] = True
    if w.cap_add:
        hc["CapAdd"] = [c.name for c in w.cap_add]
    if w.cap_drop:
        hc["CapDrop"] = [c.name for c in w.cap_drop]
    for attr, key in _MODES:
        value = getattr(w, attr)
        if value:
            hc[key] = value
    mounts = [_mount(m) for m in w.mounts if m.type != "tmpfs"]
    if mounts:
        hc["Mounts"] = mounts
    tmpfs = {m.target: "" for m in w.mounts if m.type == "tmpfs"}
    if tmpfs:
        hc["Tmpfs"] = tmpfs
    if w.devices:
        hc["Devices"] = [{"PathOnHost": d.host_path, "PathInContainer": d.container_path,
                          "CgroupPermissions": d.permissions} for d in w.devices]
    if w.security_opts:
        hc["SecurityOpt"] = [_security_opt(o.key, o.value) for o in w.security_opts]
    if w.read_only:
        hc["ReadonlyRootfs"] = True
    if w.memory and w.memory > 0:
        hc["Memory"] = int(w.memory)
    if w.cpus and w.cpus > 0:
        hc["NanoCpus"] = round(w.cpus * 1_000_000_000)
    if w.pids_limit and w.pids_limit > 0:
        hc["PidsLimit"] = int(w.pids_limit)
    if w.restart is not None:
        name = w.restart.name.strip().lower()
        policy: dict[str, Any] = {"Name": "" if name == "no" else name}
        if name == "on-failure" and w.restart.max_retries:
            policy["MaximumRetryCount"] = int(w.restart.max_retries)
        hc["RestartPolicy"] = policy
    bindings: dict[str, list[dict[str, str]]] = {}
    for port in w.ports:
        if port.published:
            bindings.setdefault(_port_key(port), []).append(
                {"HostIp": port.host_ip, "HostPort": port.host_port or ""})
    if bindings:
        hc["PortBindings"] = bindings
    return hc


def _port_key(port: Port) -> str:
    return f"{port.container_port}/{port.protocol or 'tcp'}"


def _mount(m: Mount) -> dict[str, Any]:
    entry: dict[str, Any] = {"Type": m.type or "volume", "Target": m.target}
    if m.source:
        entry["Source"] = m.source
    if m.read_only:
        entry["ReadOnly"] = True
    if m.propagation and m.type == "bind":
        entry["BindOptions"] = {"Propagation": m.propagation}
    return entry


def _security_opt(key: str, value: str) -> str:
    """``no-new-privileges`` bare when true (the engine takes both forms)."""
    if key == "no-new-privileges" and value.strip().lower() in ("", "true"):
        return "no-new-privileges"
    return f"{key}={value}" if value else key
