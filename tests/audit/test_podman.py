"""``audit`` of Podman through its Docker-compatible API: rootful and rootless services
(Debian's podman, tests/engine/podman.py), each with a container that has the service's
own socket mounted.

What the engine changes: Podman has no daemon (containers outlive the API service, so no
live restore to ask for), no ``icc`` setting and no authorization plugins; rootless Podman
maps root in its containers to an unprivileged user (DW604 passes), and its socket belongs
to that user (DW602 passes).
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dockward.cli.app import app
from dockward.readers.engine.connect import endpoint_label
from tests.engine.harness import busybox_rootfs_tar, skip_or_fail
from tests.engine.podman import PodmanService, podman_unavailable_reason

pytestmark = pytest.mark.engine

IMAGE = "localhost/busybox:dw"


def _service(rootless: bool) -> Iterator[PodmanService]:
    reason = podman_unavailable_reason(rootless)
    if reason:
        skip_or_fail(reason)
    folder = Path(tempfile.mkdtemp(prefix="dw-podman-", dir="/tmp"))
    service = PodmanService(folder, rootless=rootless)
    try:
        service.start()
        service.import_tar(busybox_rootfs_tar(), IMAGE)
        service.run("--name", "web", "-v", f"{service.socket_path}:/run/podman/podman.sock",
                    IMAGE, "sleep", "1d")
        service.run("--name", "pidhost", "--pid", "host", IMAGE, "sleep", "1d")
    except BaseException:
        service.stop()
        raise
    try:
        yield service
    finally:
        service.stop()
    assert not folder.exists()
    deadline = time.monotonic() + 15  # conmon and the pause process exit asynchronously
    while left := [p for p in Path("/proc").iterdir() if p.name.isdigit() and _mentions(p, folder)]:
        assert time.monotonic() < deadline, f"left running: {left}"
        time.sleep(0.2)


def _mentions(proc: Path, folder: Path) -> bool:
    """Does a process still refer to the service's folder (command line or environment)?"""
    try:
        blob = (proc / "cmdline").read_bytes() + (proc / "environ").read_bytes()
    except OSError:
        return False
    return str(folder).encode() in blob


@pytest.fixture(scope="module")
def rootful() -> Iterator[PodmanService]:
    yield from _service(rootless=False)


@pytest.fixture(scope="module")
def rootless() -> Iterator[PodmanService]:
    yield from _service(rootless=True)


def audit(service: PodmanService) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["audit", "-H", service.url, "-f", "json"])
    return result.exit_code, json.loads(result.stdout)


def codes(report: dict[str, Any], subject: str) -> set[str]:
    return {f["code"] for f in report["findings"] if f["subject"] == subject}


def test_rootful_podman(rootful: PodmanService) -> None:
    code, report = audit(rootful)
    assert code == 1 and report["errors"] == []
    label = endpoint_label(rootful.url)
    [host] = report["subjects"]
    assert (host["engine"], host["rootless"]) == ("podman", False)
    assert [c["name"] for c in host["containers"]] == ["pidhost", "web"]
    assert "DW201" in codes(report, f"{label}/web")
    assert "DW104" in codes(report, f"{label}/pidhost")
    daemon = {f["code"]: f["message"] for f in report["findings"] if f["subject"] == label}
    assert "DW609" not in daemon and "DW610" not in daemon  # no icc, no daemon to restart
    assert daemon["DW604"] == (
        "Podman runs rootful without a user namespace: UID 0 in every container is UID 0 on "
        "the host, so any breakout or host-path write acts as real root; run Podman "
        "rootless, or give containers --userns=auto")
    assert "podman" not in daemon["DW605"].lower() or "filtering proxy" in daemon["DW605"]
    # the socket is root's: root-owned 0600 is what DW602 wants
    assert "DW602" not in daemon


def test_rootless_podman(rootless: PodmanService) -> None:
    code, report = audit(rootless)
    assert code == 1 and report["errors"] == []
    label = endpoint_label(rootless.url)
    [host] = report["subjects"]
    assert (host["engine"], host["rootless"]) == ("podman", True)
    assert "DW201" in codes(report, f"{label}/web")
    daemon = codes(report, label)
    # root in these containers is the unprivileged user; the socket is that user's
    assert not daemon & {"DW602", "DW604", "DW609", "DW610"}
    assert "DW605" in daemon


def test_rootful_and_rootless_in_one_audit(rootful: PodmanService,
                                           rootless: PodmanService) -> None:
    result = CliRunner().invoke(app, ["audit", "-H", rootful.url, "-H", rootless.url,
                                      "--select", "DW604", "-f", "json"])
    report = json.loads(result.stdout)
    assert [f["subject"] for f in report["findings"]] == [endpoint_label(rootful.url)]
