"""The HTTP server dockerd talks to: a unix socket, one thread per connection, a deadline.

dockerd keeps a few keep-alive connections to a plugin and sends one call at a time on
each.  Each connection gets a thread that reads, decides and answers without handing the
request to another thread (a hand-off costs more than the decision on the way every
``docker ps`` takes).  Requests are parsed with httptools (llhttp, the parser of
Node.js), which refuses ambiguous framing by itself.

dockerd waits for a plugin without any timeout, so a decision that hangs (an engine
lookup that never answers, a rule stuck on odd input) would hang the API call forever.
A watchdog answers *deny* for every call that has run longer than ``deadline`` seconds,
closes that connection (dockerd opens another for its next call), and leaves the stuck
thread to finish on its own.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httptools

log = logging.getLogger(__name__)

Handler = Callable[[bytes, bytes], bytes]
_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1.2+json\r\n"
_MAX_BODY = 64 * 1024 * 1024  # dockerd's AuthZRes carries at most 64 KiB of response


class _Call:
    """One connection's parser state (httptools callbacks)."""

    __slots__ = ("body", "done", "too_big", "url")

    def __init__(self) -> None:
        self.url = b""
        self.body: list[bytes] = []
        self.done = False
        self.too_big = False

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, chunk: bytes) -> None:
        self.body.append(chunk)

    def on_message_complete(self) -> None:
        self.done = True


class _Connection:
    """A daemon connection: the thread that serves it, and what the watchdog needs."""

    __slots__ = ("answered", "busy_since", "lock", "path", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.lock = threading.Lock()
        self.busy_since = 0.0
        self.answered = False
        self.path = b""


def unix_listener(socket_path: str, mode: int) -> socket.socket:
    """A listening unix socket at ``socket_path`` with ``mode``.

    A stale socket left by a previous run is replaced; any other file at that path is an
    error (a typo in ``--socket`` must not delete a file).
    """
    path = Path(socket_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        if not stat.S_ISSOCK(path.lstat().st_mode):
            raise OSError(f"{path} exists and is not a socket")
        path.unlink()
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    os.chmod(path, mode)
    listener.listen(128)
    return listener


class PluginServer:
    """Serves ``handler(path, body) -> json`` on a unix socket until :meth:`shutdown`."""

    def __init__(self, socket_path: str, handler: Handler, deadline: float = 5.0,
                 on_deadline: Callable[[bytes], bytes] | None = None,
                 mode: int = 0o660) -> None:
        self.socket_path = socket_path
        self.handler = handler
        self.deadline = deadline
        self.on_deadline = on_deadline or (lambda path: b'{"Allow":false,"Msg":"timeout"}')
        self.mode = mode
        self._listener: socket.socket | None = None
        self._connections: set[_Connection] = set()
        self._conn_lock = threading.Lock()
        self._stop = threading.Event()
        self.deadline_hits = 0

    # ------------------------------------------------------------------ lifecycle

    def bind(self) -> None:
        self._listener = unix_listener(self.socket_path, self.mode)

    def serve_forever(self) -> None:
        if self._listener is None:
            self.bind()
        assert self._listener is not None
        watchdog = threading.Thread(target=self._watch, name="dockward-deadline", daemon=True)
        watchdog.start()
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except OSError:
                if self._stop.is_set():
                    break
                raise
            conn = _Connection(sock)
            with self._conn_lock:
                self._connections.add(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True,
                             name="dockward-conn").start()

    def shutdown(self) -> None:
        self._stop.set()
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                self._listener.close()
        with contextlib.suppress(OSError):
            os.unlink(self.socket_path)
        with self._conn_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)

    # ------------------------------------------------------------------ serving

    def _serve(self, conn: _Connection) -> None:
        sock = conn.sock
        call = _Call()
        parser = httptools.HttpRequestParser(call)
        size = 0
        try:
            while True:
                data = sock.recv(262144)
                if not data:
                    return
                parser.feed_data(data)
                size += len(data)
                if size > _MAX_BODY:
                    return
                if not call.done:
                    continue
                size = 0
                path, body = call.url, b"".join(call.body)
                call.url, call.body, call.done = b"", [], False
                conn.path = path
                conn.answered = False
                conn.busy_since = time.monotonic()
                try:
                    out = self.handler(path, body)
                except Exception:  # never crash the connection thread: deny
                    log.exception("plugin handler failed")
                    out = self.on_deadline(path)
                with conn.lock:
                    conn.busy_since = 0.0
                    if conn.answered:  # the watchdog denied it already; connection closed
                        return
                    sock.sendall(b"%sContent-Length: %d\r\n\r\n%s" % (_HEAD, len(out), out))
        except (OSError, httptools.HttpParserError):
            return
        finally:
            with self._conn_lock:
                self._connections.discard(conn)
            with contextlib.suppress(OSError):
                sock.close()

    def _watch(self) -> None:
        """Deny every call that has run past the deadline, and drop its connection."""
        tick = max(min(self.deadline / 10, 0.1), 0.01)
        while not self._stop.wait(tick):
            now = time.monotonic()
            with self._conn_lock:
                connections = list(self._connections)
            for conn in connections:
                started = conn.busy_since
                if not started or now - started < self.deadline:
                    continue
                with conn.lock:
                    if not conn.busy_since or conn.answered:
                        continue
                    conn.answered = True
                    out = self.on_deadline(conn.path)
                    self.deadline_hits += 1
                    with contextlib.suppress(OSError):
                        conn.sock.sendall(b"%sConnection: close\r\nContent-Length: %d\r\n\r\n%s"
                                          % (_HEAD, len(out), out))
                    with contextlib.suppress(OSError):
                        conn.sock.shutdown(socket.SHUT_RDWR)
