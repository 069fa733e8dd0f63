"""Docker Compose files -> Workloads, one per service, with the line of every setting.

The reader reproduces what ``docker compose -f a.yaml -f b.yaml config`` would deploy, as far
as security goes: variables are interpolated (from the caller's ``.env`` mapping only, see
:mod:`dockward.readers.interpolate`), ``extends`` is followed, files are merged with the
compose-spec rules, and every field is mapped onto the :class:`Workload` with the Engine
API's meaning.  Every value keeps the file, line and path where it was written, also through
anchors, merge keys, extends and overrides, so a finding points at the text to change.

The reader never raises on bad content: a setting of the wrong type becomes a
:class:`ParseProblem` at its line and the rest of the service is still read, because one
typo must not hide a privileged container in the same file.
"""

from __future__ import annotations

import math
import os
import posixpath
import shlex
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from dockward.models.location import Location
from dockward.models.values import parse_bool, parse_bytes, parse_float, parse_int
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
from dockward.readers.base import ParseProblem, ReadError, SourceFile
from dockward.readers.interpolate import interpolate
from dockward.readers.specs import (
    Surface,
    has_expansion,
    is_host_source,
    parse_device,
    parse_port,
    parse_tmpfs,
    parse_volume,
)
from dockward.readers.yamlsource import (
    YamlDoc,
    YamlPath,
    load_documents,
    render_path,
    scalar_text,
    type_name,
)

BASE_FILE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_FILE_NAMES = (
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
)
_MAX_EXTENDS_FILE_BYTES = 8 << 20
_RESTART_NAMES = frozenset({"no", "always", "unless-stopped", "on-failure"})
_DEPLOY_CONDITIONS = {"none": "no", "on-failure": "on-failure", "any": "always"}


# --------------------------------------------------------------------------- public helpers


def is_compose_document(value: Any) -> bool:
    """True for a YAML value that is a compose file: a mapping with a ``services`` mapping."""
    return isinstance(value, dict) and isinstance(value.get("services"), dict)


def discover_override(path: str) -> list[str]:
    """The override file compose merges automatically after the default file ``path``.

    Only the default names (``compose.yaml`` ... ``docker-compose.yml``) get one, and
    compose takes a single override: we prefer the one of the same family
    (``compose.override.yaml`` for ``compose.yaml``), then the others, in a fixed order.
    """
    directory, name = os.path.split(path)
    if name not in BASE_FILE_NAMES:
        return []
    family = "docker-compose" if name.startswith("docker-compose") else "compose"
    ordered = sorted(OVERRIDE_FILE_NAMES, key=lambda n: not n.startswith(f"{family}."))
    for candidate in ordered:
        full = os.path.join(directory, candidate)
        if os.path.isfile(full):
            return [full]
    return []


def is_override_file(path: str) -> bool:
    """True for an override file whose base file exists next to it.

    Such a file is only meaningful merged onto its base, so a directory walk must not read
    it on its own (that would report a service with no image, or miss the base's settings).
    """
    directory, name = os.path.split(path)
    if name not in OVERRIDE_FILE_NAMES:
        return False
    return any(os.path.isfile(os.path.join(directory, base)) for base in BASE_FILE_NAMES)


def read_compose(
    files: list[SourceFile], env: Mapping[str, str] | None = None
) -> Iterator[Workload | ParseProblem]:
    """Merge ``files`` in order (like ``docker compose -f a -f b``) and yield one Workload
    per service, plus a ParseProblem for each part that could not be read.

    ``env`` is the only source of variables (usually the ``.env`` next to the first file).
    A file whose YAML is malformed becomes a ParseProblem; if it is the first file nothing
    else is read, since overrides alone do not describe a deployment.  Parsed documents may
    be handed over in ``SourceFile.options["yaml_docs"]`` to avoid parsing a file twice.
    """
    if not files:
        return
    project = _Project(dict(env or {}), _directory_of(files[0]))
    for index, source in enumerate(files):
        docs = project.documents(source)
        if docs is None:
            if index == 0:
                yield from project.problems
                return
            continue
        for doc in docs:
            project.add_document(doc, source)
    yield from project.problems
    for name, node in project.services.items():
        yield from _ServiceReader(name, node, project).read()


