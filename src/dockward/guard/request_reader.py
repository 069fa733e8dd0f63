"""Read an Engine API request into the models the rules judge.

Both guard modes produce a :class:`RawRequest` (the plugin from dockerd's ``AuthZReq``,
the proxy from the bytes it parsed); :func:`read_request` turns it into an
:class:`~dockward.models.request.ApiRequest` (route, version, JSON oddities), and
:func:`body_models` into the models its body or its target describe, through the same
converters ``audit`` uses.  Objects the request only names (the container a start acts
on, ``--volumes-from``, ``--pid container:X``, a named volume that is a host path) are
looked up in the engine so the decision covers what will really run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dockward.guard.jsonbody import read_json_body
from dockward.guard.lookup import (
    EngineLookup,
    LookupFailed,
    container_path,
    exec_path,
    volume_path,
)
from dockward.guard.routes import JSON, parse_target
from dockward.models.knowledge import normalize_host_path
from dockward.models.location import Location
from dockward.models.request import ApiRequest
from dockward.models.workload import Mount, Workload
from dockward.readers.engine.api_fields import HOST_CONFIG_BY_FOLD
from dockward.readers.engine.inspect_to_workload import (
    workload_from_create_body,
    workload_from_inspect,
    workload_from_swarm_service,
)
from dockward.readers.engine.request_bodies import (
    build_from_query,
    image_from_commit,
    mounts_from_volume_options,
    workload_from_build_query,
    workload_from_exec_body,
    workload_from_plugin_privileges,
    workload_from_plugin_settings,
    workload_from_update_body,
    workload_from_volume_create,
)


@dataclass
class RawRequest:
    """A request as a guard received it, before any interpretation."""

    method: str
    uri: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    user: str = ""  # TLS client CN ('' on the local socket)
    auth_method: str = ""
    mode: str = "plugin"
    peer_uid: int | None = None
    peer_gid: int | None = None

    @property
    def who(self) -> str:
        if self.user:
            return self.user
        if self.peer_uid is not None:
            return f"uid={self.peer_uid}"
        return "local"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    low = name.lower()
    for key, value in headers.items():
        if key.lower() == low:
            return value
    return None


def read_request(raw: RawRequest) -> tuple[ApiRequest, Any]:
    """The ApiRequest, and the decoded JSON body (None when absent or not JSON)."""
    target = parse_target(raw.method, raw.uri)
    subject = f"{raw.who} {raw.method} {target.path or raw.uri}"
    route = target.route
    req = ApiRequest(
        method=raw.method,
        uri=raw.uri,
        anchor=Location(subject=subject, path=""),
        path=target.path,
        api_version=target.version,
        api_version_tuple=target.version_tuple(),
        route=target.route_name,
        route_template=route.template if route else "",
        params=target.params,
        query=target.query,
        path_problems=target.problems,
        debug_route=bool(route and route.debug),
        user=raw.user if raw.user else (f"uid={raw.peer_uid}" if raw.peer_uid is not None
                                        else ""),
        mode=raw.mode,
        headers=dict(raw.headers),
        content_type=_header(raw.headers, "Content-Type") or "",
        body_kind=route.body if route else "",
        body_required=bool(route and route.body_required),
    )
    length = _header(raw.headers, "Content-Length")
    if length is not None:
        try:
            req.content_length = int(length.strip())
        except ValueError:
            req.content_length = -1
    body = raw.body
    value: Any = None
    if body:
        req.body_seen = True
        req.body_size = len(body)
        if req.body_kind == JSON or req.is_json_content:
            parsed = read_json_body(body)
            req.json_error = parsed.error
            req.json_trailing = parsed.trailing
            req.duplicate_keys = parsed.duplicate_keys
            req.case_variant_keys = parsed.case_variant_keys
            value = parsed.value if not parsed.error else None
            req.json_value = value
            if req.route == "container-create" and isinstance(value, Mapping):
                req.top_level_host_config = [
                    str(k) for k in value if str(k).casefold() in HOST_CONFIG_BY_FOLD]
    return req, value


@dataclass
class ReadOptions:
    """How far :func:`body_models` goes beyond the request itself."""

    lookup: EngineLookup | None = None
    resolve_symlinks: bool = True  # the guard runs on the host: realpath bind sources
    exec_table: Callable[[str], Mapping[str, Any] | None] | None = None


def body_models(req: ApiRequest, value: Any, options: ReadOptions) -> list[object]:
    """The Workloads, Builds and Images this request would create or widen."""
    subject = req.anchor.subject
    route = req.route
    name = req.params.get("name") or req.params.get("id") or ""
    models: list[object] = []
    if route == "container-create" and isinstance(value, Mapping):
        w = workload_from_create_body(value, subject, name=req.query.get("name", ""))
        _resolve_references(w, value, options)
        models.append(w)
    elif route == "exec-create" and isinstance(value, Mapping):
        models.append(workload_from_exec_body(value, subject, name))
    elif route == "container-update" and isinstance(value, Mapping):
        models.append(workload_from_update_body(value, subject, name))
    elif route == "volume-create" and isinstance(value, Mapping):
        models.append(workload_from_volume_create(value, subject))
    elif route in ("service-create", "service-update") and isinstance(value, Mapping):
        models.append(workload_from_swarm_service(value, subject))
    elif route in ("plugin-pull", "plugin-upgrade"):
        plugin = req.query.get("name") or req.query.get("remote") or name
        models.append(workload_from_plugin_privileges(value, subject, plugin))
    elif route == "plugin-set":
        models.append(workload_from_plugin_settings(value, subject, name))
    elif route == "build":
        models.append(workload_from_build_query(req.query, subject))
        models.append(build_from_query(req.query, subject))
    elif route == "container-commit" and isinstance(value, Mapping):
        models.append(image_from_commit(value, req.query, subject))
    elif route == "container-start":
        found = _lookup(options, container_path(name))
        if found is not None:
            models.append(workload_from_inspect(found, subject))
    elif route == "exec-start":
        models.extend(_exec_models(name, subject, options))
    for model in models:
        if isinstance(model, Workload):
            if options.resolve_symlinks:
                _resolve_symlinks(model)
            req.mounts.extend(m for m in model.mounts if m.type == "bind" and m.source)
    return models


def _lookup(options: ReadOptions, path: str | None) -> Any | None:
    if path is None:
        return None
    if options.lookup is None:
        raise LookupFailed("this guard has no engine to look it up in")
    return options.lookup.get(path)


def _exec_models(exec_id: str, subject: str, options: ReadOptions) -> list[object]:
    """An exec start carries only the exec's id: judge what the exec create asked for."""
    known = options.exec_table(exec_id) if options.exec_table else None
    if known is None:
        found = _lookup(options, exec_path(exec_id))
        if found is None:
            return []
        process = found.get("ProcessConfig") or {}
        known = {"Privileged": bool(process.get("privileged")),
                 "User": process.get("user") or ""}
        container = str(found.get("ContainerID") or "")[:12]
    else:
        container = str(known.get("container", ""))
    return [workload_from_exec_body(known, subject, container)]


