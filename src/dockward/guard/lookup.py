"""Ask the engine about objects a request refers to: the container a start or exec acts
on, the container ``--volumes-from`` or ``--pid container:X`` names, a named volume.

Some requests carry no settings of their own (``POST /containers/x/start``) or borrow
them from another object; the decision needs that object's configuration.  Lookups go to
the Engine API (``GET`` only) with a timeout, and their own authorization passes through
the guard like any other read.  A lookup that cannot be answered raises
:class:`LookupFailed`, and the decision fails closed; an object that does not exist is
``None`` (the daemon will refuse the request itself).
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import time
from typing import Any, Protocol


class LookupFailed(Exception):
    """The engine could not be asked (unreachable, timed out, an unexpected answer)."""


class EngineLookup(Protocol):
    def get(self, path: str) -> Any | None:
        """JSON of ``GET path``; None for 404; raises LookupFailed otherwise."""
        ...


class NoLookup:
    """For a guard with no engine to ask: every lookup fails (so such requests are denied)."""

    def get(self, path: str) -> Any | None:
        raise LookupFailed("no engine to look it up in (start the guard with --engine)")


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("docker", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


class SocketLookup:
    """Lookups over the engine's unix socket, each bounded by ``timeout`` seconds."""

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        if url.startswith("unix://"):
            self.path = url[len("unix://"):]
        elif url.startswith("unix:"):
            self.path = url[len("unix:"):]
        else:
            self.path = url
        self.timeout = timeout

    def get(self, path: str) -> Any | None:
        started = time.monotonic()
        conn = _UnixHTTPConnection(self.path, self.timeout)
        try:
            conn.request("GET", path, headers={"Host": "docker", "User-Agent": "dockward-guard"})
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            waited = time.monotonic() - started
            raise LookupFailed(f"GET {path}: {exc or type(exc).__name__} "
                               f"(after {waited:.1f}s)") from None
        finally:
            conn.close()
        if response.status == 404:
            return None
        if response.status != 200:
            raise LookupFailed(f"GET {path}: HTTP {response.status}")
        try:
            return json.loads(data)
        except ValueError:
            raise LookupFailed(f"GET {path}: the answer is not JSON") from None


# What dockerd accepts as a container, volume or exec name: anything else cannot exist,
# so it is never sent (and never needs escaping).
_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*\Z")
_IMAGE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_./:@-]*\Z")


def container_path(ref: str) -> str | None:
    name = ref.lstrip("/")
    return f"/containers/{name}/json" if _NAME.match(name) else None


def volume_path(name: str) -> str | None:
    return f"/volumes/{name}" if _NAME.match(name) else None


def exec_path(exec_id: str) -> str | None:
    return f"/exec/{exec_id}/json" if _NAME.match(exec_id) else None


def image_path(ref: str) -> str | None:
    return f"/images/{ref}/json" if _IMAGE.match(ref) and ".." not in ref else None
