"""The Daemon model: how dockerd is configured and where it listens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dockward.models.location import Location


@dataclass(slots=True)
class Listener:
    """An address dockerd listens on (``-H``/``hosts``) or a client is told to use.

    ``tls_verify`` True means clients must present a certificate (``--tlsverify``);
    ``tls`` True means the connection is encrypted at all.  ``role`` is ``daemon`` for
    dockerd's own flags and ``client`` for ``DOCKER_HOST``/``docker -H`` (evidence that a
    daemon listens there).
    """

    address: str
    origin: Location
    tls: bool = False
    tls_verify: bool = False
    role: str = "daemon"

    @property
    def is_tcp(self) -> bool:
        return self.address.lower().startswith("tcp://")

    @property
    def port(self) -> int | None:
        rest = self.address.split("://", 1)[-1].split("/", 1)[0]
        if ":" not in rest:
            return None
        try:
            return int(rest.rsplit(":", 1)[1])
        except ValueError:
            return None

    @property
    def is_loopback(self) -> bool:
        host = self.address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
        return host in ("127.0.0.1", "localhost", "::1")


@dataclass
class Daemon:
    """dockerd as described by a command line, daemon.json or ``GET /info``."""

    name: str
    anchor: Location
    listeners: list[Listener] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)  # daemon.json
    info: dict[str, Any] = field(default_factory=dict)  # GET /info
    flags: list[str] = field(default_factory=list)  # dockerd argv
    origins: dict[str, Location] = field(default_factory=dict)
    source_kind: str = "command-line"  # command-line | live | daemon-json

    def where(self, key: str) -> Location:
        return self.origins.get(key, self.anchor)