# --------------------------------------------------------------------------- annotated values


@dataclass(slots=True)
class _Node:
    """A YAML value with where it was written and what interpolation could not resolve.

    Merging works on these rather than on plain values, so every value keeps its own file
    and line through overrides and extends.
    """

    value: Any  # scalar | dict[str, _Node] | list[_Node]
    file: str
    line: int
    column: int
    path: YamlPath
    tag: str | None = None
    unresolved: tuple[str, ...] = ()
    interpolated: bool = False  # the text came (partly) from a variable, not the file

    def loc(self) -> Location:
        return Location(
            file=self.file, line=self.line, column=self.column, path=render_path(self.path)
        )

    def get(self, key: str) -> _Node | None:
        """Child ``key`` of a mapping, None if absent, explicitly null or not a mapping."""
        if not isinstance(self.value, dict):
            return None
        child: _Node | None = self.value.get(key)
        if child is None or child.value is None or child.tag == "!reset":
            return None
        return child

    def with_value(self, value: Any) -> _Node:
        return _Node(value, self.file, self.line, self.column, self.path, self.tag, self.unresolved,
                     self.interpolated)


def _annotate(doc: YamlDoc, value: Any, path: YamlPath, file: str, env: Mapping[str, str]) -> _Node:
    """Wrap ``value`` (and everything below it) in nodes, interpolating string scalars."""
    line, column = doc.marks.get(path) or doc.line_of(path)
    tag = doc.tags.get(path) if doc.tags else None
    unresolved: tuple[str, ...] = ()
    interpolated = False
    if isinstance(value, dict):
        value = {
            scalar_text(key): _annotate(doc, item, (*path, key), file, env)
            for key, item in value.items()
        }
    elif isinstance(value, list):
        value = [_annotate(doc, item, (*path, i), file, env) for i, item in enumerate(value)]
    elif isinstance(value, str) and "$" in value:
        result = interpolate(value, env)
        interpolated = result.value != value.replace("$$", "$")
        value, unresolved = result.value, result.unresolved
    return _Node(value, file, line, column, path, tag, unresolved, interpolated)


def _kind(value: Any) -> str:
    return type_name(value)


# compose keys whose value is a list, and the Workload field each one fills
_LIST_FIELDS = {"security_opt": "security_opts", "volumes": "mounts"}


def _unresolved_reason(node: _Node) -> str:
    return "unresolved " + ", ".join(f"${{{name}}}" for name in node.unresolved)


def _directory_of(source: SourceFile) -> str:
    return os.path.dirname(source.path) if source.path else os.path.dirname(source.display)


# --------------------------------------------------------------------------- merge rules

# Settings whose list form ``K=V`` and map form are the same thing, merged key by key.
_KEYED_MAPS = frozenset(
    {
        "environment",
        "labels",
        "annotations",
        "sysctls",
        "build.args",
        "build.labels",
        "deploy.labels",
    }
)
# Settings an override replaces whole instead of appending to.
_REPLACED = frozenset({"command", "entrypoint", "healthcheck.test", "build.entitlements"})
# Lists of scalars compose keeps unique when appending.
_UNIQUE_ITEMS = frozenset(
    {
        "cap_add",
        "cap_drop",
        "security_opt",
        "dns",
        "dns_search",
        "dns_opt",
        "expose",
        "group_add",
        "tmpfs",
        "ports",
        "external_links",
        "links",
        "profiles",
        "env_file",
        "extra_hosts",
        "device_cgroup_rules",
    }
)


