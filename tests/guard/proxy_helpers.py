"""Run ``dockward guard proxy`` in front of a private engine, and talk to it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.guard.helpers import read_decisions, wait_decision


@dataclass
class Proxy:
    engine: Any
    listen: str
    socket_path: str
    log_path: Path
    process: subprocess.Popen[bytes]
    config_dir: Path

    def docker(self, *args: str, tls: tuple[str, ...] = (),
               host: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
        env.update(DOCKER_CONFIG=str(self.config_dir), DOCKER_CLI_HINTS="false")
        return subprocess.run([self.engine.docker_cli, "-H", host or f"unix://{self.socket_path}",
                               *tls, *args], capture_output=True, text=True, env=env,
                              timeout=60, check=False)

    def decisions(self) -> list[dict[str, Any]]:
        return read_decisions(self.log_path)

    def wait_decision(self, predicate: Any, timeout: float = 8.0) -> dict[str, Any]:
        return wait_decision(self.log_path, predicate, timeout)


@contextlib.contextmanager
def proxy_for(engine: Any, tmp: Path, *args: str, listen: str | None = None,
              policy: str | None = None) -> Iterator[Proxy]:
    tmp.mkdir(parents=True, exist_ok=True)
    sock = tmp / "proxy.sock"
    listen = listen or f"unix:{sock}"
    cmd = [sys.executable, "-m", "dockward", "guard", "proxy", "--listen", listen,
           "--upstream", f"unix:{engine.socket_path}", "--log", str(tmp / "proxy.jsonl"),
           *args]
    if policy is not None:
        (tmp / "policy.toml").write_text(policy)
        cmd += ["--policy", str(tmp / "policy.toml")]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"proxy exited: {process.stderr.read().decode()}"
                                   if process.stderr else "proxy exited")
            if listen.startswith("unix:") and sock.exists():
                break
            if listen.startswith("tcp://") and _port_open(listen):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("proxy did not start")
            time.sleep(0.05)
        yield Proxy(engine, listen, str(sock), tmp / "proxy.jsonl", process, tmp / "cli")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _port_open(listen: str) -> bool:
    import socket

    host, _, port = listen.removeprefix("tcp://").rpartition(":")
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, int(port))) == 0
