"""THE converter from Engine API container settings to a :class:`Workload`.

Three inputs describe a container in the Engine API's own terms, and all three go through
:func:`_workload_from_api` so that a running container, a create request the guard is
judging and a swarm service mean the same thing to every rule:

* ``GET /containers/{id}/json`` (inspect): ``Config`` + ``HostConfig`` + the resolved
  ``Mounts`` list (which adds anonymous volumes and ``--volumes-from`` mounts);
* ``POST /containers/create`` bodies: the ``Config`` fields at the top level with
  ``HostConfig`` beside them;
* swarm services: ``Spec.TaskTemplate.ContainerSpec`` (+ ``Resources``,
  ``RestartPolicy``, ``Networks``, ``EndpointSpec``), translated field by field.

Field names are matched the way dockerd's Go JSON decoder matches them: exactly, or
case-insensitively with Unicode folding (``privileged``, ``PRIVILEGED`` and
``ſecurityOpt`` all reach ``SecurityOpt``), and when a name occurs twice the last one
wins.  A guard that looked only at ``Privileged`` would let ``{"HostConfig":
{"privileged": true}}`` through; this converter does not.

Every field keeps its provenance as ``Location(subject="host/name", path="HostConfig.X")``
(``Config.X`` / ``X`` for create bodies, ``Spec.TaskTemplate...`` for services).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from dockward.models.knowledge import DEFAULT_CAPABILITIES
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
    normalize_capability,
)
from dockward.readers.engine.api_fields import HOST_CONFIG_BY_FOLD
from dockward.readers.specs import Surface, parse_device, parse_volume

__all__ = [
    "workload_from_create_body",
    "workload_from_inspect",
    "workload_from_swarm_service",
]

# Labels worth keeping as facts: they tell reports where a container came from.
_ORIGIN_LABELS = {
    "com.docker.compose.project": "compose_project",
    "com.docker.compose.service": "compose_service",
    "com.docker.swarm.service.name": "swarm_service",
    "com.docker.stack.namespace": "stack",
}


class _Fields:
    """A JSON object read the way Go's ``encoding/json`` fills a struct.

    Keys match case-insensitively (Unicode simple folding, which is what ``casefold``
    gives for the letters that matter: ``ſ`` -> ``s``, Kelvin ``K`` -> ``k``), and the last
    matching key in document order wins.
    """

    __slots__ = ("_folded", "raw")

    def __init__(self, raw: object) -> None:
        self.raw: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        folded: dict[str, Any] = {}
        for key, value in self.raw.items():
            folded[str(key).casefold()] = value
        self._folded = folded

    def get(self, name: str, default: Any = None) -> Any:
        value = self._folded.get(name.casefold(), default)
        return default if value is None else value

    def sub(self, name: str) -> _Fields:
        return _Fields(self.get(name))

    def list(self, name: str) -> list[Any]:
        value = self.get(name)
        if isinstance(value, list):
            return value
        if isinstance(value, str | Mapping):
            return [value]
        return []

    def text(self, name: str) -> str:
        value = self.get(name, "")
        return value if isinstance(value, str) else str(value)

    def number(self, name: str) -> float:
        value = self.get(name, 0)
        if isinstance(value, bool):
            return float(value)
        if isinstance(value, int | float):
            return float(value)
        try:
            return float(str(value))
        except ValueError:
            return 0.0

    def flag(self, name: str) -> bool:
        """Fail closed: anything truthy that is not ``false`` counts as set."""
        value = self.get(name, False)
        if isinstance(value, str):
            return value.strip().lower() not in ("", "false", "0", "no")
        return bool(value)


class _Where:
    """Builds Locations for one object: ``Location(subject=..., path=prefix + field)``."""

    __slots__ = ("config", "host", "subject")

    def __init__(self, subject: str, config_prefix: str, host_prefix: str) -> None:
        self.subject = subject
        self.config = config_prefix
        self.host = host_prefix

    def at(self, path: str) -> Location:
        return Location(subject=self.subject, path=path)

    def cfg(self, field_name: str) -> Location:
        return self.at(f"{self.config}{field_name}")

    def hc(self, field_name: str) -> Location:
        return self.at(f"{self.host}{field_name}")


# --------------------------------------------------------------------------- public API


def workload_from_inspect(inspect: Mapping[str, Any], subject: str) -> Workload:
    """A running (or created) container, from ``GET /containers/{id}/json``.

    ``subject`` names it in findings, by convention ``"<host>/<container name>"``.
    ``Config`` in an inspect result is already merged with the image's config, so
    ``Config.User`` is the user the container really runs as ('' = root).
    """
    top = _Fields(inspect)
    name = top.text("Name").lstrip("/") or top.text("Id")[:12]
    where = _Where(subject, "Config.", "HostConfig.")
    w = _workload_from_api(
        name=name,
        source_kind="container",
        config=top.sub("Config"),
        host_config=top.sub("HostConfig"),
        where=where,
        actual_mounts=top.list("Mounts"),
    )
    _drop_daemon_added_label(w)
    state = top.sub("State")
    w.facts.update(
        id=top.text("Id"),
        image_id=top.text("Image"),
        status=state.text("Status") or ("running" if state.flag("Running") else ""),
        created=top.text("Created"),
        restart_count=int(top.number("RestartCount")),
        apparmor_profile=top.text("AppArmorProfile"),
        process_label=top.text("ProcessLabel"),
    )
    return w


def workload_from_create_body(
    body: Mapping[str, Any], subject: str, name: str = ""
) -> Workload:
    """A container about to be created, from a ``POST /containers/create`` body.

    The body carries the ``Config`` fields (``Image``, ``User``, ``Env``...) at the top
    level and ``HostConfig`` beside them; ``name`` is the ``?name=`` query parameter.
    Unlike an inspect result, ``User``/``Env`` here are only what the client asked for:
    the image's own USER is not known (``image_user`` stays None unless the caller fills
    it from the image).
    """
    top = _Fields(body)
    where = _Where(subject, "", "HostConfig.")
    w = _workload_from_api(
        name=name,
        source_kind="container",
        config=top,
        host_config=_create_host_config(top),
        where=where,
        actual_mounts=None,
    )
    w.facts["create_request"] = True
    networking = top.sub("NetworkingConfig").get("EndpointsConfig")
    if isinstance(networking, Mapping) and networking:
        w.facts["networks"] = sorted(str(k) for k in networking)
    return w


def _create_host_config(top: _Fields) -> _Fields:
    """``HostConfig``, plus HostConfig fields written at the top level of the body.

    dockerd up to 26 still decodes a deprecated embedded HostConfig from the top level of
    a create body and uses it when ``HostConfig`` is absent (and a few of its fields when
    it is present).  Reading the union, with ``HostConfig`` winning, never misses a
    setting the daemon applies.
    """
    inner = top.sub("HostConfig")
    outer = {k: v for k, v in top.raw.items() if str(k).casefold() in HOST_CONFIG_BY_FOLD}
    if not outer:
        return inner
    return _Fields({**outer, **inner.raw})


def workload_from_swarm_service(
    service: Mapping[str, Any],
    subject: str,
    network_names: Mapping[str, str] | None = None,
) -> Workload:
    """A swarm service, from ``GET /services`` (the service object or just its ``Spec``).

    ``network_names`` maps network ids to names: a service attaches to networks by id, and
    only the name says that ``Target: <id>`` is the ``host`` network.
    """
    top = _Fields(service)
    spec = top.sub("Spec") if top.get("Spec") is not None else top
    base = "Spec." if top.get("Spec") is not None else ""
    template = spec.sub("TaskTemplate")
    cs = template.sub("ContainerSpec")
    prefix = f"{base}TaskTemplate."
    where = _Where(subject, f"{prefix}ContainerSpec.", f"{prefix}ContainerSpec.")
    name = spec.text("Name") or top.text("ID")[:12]
    w = Workload(name=name, source_kind="swarm-service", anchor=where.at(""))
    image = cs.text("Image")
    if image:
        w.set("image", image.split("@", 1)[0], where.cfg("Image"))
    user = cs.text("User")
    if user:
        w.set("user", user, where.cfg("User"))
    w.env = _env(cs.list("Env"), where, f"{where.config}Env")
    w.command = [str(c) for c in cs.list("Command")] + [str(a) for a in cs.list("Args")]
    w.cap_add = _caps(cs.list("CapabilityAdd"), where, f"{where.config}CapabilityAdd")
    w.cap_drop = _caps(cs.list("CapabilityDrop"), where, f"{where.config}CapabilityDrop")
    if cs.flag("ReadOnly"):
        w.set("read_only", True, where.cfg("ReadOnly"))
    for index, raw in enumerate(cs.list("Mounts")):
        mount = _api_mount(_Fields(raw), where.at(f"{where.config}Mounts[{index}]"))
        if mount is not None:
            w.mounts.append(mount)
    _swarm_privileges(w, cs.sub("Privileges"), where)
    limits = template.sub("Resources").sub("Limits")
    memory = int(limits.number("MemoryBytes"))
    if memory > 0:
        w.set("memory", memory, where.at(f"{prefix}Resources.Limits.MemoryBytes"))
    nano = limits.number("NanoCPUs")
    if nano > 0:
        w.set("cpus", nano / 1e9, where.at(f"{prefix}Resources.Limits.NanoCPUs"))
    pids = int(limits.number("Pids"))
    if pids > 0:
        w.set("pids_limit", pids, where.at(f"{prefix}Resources.Limits.Pids"))
    w.set("restart", _swarm_restart(template, where, prefix), where.at(f"{prefix}RestartPolicy"))
    names = network_names or {}
    for index, raw in enumerate(template.list("Networks")):
        target = _Fields(raw).text("Target")
        if names.get(target, target) == "host":
            w.set("network_mode", "host", where.at(f"{prefix}Networks[{index}]"))
    for index, raw in enumerate(spec.sub("EndpointSpec").list("Ports")):
        port = _Fields(raw)
        published = port.get("PublishedPort")
        w.ports.append(Port(
            container_port=str(port.get("TargetPort", "")),
            origin=where.at(f"{base}EndpointSpec.Ports[{index}]"),
            host_port=str(published) if published else "",
            protocol=port.text("Protocol") or "tcp",
        ))
    for key, value in cs.sub("Sysctls").raw.items():
        w.facts.setdefault("sysctls", {})[str(key)] = value
    w.facts.update(id=top.text("ID"), labels=dict(spec.sub("Labels").raw),
                   init=cs.get("Init"))
    return w


# --------------------------------------------------------------------------- the core


def _workload_from_api(
    *,
    name: str,
    source_kind: str,
    config: _Fields,
    host_config: _Fields,
    where: _Where,
    actual_mounts: list[Any] | None,
) -> Workload:
    """One container's ``Config`` + ``HostConfig`` (+ resolved ``Mounts``) as a Workload."""
    hc = host_config
    w = Workload(name=name, source_kind=source_kind, anchor=where.at(""))
    image = config.text("Image")
    if image:
        w.set("image", image, where.cfg("Image"))
    user = config.text("User")
    if user:
        w.set("user", user, where.cfg("User"))
    if hc.flag("Privileged"):
        w.set("privileged", True, where.hc("Privileged"))
    w.cap_add = _caps(hc.list("CapAdd"), where, f"{where.host}CapAdd")
    w.cap_add += _capability_set(hc.get("Capabilities"), where)
    w.cap_drop = _caps(hc.list("CapDrop"), where, f"{where.host}CapDrop")
    for attr, key in (("pid_mode", "PidMode"), ("network_mode", "NetworkMode"),
                      ("ipc_mode", "IpcMode"), ("uts_mode", "UTSMode"),
                      ("userns_mode", "UsernsMode"), ("cgroupns_mode", "CgroupnsMode")):
        value = hc.text(key).strip()
        if value:
            w.set(attr, value, where.hc(key))
    w.mounts = _mounts(hc, where, actual_mounts)
    w.devices = _devices(hc.list("Devices"), where)
    w.security_opts = [
        _security_opt(str(raw), where.hc(f"SecurityOpt[{i}]"))
        for i, raw in enumerate(hc.list("SecurityOpt"))
    ]
    w.security_opts += _unmasked_paths(hc, where)
    if w.security_opts:
        w.origins["security_opts"] = where.hc("SecurityOpt")
    if hc.flag("ReadonlyRootfs"):
        w.set("read_only", True, where.hc("ReadonlyRootfs"))
    memory = int(hc.number("Memory"))
    if memory > 0:
        w.set("memory", memory, where.hc("Memory"))
    _cpus(w, hc, where)
    pids = int(hc.number("PidsLimit"))
    if pids > 0:
        w.set("pids_limit", pids, where.hc("PidsLimit"))
    _restart(w, hc, where)
    w.ports = _ports(hc, config, where)
    w.env = _env(config.list("Env"), where, f"{where.config}Env")
    w.command = [str(c) for c in config.list("Entrypoint")] + [str(c) for c in config.list("Cmd")]
    _facts(w, config, hc)
    return w


