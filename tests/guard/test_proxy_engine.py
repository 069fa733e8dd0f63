"""``dockward guard proxy`` in front of a real dockerd: profiles, strict HTTP, identities.

The engine has no authorization plugin: the proxy alone decides, and what it forwards is
what the daemon runs.  Clients are the real docker CLI and raw sockets.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from tests.guard.helpers import raw_request
from tests.guard.proxy_helpers import proxy_for
from tests.guard.tls import make_pki

pytestmark = [pytest.mark.engine, pytest.mark.slow]

PROXY_DENIED = "authorization denied by dockward guard proxy"


@pytest.fixture
def secret_container(engine: Any) -> str:
    """A container whose environment holds a secret (created directly on the engine)."""
    return engine.docker("run", "-d", "--name", "app", "-e", "DB_PASSWORD=hunter2-very-secret",
                         "-e", "MODE=prod", "busybox:dw", "sleep", "60").stdout.strip()


def test_read_only_profile_allows_reads_and_redacts_env(engine: Any, tmp_path: Path,
                                                        secret_container: str) -> None:
    with proxy_for(engine, tmp_path) as proxy:
        assert proxy.docker("version").returncode == 0
        ps = proxy.docker("ps", "--format", "{{.Names}}")
        assert ps.returncode == 0 and ps.stdout.split() == ["app"], ps.stderr
        inspect = proxy.docker("inspect", "app")
        assert inspect.returncode == 0, inspect.stderr
        env = json.loads(inspect.stdout)[0]["Config"]["Env"]
        assert "DB_PASSWORD=<redacted>" in env and "MODE=<redacted>" in env
        assert "hunter2" not in inspect.stdout
        for args, route in ((["run", "--rm", "busybox:dw", "true"], "POST /containers/create"),
                            (["logs", "app"], "GET /containers/{name}/logs"),
                            (["exec", "app", "true"], "POST /containers/{name}/exec"),
                            (["stop", "app"], "POST /containers/{name}/stop")):
            result = proxy.docker(*args)
            assert result.returncode != 0
            assert f"{PROXY_DENIED}: {route} is not allowed by profile read-only" in \
                result.stderr, result.stderr
        record = proxy.wait_decision(lambda r: r["route"] == "GET /containers/{name}/json")
        assert record["decision"] == "allow" and record["status"] == 200
        assert record["mode"] == "proxy" and record["user"] == "uid=0"
        assert record["uid"] == 0 and record["gid"] == 0
        assert record["profile"] == "read-only"
    assert engine.docker("inspect", "-f", "{{.State.Running}}", "app").stdout.strip() == "true"


@pytest.mark.parametrize(("method", "target"), [
    ("GET", "/v1.41/containers/app/attach/ws?stream=1&stdin=1"),  # R1: stdin through a GET
    ("GET", "/v1.41/containers/app/archive?path=/etc/shadow"),  # R2
    ("HEAD", "/v1.41/containers/app/archive?path=/etc/shadow"),
    ("GET", "/v1.41/containers/app/export"),  # R3
    ("GET", "/v1.41/images/get?names=busybox:dw"),
    ("GET", "/v1.41/images/busybox:dw/get"),
    ("GET", "/v1.41/swarm/unlockkey"),  # R5
    ("GET", "/v1.41/swarm"),
    ("GET", "/v1.41/configs/abc"),
    ("GET", "/v1.41/containers/app/logs?stdout=1"),
    ("GET", "/debug/pprof/"),
])
def test_r_read_only_is_really_read_only(engine: Any, tmp_path: Path, secret_container: str,
                                         method: str, target: str) -> None:
    with proxy_for(engine, tmp_path) as proxy:
        status, body = raw_request(proxy.socket_path, method, target,
                                   headers={"Upgrade": "websocket", "Connection": "Upgrade"}
                                   if "attach/ws" in target else None)
        assert status == 403, (status, body)
        if method != "HEAD":
            assert b"is not allowed by profile read-only" in body


def test_allow_adds_one_route(engine: Any, tmp_path: Path, secret_container: str) -> None:
    with proxy_for(engine, tmp_path, "--allow", "container-logs") as proxy:
        assert proxy.docker("logs", "app").returncode == 0
        assert "is not allowed" in proxy.docker("exec", "app", "true").stderr


def test_containers_profile_runs_hardened_and_denies_escapes(engine: Any,
                                                             tmp_path: Path) -> None:
    with proxy_for(engine, tmp_path, "--profile", "containers") as proxy:
        run = proxy.docker("run", "--rm", "busybox:dw", "echo", "through the proxy")
        assert run.returncode == 0 and run.stdout.strip() == "through the proxy", run.stderr
        for args, words in (
                (["run", "--rm", "-v", "/:/psm", "busybox:dw", "true"],
                 "DW202 mounts host / writable at /psm"),
                (["create", "--privileged", "busybox:dw"], "DW101 runs privileged"),
                (["run", "--rm", "-v", "/var/run/docker.sock:/s", "busybox:dw", "true"],
                 "DW201 mounts the Docker socket"),
                (["run", "--rm", "--pid", "host", "busybox:dw", "true"], "DW104"),
                (["run", "--rm", "--cap-add", "SYS_ADMIN", "busybox:dw", "true"], "DW102"),
                (["run", "--rm", "--security-opt", "seccomp=unconfined", "busybox:dw",
                  "true"], "DW109")):
            result = proxy.docker(*args)
            assert f"{PROXY_DENIED}: {words}" in result.stderr, (args, result.stderr)
    assert engine.container_ids() == []


def _send(path: str, data: bytes, timeout: float = 10.0) -> bytes:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(path)
    sock.sendall(data)
    sock.shutdown(socket.SHUT_WR)  # no more requests: the proxy answers, then closes
    out = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            out += chunk
    except TimeoutError:
        pass
    sock.close()
    return out


def _statuses(response: bytes) -> list[int]:
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", response)]


@pytest.fixture(scope="module")
def strict_proxy(docker_engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One containers-profile proxy for the whole strict-HTTP matrix."""
    with proxy_for(docker_engine, tmp_path_factory.mktemp("strict"), "--profile",
                   "containers") as proxy:
        yield proxy.socket_path


