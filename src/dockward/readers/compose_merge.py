"""Compose files merged into one project, as ``docker compose -f a -f b config`` merges them.

Before any setting means anything, compose reads every file (``-f a -f b``, or the default
file and its override), interpolates variables, follows ``extends`` (in the same file or in
another one) and merges what it found with the compose-spec rules: mappings key by key,
``environment``-like settings as maps whatever their spelling, volumes and devices by
container path, ``!reset`` and ``!override`` honoured.  This module does exactly that and
nothing more; :mod:`dockward.readers.compose` maps the merged services onto Workloads.

Values are kept as :class:`Node` objects, which remember the file, line and path where each
value was written, also through anchors, merge keys, extends and overrides, so a finding
points at the text to change.  What cannot be read (malformed YAML, an ``extends`` that
points nowhere) becomes a problem on the project, never an exception.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dockward.models.location import Location
from dockward.readers.base import ParseProblem, ReadError, SourceFile
from dockward.readers.files import is_regular_file
from dockward.readers.interpolate import interpolate
from dockward.readers.specs import Surface, parse_device, parse_volume
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


# --------------------------------------------------------------------------- which files


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
        if is_regular_file(full):
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
    return any(is_regular_file(os.path.join(directory, base)) for base in BASE_FILE_NAMES)


# --------------------------------------------------------------------------- annotated values


@dataclass(slots=True)
class Node:
    """A YAML value with where it was written and what interpolation could not resolve.

    Merging works on these rather than on plain values, so every value keeps its own file
    and line through overrides and extends.
    """

    value: Any  # scalar | dict[str, Node] | list[Node]
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

    def get(self, key: str) -> Node | None:
        """Child ``key`` of a mapping, None if absent, explicitly null or not a mapping."""
        if not isinstance(self.value, dict):
            return None
        child: Node | None = self.value.get(key)
        if child is None or child.value is None or child.tag == "!reset":
            return None
        return child

    def with_value(self, value: Any) -> Node:
        return Node(value, self.file, self.line, self.column, self.path, self.tag, self.unresolved,
                     self.interpolated)


def annotate(doc: YamlDoc, value: Any, path: YamlPath, file: str, env: Mapping[str, str]) -> Node:
    """Wrap ``value`` (and everything below it) in nodes, interpolating string scalars."""
    line, column = doc.marks.get(path) or doc.line_of(path)
    tag = doc.tags.get(path) if doc.tags else None
    unresolved: tuple[str, ...] = ()
    interpolated = False
    if isinstance(value, dict):
        value = {
            scalar_text(key): annotate(doc, item, (*path, key), file, env)
            for key, item in value.items()
        }
    elif isinstance(value, list):
        value = [annotate(doc, item, (*path, i), file, env) for i, item in enumerate(value)]
    elif isinstance(value, str) and "$" in value:
        result = interpolate(value, env)
        interpolated = result.value != value.replace("$$", "$")
        value, unresolved = result.value, result.unresolved
    return Node(value, file, line, column, path, tag, unresolved, interpolated)


def directory_of(source: SourceFile) -> str:
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


def merge(key: str, base: Node, over: Node) -> Node:
    """Merge ``over`` onto ``base`` for the setting ``key`` (``""`` for a whole service)."""
    if over.tag == "!override" or key in _REPLACED:
        return over
    if key in _KEYED_MAPS:
        base_map, over_map = keyed_map(base), keyed_map(over)
        if base_map is not None and over_map is not None:
            merged_map = {**base_map, **over_map}
            for name, value in over_map.items():
                if value.tag == "!reset":
                    del merged_map[name]
            return over.with_value(merged_map)
    if key == "build":
        base, over = build_as_mapping(base), build_as_mapping(over)
    if isinstance(base.value, dict) and isinstance(over.value, dict):
        merged = dict(base.value)
        for child_key, child in over.value.items():
            if child.tag == "!reset":
                merged.pop(child_key, None)
                continue
            previous = merged.get(child_key)
            child_path = f"{key}.{child_key}" if key else child_key
            merged[child_key] = child if previous is None else merge(child_path, previous, child)
        return base.with_value(merged)
    if isinstance(base.value, list) and isinstance(over.value, list):
        target_of = _UNIQUE_BY_TARGET.get(key)
        if target_of is not None:
            return base.with_value(_merge_by_target(base.value, over.value, target_of))
        if key in _UNIQUE_ITEMS:
            return base.with_value(_append_unique(base.value, over.value))
        return base.with_value([*base.value, *over.value])
    return over


def merge_service(base: Node, over: Node, anchor: Node) -> Node:
    """A service merged from ``base`` and ``over``, anchored at ``anchor``'s service key."""
    merged = merge("", base, over)
    return Node(merged.value, anchor.file, anchor.line, anchor.column, anchor.path)