def _resolve_references(w: Workload, body: Mapping[str, Any], options: ReadOptions) -> None:
    """Fill in what a create body only names: volumes-from sources, ``container:X``
    namespaces, named volumes that are host paths."""
    hc_raw = _folded(body, "HostConfig")
    hc = hc_raw if isinstance(hc_raw, Mapping) else {}
    volumes_from = _folded(hc, "VolumesFrom") or _folded(body, "VolumesFrom") or []
    for index, entry in enumerate(volumes_from if isinstance(volumes_from, list) else []):
        ref, _, mode = str(entry).partition(":")
        found = _lookup(options, container_path(ref))
        if found is None:
            continue
        origin = w.anchor.child(f"HostConfig.VolumesFrom[{index}]")
        for mount in found.get("Mounts") or []:
            if not isinstance(mount, Mapping):
                continue
            source = str(mount.get("Source") or "")
            kind = str(mount.get("Type") or "volume")
            read_only = mode == "ro" or not mount.get("RW", True)
            if kind == "bind" and source:
                w.mounts.append(Mount("bind", source, str(mount.get("Destination") or ""),
                                      origin, read_only=read_only))
    for attr, key in (("pid_mode", "PidMode"), ("network_mode", "NetworkMode"),
                      ("ipc_mode", "IpcMode"), ("uts_mode", "UTSMode")):
        mode = getattr(w, attr)
        if not mode or not mode.strip().lower().startswith("container:"):
            continue
        found = _lookup(options, container_path(mode.split(":", 1)[1].strip()))
        if found is None:
            continue
        theirs = str(((found.get("HostConfig") or {}).get(key)) or "")
        if theirs.strip().lower() == "host":
            w.set(attr, "host", w.where(attr))
            w.facts.setdefault("joined_host_namespaces", []).append(f"{key}={mode}")
    for index, mount in enumerate(list(w.mounts)):
        if mount.type != "volume" or not mount.source:
            continue
        found = _lookup(options, volume_path(mount.source))
        if not isinstance(found, Mapping):
            continue
        bound = mounts_from_volume_options(str(found.get("Driver") or "local"),
                                           found.get("Options"), mount.origin,
                                           mount.read_only, mount.target)
        if bound:
            w.mounts[index] = bound[0]
            w.facts.setdefault("bind_volumes", []).append(mount.source)


def _resolve_symlinks(w: Workload) -> None:
    """Bind sources as the daemon will resolve them on this host (symlinks followed).

    A container that can write into any bind-mounted directory can plant a symlink there
    (``/srv/data/x -> /``); ``-v /srv/data/x:/host`` then mounts ``/``.
    """
    resolved: list[Mount] = []
    for mount in w.mounts:
        resolved.append(mount)
        if mount.type != "bind" or not mount.source or not mount.source.startswith("/"):
            continue
        try:
            real = os.path.realpath(mount.source)
        except (OSError, ValueError):
            continue
        if real != normalize_host_path(mount.source):
            # keep the spelling the client wrote (messages quote it) and judge the target
            w.facts.setdefault("resolved_sources", {})[mount.source] = real
            resolved.append(Mount("bind", real, mount.target, mount.origin,
                                  read_only=mount.read_only, propagation=mount.propagation))
    w.mounts = resolved


def _folded(obj: Mapping[str, Any], name: str) -> Any:
    found = None
    for key, value in obj.items():
        if str(key).casefold() == name.casefold() and value is not None:
            found = value
    return found