def _merge(key: str, base: _Node, over: _Node) -> _Node:
    """Merge ``over`` onto ``base`` for the setting ``key`` (``""`` for a whole service)."""
    if over.tag == "!override" or key in _REPLACED:
        return over
    if key in _KEYED_MAPS:
        base_map, over_map = _keyed_map(base), _keyed_map(over)
        if base_map is not None and over_map is not None:
            merged_map = {**base_map, **over_map}
            for name, value in over_map.items():
                if value.tag == "!reset":
                    del merged_map[name]
            return over.with_value(merged_map)
    if key == "build":
        base, over = _build_as_mapping(base), _build_as_mapping(over)
    if isinstance(base.value, dict) and isinstance(over.value, dict):
        merged = dict(base.value)
        for child_key, child in over.value.items():
            if child.tag == "!reset":
                merged.pop(child_key, None)
                continue
            previous = merged.get(child_key)
            child_path = f"{key}.{child_key}" if key else child_key
            merged[child_key] = child if previous is None else _merge(child_path, previous, child)
        return base.with_value(merged)
    if isinstance(base.value, list) and isinstance(over.value, list):
        target_of = _UNIQUE_BY_TARGET.get(key)
        if target_of is not None:
            return base.with_value(_merge_by_target(base.value, over.value, target_of))
        if key in _UNIQUE_ITEMS:
            return base.with_value(_append_unique(base.value, over.value))
        return base.with_value([*base.value, *over.value])
    return over


def _merge_service(base: _Node, over: _Node, anchor: _Node) -> _Node:
    """A service merged from ``base`` and ``over``, anchored at ``anchor``'s service key."""
    merged = _merge("", base, over)
    return _Node(merged.value, anchor.file, anchor.line, anchor.column, anchor.path)


def _keyed_map(node: _Node) -> dict[str, _Node] | None:
    """``environment``-like settings as ``{key: value node}``; list items ``K=V`` / ``K``.

    A list item becomes a node holding just the value (None for a bare ``K``), placed at
    the item's line, so the map and list forms read the same afterwards.
    """
    if isinstance(node.value, dict):
        return dict(node.value)
    if not isinstance(node.value, list):
        return None
    out: dict[str, _Node] = {}
    for item in node.value:
        if not isinstance(item.value, str):
            continue
        key, sep, value = item.value.partition("=")
        if key.strip():
            out[key.strip()] = item.with_value(value if sep else None)
    return out


def _build_as_mapping(node: _Node) -> _Node:
    """``build: ./dir`` is ``build: {context: ./dir}``."""
    if isinstance(node.value, str):
        return node.with_value({"context": node})
    return node


def _identity(node: _Node) -> Any:
    """A hashable form of a value, to drop duplicates the way compose does."""
    if isinstance(node.value, dict):
        return tuple(sorted((k, _identity(v)) for k, v in node.value.items()))
    if isinstance(node.value, list):
        return tuple(_identity(v) for v in node.value)
    return scalar_text(node.value)


def _append_unique(base: list[_Node], over: list[_Node]) -> list[_Node]:
    seen = {_identity(n) for n in base}
    out = list(base)
    for node in over:
        identity = _identity(node)
        if identity not in seen:
            seen.add(identity)
            out.append(node)
    return out


def _merge_by_target(
    base: list[_Node], over: list[_Node], target_of: Callable[[_Node], str | None]
) -> list[_Node]:
    """Lists keyed by container path (volumes, devices): an override replaces the entry
    for the same target in place and appends the others."""
    out = list(base)
    index = {t: i for i, n in enumerate(out) if (t := target_of(n)) is not None}
    for node in over:
        target = target_of(node)
        if target is not None and target in index:
            out[index[target]] = node
            continue
        if target is not None:
            index[target] = len(out)
        out.append(node)
    return out


def _volume_target(node: _Node) -> str | None:
    if isinstance(node.value, str):
        return parse_volume(node.value, Surface.COMPOSE).target
    if isinstance(node.value, dict):
        target = node.value.get("target")
        return scalar_text(target.value) if target is not None else None
    return None


def _device_target(node: _Node) -> str | None:
    if isinstance(node.value, str):
        return parse_device(node.value, Surface.COMPOSE).container_path
    if isinstance(node.value, dict):
        target = node.value.get("target") or node.value.get("source")
        return scalar_text(target.value) if target is not None else None
    return None


def _named_target(node: _Node) -> str | None:
    """secrets/configs: keyed by target when given, else by source name."""
    if isinstance(node.value, str):
        return node.value
    if isinstance(node.value, dict):
        key = node.value.get("target") or node.value.get("source")
        return scalar_text(key.value) if key is not None else None
    return None


