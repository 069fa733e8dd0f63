"""Stack files (``docker stack deploy -c``): the swarm facts a compose file can show.

A stack file's services are read by the compose reader like any compose file; what is
left for the swarm rules is its overlay networks (``driver: overlay`` without
``driver_opts: {encrypted: ...}`` sends the services' traffic between nodes in clear) and
its services' environment (a secret passed there is stored in the service spec for
anyone who can inspect it).  A file counts as a stack file when it declares an overlay
network or a service with ``deploy:``: the same file run by ``docker compose up`` would
make bridge networks and containers, and nothing else tells the two apart.  Every other
Swarm field stays ``None`` (unknown from a file).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from dockward.models.swarm import ServiceEnv, Swarm, SwarmNetwork
from dockward.readers.base import ReadError, SourceFile
from dockward.readers.yamlsource import YamlDoc, load_documents


def read_stack_swarm(files: list[SourceFile]) -> Iterator[Swarm]:
    """One Swarm model per stack file (malformed YAML is the compose reader's DW000, not
    reported twice)."""
    for source in files:
        if "overlay" not in source.text and "deploy" not in source.text:
            continue
        try:
            docs = load_documents(source.text)
        except ReadError:
            continue
        for doc in docs:
            model = _swarm_of(doc, source.display)
            if model is not None:
                yield model


def _swarm_of(doc: YamlDoc, file: str) -> Swarm | None:
    top = doc.value
    if not isinstance(top, Mapping):
        return None
    services: Mapping[str, Any] = _mapping(top.get("services"))
    networks: Mapping[str, Any] = _mapping(top.get("networks"))
    model = Swarm(name=file, anchor=doc.location(file, ()), source_kind="stack-file")
    users = _network_users(services)
    for name, spec in networks.items():
        if not isinstance(spec, Mapping) or str(spec.get("driver") or "") != "overlay":
            continue
        if spec.get("external"):
            continue  # created elsewhere: its options are not in this file
        opts = spec.get("driver_opts")
        model.networks.append(SwarmNetwork(
            name=str(name), origin=doc.location(file, ("networks", name)),
            encrypted=isinstance(opts, Mapping) and "encrypted" in opts,
            services=sorted(users.get(str(name), [])),
        ))
    is_stack = bool(model.networks) or any(
        isinstance(spec, Mapping) and "deploy" in spec for spec in services.values())
    if not is_stack:
        return None
    for service, spec in services.items():
        if isinstance(spec, Mapping):
            model.service_env.extend(_environment(doc, file, str(service), spec))
    return model


def _environment(doc: YamlDoc, file: str, service: str, spec: Mapping[str, Any]
                 ) -> Iterator[ServiceEnv]:
    env = spec.get("environment")
    base = ("services", service, "environment")
    if isinstance(env, Mapping):
        for key, value in env.items():
            yield ServiceEnv(service, str(key), None if value is None else str(value),
                             doc.location(file, (*base, key)))
    elif isinstance(env, list):
        for index, item in enumerate(env):
            key, eq, value = str(item).partition("=")
            yield ServiceEnv(service, key, value if eq else None,
                             doc.location(file, (*base, index)))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _network_users(services: Mapping[str, Any]) -> dict[str, list[str]]:
    """network name -> services attached to it (list or mapping form)."""
    out: dict[str, list[str]] = {}
    for service, spec in services.items():
        networks = spec.get("networks") if isinstance(spec, Mapping) else None
        names = list(networks) if isinstance(networks, Mapping | list) else []
        for net in names:
            out.setdefault(str(net), []).append(str(service))
    return out
