"""The filtering proxy: strict HTTP/1.1 in, only allowed and judged requests out.

One thread per client connection.  Each request is parsed completely with httptools
(llhttp) before anything is sent upstream, and what is sent is re-serialized from what
was parsed: the same method, target and body bytes that were judged, with the proxy's own
framing (``Content-Length``), never the client's bytes.  Ambiguous framing is refused by
the parser (``Content-Length`` with ``Transfer-Encoding``, two different lengths, folded
or malformed headers, bare LF) or here (two ``Content-Type``\\ s, a transfer coding other
than ``chunked``, bodies over the limit).  Leftover bytes after a request are parsed as
the next request and judged on their own.

Responses are streamed back (events, logs), re-framed, except where environment values
must be redacted (the whole JSON is read, rewritten, and sent with a new length).  A
connection upgrade (attach, exec start) is only passed on for routes the profile allows,
and then both directions are copied until either side closes.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import ssl
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httptools

from dockward.guard.decision_log import DecisionLog
from dockward.guard.plugin_server import unix_listener
from dockward.guard.profiles import REDACTED_ROUTES, Profile, redact_env
from dockward.guard.request_reader import RawRequest
from dockward.guard.routes import parse_target
from dockward.usecases.guard import Decision, Guard

log = logging.getLogger(__name__)

_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer",
               "transfer-encoding", "upgrade", "expect", "content-length", "host",
               "proxy-authorization", "proxy-authenticate"}
_RESPONSE_DROP = {"connection", "keep-alive", "transfer-encoding", "content-length"}
_MAX_RESPONSE_REWRITE = 64 * 1024 * 1024


class ClientError(Exception):
    """A request the proxy refuses before judging it (status, message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class _Request:
    method: str = ""
    url: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)
    size: int = 0
    upgrade: bool = False
    keep_alive: bool = True


class _RequestReader:
    """httptools callbacks: complete requests are queued in order."""

    def __init__(self, max_body: int, send_continue: Callable[[], None]) -> None:
        self.max_body = max_body
        self.send_continue = send_continue
        self.current = _Request()
        self.done: list[_Request] = []
        self.parser = httptools.HttpRequestParser(self)

    def on_message_begin(self) -> None:
        self.current = _Request()

    def on_url(self, url: bytes) -> None:
        self.current.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.current.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        req = self.current
        req.method = self.parser.get_method().decode("latin-1")
        req.keep_alive = self.parser.should_keep_alive()
        names = [n.lower() for n, _ in req.headers]
        if names.count("content-type") > 1:
            raise ClientError(400, "two Content-Type headers")
        te = [v for n, v in req.headers if n.lower() == "transfer-encoding"]
        if te and (len(te) > 1 or te[0].strip().lower() != "chunked"):
            raise ClientError(400, "only 'Transfer-Encoding: chunked' is accepted")
        length = next((v for n, v in req.headers if n.lower() == "content-length"), None)
        if length is not None and int(length) > self.max_body:
            raise ClientError(413, f"request body over {self.max_body} bytes")
        expect = next((v for n, v in req.headers if n.lower() == "expect"), None)
        if expect is not None:
            if expect.strip().lower() != "100-continue":
                raise ClientError(417, "unsupported Expect")
            self.send_continue()  # the body is read (and judged) before anything is sent

    def on_body(self, chunk: bytes) -> None:
        self.current.size += len(chunk)
        if self.current.size > self.max_body:
            raise ClientError(413, f"request body over {self.max_body} bytes")
        self.current.body.append(chunk)

    def on_message_complete(self) -> None:
        self.done.append(self.current)


class _ResponseReader:
    """httptools callbacks for one upstream response, forwarding as it goes."""

    def __init__(self, on_head: Callable[[int, list[tuple[str, str]]], None],
                 on_body: Callable[[bytes], None], head_only: bool) -> None:
        self.status = 0
        self.headers: list[tuple[str, str]] = []
        self.head_done = False
        self.complete = False
        self._on_head = on_head
        self._on_body = on_body
        self.head_only = head_only
        self.parser = httptools.HttpResponseParser(self)

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.decode("latin-1"), value.decode("latin-1")))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        self.head_done = True
        self._on_head(self.status, self.headers)
        if self.head_only or self.status in (204, 304) or 100 <= self.status < 200:
            self.complete = self.status != 101

    def on_body(self, chunk: bytes) -> None:
        self._on_body(chunk)

    def on_message_complete(self) -> None:
        self.complete = True