_UNIQUE_BY_TARGET: dict[str, Callable[[_Node], str | None]] = {
    "volumes": _volume_target,
    "devices": _device_target,
    "secrets": _named_target,
    "configs": _named_target,
}


# --------------------------------------------------------------------------- project loading


class _Project:
    """The merged model of all files, plus what reading them went wrong with."""

    def __init__(self, env: dict[str, str], project_dir: str) -> None:
        self.env = env
        self.project_dir = project_dir
        self.services: dict[str, _Node] = {}
        self.volumes: dict[str, _Node] = {}
        self.problems: list[ParseProblem] = []
        self.file_dirs: dict[str, str] = {}  # display -> folder relative paths resolve from
        self.extends_files: dict[str, _FileServices | None] = {}  # by filesystem path

    def problem(self, node: _Node | Location, message: str) -> None:
        location = node.loc() if isinstance(node, _Node) else node
        self.problems.append(ParseProblem(location=location, message=message))

    def documents(self, source: SourceFile) -> list[YamlDoc] | None:
        """Parsed documents of ``source`` (reusing a classifier's parse), None if malformed."""
        cached = source.options.get("yaml_docs")
        if isinstance(cached, list) and all(isinstance(d, YamlDoc) for d in cached):
            return cached
        try:
            return load_documents(source.text)
        except ReadError as exc:
            where = Location(file=source.display, line=exc.line, column=exc.column)
            self.problem(where, f"cannot read YAML: {exc.message}")
            return None

    def add_document(self, doc: YamlDoc, source: SourceFile) -> None:
        """Merge one document onto the project (documents of one file merge in order too)."""
        top = doc.value
        if not isinstance(top, dict):
            return
        self.file_dirs[source.display] = self.project_dir
        volumes = top.get("volumes")
        if isinstance(volumes, dict):
            node = _annotate(doc, volumes, ("volumes",), source.display, self.env)
            for name, volume in node.value.items():
                previous = self.volumes.get(name)
                self.volumes[name] = (
                    volume if previous is None else _merge("volume", previous, volume)
                )
        services = top.get("services")
        if not isinstance(services, dict):
            return
        node = _annotate(doc, services, ("services",), source.display, self.env)
        file_services = _FileServices(self, node.value, source.display, _directory_of(source))
        if source.path:
            self.extends_files.setdefault(os.path.normpath(source.path), file_services)
        for name in node.value:
            resolved = file_services.resolve(name, ())
            if resolved is None:
                continue
            previous = self.services.get(name)
            self.services[name] = (
                resolved if previous is None else _merge_service(previous, resolved, previous)
            )

    def extends_file(self, relative: str, origin: _FileServices, at: _Node) -> _FileServices | None:
        """The services of the file an ``extends.file`` names, read once, relative to the
        file that names it; a ParseProblem when it is missing or not a regular file."""
        if not origin.directory and not os.path.isabs(relative):
            self.problem(at, f"extends.file {relative!r}: cannot locate it without a path")
            return None
        fs_path = os.path.normpath(os.path.join(origin.directory, relative))
        if fs_path in self.extends_files:
            return self.extends_files[fs_path]
        self.extends_files[fs_path] = None  # also guards against files extending each other
        display = posixpath.normpath(posixpath.join(posixpath.dirname(origin.display), relative))
        text = self._read_extends_text(fs_path, relative, at)
        if text is None:
            return None
        try:
            docs = load_documents(text)
        except ReadError as exc:
            self.problem(at, f"extends.file {relative!r}: line {exc.line}: {exc.message}")
            return None
        doc = next((d for d in docs if is_compose_document(d.value)), None)
        if doc is None:
            self.problem(at, f"extends.file {relative!r} has no services")
            return None
        node = _annotate(doc, doc.value["services"], ("services",), display, self.env)
        directory = os.path.dirname(fs_path)
        self.file_dirs[display] = directory
        found = _FileServices(self, node.value, display, directory)
        self.extends_files[fs_path] = found
        return found

    def _read_extends_text(self, fs_path: str, relative: str, at: _Node) -> str | None:
        if not os.path.isfile(fs_path):
            self.problem(at, f"extends.file {relative!r} not found (or not a regular file)")
            return None
        try:
            with open(fs_path, "rb") as handle:
                data = handle.read(_MAX_EXTENDS_FILE_BYTES)
        except OSError as exc:
            self.problem(at, f"extends.file {relative!r}: {exc.strerror or exc}")
            return None
        return data.decode("utf-8", errors="replace")

    def context_path(self, context: str, file: str) -> str:
        """A build context as a path: relative contexts resolve from the project folder
        (or, for services pulled in through ``extends.file``, from that file's folder)."""
        if "://" in context or context.startswith(("git@", "github.com/")):
            return context
        base = self.file_dirs.get(file, self.project_dir)
        return os.path.normpath(os.path.join(base, context))


