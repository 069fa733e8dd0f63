"""``dockward tighten`` on a real private engine, with images built from busybox.

Each scenario tightens a workload, then starts the proposed ``docker run`` line as printed
(JSON ``argv``) and runs the check in it, and proves that no trial container, network or
volume was left behind.  Trials settle for one second here (the default is 5 s).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from dockward.cli.app import app
from dockward.readers.engine.connect import Endpoint
from dockward.tighten import render
from dockward.usecases.tighten import (
    TightenError,
    TightenRequest,
    tighten,
    workload_from_container,
    workload_from_run_argv,
)
from tests.engine.harness import PrivateEngine

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SETTLE = 1.0
HTTP_CHECK = ("wget", "-q", "-O", "/dev/null", "http://127.0.0.1/")
# pid 1 runs as nobody once `su` dropped root
DROPPED_CHECK = ("sh", "-c", 'test "$(stat -c %u /proc/1)" = 65534')

IMAGES = {
    "web-tighten": 'RUN mkdir -p /www && echo hello > /www/index.html\n'
                   'CMD ["httpd", "-f", "-p", "80", "-h", "/www"]',
    "chown-tighten": 'CMD ["sh", "-c", "mkdir -p /data && chown 1000:1000 /data '
                     '&& exec sleep 1000"]',
    "forks-tighten": 'CMD ["sh", "-c", "for i in $(seq 40); do sleep 1000 & done; wait"]',
    "dropper-tighten": 'CMD ["su", "-s", "/bin/sh", "nobody", "-c", "exec sleep 1000"]',
}


@pytest.fixture(scope="module")
def images(docker_engine: PrivateEngine, tmp_path_factory: pytest.TempPathFactory
           ) -> PrivateEngine:
    for tag, instructions in IMAGES.items():
        folder = tmp_path_factory.mktemp(tag)
        (folder / "Dockerfile").write_text(f"FROM busybox:dw\n{instructions}\n")
        docker_engine.build(folder, tag)
    docker_engine.build(ROOT / "examples" / "tighten", "traefik-like",
                        build_args={"BASE": "busybox:dw"})
    return docker_engine


@pytest.fixture
def eng(images: PrivateEngine, engine: PrivateEngine) -> Iterator[PrivateEngine]:
    volumes = set(engine.volume_names())
    yield engine
    assert_no_trials(engine, volumes)


def endpoint(eng: PrivateEngine) -> Endpoint:
    return Endpoint(label="test", url=eng.base_url, origin="--host")


def assert_no_trials(eng: PrivateEngine, volumes_before: set[str]) -> None:
    api = eng.client.api
    label = {"label": "dockward.tighten"}
    assert api.containers(all=True, filters=label) == []
    assert api.networks(filters=label) == []
    assert set(eng.volume_names()) == volumes_before


def tighten_run(eng: PrivateEngine, *run_args: str, check: tuple[str, ...] = ()
                ) -> dict[str, Any]:
    workload = workload_from_run_argv(["docker", "run", *run_args])
    result = tighten(TightenRequest(workload=workload, endpoint=endpoint(eng), check=check,
                                    settle=SETTLE, jobs=4))
    return render.result_dict(result)


def start_proposed(eng: PrivateEngine, data: dict[str, Any],
                   check: tuple[str, ...] = ()) -> dict[str, Any]:
    """Start the proposed line as printed; it must keep running and pass the check.
    Returns its inspect."""
    argv = data["argv"]
    assert argv[:2] == ["docker", "run"]
    cid = eng.run_container(*argv[2:])
    try:
        time.sleep(1.0)
        inspect = eng.client.api.inspect_container(cid)
        assert inspect["State"]["Running"], eng.docker("logs", cid).stderr
        if check:
            done = eng.docker("exec", cid, *check, check=False)
            assert done.returncode == 0, done.stdout + done.stderr
        return inspect
    finally:
        eng.remove_containers([cid])


def decision(data: dict[str, Any], setting: str) -> dict[str, Any]:
    return next(d for d in data["decisions"] if d["setting"] == setting)


def test_web_server_needs_no_capability_and_runs_non_root_on_a_read_only_root(
        eng: PrivateEngine) -> None:
    data = tighten_run(eng, "-d", "-p", "8080:80", "web-tighten", check=HTTP_CHECK)
    assert (data["user"], data["cap_add"], data["cap_drop"]) == ("1000:1000", [], ["ALL"])
    assert (data["read_only"], data["tmpfs"]) == (True, [])
    assert data["security_opt"] == ["no-new-privileges"]
    # peaks: httpd alone, or with the check's wget, the child httpd forks for it, and the
    # threads of runc's exec helper (the pids cgroup counts tasks)
    # (the limits come from the peaks before the hardening step; later trials may see more)
    peak = data["limits_peak"]
    assert all(data["peak"][k] >= peak[k] for k in ("memory", "pids", "cpus"))
    assert 1 <= peak["pids"] <= 16 and data["pids_limit"] == peak["pids"] + 32
    assert data["memory"] == -(-(peak["memory"] + 32 * 2**20) // 2**20) * 2**20
    assert data["cpus"] == 0.5
    assert data["restart"] == "on-failure:5"
    assert decision(data, "capabilities")["value"] == "none"
    assert decision(data, "user")["evidence"][0].endswith(
        "as user 1000:1000 (the image's user user): passed "
        f"(running after {SETTLE:g} s; check passed)")
    assert "-p 8080:80/tcp" in data["run"]  # the original's port stays in the proposal
    inspect = start_proposed(eng, data, HTTP_CHECK)
    hc = inspect["HostConfig"]
    assert (hc["CapDrop"], hc["CapAdd"], hc["ReadonlyRootfs"]) == (["ALL"], None, True)
    assert inspect["Config"]["User"] == "1000:1000"


CHOWNED_CHECK = ("sh", "-c", 'test "$(stat -c %u /data)" = 1000')
# the shell and its 40 children (and the check's own processes)
FORKED_CHECK = ("sh", "-c", "test $(ls /proc | grep -c '^[0-9]') -ge 41")


def test_chown_entrypoint_keeps_chown_and_gets_a_tmpfs(eng: PrivateEngine) -> None:
    data = tighten_run(eng, "chown-tighten", check=CHOWNED_CHECK)
    assert (data["user"], data["cap_add"]) == (None, ["CHOWN"])
    assert (data["read_only"], data["tmpfs"]) == (True, ["/data"])
    user = decision(data, "user")
    assert user["value"] == "root (kept)"
    assert all("mkdir: can't create directory '/data': Permission denied" in line
               for line in user["evidence"][:3])
    caps = decision(data, "capabilities")["evidence"]
    assert any(line.startswith("CHOWN kept: trial #") and line.endswith(
        "without CHOWN: failed (exited with 1 after "
        + line.split("after ")[1].split(" s")[0] + " s: chown: /data: Operation not permitted)")
        for line in caps)
    assert decision(data, "read_only")["evidence"][0].endswith("wrote /data: tmpfs on /data")
    inspect = start_proposed(eng, data, CHOWNED_CHECK)
    assert inspect["HostConfig"]["Tmpfs"] == {"/data": ""}
    assert inspect["HostConfig"]["CapAdd"] == ["CAP_CHOWN"]  # the docker CLI adds CAP_


def test_forty_children_get_a_pids_limit_above_forty(eng: PrivateEngine) -> None:
    data = tighten_run(eng, "forks-tighten", check=FORKED_CHECK)
    peak = data["limits_peak"]["pids"]
    assert 41 <= peak <= data["peak"]["pids"] <= 60  # the shell, its 40 children, the check
    assert data["pids_limit"] == 2 * peak
    inspect = start_proposed(eng, data, FORKED_CHECK)
    assert inspect["HostConfig"]["PidsLimit"] == 2 * peak


def test_privilege_dropping_command_keeps_exactly_setuid_and_setgid(eng: PrivateEngine
                                                                     ) -> None:
    data = tighten_run(eng, "dropper-tighten", check=DROPPED_CHECK)
    assert data["cap_add"] == ["SETGID", "SETUID"]
    assert data["user"] is None  # it must start as root to drop to nobody
    evidence = decision(data, "capabilities")["evidence"]
    assert any("SETGID kept" in e and "su: can't set groups: Operation not permitted" in e
               for e in evidence)
    assert any("SETUID kept" in e and "su: setuid: Operation not permitted" in e
               for e in evidence)
    assert any(e.endswith("with only SETGID, SETUID: passed "
                          f"(running after {SETTLE:g} s; check passed)") for e in evidence)
    start_proposed(eng, data, DROPPED_CHECK)


def test_an_unhealthy_trial_fails(eng: PrivateEngine) -> None:
    """A healthcheck (probed every second in trials, whatever its interval) that passes
    only as root keeps root; the original drops ALL, so no capability search runs."""
    data = tighten_run(eng, "--cap-drop", "ALL", "--health-cmd", "test $(id -u) = 0",
                       "--health-interval", "30s", "--health-retries", "1", "busybox:dw",
                       "sleep", "1000")
    user = decision(data, "user")
    assert user["value"] == "root (kept)"
    assert user["evidence"][0] == ("trial #2 as user 1000:1000 (the image's user user): failed"
                                   " (healthcheck reported unhealthy)")
    assert decision(data, "capabilities") == {
        "setting": "capabilities", "value": "none",
        "evidence": ["the original already keeps no capability"]}
    assert data["trials"][0]["reason"] == f"running after {SETTLE:g} s, healthy"
    assert "--health-interval 30s" in data["run"]  # the proposal keeps the original's


def test_engine_refusal_fails_clearly_and_leaves_nothing(eng: PrivateEngine) -> None:
    """These VMs cannot start a container holding SYS_RESOURCE (tests/engine/README.md)."""
    with pytest.raises(TightenError, match=r"trial #1 failed: it did not start: .*unable to "
                                           r"apply caps"):
        tighten_run(eng, "--cap-add", "SYS_RESOURCE", "busybox:dw", "sleep", "100")


def test_interrupt_leaves_no_trial_container(eng: PrivateEngine) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "dockward", "tighten", "-H", eng.base_url, "--settle", "5",
         "--", "docker", "run", "busybox:dw", "sleep", "1000"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"})
    try:
        deadline = time.monotonic() + 30
        api = eng.client.api
        while not api.containers(filters={"label": "dockward.tighten", "status": "running"}):
            assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        assert api.networks(filters={"label": "dockward.tighten"})  # the throwaway network
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, out + err
    assert err.strip().endswith("interrupted; every trial container was removed")


def test_a_running_container_is_copied_never_touched(eng: PrivateEngine) -> None:
    cid = eng.run_container("--name", "orig", "--cap-add", "NET_ADMIN", "busybox:dw",
                            "sleep", "1000")
    before = eng.client.api.inspect_container(cid)
    workload = workload_from_container(endpoint(eng), "orig")
    result = tighten(TightenRequest(workload=workload, endpoint=endpoint(eng), settle=SETTLE,
                                    jobs=4))
    data = render.result_dict(result)
    assert (data["user"], data["cap_add"]) == ("1000:1000", [])
    after = eng.client.api.inspect_container(cid)
    assert after["State"] == before["State"] and after["RestartCount"] == 0
    # the image's environment is not repeated in the proposal
    assert data["argv"][-3:] == ["busybox:dw", "sleep", "1000"] and "-e" not in data["argv"]


def test_compose_service_through_the_cli(eng: PrivateEngine) -> None:
    """The README's example: the traefik stand-in gets its service fragment."""
    result = CliRunner().invoke(app, [
        "tighten", "-H", eng.base_url, "--settle", str(SETTLE), "--no-progress",
        "--check", " ".join(HTTP_CHECK), "--format", "compose",
        str(ROOT / "examples" / "tighten" / "compose.yaml"), "--service", "traefik"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# dockward tighten: proven by trial #")
    service = yaml.safe_load(result.output)["services"]["traefik"]
    memory, pids = service.pop("mem_limit"), service.pop("pids_limit")
    assert memory.endswith("m") and 32 < int(memory[:-1]) < 64  # peak + 32 MiB headroom
    assert 33 <= pids <= 48  # peak + 32; the peak counts the check's exec (see above)
    assert service == {
        "user": "1000:1000", "cap_drop": ["ALL"], "read_only": True,
        "security_opt": ["no-new-privileges:true"], "cpus": 0.5, "restart": "on-failure:5"}


def test_write_puts_the_proof_into_the_compose_file(eng: PrivateEngine, tmp_path: Path) -> None:
    """The README's last step: scan finds DW103, tighten proves the set, --write writes it
    through fix's editors (comments kept), and the rescan no longer reports what it fixed."""
    from dockward.config import Config
    from dockward.usecases.scan import scan_paths

    compose = tmp_path / "compose.yaml"
    compose.write_text((ROOT / "examples" / "tighten" / "compose.yaml").read_text())
    (tmp_path / "Dockerfile").write_text((ROOT / "examples" / "tighten" / "Dockerfile")
                                         .read_text())
    before = {f.code for f in scan_paths([str(compose)], Config()).findings}
    assert {"DW103", "DW113", "DW114", "DW301", "DW303"} <= before
    result = CliRunner().invoke(app, [
        "tighten", "-H", eng.base_url, "--settle", str(SETTLE), "--no-progress",
        "--check", " ".join(HTTP_CHECK), "--format", "json", "--write",
        str(compose), "--service", "traefik"])
    assert result.exit_code == 0, result.output
    text = compose.read_text()
    assert text.startswith("# The seed guide's homelab proxy")  # comments kept
    service = yaml.safe_load(text)["services"]["traefik"]
    assert service["cap_drop"] == ["ALL"] and service["read_only"] is True
    assert service["user"] == "1000:1000" and 33 <= service["pids_limit"] <= 48
    after = {f.code for f in scan_paths([str(compose)], Config()).findings}
    assert not after & {"DW103", "DW112", "DW113", "DW114", "DW301", "DW303", "DW304"}, after


def test_the_engine_lets_unprivileged_processes_bind_low_ports(eng: PrivateEngine) -> None:
    """Why tighten passes no sysctl: dockerd 20.10 already sets
    ``net.ipv4.ip_unprivileged_port_start=0`` in a container's own network namespace
    (moby#41030), so a non-root web server binds port 80 with no capability."""
    out = eng.docker("run", "--rm", "--network", "none", "busybox:dw", "cat",
                     "/proc/sys/net/ipv4/ip_unprivileged_port_start").stdout
    assert out.strip() == "0"