def peer_credentials(sock: socket.socket) -> tuple[int, int, int] | None:
    """(pid, uid, gid) of a unix socket's peer (SO_PEERCRED), None elsewhere."""
    if sock.family != socket.AF_UNIX or not hasattr(socket, "SO_PEERCRED"):
        return None
    raw = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, gid = struct.unpack("3i", raw)
    return pid, uid, gid


def peer_common_name(sock: socket.socket) -> str:
    if not isinstance(sock, ssl.SSLSocket):
        return ""
    cert: dict[str, Any] = dict(sock.getpeercert() or {})
    for rdn in cert.get("subject", ()):
        for pair in rdn:
            if pair[0] == "commonName":
                return str(pair[1])
    return ""


class ProxyServer:
    """Listens on a unix socket or a TLS port and forwards to the engine's unix socket."""

    def __init__(self, *, listen: str, upstream: str, guard: Guard, profile: Profile,
                 decision_log: DecisionLog, max_body: int = 4 * 1024 * 1024,
                 tls: ssl.SSLContext | None = None, socket_mode: int = 0o660,
                 idle_timeout: float = 300.0) -> None:
        self.listen = listen
        self.upstream = upstream
        self.guard = guard
        self.profile = profile
        self.log = decision_log
        self.max_body = max_body
        self.tls = tls
        self.socket_mode = socket_mode
        self.idle_timeout = idle_timeout
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self._clients: set[socket.socket] = set()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle

    def bind(self) -> None:
        if self.listen.startswith("unix:"):
            self._listener = unix_listener(self.listen.removeprefix("unix:").removeprefix("//"),
                                           self.socket_mode)
            return
        host, _, port = self.listen.removeprefix("tcp://").rpartition(":")
        family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host.strip("[]"), int(port)))
        listener.listen(128)
        self._listener = listener

    @property
    def address(self) -> Any:
        assert self._listener is not None
        return self._listener.getsockname()

    def serve_forever(self) -> None:
        if self._listener is None:
            self.bind()
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                if self._stop.is_set():
                    break
                raise
            threading.Thread(target=self._client, args=(client,), daemon=True,
                             name="dockward-proxy").start()

    def shutdown(self) -> None:
        self._stop.set()
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                self._listener.close()
            if self.listen.startswith("unix:"):
                with contextlib.suppress(OSError):
                    os.unlink(self.listen.removeprefix("unix:").removeprefix("//"))
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)

    # ------------------------------------------------------------------ one client

    def _client(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            if self.tls is not None:
                client.settimeout(30)
                client = self.tls.wrap_socket(client, server_side=True)
            client.settimeout(self.idle_timeout)
            with self._lock:
                self._clients.add(client)
            creds = peer_credentials(client)
            who = RawRequest("", "", mode="proxy", user=peer_common_name(client),
                             peer_uid=creds[1] if creds else None,
                             peer_gid=creds[2] if creds else None)
            reader = _RequestReader(self.max_body, lambda: client.sendall(
                b"HTTP/1.1 100 Continue\r\n\r\n"))
            while True:
                data = client.recv(65536)
                if not data:
                    return
                leftover = b""
                try:
                    reader.parser.feed_data(data)
                except httptools.HttpParserUpgrade as upgrade:
                    leftover = data[upgrade.args[0]:] if upgrade.args else b""
                    reader.current.upgrade = True
                    if reader.current not in reader.done:
                        reader.done.append(reader.current)
                except ClientError as exc:
                    self._refuse(client, exc.status, exc.message)
                    return
                except httptools.HttpParserError as exc:
                    cause = exc.__cause__ or exc.__context__
                    if isinstance(cause, ClientError):  # raised in a parser callback
                        self._refuse(client, cause.status, cause.message)
                    else:
                        self._refuse(client, 400, f"malformed request: {exc}")
                    return
                while reader.done:
                    request = reader.done.pop(0)
                    upstream, keep = self._handle(client, who, request, upstream, leftover)
                    if not keep:
                        return
        except (OSError, ssl.SSLError, ValueError):
            return
        finally:
            with self._lock:
                self._clients.discard(client)
            for sock in (client, upstream):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()

    def _refuse(self, client: socket.socket, status: int, message: str,
                keep: bool = False) -> None:
        body = json.dumps({"message": message}).encode()
        reason = {400: "Bad Request", 403: "Forbidden", 413: "Payload Too Large",
                  417: "Expectation Failed", 502: "Bad Gateway"}.get(status, "Error")
        head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n"
                f"{'' if keep else 'Connection: close' + chr(13) + chr(10)}\r\n").encode()
        with contextlib.suppress(OSError):
            client.sendall(head + body)

    def _handle(self, client: socket.socket, who: RawRequest, request: _Request,
                upstream: socket.socket | None, leftover: bytes
                ) -> tuple[socket.socket | None, bool]:
        uri = request.url.decode("latin-1")
        body = b"".join(request.body)
        headers: dict[str, str] = {}
        for name, value in request.headers:
            headers.setdefault(name, value)  # Go's Header.Get: the first value
        raw = RawRequest(request.method, uri, headers, body or None, user=who.user,
                         mode="proxy", peer_uid=who.peer_uid, peer_gid=who.peer_gid)
        target = parse_target(request.method, uri)
        route = target.route
        if route is None or not self.profile.allows(route.name):
            what = target.template if route else f"{request.method} {target.path or uri}"
            message = (f"authorization denied by dockward guard proxy: {what} is not "
                       f"allowed by profile {self.profile.name}")
            self._account(raw, Decision(False, message, None, route=target.route_name),
                          None)
            keep = request.keep_alive and not request.upgrade
            self._refuse(client, 403, message, keep=keep)
            return upstream, keep
        if request.upgrade and not route.hijack:
            self._account(raw, Decision(False, "upgrade on a route that does not hijack",
                                        None, route=route.name), None)
            self._refuse(client, 400, "connection upgrade is only allowed on attach/exec")
            return upstream, False
        decision = self.guard.decide(raw)
        if not decision.allow:
            message = f"authorization denied by dockward guard proxy: {decision.message}"
            self._account(raw, decision, None)
            keep = request.keep_alive and not request.upgrade
            self._refuse(client, 403, message, keep=keep)
            return upstream, keep
        record = self._account(raw, decision, "pending")
        if upstream is None:
            upstream = self._connect()
            if upstream is None:
                self._complete(record, 502)
                self._refuse(client, 502, f"cannot reach the engine at {self.upstream}")
                return None, False
        head = self._upstream_head(request, uri, headers, body, route.hijack)
        try:
            upstream.sendall(head + body)
        except OSError:
            upstream.close()
            upstream = self._connect()
            if upstream is None:
                self._complete(record, 502)
                self._refuse(client, 502, f"cannot reach the engine at {self.upstream}")
                return None, False
            upstream.sendall(head + body)
        redact = self.profile.redact_env and route.name in REDACTED_ROUTES
        status, keep_upstream, upgraded = self._relay(client, upstream, request, redact)
        self._complete(record, status)
        if upgraded:
            self._pipe(client, upstream, leftover)
            return None, False
        if not keep_upstream:
            upstream.close()
            upstream = None
        return upstream, request.keep_alive

    def _connect(self) -> socket.socket | None:
        path = self.upstream.removeprefix("unix:").removeprefix("//")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
        except OSError:
            sock.close()
            return None
        return sock

    @staticmethod
    def _upstream_head(request: _Request, uri: str, headers: dict[str, str], body: bytes,
                       hijack: bool) -> bytes:
        lines = [f"{request.method} {uri} HTTP/1.1", "Host: docker"]
        for name, value in request.headers:
            if name.lower() not in _HOP_BY_HOP:
                lines.append(f"{name}: {value}")
        if body or request.method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(body)}")
        if hijack and request.upgrade:
            lines += ["Connection: Upgrade", "Upgrade: tcp"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _relay(self, client: socket.socket, upstream: socket.socket, request: _Request,
               redact: bool) -> tuple[int, bool, bool]:
        """Copy one response; returns (status, upstream reusable, upgraded)."""
        state: dict[str, Any] = {"chunked": False, "buffer": [], "size": 0}

        def on_head(status: int, headers: list[tuple[str, str]]) -> None:
            state["status"] = status
            if status == 101:
                lines = [f"HTTP/1.1 101 {'UPGRADED'}"] + [f"{n}: {v}" for n, v in headers]
                client.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
                return
            if redact and status == 200:
                state["headers"] = headers
                return
            has_length = any(n.lower() == "content-length" for n, _ in headers)
            lines = [f"HTTP/1.1 {status} {_reason(status)}"]
            for name, value in headers:
                if name.lower() not in _RESPONSE_DROP or (
                        name.lower() == "content-length"):
                    lines.append(f"{name}: {value}")
            if not has_length and request.method != "HEAD" and status not in (204, 304):
                lines.append("Transfer-Encoding: chunked")
                state["chunked"] = True
            client.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

        def on_body(chunk: bytes) -> None:
            if "headers" in state:
                state["size"] += len(chunk)
                if state["size"] > _MAX_RESPONSE_REWRITE:
                    raise OSError("response too large to redact")
                state["buffer"].append(chunk)
            elif state["chunked"]:
                client.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            else:
                client.sendall(chunk)

        reader = _ResponseReader(on_head, on_body, head_only=request.method == "HEAD")
        while not reader.complete:
            data = upstream.recv(65536)
            if not data:
                break
            try:
                reader.parser.feed_data(data)
            except httptools.HttpParserUpgrade as upgrade:
                rest = data[upgrade.args[0]:] if upgrade.args else b""
                if rest:
                    client.sendall(rest)
                return 101, False, True
            if reader.head_done and reader.status == 101:
                return 101, False, True
        status = int(state.get("status", 502))
        if "headers" in state:
            self._send_redacted(client, state["headers"], b"".join(state["buffer"]))
        elif state["chunked"]:
            client.sendall(b"0\r\n\r\n")
        return status, reader.complete and reader.parser.should_keep_alive(), False

    def _send_redacted(self, client: socket.socket, headers: list[tuple[str, str]],
                       body: bytes) -> None:
        try:
            document, count = redact_env(json.loads(body))
            out = json.dumps(document).encode()
        except ValueError:
            out = body
            count = 0
        lines = ["HTTP/1.1 200 OK"]
        for name, value in headers:
            if name.lower() not in _RESPONSE_DROP:
                lines.append(f"{name}: {value}")
        lines.append(f"Content-Length: {len(out)}")
        if count:
            lines.append(f"X-Dockward-Redacted: {count}")
        client.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + out)

    @staticmethod
    def _pipe(client: socket.socket, upstream: socket.socket, leftover: bytes) -> None:
        """Copy an upgraded (attach/exec) stream both ways until one side closes."""
        if leftover:
            upstream.sendall(leftover)

        def copy(src: socket.socket, dst: socket.socket) -> None:
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

        client.settimeout(None)
        other = threading.Thread(target=copy, args=(client, upstream), daemon=True)
        other.start()
        copy(upstream, client)
        other.join()

    # ------------------------------------------------------------------ accounting

    def _account(self, raw: RawRequest, decision: Decision, pending: str | None
                 ) -> dict[str, Any] | None:
        if not self.log.enabled:
            return None
        from dockward.guard.authz import decision_record

        record = decision_record(raw, decision, self.log.new_id())
        record["profile"] = self.profile.name
        if pending is None:
            self.log.decided(record)
            return None
        self.log.decided(record, key=("proxy", record["id"]))
        return record

    def _complete(self, record: dict[str, Any] | None, status: int) -> None:
        if record is not None:
            self.log.responded(("proxy", record["id"]), status)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Status"
