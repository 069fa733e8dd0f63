"""``dockward inside`` in real containers on a private dockerd (tests/engine/harness.py).

Each case starts a container the way the seed (or the issue) does, runs the probe inside it
through ``docker exec`` (the same path ``audit --inside`` uses), and asserts the exact set of
findings, plus the facts behind them.  A second check scans the equivalent ``docker run`` line
and requires the same Workload-rule findings: the observed view and the configured view agree
(DW7xx, which only the inside view can see, aside).  The containers run a busybox image with
the host's Python 3.8 added (see README.md).
"""

from __future__ import annotations

import io
import json
import os
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dockward.config import Config
from dockward.findings import Finding
from dockward.inside import remote, zipapp
from dockward.inside.compare import compare
from dockward.inside.to_workload import build_observed
from dockward.rules.runner import RuleRunner
from dockward.usecases.inside import look_inside_container
from tests.engine.harness import PrivateEngine
from tests.inside import helpers

BASE = frozenset({"DW103", "DW112", "DW113", "DW114", "DW301", "DW302", "DW303"})


@pytest.fixture(scope="module")
def pyimage(docker_engine: PrivateEngine) -> str:
    if helpers.find_python() is None:
        pytest.skip("no host Python to build the test image from")
    return helpers.import_python_image(docker_engine)


@pytest.fixture
def py_engine(engine: PrivateEngine, pyimage: str) -> Iterator[PrivateEngine]:
    yield engine


def observe(eng: PrivateEngine, *run_args: str) -> tuple[dict[str, Any], list[Finding]]:
    cid = helpers.start(eng, *run_args)
    obs = remote.observe_container(eng.client, cid)
    w, o = build_observed(obs)
    return obs, RuleRunner(Config()).run([w, o])


def scan_codes(tmp_path: Path, run_args: list[str]) -> set[str]:
    """Workload-rule codes for the equivalent ``docker run`` line, scanned as a script."""
    from dockward.usecases.scan import scan_paths

    script = tmp_path / "run.sh"
    script.write_text("docker run -d " + " ".join(run_args) + " busybox:dw sleep 3600\n")
    result = scan_paths([str(script)], Config())
    assert result.models >= 1, "the run-line reader produced no workload"
    return {f.code for f in result.findings if not f.suppressed}


def fill(args: list[str], eng: PrivateEngine) -> list[str]:
    return [a.format(sock=eng.socket_path, tmpdir=eng.tmpdir) for a in args]


CASES: list[tuple[str, list[str], frozenset[str]]] = [
    ("default", [], BASE),
    ("seed-capsh", ["--cap-drop=ALL", "--cap-add=CAP_NET_ADMIN"], BASE - {"DW103"} | {"DW102"}),
    ("pid-host", ["--pid=host"], BASE | {"DW104"}),
    ("network-host", ["--network=host"], BASE | {"DW105"}),
    ("ipc-host", ["--ipc=host"], BASE | {"DW106"}),
    ("uts-host", ["--uts=host"], BASE | {"DW107"}),
    ("socket", ["-v", "{sock}:/var/run/docker.sock"], BASE | {"DW201", "DW701"}),
    ("socket-ro", ["-v", "{sock}:/var/run/docker.sock:ro"], BASE | {"DW201", "DW701"}),
    ("socket-non-root", ["-u", "1000", "-v", "{sock}:/var/run/docker.sock"],
     BASE - {"DW113"} | {"DW201"}),
    ("socket-in-mounted-dir", ["-v", "{tmpdir}:/hostdir"], BASE | {"DW701"}),
    ("memory-pids", ["--memory", "256m", "--pids-limit", "50"], BASE - {"DW301", "DW303"}),
    ("cpus", ["--cpus", "1.5"], BASE - {"DW302"}),
    ("read-only", ["--read-only"], BASE - {"DW114"}),
    ("no-new-privileges", ["--security-opt", "no-new-privileges"], BASE - {"DW112"}),
    ("seccomp-unconfined", ["--security-opt", "seccomp=unconfined"], BASE | {"DW109"}),
    ("systempaths-unconfined", ["--security-opt", "systempaths=unconfined"],
     BASE | {"DW115", "DW703"}),
    # the seed's escape target, the host's /: its files (DW702), the host's rw /proc that
    # the recursive bind brings along (DW703) and the engine's socket under it (DW701)
    ("host-root", ["-v", "/:/psm"], BASE | {"DW202", "DW701", "DW702", "DW703"}),
    # dockerd 20.10's ':ro' is not recursive: /psm/proc stays writable below it
    ("host-root-ro", ["-v", "/:/psm:ro"], BASE | {"DW202", "DW701", "DW702", "DW703"}),
    ("user-1000", ["-u", "1000"], BASE - {"DW113"}),
    ("tmpfs-and-volume", ["--tmpfs", "/scratch", "-v", "dwinside:/data"], BASE),
    ("hardened", ["--cap-drop=ALL", "--read-only", "--security-opt", "no-new-privileges",
                  "-u", "1000", "--memory", "64m", "--cpus", "0.5", "--pids-limit", "20"],
     frozenset()),
]
if os.path.exists("/dev/fuse"):
    CASES.append(("device", ["--device", "/dev/fuse"], BASE | {"DW203"}))


