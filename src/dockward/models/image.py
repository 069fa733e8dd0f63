"""The Image model: an image's config (User, Env, Labels, Healthcheck) and its history.

An image carries decisions made at build time into every container started from it: the
default user, environment variables baked into the config, and the ``created_by`` line of
every layer, which the classic builder writes with the build args in clear text
(``|1 SECRET=my secret /bin/sh -c ...``).  The live audit reads it from
``GET /images/{id}/json`` + ``GET /images/{id}/history``; an archive reader (``docker
save`` / OCI layout) can fill the same shape without a daemon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dockward.models.location import Location
from dockward.models.workload import EnvVar


@dataclass(slots=True)
class HistoryEntry:
    """One ``docker history`` row, in the API's order (newest first).

    ``created_by`` is the untruncated instruction (empty for imported base layers);
    ``origin.path`` is ``history[i]`` so a finding names the row ``docker history`` shows.
    """

    created_by: str
    origin: Location
    layer_id: str = ""  # "<missing>" for layers pulled from a registry
    created: int | None = None  # unix seconds
    comment: str = ""
    size: int = 0


@dataclass
class Image:
    """An image as the engine (or an image archive) describes it.

    ``user`` is ``Config.User`` ('' when the image sets none, i.e. root); ``None`` means the
    config could not be read.  ``used_by`` lists the containers (``host/name``) started
    from it, so rules and reports can say why an image matters.
    """

    ref: str  # what findings call it: the first tag, or the short id of an untagged image
    id: str
    anchor: Location
    tags: list[str] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    user: str | None = None
    env: list[EnvVar] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    healthcheck: dict[str, Any] | None = None
    history: list[HistoryEntry] = field(default_factory=list)
    history_known: bool = False  # False when the history could not be fetched
    used_by: list[str] = field(default_factory=list)
    host: str = ""
    source_kind: str = "live"  # live | archive
    origins: dict[str, Location] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)

    def where(self, field_name: str) -> Location:
        """Where ``field_name`` was read, or the anchor (for something missing)."""
        return self.origins.get(field_name, self.anchor)

    @property
    def short_id(self) -> str:
        """``sha256:0123456789ab...`` -> ``0123456789ab`` (what ``docker images`` shows)."""
        return self.id.split(":", 1)[-1][:12]

    def describe(self) -> str:
        """``image 'test-arg:latest' (4c344fb237d2)`` for messages."""
        if self.ref and self.short_id and self.short_id not in self.ref:
            return f"image '{self.ref}' ({self.short_id})"
        return f"image '{self.ref or self.short_id}'"