def keyed_map(node: Node) -> dict[str, Node] | None:
    """``environment``-like settings as ``{key: value node}``; list items ``K=V`` / ``K``.

    A list item becomes a node holding just the value (None for a bare ``K``), placed at
    the item's line, so the map and list forms read the same afterwards.
    """
    if isinstance(node.value, dict):
        return dict(node.value)
    if not isinstance(node.value, list):
        return None
    out: dict[str, Node] = {}
    for item in node.value:
        if not isinstance(item.value, str):
            continue
        key, sep, value = item.value.partition("=")
        if key.strip():
            out[key.strip()] = item.with_value(value if sep else None)
    return out


def build_as_mapping(node: Node) -> Node:
    """``build: ./dir`` is ``build: {context: ./dir}``."""
    if isinstance(node.value, str):
        return node.with_value({"context": node})
    return node


def _identity(node: Node) -> Any:
    """A hashable form of a value, to drop duplicates the way compose does."""
    if isinstance(node.value, dict):
        return tuple(sorted((k, _identity(v)) for k, v in node.value.items()))
    if isinstance(node.value, list):
        return tuple(_identity(v) for v in node.value)
    return scalar_text(node.value)


def _append_unique(base: list[Node], over: list[Node]) -> list[Node]:
    seen = {_identity(n) for n in base}
    out = list(base)
    for node in over:
        identity = _identity(node)
        if identity not in seen:
            seen.add(identity)
            out.append(node)
    return out


def _merge_by_target(
    base: list[Node], over: list[Node], target_of: Callable[[Node], str | None]
) -> list[Node]:
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


def _volume_target(node: Node) -> str | None:
    if isinstance(node.value, str):
        return parse_volume(node.value, Surface.COMPOSE).target
    if isinstance(node.value, dict):
        target = node.value.get("target")
        return scalar_text(target.value) if target is not None else None
    return None


def _device_target(node: Node) -> str | None:
    if isinstance(node.value, str):
        return parse_device(node.value, Surface.COMPOSE).container_path
    if isinstance(node.value, dict):
        target = node.value.get("target") or node.value.get("source")
        return scalar_text(target.value) if target is not None else None
    return None


def _named_target(node: Node) -> str | None:
    """secrets/configs: keyed by target when given, else by source name."""
    if isinstance(node.value, str):
        return node.value
    if isinstance(node.value, dict):
        key = node.value.get("target") or node.value.get("source")
        return scalar_text(key.value) if key is not None else None
    return None


_UNIQUE_BY_TARGET: dict[str, Callable[[Node], str | None]] = {
    "volumes": _volume_target,
    "devices": _device_target,
    "secrets": _named_target,
    "configs": _named_target,
}


# --------------------------------------------------------------------------- project loading


