"""Observations -> observed Workload + Observation, and the findings the rules make of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dockward.config import Config
from dockward.findings import Finding
from dockward.inside import probe
from dockward.inside.to_workload import build_observed, summary
from dockward.models.location import Location
from dockward.models.observation import (
    HostFilesystemView,
    KernelInterfaceView,
    Observation,
    RuntimeSocketView,
)
from dockward.rules.runner import RuleRunner
from tests.inside.helpers import FIXTURES, set_status, tree_roots, variant

BASELINE = {"DW103", "DW112", "DW113", "DW114", "DW301", "DW302", "DW303"}


def observe_tree(root: Path) -> dict[str, Any]:
    return probe.observe(**tree_roots(root), probe_sockets=False, environ={})


def findings(obs: dict[str, Any], select: tuple[str, ...] = ("DW",)) -> list[Finding]:
    w, o = build_observed(obs)
    return RuleRunner(Config(select=list(select))).run([w, o])


def codes(obs: dict[str, Any]) -> set[str]:
    return {f.code for f in findings(obs)}


# --------------------------------------------------------------------------- workload


def test_default_container_is_the_configured_default() -> None:
    w, o = build_observed(observe_tree(FIXTURES / "v1-unlimited"))
    assert w.source_kind == "observed" and w.describe() == f"this container '{w.name}'"
    assert len(w.name) == 12
    assert not w.privileged and w.cap_add == [] and w.cap_drop == []
    assert (w.pid_mode, w.network_mode, w.ipc_mode, w.uts_mode, w.userns_mode) == (None,) * 5
    assert w.user == "0:0" and w.read_only is False
    assert (w.memory, w.cpus, w.pids_limit) == (None, None, None)
    assert w.security_opts == [] and w.mounts == [] and w.devices == []
    assert {"restart", "ports", "image", "env"} <= set(w.unknown)
    assert w.where("user") == Location(subject="observed", path="/proc/self/status:Uid")
    assert w.where("memory").path == "/sys/fs/cgroup/memory/memory.limit_in_bytes"
    assert o.sockets == [] and o.host_filesystems == [] and o.kernel_interfaces == []


@pytest.mark.parametrize(("tree", "expected"), [
    ("v1-limited", BASELINE - {"DW301", "DW302", "DW303"}),
    ("v1-unlimited", BASELINE),
    ("v2-limited", BASELINE - {"DW301", "DW302", "DW303"}),
    ("v2-unlimited", BASELINE),
])
def test_exact_findings_of_captured_trees(tree: str, expected: set[str]) -> None:
    assert codes(observe_tree(FIXTURES / tree)) == expected


def test_limits_become_workload_fields() -> None:
    w, _ = build_observed(observe_tree(FIXTURES / "v1-limited"))
    assert (w.memory, w.cpus, w.pids_limit) == (268435456, 1.5, 50)
    assert w.where("pids_limit").path == "/sys/fs/cgroup/pids/pids.max"


def _status_tree(tmp_path: Path, **fields: str) -> Path:
    base = (FIXTURES / "v1-unlimited/proc/self/status").read_text()
    return variant(tmp_path, "v1-unlimited", {"proc/self/status": set_status(base, **fields)})


def test_seed_capsh_example_reads_as_drop_all_add_net_admin(tmp_path: Path) -> None:
    root = _status_tree(tmp_path, CapEff="0000000000001000", CapPrm="0000000000001000",
                        CapBnd="0000000000001000")
    obs = observe_tree(root)
    w, _ = build_observed(obs)
    assert [c.name for c in w.cap_drop] == ["ALL"]
    assert [c.name for c in w.cap_add] == ["NET_ADMIN"]
    assert w.cap_add[0].origin.path == "/proc/self/status:CapBnd"
    assert summary(obs)["capabilities"]["effective"] == ["cap_net_admin"]
    # exactly what scanning `--cap-drop=ALL --cap-add=NET_ADMIN` reports: DW102 (at medium,
    # NET_ADMIN stays in the container's own network namespace) and no DW103
    assert codes(obs) == {"DW102", "DW112", "DW113", "DW114", "DW301", "DW302", "DW303"}


def test_partial_drop(tmp_path: Path) -> None:
    root = _status_tree(tmp_path, CapBnd="00000000a80405fb")  # default minus NET_RAW
    w, _ = build_observed(observe_tree(root))
    assert [c.name for c in w.cap_drop] == ["NET_RAW"] and w.cap_add == []


def test_full_bounding_set_without_devices_is_cap_add_all(tmp_path: Path) -> None:
    root = _status_tree(tmp_path, CapBnd="000001ffffffffff", CapEff="000001ffffffffff")
    root_devices = root / "sys/fs/cgroup/devices/devices.list"
    root_devices.write_text("c 1:3 rwm\n")
    w, _ = build_observed(observe_tree(root))
    assert not w.privileged and [c.name for c in w.cap_add] == ["ALL"]


def test_privileged_is_inferred_and_not_repeated(tmp_path: Path) -> None:
    base = FIXTURES / "v1-unlimited"
    status = set_status((base / "proc/self/status").read_text(), CapEff="000001ffffffffff",
                        CapPrm="000001ffffffffff", CapBnd="000001ffffffffff", Seccomp="0")
    mountinfo = (base / "proc/self/mountinfo").read_text().replace("/proc/sys ro,",
                                                                   "/proc/sys rw,")
    root = variant(tmp_path, "v1-unlimited", {
        "proc/self/status": status, "proc/self/mountinfo": mountinfo,
        "sys/fs/cgroup/devices/devices.list": "a *:* rwm\n"})
    obs = observe_tree(root)
    w, _ = build_observed(obs)
    assert w.privileged and w.where("privileged").path == "/proc/self/status:CapBnd"
    assert w.cap_add == [] and w.security_opts == []  # implied by privileged
    assert codes(obs) == {"DW101", "DW112", "DW113", "DW114", "DW301", "DW302", "DW303"}


def test_security_options(tmp_path: Path) -> None:
    root = _status_tree(tmp_path, NoNewPrivs="1", Seccomp="0", Seccomp_filters="0")
    w, _ = build_observed(observe_tree(root))
    assert [(o.key, o.value) for o in w.security_opts] == [
        ("no-new-privileges", "true"), ("seccomp", "unconfined")]
    assert w.no_new_privileges
    assert codes(observe_tree(root)) == BASELINE - {"DW112"} | {"DW109"}


def test_systempaths_unconfined(tmp_path: Path) -> None:
    base = FIXTURES / "v2-unlimited/proc/self/mountinfo"
    text = "\n".join(ln for ln in base.read_text().splitlines()
                     if not any(p in ln for p in (" /proc/bus ", " /proc/fs ", " /proc/irq ",
                                                  " /proc/sys ", " /proc/sysrq-trigger ")))
    root = variant(tmp_path, "v2-unlimited", {"proc/self/mountinfo": text + "\n"})
    w, _ = build_observed(observe_tree(root))
    assert ("systempaths", "unconfined") in [(o.key, o.value) for o in w.security_opts]


def test_mounts_and_devices(tmp_path: Path) -> None:
    base = FIXTURES / "v2-unlimited"
    extra = "\n".join([
        "700 612 8:2 /var/lib/docker/volumes/appdata/_data /data rw - ext4 /dev/sda2 rw",
        "701 612 8:2 /run/docker.sock /var/run/docker.sock rw - ext4 /dev/sda2 rw",
        "702 612 8:2 /srv/app /app rw shared:12 - ext4 /dev/sda2 rw",
        "703 612 0:80 / /scratch rw - tmpfs tmpfs rw",
    ])
    root = variant(tmp_path, "v2-unlimited", {
        "proc/self/mountinfo": (base / "proc/self/mountinfo").read_text() + extra + "\n"})
    w, _ = build_observed(observe_tree(root))
    got = [(m.type, m.source, m.target, m.propagation) for m in w.mounts]
    assert got == [("volume", "appdata", "/data", None),
                   ("bind", "/run/docker.sock", "/var/run/docker.sock", None),
                   ("bind", "/srv/app", "/app", "shared"),
                   ("tmpfs", None, "/scratch", None)]
    assert w.mounts[1].origin.path == "/proc/self/mountinfo:/var/run/docker.sock"
    fs = findings(observe_tree(root), ("DW201", "DW204"))
    assert [(f.code, f.location.path) for f in fs] == [
        ("DW201", "/proc/self/mountinfo:/var/run/docker.sock"),
        ("DW204", "/proc/self/mountinfo:/app")]


def test_devices_not_allowed_by_the_device_cgroup_are_ignored() -> None:
    obs = observe_tree(FIXTURES / "v1-unlimited")
    obs["devices"]["extra"] = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229},
                               {"path": "/dev/net/tun", "type": "c", "major": 10,
                                "minor": 200}]
    w, _ = build_observed(obs)
    assert [d.container_path for d in w.devices] == ["/dev/net/tun"]  # c 10:200 rwm allowed


def test_host_namespaces_from_signs() -> None:
    obs = observe_tree(FIXTURES / "v2-unlimited")
    obs["namespaces"]["net"].update(host=True, signs=["host interfaces are visible: docker0"])
    obs["namespaces"]["pid"].update(host=True, signs=["kernel thread kthreadd"])
    w, _ = build_observed(obs)
    assert w.network_mode == "host" and w.where("network_mode").path == "/sys/class/net"
    assert w.pid_mode == "host" and w.where("pid_mode").path == "/proc/2/stat"


def test_unreadable_status_leaves_fields_unknown() -> None:
    obs = observe_tree(FIXTURES / "v1-unlimited")
    obs["capabilities"] = {}
    obs["user"] = {}
    obs["security"] = {}
    w, _ = build_observed(obs)
    assert {"cap_add", "cap_drop", "privileged", "user", "no_new_privileges"} <= set(w.unknown)
    assert codes(obs) == {"DW114", "DW301", "DW302", "DW303"}


# --------------------------------------------------------------------------- DW7xx


def _obs(**kw: Any) -> Observation:
    return Observation(name="c", anchor=Location(subject="observed", path="/proc/self"), **kw)


def _run(o: Observation) -> list[Finding]:
    return RuleRunner(Config(select=["DW7"])).run([o])


def _sock(**kw: Any) -> RuntimeSocketView:
    base: dict[str, Any] = {
        "address": "unix:///var/run/docker.sock", "runtime": "docker", "protocol": "http",
        "origin": Location(subject="observed",
                           path="/proc/self/mountinfo:/var/run/docker.sock"),
        "path": "/var/run/docker.sock"}
    base.update(kw)
    return RuntimeSocketView(**base)


def test_dw701_fires_when_the_api_answers() -> None:
    s = _sock(connectable=True, answers=True, server="Docker/20.10.24 (linux)",
              api_version="1.41", host_source="/run/docker.sock")
    [f] = _run(_obs(sockets=[s]))
    assert f.code == "DW701" and f.severity.label == "critical"
    assert f.message.startswith("the Docker Engine API at /var/run/docker.sock answers GET "
                                "/_ping from inside this container (Docker/20.10.24 (linux), "
                                "API 1.41); it is the host's /run/docker.sock: the escape is "
                                "one command away, `docker -H unix:///var/run/docker.sock run")
    assert "-v /:/host" in f.message and "root on the host" in f.message


def test_dw701_silent_when_permission_denied_or_not_probed() -> None:
    denied = _sock(connectable=False, answers=False, error="Permission denied")
    unprobed = _sock(connectable=None, answers=None)
    assert _run(_obs(sockets=[denied, unprobed])) == []


def test_dw701_grpc_runtime_counts_when_connectable() -> None:
    s = _sock(address="unix:///run/containerd/containerd.sock", runtime="containerd",
              protocol="grpc", path="/run/containerd/containerd.sock", connectable=True,
              answers=False)
    [f] = _run(_obs(sockets=[s]))
    assert "containerd API" in f.message and "ctr -a /run/containerd/containerd.sock" in f.message


def test_dw702_and_dw703() -> None:
    where = Location(subject="observed", path="/proc/self/mountinfo:/psm")
    h = HostFilesystemView(mount_point="/psm", origin=where, host_source="/", fstype="ext4",
                           writable=True, reasons=["the host's root filesystem"],
                           sample=["bin", "etc"], submounts=3, writable_submounts=["proc"])
    k = KernelInterfaceView(path="/proc/sys/kernel/core_pattern", writable=True,
                            origin=Location(subject="observed",
                                            path="/proc/sys/kernel/core_pattern"),
                            how="the host runs it")
    ro = KernelInterfaceView(path="/proc/sysrq-trigger", writable=False,
                             origin=Location(subject="observed", path="/proc/sysrq-trigger"))
    got = _run(_obs(host_filesystems=[h], kernel_interfaces=[k, ro]))
    assert [f.code for f in got] == ["DW702", "DW703"]
    assert got[0].message == (
        "the host's root filesystem is visible at /psm (contains bin, etc), writable from "
        "here: a file dropped into its etc/cron.d, a systemd unit or root/.ssh/authorized_keys "
        "makes the host run attacker code as root; 3 host mounts below it came along with "
        "the recursive bind, read-write ones included (proc)")
    assert got[0].severity.label == "critical"  # writable: raised from high
    assert got[1].message == ("/proc/sys/kernel/core_pattern is writable from inside the "
                              "container: the host runs it")
