"""A :class:`Workload` as a ``POST /containers/create`` body: the readers' opposite direction.

The readers turn every surface into a Workload; this module turns a Workload back into the
request the Engine API takes, so dockward can start it (``dockward tighten`` starts trial
copies; proving that a fixed compose service still starts needs the same).  The body has
the ``Config`` fields at the top level and ``HostConfig`` beside them, exactly what
:func:`dockward.readers.engine.inspect_to_workload.workload_from_create_body` reads, and the
two are tested as a round trip on every security-relevant field.

Besides the typed fields, a few facts the readers record are needed to start the same
process: ``entrypoint`` (a list, or the one string of ``--entrypoint``), ``cmd`` (present
only where ``command`` is Entrypoint + Cmd merged, as in an inspect result), ``workdir``,
``healthcheck`` (the API object), ``sysctls``, ``ulimits``, ``group_add``, ``init``,
``oom_kill_disable``.  Labels and names are left to the caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dockward.models.values import parse_bytes, parse_int
from dockward.models.workload import Mount, Port, Workload

__all__ = ["body_from_workload", "port_key", "security_opt_text"]


def body_from_workload(w: Workload) -> dict[str, Any]:
    """The create body that makes the container ``w`` describes."""
    body: dict[str, Any] = {}
    if w.image:
        body["Image"] = w.image
    if w.user is not None:
        body["User"] = w.user
    if w.env:
        body["Env"] = [e.key if e.value is None else f"{e.key}={e.value}" for e in w.env]
    entrypoint = _entrypoint(w.facts.get("entrypoint"))
    if entrypoint is not None:
        body["Entrypoint"] = entrypoint
    cmd = w.facts["cmd"] if "cmd" in w.facts else (list(w.command) or None)
    if cmd is not None:
        body["Cmd"] = list(cmd)
    workdir = w.facts.get("workdir")
    if isinstance(workdir, str) and workdir:
        body["WorkingDir"] = workdir
    healthcheck = w.facts.get("healthcheck")
    if isinstance(healthcheck, Mapping) and healthcheck:
        body["Healthcheck"] = dict(healthcheck)
    exposed: dict[str, dict[str, Any]] = {port_key(p): {} for p in w.ports}
    if exposed:
        body["ExposedPorts"] = exposed
    body["HostConfig"] = _host_config(w)
    return body


def port_key(port: Port) -> str:
    """``80/tcp``: how the Engine API names a container port."""
    return f"{port.container_port}/{port.protocol or 'tcp'}"


def _entrypoint(value: object) -> list[str] | None:
    if isinstance(value, str):  # `--entrypoint X` is one executable, never split
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return None


def _host_config(w: Workload) -> dict[str, Any]:
    hc: dict[str, Any] = {}
    if w.privileged:
        hc["Privileged"] = True
    if w.cap_add:
        hc["CapAdd"] = [c.name for c in w.cap_add]
    if w.cap_drop:
        hc["CapDrop"] = [c.name for c in w.cap_drop]
    for attr, key in (("pid_mode", "PidMode"), ("network_mode", "NetworkMode"),
                      ("ipc_mode", "IpcMode"), ("uts_mode", "UTSMode"),
                      ("userns_mode", "UsernsMode"), ("cgroupns_mode", "CgroupnsMode")):
        value = getattr(w, attr)
        if value:
            hc[key] = value
    mounts = [_api_mount(m) for m in w.mounts if m.type != "tmpfs"]
    if mounts:
        hc["Mounts"] = mounts
    tmpfs = {m.target: "" for m in w.mounts if m.type == "tmpfs"}
    if tmpfs:
        hc["Tmpfs"] = tmpfs
    if w.devices:
        hc["Devices"] = [{"PathOnHost": d.host_path, "PathInContainer": d.container_path,
                          "CgroupPermissions": d.permissions} for d in w.devices]
    if w.security_opts:
        hc["SecurityOpt"] = [security_opt_text(o.key, o.value) for o in w.security_opts]
    if w.read_only:
        hc["ReadonlyRootfs"] = True
    if w.memory and w.memory > 0:
        hc["Memory"] = int(w.memory)
    if w.cpus and w.cpus > 0:
        hc["NanoCpus"] = round(w.cpus * 1e9)
    if w.pids_limit and w.pids_limit > 0:
        hc["PidsLimit"] = int(w.pids_limit)
    if w.restart is not None:
        policy: dict[str, Any] = {"Name": "" if w.restart.name == "no" else w.restart.name}
        if w.restart.name == "on-failure" and w.restart.max_retries:
            policy["MaximumRetryCount"] = w.restart.max_retries
        hc["RestartPolicy"] = policy
    bindings: dict[str, list[dict[str, str]]] = {}
    for port in w.ports:
        if port.published:
            bindings.setdefault(port_key(port), []).append(
                {"HostIp": port.host_ip, "HostPort": port.host_port or ""})
    if bindings:
        hc["PortBindings"] = bindings
    if w.facts.get("publish_all"):
        hc["PublishAllPorts"] = True
    _host_facts(w, hc)
    return hc


def security_opt_text(key: str, value: str) -> str:
    """One security option as the engine and the docker CLI take it; ``no-new-privileges``
    stays bare (both accept ``:true`` and bare alike)."""
    if key == "no-new-privileges" and value.lower() in ("", "true"):
        return "no-new-privileges"
    return f"{key}={value}"


def _api_mount(m: Mount) -> dict[str, Any]:
    entry: dict[str, Any] = {"Type": m.type, "Target": m.target}
    if m.source:
        entry["Source"] = m.source
    if m.read_only:
        entry["ReadOnly"] = True
    if m.propagation and m.type == "bind":
        entry["BindOptions"] = {"Propagation": m.propagation}
    return entry


def _host_facts(w: Workload, hc: dict[str, Any]) -> None:
    """Settings the readers keep as facts that change how the process starts."""
    facts = w.facts
    sysctls = facts.get("sysctls")
    if isinstance(sysctls, Mapping) and sysctls:
        hc["Sysctls"] = {str(k): str(v) for k, v in sysctls.items()}
    group_add = facts.get("group_add")
    if isinstance(group_add, list) and group_add:
        hc["GroupAdd"] = [str(g) for g in group_add]
    ulimits = [u for u in (_ulimit(raw) for raw in facts.get("ulimits") or []) if u]
    if ulimits:
        hc["Ulimits"] = ulimits
    if facts.get("init") is True:
        hc["Init"] = True
    if facts.get("oom_kill_disable") is True:
        hc["OomKillDisable"] = True
    swap = parse_bytes(facts.get("memory_swap")) if facts.get("memory_swap") != "-1" else -1
    if swap:
        hc["MemorySwap"] = swap


def _ulimit(raw: object) -> dict[str, Any] | None:
    """``nofile=1024:2048`` (run lines) or the API's ``{Name, Soft, Hard}``."""
    if isinstance(raw, Mapping):
        return dict(raw)
    name, _, limits = str(raw).partition("=")
    soft_text, _, hard_text = limits.partition(":")
    soft = parse_int(soft_text)
    hard = parse_int(hard_text) if hard_text else soft
    if not name or soft is None or hard is None:
        return None
    return {"Name": name, "Soft": soft, "Hard": hard}