@pytest.mark.parametrize(("args", "expected"), [(a, e) for _, a, e in CASES],
                         ids=[c[0] for c in CASES])
def test_exact_findings(py_engine: PrivateEngine, tmp_path: Path, args: list[str],
                        expected: frozenset[str]) -> None:
    run_args = fill(args, py_engine)
    obs, found = observe(py_engine, *run_args)
    got = {f.code for f in found}
    assert got == set(expected), "\n".join(f"{f.code} {f.message}" for f in found)
    workload_codes = {c for c in got if not c.startswith("DW7")}
    assert workload_codes == scan_codes(tmp_path, run_args), "observed != configured view"
    assert obs["errors"] == []


def _one(found: list[Finding], code: str) -> Finding:
    hits = [f for f in found if f.code == code]
    assert len(hits) == 1, hits
    return hits[0]


def test_seed_capsh_demo(py_engine: PrivateEngine) -> None:
    """--cap-drop=ALL --cap-add=CAP_NET_ADMIN: exactly cap_net_admin, as capsh shows."""
    from dockward.inside.probe import capsh_lines

    obs, found = observe(py_engine, "--cap-drop=ALL", "--cap-add=CAP_NET_ADMIN")
    caps = obs["capabilities"]
    assert caps["effective"] == caps["permitted"] == caps["bounding"] == ["cap_net_admin"]
    assert caps["ambient"] == []
    lines = capsh_lines(obs)
    assert lines[:3] == ["Current: cap_net_admin=ep", "Bounding set =cap_net_admin",
                         "Ambient set ="]
    # the seed's capability demo: NET_ADMIN alone, in a private network namespace, is
    # reported at medium (the nf_tables escapes need it); nothing else is left to drop
    assert "DW103" not in {f.code for f in found}
    assert [f.severity.label for f in found if f.code == "DW102"] == ["medium"]


def test_socket_escape_is_explained(py_engine: PrivateEngine) -> None:
    obs, found = observe(py_engine, "-v", f"{py_engine.socket_path}:/var/run/docker.sock")
    [sock] = obs["runtime_sockets"]
    assert sock["answers"] is True and sock["ping"]["api_version"] == "1.41"
    assert sock["host_source"] == py_engine.socket_path
    dw701 = _one(found, "DW701")
    assert dw701.location.path == "/proc/self/mountinfo:/var/run/docker.sock"
    assert "answers GET /_ping from inside this container" in dw701.message
    assert "the escape is one command away" in dw701.message
    assert "`docker -H unix:///var/run/docker.sock run -it -v /:/host busybox chroot /host`" \
        in dw701.message
    assert "take over the host" in _one(found, "DW201").message


def test_socket_refusing_the_user(py_engine: PrivateEngine) -> None:
    obs, _ = observe(py_engine, "-u", "1000", "-v",
                     f"{py_engine.socket_path}:/var/run/docker.sock")
    [sock] = obs["runtime_sockets"]
    assert sock["connectable"] is False and sock["error"] == "Permission denied"


def test_namespace_signs(py_engine: PrivateEngine) -> None:
    obs, _ = observe(py_engine, "--pid=host")
    signs = obs["namespaces"]["pid"]["signs"]
    assert signs[0].startswith("the PID namespace is the host's initial one")
    assert "kernel thread kthreadd (PID 2) is visible" in signs
    assert obs["namespaces"]["pid"]["visible_processes"] > 10
    obs, _ = observe(py_engine, "--network=host")
    net = obs["namespaces"]["net"]
    assert any("runtime sockets are bound in this network namespace" in s for s in net["signs"])
    assert py_engine.socket_path in net["runtime_unix_sockets"]


def test_cgroup_v1_limits(py_engine: PrivateEngine) -> None:
    obs, _ = observe(py_engine, "--memory", "256m", "--pids-limit", "50", "--cpus", "1.5")
    cg = obs["cgroup"]
    assert cg["version"] == 1
    assert cg["memory"]["limit"] == 268435456
    assert cg["memory"]["file"] == "/sys/fs/cgroup/memory/memory.limit_in_bytes"
    assert cg["pids"]["max"] == 50 and cg["cpu"]["cpus"] == 1.5


def test_read_only_rootfs_uses_the_argv_transport(py_engine: PrivateEngine) -> None:
    obs, _ = observe(py_engine, "--read-only")
    assert obs["rootfs"]["read_only"] is True
    assert obs["transport"]["method"] == "argv"


def test_host_root_view(py_engine: PrivateEngine) -> None:
    obs, found = observe(py_engine, "-v", "/:/psm")
    [host] = obs["host_filesystems"]
    assert host["mount_point"] == "/psm" and host["writable"] is True
    assert "the host's root filesystem" in host["reasons"]
    assert _one(found, "DW702").severity.label == "critical"
    assert [m["mount_point"] for m in obs["mounts"] if m["role"] == "user"] == ["/psm"]


