"""Endpoints that misbehave: an endless response, a slow drip, credentials in the URL.

The misbehaving endpoints are small HTTP servers on unix sockets (a broken proxy, a wrong
socket), not stand-ins for dockerd: the real engine in the same audit must be audited in
full while they fail on their own.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dockward.cli.app import app
from dockward.reporters import FORMATS
from tests.engine.harness import (
    BUSYBOX_TAG,
    EngineUnavailable,
    PrivateEngine,
    engine_unavailable_reason,
    skip_or_fail,
)

VERSION = json.dumps({"ApiVersion": "1.41", "Version": "20.10.24"}).encode()


class HostileEndpoint:
    """Answers ``/version`` like an engine, then misbehaves on every other path:
    ``endless`` streams a JSON body that never ends, ``drip`` sends a byte every 0.2 s."""

    def __init__(self, folder: Path, mode: str) -> None:
        self.path = str(folder / "hostile.sock")
        self.mode = mode
        self.sent = 0
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(self.path)
        self.server.listen(8)
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"unix://{self.path}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError), conn:
            while not self.stop.is_set():
                request = b""
                while b"\r\n\r\n" not in request:
                    data = conn.recv(65536)
                    if not data:
                        return
                    request += data
                path = request.split(b" ", 2)[1]
                if path.startswith(b"/version"):
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (len(VERSION), VERSION))
                    continue
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Transfer-Encoding: chunked\r\n\r\n")
                chunk = b'"' + b"a" * 65536 if self.mode == "endless" else b" "
                opening = b'{"x": ['
                conn.sendall(b"%x\r\n%s\r\n" % (len(opening), opening))
                deadline = time.monotonic() + 60  # bounded: the test never needs more
                while not self.stop.is_set() and time.monotonic() < deadline:
                    conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    self.sent += len(chunk)
                    if self.mode == "drip":
                        time.sleep(0.2)
                return

    def close(self) -> None:
        self.stop.set()
        self.server.close()


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[Callable[[str], HostileEndpoint]]:
    made: list[HostileEndpoint] = []

    def factory(mode: str) -> HostileEndpoint:
        folder = tmp_path / f"h{len(made)}"
        folder.mkdir()
        made.append(HostileEndpoint(folder, mode))
        return made[-1]

    yield factory
    for endpoint in made:
        endpoint.close()


def audit(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["audit", *args, "-f", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_endless_response_is_cut_at_the_cap_and_the_other_host_goes_on(
        engine: PrivateEngine, hostile: Callable[[str], HostileEndpoint]) -> None:
    bad = hostile("endless")
    engine.run_container("--name", "cap-sock", "-v",
                         f"{engine.socket_path}:/var/run/docker.sock", BUSYBOX_TAG, "sleep", "1d")
    code, report = audit("-H", bad.url, "-H", engine.base_url, "--max-response-mb", "2",
                         "--select", "DW201")
    assert code == 1
    assert report["errors"] == [
        f"hostile ({bad.url}): cannot audit: GET /v1.41/info: response larger than the 2 MiB "
        "limit; skipped"]
    assert bad.sent < 8 * 1024 * 1024  # stopped reading soon after the cap
    assert [f["subject"] for f in report["findings"]] == [
        f"{report['subjects'][1]['host']}/cap-sock"]


def test_slow_drip_hits_the_host_timeout_without_holding_up_the_others(
        engine: PrivateEngine, hostile: Callable[[str], HostileEndpoint]) -> None:
    slow = hostile("drip")
    started = time.monotonic()
    _code, report = audit("-H", slow.url, "-H", engine.base_url, "--host-timeout", "2",
                         "--select", "DW6")
    elapsed = time.monotonic() - started
    assert elapsed < 15  # the drip would go on for 60 s
    [error] = report["errors"]
    assert error == (f"hostile ({slow.url}): timed out after 2 s while listing (per-host timeout);"
                     " the audit of this host is incomplete")
    assert report["summary"]["hosts_audited"] == 1
    assert [s["reachable"] for s in report["subjects"]] == [False, True]


def test_hosts_file_timeout_applies_to_its_host_only(
        engine: PrivateEngine, hostile: Callable[[str], HostileEndpoint], tmp_path: Path) -> None:
    slow = hostile("drip")
    inventory = tmp_path / "hosts"
    inventory.write_text(f"{slow.url} timeout=1 label=slow\n{engine.base_url} label=fine\n")
    _code, report = audit("--hosts-file", str(inventory), "--host-workers", "1",
                         "--select", "DW6")
    assert report["errors"] == [f"slow ({slow.url}): timed out after 1 s while listing "
                                "(per-host timeout); the audit of this host is incomplete"]
    assert [(s["host"], s["reachable"]) for s in report["subjects"]] == [
        ("slow", False), ("fine", True)]


@pytest.fixture(scope="module")
def tcp_engine() -> Iterator[PrivateEngine]:
    reason = engine_unavailable_reason()
    if reason:
        skip_or_fail(reason)
    eng = PrivateEngine(tcp=True)
    try:
        eng.start()
    except EngineUnavailable as exc:
        eng.stop()
        skip_or_fail(str(exc))
    yield eng
    eng.stop()


# formats that list the audit's errors (csv, junit and github carry findings only)
SHOWS_ERRORS = {"json", "text", "html", "markdown", "sarif"}


@pytest.mark.engine
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_credentials_in_host_urls_are_never_printed(
        tcp_engine: PrivateEngine, fmt: str, tmp_path: Path) -> None:
    """``-H tcp://admin:PASSWORD@...`` and ``?token=``: errors and the host's URL show
    ``admin:***@`` and ``token=***`` in every output format (issue 17: they were printed
    twice).  The Engine API client takes no credentials in tcp:// URLs, so such a host is
    an error that says so; a second, plain TCP engine gives the report its findings."""
    eng = tcp_engine
    assert eng.tcp_url is not None
    with_password = eng.tcp_url.replace("tcp://", "tcp://admin:Sup3rSecretPw@")
    with_token = "tcp://127.0.0.1:1/?token=Tok3nValue99"
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(app, ["audit", "-H", with_password, "-H", with_token,
                                      "-H", eng.tcp_url, "-f", fmt, "-o", str(out),
                                      "--select", "DW601"])
    text = out.read_text(encoding="utf-8") + result.stdout + result.stderr
    assert result.exit_code == 1, text
    assert "Sup3rSecretPw" not in text and "Tok3nValue99" not in text
    if fmt in SHOWS_ERRORS:
        shown = text.replace("\\*", "*")  # markdown escapes the stars
        assert "admin:***@127.0.0.1:" in shown and "token=***" in shown
    if fmt == "json":
        report = json.loads(out.read_text())
        port = eng.tcp_url.rsplit(":", 1)[1]
        assert report["errors"] == [
            f"127.0.0.1:{port} (tcp://admin:***@127.0.0.1:{port}): cannot audit: user names "
            "and passwords in tcp:// URLs are not supported by the Engine API client (nor by "
            "the docker CLI): use TLS client certificates or ssh://",
            "127.0.0.1:1 (tcp://127.0.0.1:1/?token=***): cannot audit: Invalid bind address "
            "format: tcp://127.0.0.1:1/?token=***"]
        assert [f["code"] for f in report["findings"]] == ["DW601"]


def test_a_bad_hosts_file_line_is_a_usage_error(tmp_path: Path) -> None:
    inventory = tmp_path / "hosts"
    inventory.write_text("# fleet\nunix:///run/a.sock\ntcp://db:2376 tls=certs\n")
    result = CliRunner().invoke(app, ["audit", "--hosts-file", str(inventory)])
    assert result.exit_code == 2
    assert f"{inventory}:3: unknown option 'tls=certs'" in result.stderr
    assert "Traceback" not in result.stderr