class _FileServices:
    """The services of one file, with ``extends`` resolved on demand and memoized."""

    def __init__(
        self, project: _Project, services: dict[str, _Node], display: str, directory: str
    ) -> None:
        self.project = project
        self.services = services
        self.display = display
        self.directory = directory
        self.resolved: dict[str, _Node | None] = {}

    def resolve(self, name: str, stack: tuple[tuple[str, str], ...]) -> _Node | None:
        """The service ``name`` with its ``extends`` chain merged in; None if unusable."""
        if name in self.resolved:
            return self.resolved[name]
        node = self.services.get(name)
        if node is None:
            return None
        if not isinstance(node.value, dict):
            self.project.problem(
                node, f"service '{name}' must be a mapping, got {_kind(node.value)}"
            )
            self.resolved[name] = None
            return None
        extends = node.value.get("extends")
        result = node
        if extends is not None and extends.value is not None:
            own = node.with_value({k: v for k, v in node.value.items() if k != "extends"})
            base = self._extended(name, extends, stack)
            result = own if base is None else _merge_service(base, own, own)
        self.resolved[name] = result
        return result

    def _extended(
        self, name: str, extends: _Node, stack: tuple[tuple[str, str], ...]
    ) -> _Node | None:
        target, file_node = self._extends_target(extends)
        if target is None:
            return None
        owner = self
        if file_node is not None and isinstance(file_node.value, str):
            other = self.project.extends_file(file_node.value, self, file_node)
            if other is None:
                return None
            owner = other
        chain = (*stack, (self.display, name))
        if (owner.display, target) in chain:
            self.project.problem(extends, f"extends: service '{target}' extends itself (cycle)")
            return None
        if target not in owner.services:
            fallback = self.project.services.get(target) if owner is self else None
            if fallback is None:
                self.project.problem(extends, f"extends: no service '{target}' to extend")
            return fallback
        return owner.resolve(target, chain)

    def _extends_target(self, extends: _Node) -> tuple[str | None, _Node | None]:
        if isinstance(extends.value, str):
            return extends.value, None
        service = extends.get("service")
        if (
            isinstance(extends.value, dict)
            and service is not None
            and isinstance(service.value, str)
        ):
            return service.value, extends.get("file")
        self.project.problem(extends, "extends: expected a service name or {service, file}")
        return None, None


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

    def __init__(self, name: str, node: _Node, project: _Project) -> None:
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
        yield self.w
        yield from self.problems

    # -- plumbing

    def _field(self, key: str, handler: Callable[[str, _Node], None]) -> None:
        node = self.node.get(key)
        if node is not None:
            handler(key, node)

    def problem(self, node: _Node, message: str) -> None:
        self.problems.append(ParseProblem(location=node.loc(), message=message))

    def _text(self, key: str, node: _Node) -> str | None:
        """A scalar as text (``user: 1000`` is ``"1000"``); a problem for lists/mappings."""
        value = node.value
        if isinstance(value, str):
            return value
        if isinstance(value, bool | int | float):
            return scalar_text(value)
        self.problem(node, f"{key}: expected a string, got {_kind(value)}")
        return None

    def _items(self, key: str, node: _Node) -> list[_Node] | None:
        if isinstance(node.value, list):
            return node.value
        if isinstance(node.value, str) and node.unresolved:
            # ``cap_drop: ${DROP}``: the list comes from the environment; unknown, not wrong.
            self.w.mark_unknown(_LIST_FIELDS.get(key, key), _unresolved_reason(node))
            return None
        self.problem(node, f"{key}: expected a list, got {_kind(node.value)}")
        return None

    def _unknown(self, field_name: str, node: _Node) -> None:
        self.w.mark_unknown(field_name, _unresolved_reason(node))

    # -- scalar settings

    def _string(self, key: str, node: _Node, field_name: str) -> None:
        text = self._text(key, node)
        if text is None:
            return
        self.w.set(field_name, text, node.loc())
        if node.unresolved:
            self._unknown(field_name, node)

    def _boolean(self, key: str, node: _Node, field_name: str) -> None:
        if node.unresolved:
            self._unknown(field_name, node)
            return
        value = parse_bool(node.value) if not isinstance(node.value, dict | list) else None
        if value is None:
            self.problem(node, f"{key}: expected a boolean, got {_describe(node.value)}")
            return
        self.w.set(field_name, value, node.loc())

    def _number(
        self, key: str, node: _Node, field_name: str, parse: Callable[[object], int | float | None]
    ) -> None:
        if node.unresolved:
            self._unknown(field_name, node)
            return
        value = _parse_number(parse, node.value)
        if value is None:
            self.problem(node, f"{key}: cannot read {_describe(node.value)} as a number")
            return
        self.w.set(field_name, value, node.loc())

    def _cpu_quota(self, key: str, node: _Node) -> None:
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

    def _restart(self, key: str, node: _Node) -> None:
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

    def _container_name(self, key: str, node: _Node) -> None:
        text = self._text(key, node)
        if text is not None:
            self.w.facts["container_name"] = text

    # -- lists

    def _capabilities(self, key: str, node: _Node, field_name: str) -> None:
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

    def _security_opts(self, key: str, node: _Node) -> None:
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

    def _devices(self, key: str, node: _Node) -> None:
        items = self._items(key, node)
        if items is None:
            return
        devices: list[Device] = []
        for item in items:
            device = self._device(key, item)
            if device is not None:
                devices.append(device)
        self.w.set("devices", devices, node.loc())

    def _device(self, key: str, item: _Node) -> Device | None:
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

    def _ports(self, key: str, node: _Node) -> None:
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

    def _port(self, key: str, item: _Node) -> Port | None:
        if item.unresolved:
            self._unknown("ports", item)
        if isinstance(item.value, dict):
            return self._long_port(key, item)
        if isinstance(item.value, bool) or not isinstance(item.value, str | int):
            self.problem(item, f"{key}: expected a port, got {_kind(item.value)}")
            return None
        spec = parse_port(str(item.value), expands=bool(item.unresolved))
        if spec.error:
            self.problem(item, f"{key}: {spec.error}")
            return None
        return spec.port(item.loc())

    def _long_port(self, key: str, item: _Node) -> Port | None:
        target = item.get("target")
        if target is None or isinstance(target.value, dict | list | bool):
            self.problem(item, f"{key}: a port needs a 'target'")
            return None
        published = item.get("published")
        host_ip = item.get("host_ip")
        protocol = item.get("protocol")
        return Port(
            container_port=scalar_text(target.value),
            origin=item.loc(),
            host_port=scalar_text(published.value) if published is not None else "",
            host_ip=scalar_text(host_ip.value).strip("[]") if host_ip is not None else "",
            protocol=scalar_text(protocol.value).lower() if protocol is not None else "tcp",
        )

    # -- mounts

    def _volumes(self, key: str, node: _Node) -> None:
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

    def _short_mount(self, key: str, item: _Node) -> Mount | None:
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

    def _long_mount(self, key: str, item: _Node) -> Mount | None:
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
        self, source: str | None, target: str, item: _Node, kind: str | None = None
    ) -> Mount:
        """A bind or volume mount; named volumes whose top-level definition binds a host
        folder (``driver_opts: {type: none, o: bind, device: /x}``) count as binds of it."""
        unresolved = bool(item.unresolved) and source is not None and has_expansion(source)
        if not source:
            return Mount(type=kind or "volume", source=None, target=target, origin=item.loc())
        if kind is None:
            kind = "bind" if is_host_source(source, unresolved) else "volume"
        if kind == "volume":
            device = self._volume_device(source)
            if device is not None:
                return Mount(type="bind", source=device, target=target, origin=item.loc())
        return Mount(
            type=kind, source=source, target=target, origin=item.loc(), unresolved=unresolved
        )

    def _volume_device(self, name: str) -> str | None:
        volume = self.project.volumes.get(name)
        options = volume.get("driver_opts") if volume is not None else None
        if options is None:
            return None
        kind, flags, device = options.get("type"), options.get("o"), options.get("device")
        if kind is None or device is None or flags is None:
            return None
        flag_set = {f.strip() for f in scalar_text(flags.value).split(",")}
        if scalar_text(kind.value) == "none" and flag_set & {"bind", "rbind"}:
            return scalar_text(device.value)
        return None

    def _tmpfs(self, key: str, node: _Node) -> None:
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

    def _environment(self, key: str, node: _Node) -> None:
        if not isinstance(node.value, list | dict):
            self.problem(node, f"{key}: expected a list or a mapping, got {_kind(node.value)}")
            return
        if isinstance(node.value, list):
            for item in node.value:
                if not isinstance(item.value, str):
                    self.problem(item, f"{key}: expected KEY=VALUE, got {_kind(item.value)}")
        entries = _keyed_map(node) or {}
        env: list[EnvVar] = []
        for name, value in entries.items():
            if isinstance(value.value, dict | list):
                self.problem(value, f"{key}: value of {name} must be a scalar")
                continue
            text = None if value.value is None else scalar_text(value.value)
            env.append(EnvVar(key=name, value=text, origin=value.loc()))
            if value.interpolated:  # e.g. from .env: not written in this file
                self.w.facts.setdefault("env_interpolated", []).append(name)
        self.w.set("env", env, node.loc())

    def _command(self, key: str, node: _Node) -> None:
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

    def _build(self, key: str, node: _Node) -> None:
        """Record how the image is built, for the Build reader and build-arg rules."""
        spec = _build_as_mapping(node)
        if not isinstance(spec.value, dict):
            self.problem(node, f"{key}: expected a path or a mapping, got {_kind(node.value)}")
            return
        context_node = spec.get("context")
        context = self._text("build.context", context_node) if context_node else None
        dockerfile = spec.get("dockerfile")
        inline = spec.get("dockerfile_inline")
        args_node = spec.get("args")
        self.w.facts["compose_build"] = {
            "context": context or ".",
            "dockerfile": scalar_text(dockerfile.value) if dockerfile is not None else None,
            "dockerfile_inline": scalar_text(inline.value) if inline is not None else None,
            "args": self._build_args(args_node) if args_node is not None else [],
            "secrets": self._build_secrets(spec.get("secrets")),
            "location": node.loc(),
        }
        self.w.build_context = self.project.context_path(
            context or ".", context_node.file if context_node else node.file
        )

    def _build_args(self, node: _Node) -> list[tuple[str, str | None, Location]]:
        entries = _keyed_map(node)
        if entries is None:
            self.problem(node, f"build.args: expected a list or a mapping, got {_kind(node.value)}")
            return []
        return [
            (name, None if value.value is None else scalar_text(value.value), value.loc())
            for name, value in entries.items()
            if not isinstance(value.value, dict | list)
        ]

    def _build_secrets(self, node: _Node | None) -> list[str]:
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

    def _deploy(self, key: str, node: _Node) -> None:
        """``deploy.resources.limits`` and ``deploy.restart_policy`` fill in only what the
        service does not set itself, as compose does."""
        if not isinstance(node.value, dict):
            self.problem(node, f"{key}: expected a mapping, got {_kind(node.value)}")
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

    def _deploy_restart(self, node: _Node) -> None:
        if not isinstance(node.value, dict):
            self.problem(
                node, f"deploy.restart_policy: expected a mapping, got {_kind(node.value)}"
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
        return _kind(value)
    return repr(scalar_text(value))
