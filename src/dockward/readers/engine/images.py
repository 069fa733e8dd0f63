"""Image inspect + history -> :class:`Image`.

Pure functions over the Engine API's JSON, so the same code serves the live audit and
tests on captured output; fetching is :mod:`dockward.readers.engine.collect`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dockward.models.image import HistoryEntry, Image
from dockward.models.location import Location
from dockward.models.workload import EnvVar

NO_TAG = "<none>:<none>"


def image_ref(inspect: Mapping[str, Any]) -> str:
    """What to call an image: its first real tag, else its short id (as ``docker images``)."""
    for tag in inspect.get("RepoTags") or []:
        if tag and tag != NO_TAG:
            return str(tag)
    image_id = str(inspect.get("Id") or "")
    return image_id.split(":", 1)[-1][:12]


def image_from_inspect(
    inspect: Mapping[str, Any],
    history: Iterable[Mapping[str, Any]] | None,
    host: str,
    used_by: Iterable[str] = (),
) -> Image:
    """An Image from ``GET /images/{id}/json`` and ``GET /images/{id}/history``.

    ``history`` None means it could not be fetched (``history_known`` stays False, so
    history rules say nothing rather than "clean").
    """
    ref = image_ref(inspect)
    subject = f"{host}/{ref}" if host else ref
    anchor = Location(subject=subject)
    config = inspect.get("Config") or {}
    image = Image(
        ref=ref,
        id=str(inspect.get("Id") or ""),
        anchor=anchor,
        tags=[t for t in inspect.get("RepoTags") or [] if t and t != NO_TAG],
        digests=[d for d in inspect.get("RepoDigests") or [] if d and "<none>" not in d],
        user=str(config.get("User") or ""),
        labels={str(k): str(v) for k, v in (config.get("Labels") or {}).items()},
        healthcheck=config.get("Healthcheck") or None,
        used_by=sorted(set(used_by)),
        host=host,
    )
    image.origins["user"] = Location(subject=subject, path="Config.User")
    for index, raw in enumerate(config.get("Env") or []):
        key, eq, value = str(raw).partition("=")
        image.env.append(EnvVar(key=key, value=value if eq else None,
                                origin=Location(subject=subject, path=f"Config.Env[{index}]")))
    if history is not None:
        image.history = history_entries(history, subject)
        image.history_known = True
    image.facts.update(
        created=inspect.get("Created"),
        architecture=inspect.get("Architecture"),
        os=inspect.get("Os"),
        size=inspect.get("Size"),
        entrypoint=config.get("Entrypoint"),
        cmd=config.get("Cmd"),
    )
    return image


def history_entries(history: Iterable[Mapping[str, Any]], subject: str) -> list[HistoryEntry]:
    """History rows in the API's order (newest first), each with ``history[i]`` provenance."""
    out: list[HistoryEntry] = []
    for index, row in enumerate(history):
        created = row.get("Created")
        out.append(HistoryEntry(
            created_by=str(row.get("CreatedBy") or ""),
            origin=Location(subject=subject, path=f"history[{index}]"),
            layer_id=str(row.get("Id") or ""),
            created=int(created) if isinstance(created, int | float) else None,
            comment=str(row.get("Comment") or ""),
            size=int(row.get("Size") or 0),
        ))
    return out