def _caps(values: Iterable[Any], where: _Where, path: str) -> list[Capability]:
    return [
        Capability(name=normalize_capability(str(v)), origin=where.at(f"{path}[{i}]"))
        for i, v in enumerate(values)
        if str(v).strip()
    ]


def _capability_set(value: Any, where: _Where) -> list[Capability]:
    """``HostConfig.Capabilities`` (API 1.40-1.42) *replaces* the default set: every
    capability it lists beyond Docker's defaults is added, as ``CapAdd`` would."""
    if not isinstance(value, list):
        return []
    return [
        Capability(name=normalize_capability(str(v)),
                   origin=where.hc(f"Capabilities[{i}]"))
        for i, v in enumerate(value)
        if str(v).strip() and normalize_capability(str(v)) not in DEFAULT_CAPABILITIES
    ]


# dockerd's defaults (oci.DefaultSpec): an explicit list without them unmasks the rest.
_DEFAULT_MASKED = ("/proc/kcore", "/proc/keys", "/proc/timer_list", "/sys/firmware")
_DEFAULT_READONLY = ("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                     "/proc/sysrq-trigger")


def _unmasked_paths(hc: _Fields, where: _Where) -> list[SecurityOpt]:
    """``MaskedPaths``/``ReadonlyPaths`` given as lists that leave out Docker's defaults
    mean what ``systempaths=unconfined`` means (dockerd only fills in the defaults when
    the field is absent)."""
    out: list[SecurityOpt] = []
    for key, defaults in (("MaskedPaths", _DEFAULT_MASKED),
                          ("ReadonlyPaths", _DEFAULT_READONLY)):
        value = hc.get(key)
        if not isinstance(value, list):
            continue
        listed = {str(v).rstrip("/") for v in value}
        missing = [p for p in defaults if p not in listed]
        if missing:
            out.append(SecurityOpt("systempaths", "unconfined", where.hc(key),
                                   f"{key}: {json.dumps(value)[:60]}"))
    return out


def _security_opt(raw: str, origin: Location) -> SecurityOpt:
    """One ``SecurityOpt`` entry; an inline seccomp profile whose default action allows
    every system call (the CLI sends ``--security-opt seccomp=file.json`` as the file's
    JSON) is read as ``seccomp=unconfined``, which is what it amounts to."""
    opt = SecurityOpt.parse(raw, origin)
    if opt.key == "seccomp" and opt.value.lstrip().startswith("{"):
        try:
            profile = json.loads(opt.value)
        except ValueError:
            return opt
        action = str(_Fields(profile).get("defaultAction", "")).upper()
        if action in ("SCMP_ACT_ALLOW", "SCMP_ACT_LOG"):
            return SecurityOpt("seccomp", "unconfined", origin, raw)
    return opt


def _env(values: Iterable[Any], where: _Where, path: str) -> list[EnvVar]:
    out: list[EnvVar] = []
    for i, raw in enumerate(values):
        text = str(raw)
        key, eq, value = text.partition("=")
        out.append(EnvVar(key=key, value=value if eq else None, origin=where.at(f"{path}[{i}]")))
    return out


def _devices(values: Iterable[Any], where: _Where) -> list[Device]:
    out: list[Device] = []
    for i, raw in enumerate(values):
        origin = where.hc(f"Devices[{i}]")
        if isinstance(raw, str):  # not API shape, but be lenient: "/dev/x:/dev/y:rwm"
            spec = parse_device(raw, Surface.ENGINE)
            if spec.host_path:
                out.append(spec.device(origin))
            continue
        dev = _Fields(raw)
        host = dev.text("PathOnHost")
        out.append(Device(host_path=host, container_path=dev.text("PathInContainer") or host,
                          origin=origin, permissions=dev.text("CgroupPermissions") or "rwm"))
    return out


def _cpus(w: Workload, hc: _Fields, where: _Where) -> None:
    nano = hc.number("NanoCpus")
    if nano > 0:
        w.set("cpus", nano / 1e9, where.hc("NanoCpus"))
        return
    quota = hc.number("CpuQuota")
    if quota > 0:
        period = hc.number("CpuPeriod") or 100_000.0
        w.set("cpus", quota / period, where.hc("CpuQuota"))


def _restart(w: Workload, hc: _Fields, where: _Where) -> None:
    policy = hc.sub("RestartPolicy")
    name = policy.text("Name").strip().lower() or "no"
    retries = int(policy.number("MaximumRetryCount"))
    w.set("restart", RestartPolicy(name=name, origin=where.hc("RestartPolicy"),
                                   max_retries=retries if name == "on-failure" else None),
          where.hc("RestartPolicy"))


def _ports(hc: _Fields, config: _Fields, where: _Where) -> list[Port]:
    out: list[Port] = []
    bindings = hc.get("PortBindings")
    bound: set[str] = set()
    if isinstance(bindings, Mapping):
        for spec, entries in bindings.items():
            container, _, proto = str(spec).partition("/")
            bound.add(str(spec))
            listed = entries if isinstance(entries, list) else [entries] if entries else []
            for i, raw in enumerate(listed or [{}]):
                entry = _Fields(raw)
                out.append(Port(
                    container_port=container,
                    origin=where.hc(f"PortBindings[{spec}][{i}]"),
                    host_port=entry.text("HostPort"),
                    host_ip=entry.text("HostIp"),
                    protocol=proto or "tcp",
                ))
    if hc.flag("PublishAllPorts"):
        exposed = config.get("ExposedPorts")
        for spec in exposed if isinstance(exposed, Mapping) else ():
            if str(spec) in bound:
                continue
            container, _, proto = str(spec).partition("/")
            out.append(Port(container_port=container, origin=where.hc("PublishAllPorts"),
                            host_port="", protocol=proto or "tcp"))
    return out


# --------------------------------------------------------------------------- mounts


def _mounts(hc: _Fields, where: _Where, actual: list[Any] | None) -> list[Mount]:
    """Declared mounts (``Binds``, ``Mounts``, ``Tmpfs``) plus, for inspect results, the
    mounts only the engine knows about (image ``VOLUME``\\ s, ``--volumes-from``)."""
    declared: list[Mount] = []
    for i, raw in enumerate(hc.list("Binds")):
        mount = _bind(str(raw), where.hc(f"Binds[{i}]"))
        if mount is not None:
            declared.append(mount)
    for i, raw in enumerate(hc.list("Mounts")):
        mount = _api_mount(_Fields(raw), where.hc(f"Mounts[{i}]"))
        if mount is not None:
            declared.append(mount)
    tmpfs = hc.get("Tmpfs")
    if isinstance(tmpfs, Mapping):
        for target in tmpfs:
            declared.append(Mount(type="tmpfs", source=None, target=str(target),
                                  origin=where.hc(f"Tmpfs[{target}]")))
    if actual is None:
        return declared
    targets = {m.target.rstrip("/") or "/" for m in declared}
    for i, raw in enumerate(actual):
        entry = _Fields(raw)
        target = entry.text("Destination") or entry.text("Target")
        if not target or (target.rstrip("/") or "/") in targets:
            continue
        kind = entry.text("Type") or "volume"
        source = entry.text("Name") if kind == "volume" else entry.text("Source")
        declared.append(Mount(
            type=kind, source=source or None, target=target,
            origin=where.at(f"Mounts[{i}]"),
            read_only=not entry.flag("RW") if entry.get("RW") is not None else False,
            propagation=entry.text("Propagation") or None,
        ))
    return declared


def _bind(spec: str, origin: Location) -> Mount | None:
    """A ``HostConfig.Binds`` entry ``source:target[:options]``.  One the daemon would
    refuse (a create request the guard judges) is still read as written: fail closed."""
    parsed = parse_volume(spec, Surface.ENGINE)
    return parsed.mount(origin) if parsed.target else None


def _api_mount(entry: _Fields, origin: Location) -> Mount | None:
    """A ``HostConfig.Mounts`` / swarm ``ContainerSpec.Mounts`` entry."""
    target = entry.text("Target") or entry.text("Destination")
    if not target:
        return None
    kind = (entry.text("Type") or "volume").lower()
    source = entry.text("Source") or None
    propagation = entry.sub("BindOptions").text("Propagation") or None
    driver = entry.sub("VolumeOptions").sub("DriverConfig")
    if kind == "volume" and driver.get("Options") is not None:
        from dockward.readers.engine.request_bodies import mounts_from_volume_options

        # --mount type=volume,volume-opt=o=bind,volume-opt=device=/ creates a bind volume
        bound = mounts_from_volume_options(driver.text("Name") or "local",
                                           driver.get("Options"), origin,
                                           entry.flag("ReadOnly"), target)
        if bound:
            return bound[0]
    return Mount(type=kind, source=source, target=target, origin=origin,
                 read_only=entry.flag("ReadOnly"), propagation=propagation)


def _drop_daemon_added_label(w: Workload) -> None:
    """Remove the ``label=disable`` dockerd adds by itself to inspect results.

    dockerd appends ``label=disable`` to ``HostConfig.SecurityOpt`` of every container
    that shares the host's PID or IPC namespace or runs privileged (SELinux cannot
    confine those).  Reporting it would blame the user for something they did not write,
    next to the host-namespace finding that already explains the risk.  A create request
    body never contains the daemon's addition, so only inspect results are cleaned.
    """
    implied = w.privileged or (w.pid_mode or "").lower() == "host" or (
        (w.ipc_mode or "").lower() == "host")
    if not implied:
        return
    kept = [o for o in w.security_opts if not (o.key == "label" and o.value.lower() == "disable")]
    if len(kept) != len(w.security_opts):
        w.facts["daemon_added_security_opts"] = ["label=disable"]
        w.security_opts = kept


# --------------------------------------------------------------------------- facts


def _facts(w: Workload, config: _Fields, hc: _Fields) -> None:
    """Settings no rule reads today but reports and future rules do."""
    labels = config.get("Labels")
    labels = dict(labels) if isinstance(labels, Mapping) else {}
    facts: dict[str, Any] = {
        "labels": labels,
        "oom_kill_disable": hc.flag("OomKillDisable"),
        "cgroup_parent": hc.text("CgroupParent"),
        "runtime": hc.text("Runtime"),
        "init": hc.get("Init"),
        "cpu_shares": int(hc.number("CpuShares")),
        "healthcheck": config.get("Healthcheck"),
        # ``command`` is Entrypoint + Cmd; keep the two apart so the container can be
        # created again exactly (dockward tighten, engine_body.body_from_workload)
        "entrypoint": _words(config.get("Entrypoint")),
        "cmd": _words(config.get("Cmd")),
        "workdir": config.text("WorkingDir"),
    }
    for label, fact in _ORIGIN_LABELS.items():
        if label in labels:
            facts[fact] = labels[label]
    for key, fact in (("GroupAdd", "group_add"), ("Sysctls", "sysctls"),
                      ("Ulimits", "ulimits"), ("DeviceCgroupRules", "device_cgroup_rules"),
                      ("DeviceRequests", "device_requests"), ("MaskedPaths", "masked_paths"),
                      ("ReadonlyPaths", "readonly_paths"), ("VolumesFrom", "volumes_from"),
                      ("ExtraHosts", "extra_hosts")):
        value = hc.get(key)
        if value:
            facts[fact] = value
    w.facts.update(facts)


def _words(value: object) -> list[str] | None:
    """An Engine API ``StrSlice`` (a list, or one string); None when absent or null."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [value]
    return None


def _swarm_privileges(w: Workload, privileges: _Fields, where: _Where) -> None:
    """``Privileges.Seccomp/AppArmor/SELinuxContext/NoNewPrivileges`` as security options."""
    base = f"{where.config}Privileges"
    seccomp = privileges.sub("Seccomp")
    if seccomp.text("Mode").lower() == "unconfined":
        w.security_opts.append(SecurityOpt("seccomp", "unconfined",
                                           where.at(f"{base}.Seccomp.Mode"),
                                           "seccomp=unconfined"))
    apparmor = privileges.sub("AppArmor")
    if apparmor.text("Mode").lower() == "disabled":
        w.security_opts.append(SecurityOpt("apparmor", "unconfined",
                                           where.at(f"{base}.AppArmor.Mode"),
                                           "apparmor=unconfined"))
    selinux = privileges.sub("SELinuxContext")
    if selinux.flag("Disable"):
        w.security_opts.append(SecurityOpt("label", "disable",
                                           where.at(f"{base}.SELinuxContext.Disable"),
                                           "label=disable"))
    if privileges.flag("NoNewPrivileges"):
        w.security_opts.append(SecurityOpt("no-new-privileges", "true",
                                           where.at(f"{base}.NoNewPrivileges"),
                                           "no-new-privileges"))
    if w.security_opts:
        w.origins["security_opts"] = where.at(base)


def _swarm_restart(template: _Fields, where: _Where, prefix: str) -> RestartPolicy:
    """Swarm's restart condition in Docker's names.

    Swarm restarts ``any`` exit, forever, unless told otherwise; ``any`` with
    ``MaxAttempts`` is bounded, which is what ``on-failure:N`` expresses for rules.
    """
    origin = where.at(f"{prefix}RestartPolicy")
    policy = template.sub("RestartPolicy")
    condition = (policy.text("Condition") or "any").lower()
    attempts = int(policy.number("MaxAttempts"))
    if condition == "none":
        return RestartPolicy(name="no", origin=origin)
    if condition == "on-failure" or attempts > 0:
        return RestartPolicy(name="on-failure", origin=origin, max_retries=attempts)
    return RestartPolicy(name="always", origin=origin)
