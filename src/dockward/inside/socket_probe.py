"""Ask a container-runtime socket whether it answers, without changing anything.

Standard library only, Python 3.8 compatible: this module runs inside arbitrary images.

A mounted ``docker.sock`` is a configuration fact (DW201); a socket that *answers* from
inside the container is the escape itself (DW701): ``docker -H unix:///var/run/docker.sock
run -v /:/host ...`` is then one command away.  To tell the two apart we connect and send
two read-only requests, ``GET /_ping`` and ``GET /version``, with a short timeout.  Only GET
is ever sent; nothing is created, started or modified.  gRPC runtimes (containerd, CRI-O)
do not speak HTTP/1.1: for them a successful ``connect()`` is what we can report.
"""

from __future__ import annotations

import json
import socket
from typing import Any

DEFAULT_TIMEOUT = 1.5
MAX_RESPONSE = 256 * 1024

# Which runtime a socket file name belongs to, and whether it speaks the Docker-style
# HTTP API (Docker, Podman's compat API) or gRPC (containerd, CRI-O, cri-dockerd's CRI).
SOCKET_KINDS = {
    "docker.sock": ("docker", "http"),
    "podman.sock": ("podman", "http"),
    "containerd.sock": ("containerd", "grpc"),
    "containerd-shim.sock": ("containerd", "grpc"),
    "crio.sock": ("cri-o", "grpc"),
    "cri-dockerd.sock": ("cri-dockerd", "grpc"),
    "dockershim.sock": ("dockershim", "grpc"),
    "buildkitd.sock": ("buildkit", "grpc"),
    "frakti.sock": ("frakti", "grpc"),
}


def kind_of(path: str) -> tuple[str, str]:
    """``(runtime, protocol)`` guessed from the socket's file name; unknown names are
    assumed to be Docker-compatible HTTP (a renamed ``docker.sock`` is the common case)."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return SOCKET_KINDS.get(name, ("unknown", "http"))


def _recv_all(sock: socket.socket, limit: int) -> bytes:
    chunks = []
    total = 0
    while total < limit:
        try:
            data = sock.recv(65536)
        except socket.timeout:  # noqa: UP041 - not TimeoutError before Python 3.10
            break
        if not data:
            break
        chunks.append(data)
        total += len(data)
    return b"".join(chunks)


def _dechunk(body: bytes) -> bytes:
    """Decode a ``Transfer-Encoding: chunked`` body (tolerant of a truncated tail)."""
    out = []
    rest = body
    while rest:
        line, sep, rest = rest.partition(b"\r\n")
        if not sep:
            break
        try:
            size = int(line.split(b";", 1)[0].strip() or b"0", 16)
        except ValueError:
            break
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2 :]
    return b"".join(out)


def parse_http_response(raw: bytes) -> dict[str, Any]:
    """Status, lower-cased headers and decoded body of a raw HTTP/1.x response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = 0
    if lines and lines[0].startswith("HTTP/"):
        parts = lines[0].split(" ", 2)
        if len(parts) >= 2 and parts[1].isdigit():
            status = int(parts[1])
    headers = {}
    for line in lines[1:]:
        key, sep, value = line.partition(":")
        if sep:
            headers[key.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    return {"status": status, "headers": headers, "body": body.decode("utf-8", "replace")}


def _connect(address: Any, family: int, timeout: float) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(address)
    except BaseException:
        sock.close()
        raise
    return sock


def http_get(address: Any, path: str, family: int = socket.AF_UNIX,
             timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """One ``GET path`` over a fresh connection (``Connection: close``)."""
    sock = _connect(address, family, timeout)
    try:
        request = (f"GET {path} HTTP/1.1\r\nHost: docker\r\nUser-Agent: dockward-inside\r\n"
                   "Accept: application/json\r\nConnection: close\r\n\r\n")
        sock.sendall(request.encode("ascii"))
        raw = _recv_all(sock, MAX_RESPONSE)
    finally:
        sock.close()
    return parse_http_response(raw)


def _summarize_version(body: str) -> dict[str, Any]:
    """The parts of ``GET /version`` that identify the engine (never the whole answer)."""
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    platform = data.get("Platform")
    components = data.get("Components")
    out = {
        "version": data.get("Version"),
        "api_version": data.get("ApiVersion"),
        "min_api_version": data.get("MinAPIVersion"),
        "os": data.get("Os"),
        "arch": data.get("Arch"),
        "kernel": data.get("KernelVersion"),
        "platform": platform.get("Name") if isinstance(platform, dict) else None,
        "components": [c.get("Name") for c in components if isinstance(c, dict)]
        if isinstance(components, list) else [],
    }
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return exc.__class__.__name__


def _probe(address: Any, family: int, protocol: str, timeout: float) -> dict[str, Any]:
    result: dict[str, Any] = {"connectable": False, "answers": False, "error": None,
                              "ping": None, "version": None}
    try:
        _connect(address, family, timeout).close()
    except (OSError, ValueError) as exc:
        result["error"] = _error_text(exc)
        return result
    result["connectable"] = True
    if protocol != "http":
        return result  # gRPC: an HTTP/1.1 request would only be refused
    try:
        ping = http_get(address, "/_ping", family, timeout)
    except (OSError, ValueError) as exc:
        result["error"] = "/_ping: " + _error_text(exc)
        return result
    headers = ping["headers"]
    result["ping"] = {
        "status": ping["status"],
        "body": ping["body"][:64],
        "api_version": headers.get("api-version"),
        "server": headers.get("server"),
    }
    result["answers"] = ping["status"] == 200 and ping["body"].strip() == "OK"
    if not result["answers"]:
        return result
    try:
        version = http_get(address, "/version", family, timeout)
    except (OSError, ValueError) as exc:
        result["error"] = "/version: " + _error_text(exc)
        return result
    if version["status"] == 200:
        result["version"] = _summarize_version(version["body"])
    return result


def probe_unix_socket(path: str, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """Connect to the socket file at ``path`` and, for HTTP runtimes, ask ``/_ping`` and
    ``/version``.  Never raises: failures are reported in ``error``."""
    runtime, protocol = kind_of(path)
    result: dict[str, Any] = {"address": "unix://" + path, "path": path, "runtime": runtime,
                              "protocol": protocol}
    result.update(_probe(path, socket.AF_UNIX, protocol, timeout))
    return result


def probe_tcp(host: str, port: int, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
    """The same questions over plain TCP (a ``DOCKER_HOST=tcp://...`` seen in the
    container's environment).  TLS endpoints are not spoken to."""
    result: dict[str, Any] = {"address": f"tcp://{host}:{port}", "path": None,
                              "runtime": "docker", "protocol": "http"}
    result.update(_probe((host, port), socket.AF_INET, "http", timeout))
    return result
