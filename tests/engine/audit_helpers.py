"""Helpers for audit tests on a real engine (kept apart from harness.py on purpose).

:class:`RecordingProxy` is a unix-socket proxy in front of a private dockerd that logs
every HTTP request (method, path, body) and forwards the bytes unchanged.  It is how the
tests prove the audit's read-only guarantee and count its API calls, and how they capture
the create-request bodies the docker CLI really sends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass
from typing import Any

__all__ = ["RecordedRequest", "RecordingProxy", "docker_at", "parse_request"]


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # with the query string, without the /v1.xx prefix removed
    body: bytes


def _chunked_end(buf: bytes, start: int) -> int | None:
    """Offset just past a chunked body that starts at ``start``, or None if incomplete."""
    pos = start
    while True:
        eol = buf.find(b"\r\n", pos)
        if eol < 0:
            return None
        try:
            size = int(buf[pos:eol].split(b";", 1)[0].strip() or b"0", 16)
        except ValueError:
            return len(buf)  # not HTTP we understand: forward what we have
        pos = eol + 2
        if size == 0:
            end = buf.find(b"\r\n\r\n", pos - 2)
            return None if end < 0 else end + 4
        if len(buf) < pos + size + 2:
            return None
        pos += size + 2


def _dechunk(raw: bytes) -> bytes:
    out = bytearray()
    pos = 0
    while True:
        eol = raw.find(b"\r\n", pos)
        if eol < 0:
            return bytes(out)
        size = int(raw[pos:eol].split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            return bytes(out)
        out += raw[eol + 2 : eol + 2 + size]
        pos = eol + 2 + size + 2


def parse_request(buf: bytes) -> tuple[RecordedRequest, int, bool] | None:
    """One complete HTTP/1.1 request at the start of ``buf``: (request, length, upgrade)."""
    head_end = buf.find(b"\r\n\r\n")
    if head_end < 0:
        return None
    head = buf[:head_end].decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ")
    method, path = (parts[0], parts[1]) if len(parts) >= 2 else (lines[0], "")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    body_start = head_end + 4
    if "chunked" in headers.get("transfer-encoding", "").lower():
        end = _chunked_end(buf, body_start)
        if end is None:
            return None
        body = _dechunk(buf[body_start:end])
    else:
        length = int(headers.get("content-length", "0") or 0)
        end = body_start + length
        if len(buf) < end:
            return None
        body = buf[body_start:end]
    upgrade = "upgrade" in headers.get("connection", "").lower() or "upgrade" in headers
    return RecordedRequest(method.upper(), path, bytes(body)), end, upgrade


class RecordingProxy:
    """``unix://<tmp>/proxy.sock`` -> ``upstream`` (a dockerd unix socket), logging requests.

    Use as a context manager; ``requests`` holds what passed, in arrival order.
    """

    def __init__(self, upstream: str, read_only: bool = False) -> None:
        self.upstream = upstream
        self.read_only = read_only  # refuse (403) and log anything but GET and HEAD
        self.refused: list[RecordedRequest] = []
        self.dir = tempfile.mkdtemp(prefix="dw-proxy-", dir="/tmp")
        self.socket_path = os.path.join(self.dir, "proxy.sock")
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server: socket.socket | None = None
        self._conns: list[socket.socket] = []
        self._stopped = threading.Event()

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def methods(self) -> set[str]:
        with self._lock:
            return {r.method for r in self.requests}

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def start(self) -> RecordingProxy:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(self.socket_path)
        server.listen(256)
        self._server = server
        threading.Thread(target=self._accept, daemon=True, name="dw-proxy").start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._server is not None:
            with contextlib.suppress(OSError):
                self._server.close()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> RecordingProxy:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _accept(self) -> None:
        assert self._server is not None
        while not self._stopped.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(self.upstream)
        except OSError:
            client.close()
            return
        with self._lock:
            self._conns += [client, upstream]
        back = threading.Thread(target=self._pump, args=(upstream, client), daemon=True)
        back.start()
        buf = b""
        raw = False
        try:
            while True:
                data = client.recv(65536)
                if not data:
                    break
                if raw:
                    upstream.sendall(data)
                    continue
                buf += data
                while buf:
                    parsed = parse_request(buf)
                    if parsed is None:
                        break
                    request, length, upgrade = parsed
                    if self.read_only and request.method not in ("GET", "HEAD"):
                        with self._lock:
                            self.refused.append(request)
                        body = b'{"message":"read-only proxy: refused"}'
                        client.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Type: "
                                       b"application/json\r\nContent-Length: %d\r\n\r\n%s"
                                       % (len(body), body))
                        buf = buf[length:]
                        continue
                    with self._lock:
                        self.requests.append(request)
                    upstream.sendall(buf[:length])
                    buf = buf[length:]
                    if upgrade:
                        raw = True
                        if buf:
                            upstream.sendall(buf)
                        buf = b""
                        break
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                upstream.shutdown(socket.SHUT_WR)
            back.join(timeout=30)
            for s in (client, upstream):
                with contextlib.suppress(OSError):
                    s.close()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)


def docker_at(engine: Any, url: str, *args: str) -> str:
    """Run the docker CLI of ``engine`` against another address (a proxy); stdout."""
    import subprocess

    cmd = [engine.docker_cli, "-H", url, *args]
    res = subprocess.run(cmd, capture_output=True, text=True, env=engine.cli_env(),
                         timeout=120, check=False)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({res.returncode}): {res.stderr}")
    return res.stdout
