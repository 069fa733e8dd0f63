"""Self-tests of the real-engine harness (tests/engine/harness.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Register the harness as a plugin under its canonical name (shared with a root conftest's
# ``pytest_plugins = ["tests.engine.harness"]``: pytest registers a plugin name only once).
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
pytest_plugins = ["tests.engine.harness"]
pytest.register_assert_rewrite("tests.engine.harness")

from tests.engine.harness import (  # noqa: E402
    BUSYBOX_TAG,
    PrivateEngine,
    engine_unavailable_reason,
    ping,
)


def _dockerd_pids(path: str) -> list[int]:
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if path in cmd:
            out.append(int(p))
    return out


def test_ping_and_version(engine: PrivateEngine) -> None:
    assert engine.ping()
    assert ping(engine.base_url)
    assert engine.base_url == f"unix://{engine.socket_path}"
    assert len(engine.socket_path) < 100
    assert engine.client.ping() is True
    info = engine.client.info()
    assert info["DockerRootDir"] == engine.data_root
    assert engine.start_seconds is not None and engine.start_seconds < 30


def test_busybox_runs(engine: PrivateEngine) -> None:
    assert engine.import_busybox() == BUSYBOX_TAG  # idempotent
    assert engine.docker("run", "--rm", BUSYBOX_TAG, "echo", "ok").stdout.strip() == "ok"
    out = engine.docker("run", "--rm", "-u", "1000", BUSYBOX_TAG, "id").stdout
    assert "uid=1000(user)" in out
    # default CMD is sh
    cfg = engine.client.api.inspect_image(BUSYBOX_TAG)["Config"]
    assert cfg["Cmd"] == ["sh"]


def test_run_container_and_cleanup(engine: PrivateEngine) -> None:
    cid = engine.run_container("--restart", "always", BUSYBOX_TAG, "sleep", "1000")
    assert cid in engine.container_ids()
    assert engine.client.containers.get(cid).status == "running"
    assert engine.cleanup_containers() == [cid]
    assert engine.container_ids() == []


class TestEngineFixtureCleanup:
    created: dict[str, str] = {}

    def test_create(self, engine: PrivateEngine) -> None:
        made = TestEngineFixtureCleanup.created
        made["container"] = engine.run_container(BUSYBOX_TAG, "sleep", "1000")
        made["network"] = engine.client.api.create_network("dw-test-net")["Id"]
        made["volume"] = engine.client.api.create_volume("dw-test-vol")["Name"]
        assert Path(f"/sys/class/net/br-{made['network'][:12]}").exists()

    def test_gone_after_test(self, engine: PrivateEngine) -> None:
        made = TestEngineFixtureCleanup.created
        assert made, "test_create did not run"
        assert made["container"] not in engine.container_ids()
        assert made["network"] not in engine.network_ids()
        assert made["volume"] not in engine.volume_names()
        assert not Path(f"/sys/class/net/br-{made['network'][:12]}").exists()


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["-v", "{sock}:/var/run/docker.sock"], id="docker-sock"),
        pytest.param(["--pid=host"], id="pid-host"),
        pytest.param(["--network=host"], id="net-host"),
        pytest.param(["--cap-drop=ALL", "--cap-add=NET_ADMIN"], id="caps"),
        pytest.param(["--memory", "256m", "--cpus", "1", "--pids-limit", "50"], id="limits"),
        pytest.param(["--read-only"], id="read-only"),
        pytest.param(["--restart", "on-failure:5"], id="restart-on-failure"),
        pytest.param(["--restart", "always"], id="restart-always"),
        pytest.param(["-u", "65534"], id="user-nobody"),
    ],
)
def test_risky_settings_start(engine: PrivateEngine, args: list[str]) -> None:
    args = [a.format(sock=engine.socket_path) for a in args]
    cid = engine.run_container(*args, BUSYBOX_TAG, "sleep", "1000")
    state = engine.client.api.inspect_container(cid)["State"]
    assert state["Running"], state


def test_limits_applied_cgroup_v1(engine: PrivateEngine) -> None:
    out = engine.docker(
        "run", "--rm", "--memory", "256m", "--pids-limit", "50", BUSYBOX_TAG,
        "sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max",
    ).stdout.split()  # fmt: skip
    if not out or not Path("/sys/fs/cgroup/memory").is_dir():
        pytest.skip("not cgroup v1")
    assert out == ["268435456", "50"]


def test_privileged_create_only(engine: PrivateEngine) -> None:
    cid = engine.docker("create", "--privileged", BUSYBOX_TAG).stdout.strip()
    assert engine.client.api.inspect_container(cid)["HostConfig"]["Privileged"] is True


def test_classic_build_history_shows_build_arg(engine: PrivateEngine, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {BUSYBOX_TAG}\nARG SECRET\nRUN echo $SECRET\n")
    image_id = engine.build(tmp_path, "dw-secret:1", build_args={"SECRET": "my secret"})
    assert image_id.startswith("sha256:")
    created_by = [h["CreatedBy"] for h in engine.history("dw-secret:1")]
    assert created_by[0] == "|1 SECRET=my secret /bin/sh -c echo $SECRET"
    assert created_by[1] == "/bin/sh -c #(nop)  ARG SECRET"
    cli = engine.docker("history", "--no-trunc", "--format", "{{json .}}", "dw-secret:1").stdout
    assert json.loads(cli.splitlines()[0])["CreatedBy"] == created_by[0]
    engine.client.images.remove("dw-secret:1")


def test_second_daemon_on_tcp(make_private_engine, engine: PrivateEngine) -> None:
    second = make_private_engine(tcp=True)
    assert second.tcp_url is not None
    assert ping(second.tcp_url)
    assert second.socket_path != engine.socket_path
    out = subprocess.run(
        [second.docker_cli, "-H", second.tcp_url, "info", "--format", "{{.DockerRootDir}}"],
        capture_output=True, text=True, check=True, env=second.cli_env(),
    ).stdout.strip()  # fmt: skip
    assert out == second.data_root
    assert engine.ping()  # the session engine is unaffected


def test_stop_leaves_nothing_behind(make_private_engine) -> None:
    eng = make_private_engine(busybox=True)
    eng.run_container(BUSYBOX_TAG, "sleep", "1000")
    tmpdir = str(eng.tmpdir)
    assert _dockerd_pids(tmpdir)
    eng.stop()
    assert not os.path.exists(tmpdir)
    assert _dockerd_pids(tmpdir) == []
    assert tmpdir not in Path("/proc/self/mountinfo").read_text()
    assert eng.stop_seconds is not None and eng.stop_seconds < 10
    eng.stop()  # idempotent


def test_stop_removes_user_network_bridge(make_private_engine) -> None:
    eng = make_private_engine()
    nid = eng.client.api.create_network("dw-leak")["Id"]
    assert Path(f"/sys/class/net/br-{nid[:12]}").exists()
    eng.stop()
    assert not Path(f"/sys/class/net/br-{nid[:12]}").exists()


def test_userns_remap_default(make_private_engine) -> None:
    """--userns-remap=default: dockerd creates the ``dockremap`` user + /etc/subuid entries
    itself (if missing); needs o+x on the data-root parents (the harness chmods 0711)."""
    eng = make_private_engine("--userns-remap=default", busybox=True)
    assert "name=userns" in eng.client.info()["SecurityOptions"]
    uid_map = eng.docker("run", "--rm", BUSYBOX_TAG, "cat", "/proc/self/uid_map").stdout.split()
    assert uid_map[0] == "0" and uid_map[1] != "0"
    res = eng.docker("run", "--rm", "--pid=host", BUSYBOX_TAG, "true", check=False)
    assert res.returncode != 0
    assert "cannot share the host PID namespace when user namespaces are enabled" in res.stderr
    host = eng.docker("run", "--rm", "--userns=host", BUSYBOX_TAG, "cat", "/proc/self/uid_map")
    assert host.stdout.split()[:2] == ["0", "0"]


def test_start_failure_reports_log_tail() -> None:
    if engine_unavailable_reason():
        pytest.skip("no engine")
    from tests.engine.harness import EngineStartError

    eng = PrivateEngine("--no-such-flag-dw")
    with pytest.raises(EngineStartError, match="no-such-flag-dw"):
        eng.start()
    assert eng.tmpdir is not None and not eng.tmpdir.exists()


def test_unavailable_skips_or_fails_in_ci(tmp_path: Path) -> None:
    """Run a tiny pytest session where dockerd is "missing": skip normally, fail with CI=true."""
    test = tmp_path / "test_x.py"
    test.write_text(
        "import sys\n"
        f"sys.path.insert(0, {_ROOT!r})\n"
        "pytest_plugins = ['tests.engine.harness']\n"
        "def test_it(engine):\n    pass\n"
    )
    env = {**os.environ, "DW_DOCKERD": "/nonexistent/dockerd"}
    env.pop("CI", None)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", str(test)]
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path)
    assert res.returncode == 0, res.stdout
    assert "dockerd binary not found" in res.stdout and "1 skipped" in res.stdout
    res = subprocess.run(
        cmd, capture_output=True, text=True, env={**env, "CI": "true"}, cwd=tmp_path
    )
    assert res.returncode == 1, res.stdout
    assert "dockerd binary not found" in res.stdout and "1 error" in res.stdout