def test_zipapp_runs_in_a_bare_python_container(py_engine: PrivateEngine) -> None:
    """Only python3 in the image: the pyz is copied in and run as a file."""
    cid = helpers.start(py_engine)
    api = py_engine.client.api
    code, _, _ = remote.exec_run(api, cid, ["python3", "-c", "import docker"])
    assert code != 0  # nothing but the standard library in there
    buf = io.BytesIO()
    data = zipapp.build_pyz_bytes()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo(zipapp.DEFAULT_NAME)
        info.size, info.mode = len(data), 0o755
        tar.addfile(info, io.BytesIO(data))
    assert api.put_archive(cid, "/tmp", buf.getvalue())
    code, out, err = remote.exec_run(api, cid, ["python3", f"/tmp/{zipapp.DEFAULT_NAME}"])
    assert code == 0, err
    obs = json.loads(out)
    assert obs["python"].startswith("3.8.") or helpers.find_python() != helpers.find_python()
    assert obs["schema"] == "dockward-inside/1" and obs["errors"] == []
    code, out, _ = remote.exec_run(api, cid, ["python3", f"/tmp/{zipapp.DEFAULT_NAME}",
                                              "--capsh"])
    assert code == 0 and out.decode().startswith("Current: cap_chown,cap_dac_override,")


def test_observations_feed_the_cli(py_engine: PrivateEngine, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from dockward.cli.app import app

    cid = helpers.start(py_engine, "-v", f"{py_engine.socket_path}:/var/run/docker.sock")
    saved = tmp_path / "obs.json"
    saved.write_text(json.dumps(remote.observe_container(py_engine.client, cid)))
    res = CliRunner().invoke(app, ["inside", "--from-json", str(saved), "-f", "json"])
    assert res.exit_code == 1
    assert {f["code"] for f in json.loads(res.stdout)["findings"]} == BASE | {"DW201", "DW701"}


def test_no_python_in_the_image(py_engine: PrivateEngine) -> None:
    cid = py_engine.run_container("busybox:dw", "sleep", "3600")
    with pytest.raises(remote.InsideUnavailable, match=r"no Python 3\.8"):
        remote.observe_container(py_engine.client, cid)


def test_stopped_container(py_engine: PrivateEngine) -> None:
    cid = helpers.start(py_engine, command=("true",))
    py_engine.docker("wait", cid)
    with pytest.raises(remote.InsideUnavailable, match="is not running"):
        remote.observe_container(py_engine.client, cid)
    with pytest.raises(remote.InsideUnavailable, match="no such container"):
        remote.observe_container(py_engine.client, "dw-does-not-exist")


def test_audit_inside_side_by_side(py_engine: PrivateEngine) -> None:
    cid = helpers.start(py_engine, "--name", "dw-side", "--memory", "256m", "--pids-limit",
                        "50", "--cap-drop=ALL", "--cap-add=NET_ADMIN", "-v",
                        f"{py_engine.socket_path}:/var/run/docker.sock")
    configured = helpers.configured_from_inspect(py_engine.client.api.inspect_container(cid))
    full = look_inside_container(py_engine.client, cid, configured)
    assert {f.code for f in full.findings} == {"DW102", "DW112", "DW113", "DW114", "DW201",
                                               "DW302", "DW701"}
    assert {f.location.subject for f in full.findings} == {"dw-side/observed"}
    assert full.disagreements == []
    subject = full.subject()
    assert subject["disagreements"] == 0 and subject["name"] == "dw-side"
    rows = {r["setting"]: r for r in subject["side_by_side"]}
    assert rows["capabilities"]["configured"] == rows["capabilities"]["observed"] == "NET_ADMIN"
    assert rows["memory (bytes)"]["observed"] == "268435456"
    assert rows["mounts"]["observed"] == "/var/run/docker.sock"
    # the configuration changes under a running container: the two views now differ
    py_engine.docker("update", "--pids-limit", "80", cid)
    again = look_inside_container(py_engine.client, cid, configured)
    assert [(d.setting, d.configured, d.observed) for d in again.disagreements] == [
        ("pids limit", "50.0", "80.0")]
    assert [f.code for f in again.findings if f.code == "DW704"] == ["DW704"]


def test_userns_remap(make_private_engine: Any, tmp_path: Path) -> None:
    eng = make_private_engine("--userns-remap=default")
    if helpers.find_python() is None:
        pytest.skip("no host Python to build the test image from")
    helpers.import_python_image(eng)
    obs, found = observe(eng)
    user = obs["user"]
    assert user["uid"] == 0 and user["userns_remapped"] is True
    start = _subuid_start("dockremap")
    assert user["root_maps_to"] == start
    assert obs["namespaces"]["user"]["host"] is False
    assert {f.code for f in found} == BASE
    w, _ = build_observed(obs)
    row = next(r for r in compare(w, w) if r.setting == "root remapped (userns)")
    assert row.observed == "yes" and row.agree


def _subuid_start(user: str) -> int | None:
    try:
        for line in Path("/etc/subuid").read_text().splitlines():
            name, start, _ = line.split(":")
            if name == user:
                return int(start)
    except OSError:
        return None
    return None
