"""A private dockerd behind a real ``dockward guard plugin`` process, and raw API requests.

dockerd finds ``--authorization-plugin=NAME`` as ``/run/docker/plugins/NAME.sock`` or
through a spec file ``/etc/docker/plugins/NAME.spec`` holding the socket's URL.  Every
guarded engine gets a unique plugin name (``dwguard-<pid>-<random>``) and a spec file
pointing at a socket in its own temp dir, so concurrent test runs on one machine cannot
meet; the spec file is removed afterwards.  The daemon also listens on a second socket in
that dir (``engine.sock``), which the guard uses for its lookups.

A run that was killed leaves its spec file behind, and that is not harmless: dockerd
tries every spec file it finds when it lists volume drivers (``GET /volumes``), retrying
a dead socket for about 15 s each time.  Spec files of ours whose test process is
gone and whose socket no longer answers are therefore removed before a guarded engine
starts.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SPEC_DIR = Path("/etc/docker/plugins")


def remove_stale_specs() -> list[Path]:
    """Delete ``dwguard-*.spec`` files whose plugin socket is gone; returns them."""
    removed: list[Path] = []
    for spec in SPEC_DIR.glob("dwguard-*.spec"):
        try:
            url = spec.read_text().strip()
        except OSError:
            continue
        if (url.startswith("unix://") and not _owner_alive(spec.stem)
                and not _answers(url[len("unix://"):])):
            with contextlib.suppress(FileNotFoundError):
                spec.unlink()
                removed.append(spec)
    return removed


def _owner_alive(name: str) -> bool:
    """Whether the test process in ``dwguard-<pid>-<random>`` still runs (a live run may
    have killed its plugin on purpose, to test failing closed)."""
    parts = name.split("-")
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        pass
    return True


def _answers(socket_path: str) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(2)
        try:
            sock.connect(socket_path)
        except OSError:
            return False
    return True


@dataclass
class GuardedEngine:
    engine: Any  # tests.engine.harness.PrivateEngine
    plugin: subprocess.Popen[bytes]
    name: str
    tmp: Path
    plugin_args: list[str]

    @property
    def guard_socket(self) -> str:
        return str(self.tmp / "guard.sock")

    @property
    def log_path(self) -> Path:
        return self.tmp / "decisions.jsonl"

    def decisions(self) -> list[dict[str, Any]]:
        return read_decisions(self.log_path)

    def wait_decision(self, predicate: Callable[[dict[str, Any]], bool],
                      timeout: float = 8.0) -> dict[str, Any]:
        return wait_decision(self.log_path, predicate, timeout)

    def docker(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return self.engine.docker(*args, check=check, timeout=60)

    def raw(self, method: str, target: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 30.0) -> tuple[int, bytes]:
        return raw_request(self.engine.socket_path, method, target, body, headers, timeout)

    def kill_plugin(self) -> None:
        self.plugin.send_signal(signal.SIGKILL)
        self.plugin.wait(timeout=10)

    def start_plugin(self) -> None:
        self.plugin = _start_plugin(self.plugin_args, self.guard_socket)


def read_decisions(path: Path) -> list[dict[str, Any]]:
    """The decision log's records (JSON lines)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def wait_decision(path: Path, predicate: Callable[[dict[str, Any]], bool],
                  timeout: float = 8.0) -> dict[str, Any]:
    """The first record matching ``predicate`` (lines of allowed requests are batched)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for record in read_decisions(path):
            if predicate(record):
                return record
        time.sleep(0.1)
    raise AssertionError(f"no matching decision in {read_decisions(path)[-5:]}")


def raw_request(socket_path: str, method: str, target: str, body: bytes | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30.0,
                raw: bytes | None = None) -> tuple[int, bytes]:
    """One HTTP/1.1 request on a fresh unix connection; returns (status, body)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(socket_path)
    try:
        if raw is None:
            lines = [f"{method} {target} HTTP/1.1", "Host: docker", "Connection: close"]
            for key, value in (headers or {}).items():
                lines.append(f"{key}: {value}")
            if body is not None and not any(k.lower() in ("content-length", "transfer-encoding")
                                            for k in (headers or {})):
                lines.append(f"Content-Length: {len(body)}")
            raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(raw)  # the server may answer (and close) before the body is in
        chunks = []
        while True:
            try:
                data = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                break
            if not data:
                break
            chunks.append(data)
    finally:
        sock.close()
    response = b"".join(chunks)
    head, _, rest = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    if b"transfer-encoding: chunked" in head.lower():
        rest = _dechunk(rest)
    return status, rest


def _dechunk(data: bytes) -> bytes:
    out = []
    while data:
        size_line, _, data = data.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0], 16)
        except ValueError:
            break
        if size == 0:
            break
        out.append(data[:size])
        data = data[size + 2:]
    return b"".join(out)


def _start_plugin(args: list[str], socket_path: str) -> subprocess.Popen[bytes]:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(socket_path)
    proc = subprocess.Popen([sys.executable, "-m", "dockward", "guard", "plugin", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not os.path.exists(socket_path):
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"guard plugin exited with {proc.returncode}: {err}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("guard plugin did not create its socket")
        time.sleep(0.05)
    return proc


@contextlib.contextmanager
def guarded_engine(make_private_engine: Callable[..., Any], *plugin_args: str,
                   dockerd_args: tuple[str, ...] = (), policy: str | None = None,
                   busybox: bool = True) -> Iterator[GuardedEngine]:
    """A private dockerd with ``--authorization-plugin`` = a fresh ``dockward guard plugin``."""
    SPEC_DIR.mkdir(parents=True, exist_ok=True)
    remove_stale_specs()
    tmp = Path(tempfile.mkdtemp(prefix="dwguard-"))
    os.chmod(tmp, 0o711)
    name = f"dwguard-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    spec = SPEC_DIR / f"{name}.spec"
    args = ["--socket", str(tmp / "guard.sock"), "--name", name,
            "--engine", f"unix://{tmp}/engine.sock", "--log", str(tmp / "decisions.jsonl"),
            *plugin_args]
    if policy is not None:
        (tmp / "policy.toml").write_text(policy)
        args += ["--policy", str(tmp / "policy.toml")]
    plugin = _start_plugin(args, str(tmp / "guard.sock"))
    guarded: GuardedEngine | None = None
    try:
        spec.write_text(f"unix://{tmp}/guard.sock\n")
        engine = make_private_engine(f"--authorization-plugin={name}",
                                     f"-H=unix://{tmp}/engine.sock", *dockerd_args,
                                     busybox=busybox)
        guarded = GuardedEngine(engine, plugin, name, tmp, args)
        yield guarded
    finally:
        if guarded is not None:
            plugin = guarded.plugin
            if plugin.poll() is not None:  # stop() cleans up through the API: revive it
                with contextlib.suppress(Exception):
                    guarded.start_plugin()
                    plugin = guarded.plugin
            with contextlib.suppress(Exception):
                guarded.engine.stop()
        plugin.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            plugin.wait(timeout=10)
        if plugin.poll() is None:
            plugin.kill()
        with contextlib.suppress(FileNotFoundError):
            spec.unlink()
        shutil.rmtree(tmp, ignore_errors=True)
