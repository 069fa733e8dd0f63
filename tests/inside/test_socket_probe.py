"""socket_probe against small fake runtime sockets (the real Docker API: test_engine_inside)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from dockward.inside import socket_probe

VERSION = {"Platform": {"Name": "Docker Engine - Community"}, "Version": "27.3.1",
           "ApiVersion": "1.47", "MinAPIVersion": "1.24", "Os": "linux", "Arch": "amd64",
           "KernelVersion": "6.8.0", "Components": [{"Name": "Engine"}, {"Name": "containerd"}]}


class FakeServer:
    """A unix-socket server that records request lines and answers with ``respond``."""

    def __init__(self, path: Path, respond: Callable[[str], bytes]) -> None:
        self.path = str(path)
        self.requests: list[str] = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(8)
        self.respond = respond
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                except OSError:
                    continue
                line = data.split(b"\r\n", 1)[0].decode()
                if line:
                    self.requests.append(line)
                    conn.sendall(self.respond(line))

    def close(self) -> None:
        self.sock.close()


def docker_like(line: str) -> bytes:
    path = line.split()[1]
    if path == "/_ping":
        return (b"HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nServer: Docker/27.3.1 (linux)\r\n"
                b"Content-Length: 2\r\n\r\nOK")
    body = json.dumps(VERSION).encode()
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
            + f"{len(body[:40]):x}\r\n".encode() + body[:40] + b"\r\n"
            + f"{len(body[40:]):x}\r\n".encode() + body[40:] + b"\r\n0\r\n\r\n")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Callable[..., FakeServer]]:
    made: list[FakeServer] = []

    def make(name: str, respond: Callable[[str], bytes]) -> FakeServer:
        s = FakeServer(tmp_path / name, respond)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def test_docker_socket_answers(server: Callable[..., FakeServer]) -> None:
    srv = server("docker.sock", docker_like)
    result = socket_probe.probe_unix_socket(srv.path)
    assert result["runtime"] == "docker" and result["protocol"] == "http"
    assert result["connectable"] is True and result["answers"] is True
    assert result["ping"] == {"status": 200, "body": "OK", "api_version": "1.47",
                              "server": "Docker/27.3.1 (linux)"}
    assert result["version"] == {"version": "27.3.1", "api_version": "1.47",
                                 "min_api_version": "1.24", "os": "linux", "arch": "amd64",
                                 "kernel": "6.8.0", "platform": "Docker Engine - Community",
                                 "components": ["Engine", "containerd"]}
    # read-only: only the two GETs, nothing else
    assert srv.requests == ["GET /_ping HTTP/1.1", "GET /version HTTP/1.1"]


def test_renamed_socket_is_tried_as_http(server: Callable[..., FakeServer]) -> None:
    srv = server("engine", docker_like)
    result = socket_probe.probe_unix_socket(srv.path)
    assert result["runtime"] == "unknown" and result["answers"] is True


def test_something_else_listening_does_not_answer(server: Callable[..., FakeServer]) -> None:
    srv = server("docker.sock", lambda line: b"HTTP/1.1 404 Not Found\r\n\r\nnope")
    result = socket_probe.probe_unix_socket(srv.path)
    assert result["connectable"] is True and result["answers"] is False
    assert result["version"] is None and srv.requests == ["GET /_ping HTTP/1.1"]


def test_grpc_socket_is_only_connected_to(server: Callable[..., FakeServer]) -> None:
    srv = server("containerd.sock", lambda line: b"")
    result = socket_probe.probe_unix_socket(srv.path)
    assert result["runtime"] == "containerd" and result["protocol"] == "grpc"
    assert result["connectable"] is True and result["answers"] is False
    assert srv.requests == []


def test_missing_socket(tmp_path: Path) -> None:
    result = socket_probe.probe_unix_socket(str(tmp_path / "docker.sock"))
    assert result["connectable"] is False
    assert result["error"] == "No such file or directory"


def test_silent_server_times_out(tmp_path: Path) -> None:
    path = str(tmp_path / "docker.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    sock.listen(1)  # accepts in the kernel, never answers
    try:
        result = socket_probe.probe_unix_socket(path, timeout=0.2)
    finally:
        sock.close()
    assert result["connectable"] is True and result["answers"] is False


def test_tcp_endpoint() -> None:
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    port = srv.getsockname()[1]

    def serve() -> None:
        for _ in range(3):  # a bare connect, then /_ping and /version
            conn, _ = srv.accept()
            with conn:
                line = conn.recv(4096).split(b"\r\n", 1)[0].decode()
                if line:
                    conn.sendall(docker_like(line))

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        result = socket_probe.probe_tcp("127.0.0.1", port)
    finally:
        srv.close()
    assert result["address"] == f"tcp://127.0.0.1:{port}"
    assert result["answers"] is True


def test_parse_http_response_edge_cases() -> None:
    assert socket_probe.parse_http_response(b"")["status"] == 0
    r = socket_probe.parse_http_response(b"HTTP/1.0 200 OK\r\nX-A: b\r\n\r\nbody")
    assert r == {"status": 200, "headers": {"x-a": "b"}, "body": "body"}
    truncated = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"
    assert socket_probe.parse_http_response(truncated)["body"] == "ab"
