"""Stack files (``docker stack deploy -c``): the swarm facts a compose file can show.

A stack file's services are read by the compose reader like any compose file; what is
left for the swarm rules is its overlay networks: ``driver: overlay`` without
``driver_opts: {encrypted: ...}`` sends the services' traffic between nodes in clear.
Only networks that say ``driver: overlay`` are judged: the same file run by
``docker compose up`` would make bridge networks, and a default cannot tell the two
apart.  Every other Swarm field stays ``None`` (unknown from a file).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from dockward.models.swarm import Swarm, SwarmNetwork
from dockward.readers.base import ReadError, SourceFile
from dockward.readers.yamlsource import YamlDoc, load_documents


def read_stack_swarm(files: list[SourceFile]) -> Iterator[Swarm]:
    """One Swarm model per file that declares overlay networks (malformed YAML is the
    compose reader's DW000, not reported twice)."""
    for source in files:
        if "overlay" not in source.text:
            continue
        docs = source.options.get("yaml_docs")
        if not (isinstance(docs, list) and all(isinstance(d, YamlDoc) for d in docs)):
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
    if not isinstance(top, Mapping) or not isinstance(top.get("networks"), Mapping):
        return None
    users = _network_users(top.get("services"))
    model = Swarm(name=file, anchor=doc.location(file, ()), source_kind="stack-file")
    for name, spec in top["networks"].items():
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
    return model if model.networks else None


def _network_users(services: Any) -> dict[str, list[str]]:
    """network name -> services attached to it (list or mapping form)."""
    out: dict[str, list[str]] = {}
    if not isinstance(services, Mapping):
        return out
    for service, spec in services.items():
        networks = spec.get("networks") if isinstance(spec, Mapping) else None
        names = list(networks) if isinstance(networks, Mapping | list) else []
        for net in names:
            out.setdefault(str(net), []).append(str(service))
    return out