PRIV = json.dumps({"Image": "busybox:dw", "HostConfig": {"Privileged": True}}).encode()


@pytest.mark.parametrize(("raw", "expected"), [
    (b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json"
     b"\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(PRIV)
     + PRIV + b"\r\n0\r\n\r\n", [400]),  # F8: CL + TE
    (b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json"
     b"\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n" + PRIV, [400]),  # F8: two CLs
    (b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json"
     b"\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(PRIV) + PRIV,
     [400]),  # two Content-Types
    (b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nTransfer-Encoding: gzip, chunked"
     b"\r\n\r\n0\r\n\r\n", [400]),
    (b"get /v1.41/containers/json HTTP/1.1\r\nHost: d\r\n\r\n", [400]),  # U9
    (b"GET /v1.41/containers/json HTTP/1.1\nHost: d\n\n", [400]),  # bare LF
    (b"GET /v1.41/containers/json HTTP/1.1\r\nHost: d\r\nX: a\r\n b\r\n\r\n", [400]),  # fold
    (b"GET http://docker/v1.41/containers/json HTTP/1.1\r\nHost: d\r\n\r\n", [403]),  # U
    (b"GET /v1.41//containers/json HTTP/1.1\r\nHost: d\r\n\r\n", [403]),  # U7
    (b"GET /v1.41/containers/../containers/json HTTP/1.1\r\nHost: d\r\n\r\n", [403]),
    (b"GET /v1.41/containers%2F..%2Fcontainers/json HTTP/1.1\r\nHost: d\r\n\r\n", [403]),
    (b"GET /V1.41/containers/json HTTP/1.1\r\nHost: d\r\n\r\n", [403]),  # U8
    (b"HEAD /v1.41/containers/json HTTP/1.1\r\nHost: d\r\n\r\n", [403]),  # U9: HEAD on GET
    # F3: a zero-length POST carrying a second request: that one is parsed and judged
    (b"POST /v1.41/containers/nosuch/stop HTTP/1.1\r\nHost: d\r\nContent-Length: 0\r\n\r\n"
     b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json"
     b"\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(PRIV) + PRIV, [404, 403]),
    # F12: Expect 100-continue: the body is read and judged before anything goes upstream
    (b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json"
     b"\r\nExpect: 100-continue\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
     % len(PRIV) + PRIV, [100, 403]),
    # F6: over the proxy's body limit
    (b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json"
     b"\r\nContent-Length: 5000000\r\n\r\n{", [413]),
    # F1: chunked privileged create is read whole and judged
    (b"POST /v1.41/containers/create HTTP/1.1\r\nHost: d\r\nContent-Type: application/json"
     b"\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
     + b"".join(b"%x\r\n%s\r\n" % (len(PRIV[i:i + 9]), PRIV[i:i + 9])
                for i in range(0, len(PRIV), 9)) + b"0\r\n\r\n", [403]),
], ids=["cl-te", "two-cl", "two-ct", "te-gzip", "lower-method", "bare-lf", "obs-fold",
        "absolute", "double-slash", "dot-dot", "encoded-dot-dot", "upper-version",
        "head-on-get", "smuggled", "expect-continue", "oversize", "chunked"])
def test_strict_http(engine: Any, strict_proxy: str, raw: bytes, expected: list[int]) -> None:
    response = _send(strict_proxy, raw)
    assert _statuses(response) == expected, response[:600]
    assert engine.container_ids() == []


def _request_as(uid: int, path: str, body: bytes) -> int:
    """The status of a create sent by a forked child running as ``uid``."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: drop to uid, send, report the status, exit
        status = 0
        try:
            os.setgid(uid)
            os.setuid(uid)
            status = raw_request(path, "POST", "/v1.41/containers/create", body,
                                 {"Content-Type": "application/json"})[0]
        finally:
            os.write(write_end, str(status).encode())
            os._exit(0)
    os.close(write_end)
    os.waitpid(pid, 0)
    with os.fdopen(read_end) as fh:
        return int(fh.read() or 0)


def test_unix_peer_uid_reaches_the_policy(engine: Any) -> None:
    policy = ('[[exceptions]]\nname = "nobody may use the host network"\nuid = 65534\n'
              'rules = ["DW105"]\n')
    body = json.dumps({"Image": "busybox:dw", "HostConfig": {"NetworkMode": "host"}}).encode()
    tmp = Path(tempfile.mkdtemp(prefix="dwproxy-"))  # pytest's tmp is closed to uid 65534
    os.chmod(tmp, 0o755)
    with proxy_for(engine, tmp, "--profile", "containers", "--socket-mode", "666",
                   policy=policy) as proxy:
        assert _request_as(65534, proxy.socket_path, body) == 201
        status, text = raw_request(proxy.socket_path, "POST", "/v1.41/containers/create",
                                   body, {"Content-Type": "application/json"})
        assert status == 403 and b"DW105" in text
        allowed = proxy.wait_decision(lambda r: r["decision"] == "allow"
                                      and r["route"] == "POST /containers/create")
        assert allowed["uid"] == 65534 and allowed["user"] == "uid=65534"
        assert allowed["waived"] == ["DW105 by 'nobody may use the host network'"]
        assert allowed["status"] == 201
    shutil.rmtree(tmp, ignore_errors=True)


def test_tcp_listener_requires_client_certificates(engine: Any, tmp_path: Path) -> None:
    pki = make_pki(tmp_path / "pki")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    listen = f"tcp://127.0.0.1:{port}"
    tls = ("--tlsverify", f"--tlscacert={pki}/ca.pem", f"--tlscert={pki}/ci.pem",
           f"--tlskey={pki}/ci-key.pem")
    with proxy_for(engine, tmp_path / "p", "--tls-cert", f"{pki}/server.pem", "--tls-key",
                   f"{pki}/server-key.pem", "--tls-ca", f"{pki}/ca.pem",
                   listen=listen) as proxy:
        ok = proxy.docker("ps", tls=tls, host=f"tcp://127.0.0.1:{port}")
        assert ok.returncode == 0, ok.stderr
        no_cert = proxy.docker("ps", tls=("--tls", f"--tlscacert={pki}/ca.pem"),
                               host=f"tcp://127.0.0.1:{port}")
        assert no_cert.returncode != 0
        record = proxy.wait_decision(lambda r: r["route"] == "GET /containers/json")
        assert record["user"] == "ci"


def test_tcp_without_tls_is_refused(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "dockward", "guard", "proxy", "--listen",
                             "tcp://127.0.0.1:0", "--upstream", "unix:/nonexistent"],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2 and "needs mutual TLS" in result.stderr


def test_proxy_is_reused_by_keep_alive_clients(engine: Any, tmp_path: Path) -> None:
    with proxy_for(engine, tmp_path) as proxy:
        request = b"GET /v1.41/_ping HTTP/1.1\r\nHost: d\r\n\r\n"
        response = _send(proxy.socket_path, request * 3
                         + b"GET /v1.41/version HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
    assert _statuses(response) == [200, 200, 200, 200]
    assert response.count(b"OK") >= 3




def test_streamed_events_pass_through_the_read_only_proxy(engine: Any, tmp_path: Path) -> None:
    engine.docker("create", "--name", "evt", "busybox:dw", "true")
    time.sleep(1.1)  # --until is in whole seconds
    with proxy_for(engine, tmp_path) as proxy:
        result = proxy.docker("events", "--since", "0", "--until", "0s", "--format",
                              "{{.Action}} {{.Actor.Attributes.name}}")
    assert result.returncode == 0, result.stderr
    assert "create evt" in result.stdout
