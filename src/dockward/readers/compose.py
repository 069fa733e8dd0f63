"""Docker Compose files -> Workloads, one per service, with the line of every setting.

The reader reproduces what ``docker compose -f a.yaml -f b.yaml config`` would deploy, as far
as security goes: :mod:`dockward.readers.compose_merge` merges the files (variables from the
caller's ``.env`` mapping only, ``extends``, overrides, the compose-spec merge rules), and
this module maps every merged service onto a :class:`Workload` with the Engine API's
meaning.  Every value keeps the file, line and path where it was written, so a finding
points at the text to change.  Short spellings (volumes, devices, ports, tmpfs) are read by
:mod:`dockward.readers.specs`, shared with the run-line and inspect readers.

The reader never raises on bad content: a setting of the wrong type becomes a
:class:`ParseProblem` at its line and the rest of the service is still read, because one
typo must not hide a privileged container in the same file.
"""

from __future__ import annotations

import math
import os
import shlex
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from dockward.models.values import (
    parse_bool,
    parse_bytes,
    parse_duration,
    parse_float,
    parse_int,
)
from dockward.models.workload import (
    BuildArgSpec,
    BuildSpec,
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
from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.compose_merge import (
    Node,
    Project,
    build_as_mapping,
    discover_override,
    is_compose_document,
    is_override_file,
    keyed_map,
    merge_files,
)
from dockward.readers.specs import (
    Surface,
    VolumeBind,
    has_expansion,
    is_host_source,
    local_volume_bind,
    parse_device,
    parse_port,
    parse_tmpfs,
    parse_volume,
)
from dockward.readers.yamlsource import scalar_text, type_name

__all__ = ["discover_override", "is_compose_document", "is_override_file", "read_compose"]


_RESTART_NAMES = frozenset({"no", "always", "unless-stopped", "on-failure"})
_DEPLOY_CONDITIONS = {"none": "no", "on-failure": "on-failure", "any": "always"}


def read_compose(
    files: list[SourceFile], env: Mapping[str, str] | None = None
) -> Iterator[Workload | ParseProblem]:
    """Merge ``files`` in order (like ``docker compose -f a -f b``) and yield one Workload
    per service, plus a ParseProblem for each part that could not be read (see
    :func:`~dockward.readers.compose_merge.merge_files` for how files are merged)."""
    if not files:
        return
    project = merge_files(files, env)
    yield from project.problems
    for name, node in project.services.items():
        yield from _ServiceReader(name, node, project).read()


# compose keys whose value is a list, and the Workload field each one fills
_LIST_FIELDS = {"security_opt": "security_opts", "volumes": "mounts"}


def _unresolved_reason(node: Node) -> str:
    return "unresolved " + ", ".join(f"${{{name}}}" for name in node.unresolved)


# --------------------------------------------------------------------------- service reader

_STRING_FIELDS: tuple[tuple[str, str], ...] = (
    ("image", "image"),
    ("net", "network_mode"),
    ("network_mode", "network_mode"),
    ("pid", "pid_mode"),
    ("ipc", "ipc_mode"),
    ("uts", "uts_mode"),
    ("userns_mode", "userns_mode"),
    ("cgroup", "cgroupns_mode"),
    ("user", "user"),
)


class _ServiceReader:
    """Maps one merged service onto a Workload; wrong types become ParseProblems."""

    def __init__(self, name: str, node: Node, project: Project) -> None:
        self.node = node
        self.project = project
        self.w = Workload(name=name, source_kind="compose-service", anchor=node.loc())
        self.problems: list[ParseProblem] = []

    def read(self) -> Iterator[Workload | ParseProblem]:
        for key, field_name in _STRING_FIELDS:
            node = self.node.get(key)
            if node is not None:
                self._string(key, node, field_name)
        for key in ("privileged", "read_only"):
            self._field(key, lambda k, n: self._boolean(k, n, k))
        self._field("cap_add", lambda k, n: self._capabilities(k, n, "cap_add"))
        self._field("cap_drop", lambda k, n: self._capabilities(k, n, "cap_drop"))
        self._field("security_opt", self._security_opts)
        self._field("devices", self._devices)
        self._field("ports", self._ports)
        self._field("volumes", self._volumes)
        self._field("tmpfs", self._tmpfs)
        self._field("mem_limit", lambda k, n: self._number(k, n, "memory", parse_bytes))
        self._field("cpus", lambda k, n: self._number(k, n, "cpus", parse_float))
        self._field("cpu_quota", self._cpu_quota)
        self._field("pids_limit", lambda k, n: self._number(k, n, "pids_limit", parse_int))
        self._field("restart", self._restart)
        self._field("environment", self._environment)
        self._field("command", self._command)
        self._field("build", self._build)
        self._field("container_name", self._container_name)
        self._field("deploy", self._deploy)
        self._run_facts()
        yield self.w
        yield from self.problems

    # -- plumbing

    def _field(self, key: str, handler: Callable[[str, Node], None]) -> None:
        node = self.node.get(key)
        if node is not None:
            handler(key, node)

    def problem(self, node: Node, message: str) -> None:
        self.problems.append(ParseProblem(location=node.loc(), message=message))

    def _text(self, key: str, node: Node) -> str | None:
        """A scalar as text (``user: 1000`` is ``"1000"``); a problem for lists/mappings."""
        value = node.value
        if isinstance(value, str):
            return value
        if isinstance(value, bool | int | float):
            return scalar_text(value)
        self.problem(node, f"{key}: expected a string, got {type_name(value)}")
        return None

    def _items(self, key: str, node: Node) -> list[Node] | None:
        if isinstance(node.value, list):
            return node.value
        if isinstance(node.value, str) and node.unresolved:
            # ``cap_drop: ${DROP}``: the list comes from the environment; unknown, not wrong.
            self.w.mark_unknown(_LIST_FIELDS.get(key, key), _unresolved_reason(node))
            return None
        self.problem(node, f"{key}: expected a list, got {type_name(node.value)}")
        return None

    def _unknown(self, field_name: str, node: Node) -> None:
        self.w.mark_unknown(field_name, _unresolved_reason(node))

    # -- scalar settings

    def _string(self, key: str, node: Node, field_name: str) -> None:
        text = self._text(key, node)
        if text is None:
            return
        self.w.set(field_name, text, node.loc())
        if node.unresolved:
            self._unknown(field_name, node)

    def _boolean(self, key: str, node: Node, field_name: str) -> None:
        if node.unresolved:
            self._unknown(field_name, node)
            return
        value = parse_bool(node.value) if not isinstance(node.value, dict | list) else None
        if value is None:
            self.problem(node, f"{key}: expected a boolean, got {_describe(node.value)}")
            return
        self.w.set(field_name, value, node.loc())

    def _number(
        self, key: str, node: Node, field_name: str, parse: Callable[[object], int | float | None]
    ) -> None:
        if node.unresolved:
            self._unknown(field_name, node)
            return
        value = _parse_number(parse, node.value)
        if value is None:
            self.problem(node, f"{key}: cannot read {_describe(node.value)} as a number")
            return
        self.w.set(field_name, value, node.loc())

    def _cpu_quota(self, key: str, node: Node) -> None:
        """``cpu_quota``/``cpu_period`` (microseconds) as cores, unless ``cpus`` is set."""
        if "cpus" in self.w.origins or self.w.is_unknown("cpus"):
            return
        period_node = self.node.get("cpu_period")
        for part in (node, period_node):
            if part is not None and part.unresolved:
                self._unknown("cpus", part)
                return
        quota = _parse_number(parse_int, node.value)
        period = _parse_number(parse_int, period_node.value) if period_node else 100_000
        if quota is None or not period or period <= 0:
            self.problem(node, f"{key}: cannot read {_describe(node.value)} as a CPU quota")
            return
        if quota > 0:
            self.w.set("cpus", quota / period, node.loc())

    def _restart(self, key: str, node: Node) -> None:
        """``no``, ``always``, ``unless-stopped``, ``on-failure[:N]``."""
        if node.unresolved:
            self._unknown("restart", node)
            return
        text = "no" if node.value is False else self._text(key, node)
        if text is None:
            return
        name, _, count = text.strip().partition(":")
        name = name.strip().lower()
        retries = parse_int(count) if count else None
        if name not in _RESTART_NAMES or (count and retries is None):
            self.problem(node, f"{key}: unknown restart policy {text!r}")
            return
        self.w.set("restart", RestartPolicy(name, node.loc(), retries), node.loc())

    def _container_name(self, key: str, node: Node) -> None:
        text = self._text(key, node)
        if text is not None:
            self.w.facts["container_name"] = text

    # -- lists

    def _capabilities(self, key: str, node: Node, field_name: str) -> None:
        items = self._items(key, node)
        if items is None:
            return
        caps: list[Capability] = []
        for item in items:
            text = self._text(key, item)
            if text is None:
                continue
            if item.unresolved:
                self._unknown(field_name, item)
                continue
            caps.append(Capability(normalize_capability(text), item.loc()))
        reasons = self.w.unknown.get(field_name)
        self.w.set(field_name, caps, node.loc())
        if reasons:
            self.w.mark_unknown(field_name, reasons)

    def _security_opts(self, key: str, node: Node) -> None:
        items = self._items(key, node)
        if items is None:
            return
        opts: list[SecurityOpt] = []
        for item in items:
            text = self._text(key, item)
            if text is not None:
                opts.append(SecurityOpt.parse(text, item.loc()))
        self.w.set("security_opts", opts, node.loc())
        for item in items:
            if item.unresolved:
                self._unknown("security_opts", item)

    def _devices(self, key: str, node: Node) -> None:
        items = self._items(key, node)
        if items is None:
            return
        devices: list[Device] = []
        for item in items:
            device = self._device(key, item)
            if device is not None:
                devices.append(device)
        self.w.set("devices", devices, node.loc())

    def _device(self, key: str, item: Node) -> Device | None:
        if isinstance(item.value, dict):
            source = item.get("source")
            if source is None or not isinstance(source.value, str):
                self.problem(item, f"{key}: a device needs a 'source'")
                return None
            target_node, mode_node = item.get("target"), item.get("permissions")
            return Device(
                host_path=source.value,
                origin=item.loc(),
                container_path=scalar_text(target_node.value) if target_node else source.value,
                permissions=scalar_text(mode_node.value) if mode_node else "rwm",
            )
        text = self._text(key, item)
        if text is None:
            return None
        spec = parse_device(text, Surface.COMPOSE)
        if spec.error:
            self.problem(item, f"{key}: {spec.error}")
            return None
        return spec.device(item.loc())

    def _ports(self, key: str, node: Node) -> None:
        items = self._items(key, node)
        if items is None:
            return
        ports: list[Port] = []
        seen: set[tuple[str, str | None, str, str]] = set()
        for item in items:
            port = self._port(key, item)
            if port is None:
                continue
            identity = (port.host_ip, port.host_port, port.container_port, port.protocol)
            if identity not in seen:
                seen.add(identity)
                ports.append(port)
        self.w.set("ports", ports, node.loc())

    def _port(self, key: str, item: Node) -> Port | None:
        if item.unresolved:
            self._unknown("ports", item)
        if isinstance(item.value, dict):
            return self._long_port(key, item)
        if isinstance(item.value, bool) or not isinstance(item.value, str | int):
            self.problem(item, f"{key}: expected a port, got {type_name(item.value)}")
            return None
        spec = parse_port(str(item.value), expands=bool(item.unresolved))
        if spec.error:
            self.problem(item, f"{key}: {spec.error}")
            return None
        return spec.port(item.loc())

    def _long_port(self, key: str, item: Node) -> Port | None:
        target = item.get("target")
        if target is None or isinstance(target.value, dict | list | bool):
            self.problem(item, f"{key}: a port needs a 'target'")
            return None
        published = item.get("published")
        host_ip = item.get("host_ip")
        protocol = item.get("protocol")
        for name, field in (("published", published), ("host_ip", host_ip),
                            ("protocol", protocol)):
            if field is not None and isinstance(field.value, dict | list):
                self.problem(field, f"{key}: '{name}' must be a single value, got "
                                    f"{type_name(field.value)}")
                return None
        return Port(
            container_port=scalar_text(target.value),
            origin=item.loc(),
            host_port=scalar_text(published.value) if published is not None else "",
            host_ip=scalar_text(host_ip.value).strip("[]") if host_ip is not None else "",
            protocol=scalar_text(protocol.value).lower() if protocol is not None else "tcp",
        )

    # -- mounts

    def _volumes(self, key: str, node: Node) -> None:
        items = self._items(key, node)
        if items is None:
            return
        for item in items:
            mount = (
                self._long_mount(key, item)
                if isinstance(item.value, dict)
                else (self._short_mount(key, item))
            )
            if mount is not None:
                self.w.mounts.append(mount)
        self.w.origins.setdefault("mounts", node.loc())

    def _short_mount(self, key: str, item: Node) -> Mount | None:
        text = self._text(key, item)
        if text is None:
            return None
        spec = parse_volume(text, Surface.COMPOSE, expands=bool(item.unresolved))
        if spec.error:
            self.problem(item, f"{key}: {spec.error} in {text!r}")
            return None
        mount = self._mount(spec.source, spec.target, item, spec.kind)
        mount.read_only = spec.read_only
        mount.propagation = spec.propagation
        return mount

    def _long_mount(self, key: str, item: Node) -> Mount | None:
        target = item.get("target")
        if target is None or not isinstance(target.value, str):
            self.problem(item, f"{key}: a mount needs a 'target' path")
            return None
        source_node, type_node = item.get("source"), item.get("type")
        source = scalar_text(source_node.value) if source_node is not None else None
        kind = scalar_text(type_node.value).lower() if type_node is not None else None
        if kind in (None, "bind", "volume"):
            mount = self._mount(source, target.value, item, kind)
        else:
            mount = Mount(type=kind, source=source, target=target.value, origin=item.loc())
        read_only = item.get("read_only")
        if read_only is not None:
            mount.read_only = bool(parse_bool(read_only.value))
        bind = item.get("bind")
        propagation = bind.get("propagation") if bind is not None else None
        if propagation is not None:
            mount.propagation = scalar_text(propagation.value)
        return mount

    def _mount(
        self, source: str | None, target: str, item: Node, kind: str | None = None
    ) -> Mount:
        """A bind or volume mount; named volumes whose top-level definition binds a host
        folder (``driver_opts: {type: none, o: bind, device: /x}``) count as binds of it."""
        unresolved = bool(item.unresolved) and source is not None and has_expansion(source)
        if not source:
            return Mount(type=kind or "volume", source=None, target=target, origin=item.loc())
        if kind is None:
            kind = "bind" if is_host_source(source, unresolved) else "volume"
        if kind == "volume":
            bound = self._volume_device(source)
            if bound is not None:
                return Mount(type="bind", source=bound.device, target=target,
                             origin=item.loc(), read_only=bound.read_only)
        return Mount(
            type=kind, source=source, target=target, origin=item.loc(), unresolved=unresolved
        )

    def _volume_device(self, name: str) -> VolumeBind | None:
        volume = self.project.volumes.get(name)
        options = volume.get("driver_opts") if volume is not None else None
        if volume is None or options is None:
            return None
        driver = volume.get("driver")
        fields = {key: options.get(key) for key in ("type", "o", "device")}
        return local_volume_bind(
            scalar_text(driver.value) if driver is not None else None,
            {key: scalar_text(node.value) for key, node in fields.items() if node is not None})

    def _tmpfs(self, key: str, node: Node) -> None:
        items = [node] if isinstance(node.value, str) else self._items(key, node)
        for item in items or []:
            text = self._text(key, item)
            if text:
                target, _ = parse_tmpfs(text)
                self.w.mounts.append(
                    Mount(type="tmpfs", source=None, target=target, origin=item.loc())
                )
        self.w.origins.setdefault("mounts", node.loc())

    # -- environment, command, build

    def _environment(self, key: str, node: Node) -> None:
        if not isinstance(node.value, list | dict):
            self.problem(node, f"{key}: expected a list or a mapping, got {type_name(node.value)}")
            return
        if isinstance(node.value, list):
            for item in node.value:
                if not isinstance(item.value, str):
                    self.problem(item, f"{key}: expected KEY=VALUE, got {type_name(item.value)}")
        entries = keyed_map(node) or {}
        env: list[EnvVar] = []
        for name, value in entries.items():
            if isinstance(value.value, dict | list):
                self.problem(value, f"{key}: value of {name} must be a scalar")
                continue
            text = None if value.value is None else scalar_text(value.value)
            # an interpolated value (e.g. from .env) is not written in this file
            env.append(EnvVar(key=name, value=text, origin=value.loc(),
                              interpolated=value.interpolated))
        self.w.set("env", env, node.loc())

    def _command(self, key: str, node: Node) -> None:
        if isinstance(node.value, list):
            words = [t for item in node.value if (t := self._text(key, item)) is not None]
        else:
            text = self._text(key, node)
            if text is None:
                return
            try:
                words = shlex.split(text)
            except ValueError:
                words = text.split()
        self.w.set("command", words, node.loc())

    def _run_facts(self) -> None:
        """What starting the service needs besides its security settings (entrypoint,
        working directory, healthcheck, sysctls, env files), as facts in the Engine API's
        terms; no rule reads them, ``dockward tighten`` starts trial copies with them."""
        entrypoint = self.node.get("entrypoint")
        if entrypoint is not None and not entrypoint.unresolved:
            value = _plain(entrypoint)
            if isinstance(value, str):
                try:
                    value = shlex.split(value)
                except ValueError:
                    value = value.split()
            if isinstance(value, list):
                self.w.facts["entrypoint"] = [scalar_text(v) for v in value]
        workdir = self.node.get("working_dir")
        if workdir is not None and isinstance(workdir.value, str):
            self.w.facts["workdir"] = workdir.value
        sysctls = self.node.get("sysctls")
        entries = keyed_map(sysctls) if sysctls is not None else None
        if entries:
            self.w.facts["sysctls"] = {k: scalar_text(v.value) for k, v in entries.items()}
        env_file = self.node.get("env_file")
        if env_file is not None:
            items = env_file.value if isinstance(env_file.value, list) else [env_file]
            base = os.path.dirname(env_file.file)
            paths: list[str] = []
            for item in items:
                path = item.get("path") if isinstance(item.value, dict) else item
                if path is not None and isinstance(path.value, str) and path.value:
                    paths.append(os.path.join(base, path.value))
            self.w.facts["env_file"] = paths
        healthcheck = self.node.get("healthcheck")
        if healthcheck is not None and isinstance(healthcheck.value, dict):
            self.w.facts["healthcheck"] = _api_healthcheck(_plain(healthcheck))

    def _build(self, key: str, node: Node) -> None:
        """Record how the image is built, for the Build reader and build-arg rules."""
        spec = build_as_mapping(node)
        if not isinstance(spec.value, dict):
            self.problem(node, f"{key}: expected a path or a mapping, got {type_name(node.value)}")
            return
        context_node = spec.get("context")
        context = self._text("build.context", context_node) if context_node else None
        dockerfile = spec.get("dockerfile")
        inline = spec.get("dockerfile_inline")
        args_node = spec.get("args")
        self.w.build = BuildSpec(
            location=node.loc(),
            context=context or ".",
            dockerfile=scalar_text(dockerfile.value) if dockerfile is not None else None,
            dockerfile_inline=scalar_text(inline.value) if inline is not None else None,
            args=self._build_args(args_node) if args_node is not None else [],
            secrets=self._build_secrets(spec.get("secrets")),
        )
        self.w.build_context = self.project.context_path(
            context or ".", context_node.file if context_node else node.file
        )

    def _build_args(self, node: Node) -> list[BuildArgSpec]:
        entries = keyed_map(node)
        if entries is None:
            self.problem(
                node, f"build.args: expected a list or a mapping, got {type_name(node.value)}"
            )
            return []
        return [
            BuildArgSpec(name, None if value.value is None else scalar_text(value.value),
                         value.loc())
            for name, value in entries.items()
            if not isinstance(value.value, dict | list)
        ]

    def _build_secrets(self, node: Node | None) -> list[str]:
        """Names of the build secrets (short form, or ``source`` of the long form)."""
        if node is None:
            return []
        names: list[str] = []
        for item in self._items("build.secrets", node) or []:
            source = item.get("source") if isinstance(item.value, dict) else item
            if source is None or isinstance(source.value, dict | list):
                self.problem(item, "build.secrets: expected a secret name or {source: ...}")
                continue
            names.append(scalar_text(source.value))
        return names

    # -- deploy (swarm-style settings compose also honours)

    def _deploy(self, key: str, node: Node) -> None:
        """``deploy.resources.limits`` and ``deploy.restart_policy`` fill in only what the
        service does not set itself, as compose does."""
        if not isinstance(node.value, dict):
            self.problem(node, f"{key}: expected a mapping, got {type_name(node.value)}")
            return
        resources = node.get("resources")
        limits = resources.get("limits") if resources is not None else None
        if limits is not None:
            for limit_key, field_name, parse in (
                ("memory", "memory", parse_bytes),
                ("cpus", "cpus", parse_float),
                ("pids", "pids_limit", parse_int),
            ):
                limit = limits.get(limit_key)
                if limit is None or field_name in self.w.origins or self.w.is_unknown(field_name):
                    continue
                self._number(f"deploy.resources.limits.{limit_key}", limit, field_name, parse)
        policy = node.get("restart_policy")
        if (
            policy is not None
            and "restart" not in self.w.origins
            and not self.w.is_unknown("restart")
        ):
            self._deploy_restart(policy)

    def _deploy_restart(self, node: Node) -> None:
        if not isinstance(node.value, dict):
            self.problem(
                node, f"deploy.restart_policy: expected a mapping, got {type_name(node.value)}"
            )
            return
        condition = node.get("condition")
        attempts = node.get("max_attempts")
        unresolved = next(
            (n for n in (condition, attempts) if n is not None and n.unresolved), None
        )
        if unresolved is not None:
            self._unknown("restart", unresolved)
            return
        name = _DEPLOY_CONDITIONS.get(
            scalar_text(condition.value).lower() if condition is not None else "any"
        )
        if name is None:
            assert condition is not None
            self.problem(
                condition,
                f"deploy.restart_policy.condition: unknown condition {_describe(condition.value)}",
            )
            return
        retries = parse_int(attempts.value) if attempts is not None else None
        origin = (condition or node).loc()
        self.w.set("restart", RestartPolicy(name, origin, retries), origin)


def _plain(node: Node) -> Any:
    """The plain Python value of an annotated node."""
    if isinstance(node.value, dict):
        return {k: _plain(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [_plain(v) for v in node.value]
    return node.value


def _api_healthcheck(spec: dict[str, Any]) -> dict[str, Any]:
    """A compose ``healthcheck:`` as the Engine API's ``Healthcheck`` (durations in ns)."""
    if parse_bool(spec.get("disable")):
        return {"Test": ["NONE"]}
    out: dict[str, Any] = {}
    test = spec.get("test")
    if isinstance(test, str):
        out["Test"] = ["CMD-SHELL", test]
    elif isinstance(test, list):
        out["Test"] = [scalar_text(t) for t in test]
    for key, api in (("interval", "Interval"), ("timeout", "Timeout"),
                     ("start_period", "StartPeriod"), ("start_interval", "StartInterval")):
        duration = parse_duration(spec.get(key))
        if duration is not None:
            out[api] = duration
    retries = parse_int(spec.get("retries"))
    if retries is not None:
        out["Retries"] = retries
    return out


def _parse_number(parse: Callable[[object], int | float | None], value: Any) -> int | float | None:
    """A finite number from a scalar, or None (``.inf``, ``.nan``, ``1e999``, containers)."""
    if isinstance(value, dict | list):
        return None
    try:
        number = parse(value)
    except (ValueError, OverflowError):
        return None
    if isinstance(number, float) and not math.isfinite(number):
        return None
    return number


def _describe(value: Any) -> str:
    """A value for a message: scalars quoted as written, containers by kind."""
    if isinstance(value, dict | list) or value is None:
        return type_name(value)
    return repr(scalar_text(value))
