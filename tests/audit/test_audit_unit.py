"""Audit orchestration helpers and CLI behaviour that need no engine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockward.cli.app import app
from dockward.readers.engine.collect import (
    AuditOptions,
    call_key,
    collect,
    is_excluded,
    reason,
)
from dockward.readers.engine.connect import Endpoint


def test_version_does_not_import_docker_or_the_engine_reader() -> None:
    code = ("import sys\nfrom dockward.cli.app import main\nsys.argv=['dockward','--version']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "bad=[m for m in sys.modules if m == 'docker' or m.startswith('docker.') "
            "or m.startswith('dockward.readers.engine')]\nprint(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(("method", "url", "key"), [
    ("get", "http+docker://localhost/v1.41/containers/" + "a" * 64 + "/json?size=0",
     "GET /containers/{id}/json"),
    ("GET", "http+docker://localhost/v1.41/images/sha256:" + "b" * 64 + "/history",
     "GET /images/{id}/history"),
    ("GET", "http+docker://localhost/v1.41/images/busybox:dw/json", "GET /images/{id}/json"),
    ("GET", "http://127.0.0.1:2375/v1.41/containers/json?all=1", "GET /containers/json"),
    ("GET", "http+docker://localhost/version", "GET /version"),
    ("GET", "http+docker://localhost/v1.41/networks/bridge", "GET /networks/bridge"),
])
def test_call_key(method: str, url: str, key: str) -> None:
    assert call_key(method, url) == key


def test_reason_finds_the_root_cause() -> None:
    inner = FileNotFoundError(2, "No such file or directory")
    try:
        try:
            raise inner
        except OSError as exc:
            raise RuntimeError("Error while fetching server API version: ('Connection "
                               "aborted.', FileNotFoundError(2, 'No such...'))") from exc
    except RuntimeError as outer:
        assert reason(outer) == "No such file or directory"
    assert reason(ValueError("plain")) == "plain"


@pytest.mark.parametrize(("pattern", "excluded"), [
    ("web", True), ("w*", True), ("db", False), ("abcd", True), ("abc", False),
])
def test_is_excluded(pattern: str, excluded: bool) -> None:
    assert is_excluded("web", "abcdef0123", [pattern]) is excluded


def test_unreachable_endpoint_becomes_an_error(tmp_path: Path) -> None:
    ep = Endpoint("gone", f"unix://{tmp_path}/gone.sock", "--host")
    result = collect([ep], AuditOptions(workers=2, timeout=2))
    assert not result.audited_any and list(result.models()) == []
    assert result.errors == [f"gone (unix://{tmp_path}/gone.sock): cannot audit: "
                             "No such file or directory"]
    assert result.hosts[0].subject()["reachable"] is False


def test_bad_images_mode_is_rejected() -> None:
    with pytest.raises(ValueError):
        collect([], AuditOptions(images="some"))


def invoke(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, ["audit", *args])
    return res.exit_code, res.stdout, res.stderr


def test_cli_usage_errors(tmp_path: Path) -> None:
    code, _, err = invoke("--images", "some")
    assert code == 2 and "--images must be one of" in err
    code, _, err = invoke("--context", "no-such-context")
    assert code == 2 and "context 'no-such-context' not found" in err
    code, _, err = invoke("-H", "ftp://x")
    assert code == 2 and "unsupported host scheme" in err


def test_cli_unreachable_only_host_exits_2(tmp_path: Path) -> None:
    code, out, _ = invoke("-H", f"unix://{tmp_path}/none.sock", "-f", "json")
    assert code == 2
    report = json.loads(out)
    assert report["command"] == "audit" and report["errors"] and report["findings"] == []
    assert report["subjects"][0]["reachable"] is False


def test_own_container_id(tmp_path: Path) -> None:
    from dockward.readers.engine.collect import own_container_id

    cid = "c" * 64
    other = "d" * 64
    cgroup = tmp_path / "cgroup"
    mountinfo = tmp_path / "mountinfo"
    cgroup.write_text("0::/\n")
    # a host lists other containers' shm mounts: those must not count
    mountinfo.write_text(
        f"1 2 0:5 / /var/lib/docker/containers/{other}/mounts/shm rw - tmpfs shm rw\n")
    assert own_container_id(str(cgroup), str(mountinfo)) is None
    mountinfo.write_text(
        f"1 2 8:1 /var/lib/docker/containers/{cid}/hostname /etc/hostname rw - ext4 x rw\n")
    assert own_container_id(str(cgroup), str(mountinfo)) == cid
    cgroup.write_text(f"12:memory:/docker/{other}\n")
    assert own_container_id(str(cgroup), str(mountinfo)) == other
    assert own_container_id(str(tmp_path / "none"), str(tmp_path / "none")) is None
