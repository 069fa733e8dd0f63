"""``audit -H ssh://...`` through a real sshd (Debian's openssh-server) on loopback.

The remote end runs ``docker system dial-stdio`` against a private dockerd (tests/engine/
sshd.py); key authentication with a key made in the test, a known host key, no password.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dockward.cli.app import app
from tests.engine.harness import (
    BUSYBOX_TAG,
    EngineUnavailable,
    PrivateEngine,
    engine_unavailable_reason,
    free_tcp_port,
    skip_or_fail,
)
from tests.engine.sshd import PrivateSshd, sshd_unavailable_reason

pytestmark = pytest.mark.engine


class SshSetup:
    def __init__(self, engine: PrivateEngine, sshd: PrivateSshd) -> None:
        self.engine = engine
        self.sshd = sshd
        self.label = f"127.0.0.1:{sshd.port}"


@pytest.fixture(scope="module")
def ssh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshSetup]:
    reason = engine_unavailable_reason() or sshd_unavailable_reason()
    if reason:
        skip_or_fail(reason)
    eng = PrivateEngine()
    sshd: PrivateSshd | None = None
    try:
        eng.start()
        eng.import_busybox()
        eng.run_container("--name", "ssh-sock", "-v",
                          f"{eng.socket_path}:/var/run/docker.sock", BUSYBOX_TAG, "sleep", "1d")
        sshd = PrivateSshd(tmp_path_factory.mktemp("sshd"), eng.base_url).start()
    except EngineUnavailable as exc:
        eng.stop()
        skip_or_fail(str(exc))
    except BaseException:
        eng.stop()
        if sshd is not None:
            sshd.stop()
        raise
    try:
        yield SshSetup(eng, sshd)
    finally:
        sshd.stop()
        eng.stop()


@pytest.fixture
def ssh_env(ssh: SshSetup, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for var in ("DOCKER_HOST", "DOCKER_CONTEXT", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PATH", f"{ssh.sshd.client_path}:{os.environ['PATH']}")
    return monkeypatch


def audit(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["audit", *args, "-f", "json"])
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("bundle", [None, "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_audit_over_ssh_reaches_the_remote_engine(ssh: SshSetup, ssh_env: pytest.MonkeyPatch,
                                                  tmp_path: Path, bundle: str | None) -> None:
    if bundle:
        (tmp_path / "bundle.pem").write_text("not a certificate\n")
        ssh_env.setenv(bundle, str(tmp_path / "bundle.pem"))
    code, report = audit("-H", ssh.sshd.url)
    assert report["errors"] == [], ssh.sshd.log()
    assert code == 1 and report["summary"]["hosts_audited"] == 1
    [host] = [s for s in report["subjects"] if "url" in s]
    assert host["host"] == ssh.label and host["url"] == ssh.sshd.url
    assert host["engine_id"].startswith(ssh.engine.client.info()["Name"] + ":")
    sock = [f for f in report["findings"] if f["code"] == "DW201"]
    assert [f["subject"] for f in sock] == [f"{ssh.label}/ssh-sock"]
    # a remote engine: no socket or group facts are claimed about this machine
    assert not any(f["code"] in ("DW602", "DW603", "DW612") for f in report["findings"])


def test_ssh_host_that_refuses_is_an_error(ssh_env: pytest.MonkeyPatch) -> None:
    port = free_tcp_port()
    started = time.monotonic()
    code, report = audit("-H", f"ssh://root@127.0.0.1:{port}", "--host-timeout", "20")
    assert code == 2 and time.monotonic() - started < 20
    [error] = report["errors"]
    assert error.startswith(f"127.0.0.1:{port} (ssh://root@127.0.0.1:{port}): cannot audit: ")


def test_ssh_and_a_local_socket_in_one_audit(ssh: SshSetup, ssh_env: pytest.MonkeyPatch,
                                             docker_engine: PrivateEngine) -> None:
    """The same engine over ssh and a second one over its socket: two hosts, each named."""
    _code, report = audit("-H", ssh.sshd.url, "-H", docker_engine.base_url, "--select", "DW201")
    assert report["errors"] == [] and report["summary"]["hosts_audited"] == 2
    hosts = {f["extra"]["host"] for f in report["findings"]}
    assert ssh.label in hosts


def test_ssh_without_paramiko_is_a_clear_error_not_a_traceback() -> None:
    """paramiko is the ``ssh`` extra: without it the host gets an error with the install
    hint (exit 2: nothing audited) and the other hosts would go on."""
    script = ("import sys; sys.modules['paramiko'] = None; "
              "from dockward.cli.app import main; "
              "sys.argv = ['dockward', 'audit', '-H', 'ssh://ops@web1', '-f', 'json']; main()")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    assert report["errors"] == [
        "web1 (ssh://ops@web1): cannot audit: ssh:// hosts need paramiko, which the docker "
        "SDK requires for ssh: install it with pip install 'dockward[ssh]'"]