class Project:
    """The merged model of all files, plus what reading them went wrong with."""

    def __init__(self, env: dict[str, str], project_dir: str) -> None:
        self.env = env
        self.project_dir = project_dir
        self.services: dict[str, Node] = {}
        self.volumes: dict[str, Node] = {}
        self.problems: list[ParseProblem] = []
        self.file_dirs: dict[str, str] = {}  # display -> folder relative paths resolve from
        self.extends_files: dict[str, FileServices | None] = {}  # by filesystem path

    def problem(self, node: Node | Location, message: str) -> None:
        location = node.loc() if isinstance(node, Node) else node
        self.problems.append(ParseProblem(location=location, message=message))

    def documents(self, source: SourceFile) -> list[YamlDoc] | None:
        """Parsed documents of ``source``, None if malformed."""
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
            if top is not None:  # a list or a scalar: docker compose rejects the file
                self.problem(doc.location(source.display, ()),
                             f"a compose file must be a mapping at the top level, got "
                             f"{type_name(top)}; nothing in it was checked")
            return
        self.file_dirs[source.display] = self.project_dir
        volumes = top.get("volumes")
        if isinstance(volumes, dict):
            node = annotate(doc, volumes, ("volumes",), source.display, self.env)
            for name, volume in node.value.items():
                previous = self.volumes.get(name)
                self.volumes[name] = (
                    volume if previous is None else merge("volume", previous, volume)
                )
        services = top.get("services")
        if not isinstance(services, dict):
            if services is not None:  # services: "web", services: [] (compose rejects both)
                self.problem(doc.location(source.display, ("services",)),
                             f"services must be a mapping of service names to services, got "
                             f"{type_name(services)}; nothing in it was checked")
            return
        node = annotate(doc, services, ("services",), source.display, self.env)
        file_services = FileServices(self, node.value, source.display, directory_of(source))
        if source.path:
            self.extends_files.setdefault(os.path.normpath(source.path), file_services)
        for name in node.value:
            resolved = file_services.resolve(name, ())
            if resolved is None:
                continue
            previous = self.services.get(name)
            self.services[name] = (
                resolved if previous is None else merge_service(previous, resolved, previous)
            )

    def extends_file(self, relative: str, origin: FileServices, at: Node) -> FileServices | None:
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
        node = annotate(doc, doc.value["services"], ("services",), display, self.env)
        directory = os.path.dirname(fs_path)
        self.file_dirs[display] = directory
        found = FileServices(self, node.value, display, directory)
        self.extends_files[fs_path] = found
        return found

    def _read_extends_text(self, fs_path: str, relative: str, at: Node) -> str | None:
        from dockward.readers.files import Refused, decode_text, read_bytes

        if not is_regular_file(fs_path):
            self.problem(at, f"extends.file {relative!r} not found (or not a regular file)")
            return None
        try:
            data = read_bytes(fs_path, _MAX_EXTENDS_FILE_BYTES)
        except Refused as exc:
            self.problem(at, f"extends.file {relative!r}: {exc.reason}")
            return None
        return decode_text(data, fs_path)[0]

    def context_path(self, context: str, file: str) -> str:
        """A build context as a path: relative contexts resolve from the project folder
        (or, for services pulled in through ``extends.file``, from that file's folder)."""
        if "://" in context or context.startswith(("git@", "github.com/")):
            return context
        base = self.file_dirs.get(file, self.project_dir)
        return os.path.normpath(os.path.join(base, context))


class FileServices:
    """The services of one file, with ``extends`` resolved on demand and memoized."""

    def __init__(
        self, project: Project, services: dict[str, Node], display: str, directory: str
    ) -> None:
        self.project = project
        self.services = services
        self.display = display
        self.directory = directory
        self.resolved: dict[str, Node | None] = {}

    def resolve(self, name: str, stack: tuple[tuple[str, str], ...]) -> Node | None:
        """The service ``name`` with its ``extends`` chain merged in; None if unusable."""
        if name in self.resolved:
            return self.resolved[name]
        node = self.services.get(name)
        if node is None:
            return None
        if not isinstance(node.value, dict):
            self.project.problem(
                node, f"service '{name}' must be a mapping, got {type_name(node.value)}"
            )
            self.resolved[name] = None
            return None
        extends = node.value.get("extends")
        result = node
        if extends is not None and extends.value is not None:
            own = node.with_value({k: v for k, v in node.value.items() if k != "extends"})
            base = self._extended(name, extends, stack)
            result = own if base is None else merge_service(base, own, own)
        self.resolved[name] = result
        return result

    def _extended(
        self, name: str, extends: Node, stack: tuple[tuple[str, str], ...]
    ) -> Node | None:
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

    def _extends_target(self, extends: Node) -> tuple[str | None, Node | None]:
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


def merge_files(files: list[SourceFile], env: Mapping[str, str] | None = None) -> Project:
    """Merge ``files`` in order (like ``docker compose -f a -f b``) into one project.

    ``env`` is the only source of variables (usually the ``.env`` next to the first file).
    A file whose YAML is malformed becomes a problem; if it is the first file the project
    has no services, since overrides alone do not describe a deployment.
    """
    project = Project(dict(env or {}), directory_of(files[0]) if files else "")
    for index, source in enumerate(files):
        docs = project.documents(source)
        if docs is None:
            if index == 0:
                return project
            continue
        for doc in docs:
            project.add_document(doc, source)
    return project
