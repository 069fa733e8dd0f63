"""Configured vs observed, side by side."""

from __future__ import annotations

from dockward.inside import probe
from dockward.inside.compare import compare, configured_capabilities, disagreements
from dockward.inside.to_workload import build_observed
from dockward.models.location import Location
from dockward.models.workload import Capability, Device, Mount, SecurityOpt, Workload
from tests.inside.helpers import FIXTURES, tree_roots

HERE = Location(subject="web")


def configured(**kw: object) -> Workload:
    w = Workload(name="web", source_kind="container", anchor=HERE)
    for key, value in kw.items():
        setattr(w, key, value)
    return w


def observed(tree: str = "v1-limited") -> Workload:
    obs = probe.observe(**tree_roots(FIXTURES / tree), probe_sockets=False, environ={})
    return build_observed(obs)[0]


def test_matching_views_agree() -> None:
    conf = configured(memory=268435456, cpus=1.5, pids_limit=50)
    rows = compare(conf, observed())
    assert all(r.agree for r in rows), [r for r in rows if not r.agree]
    caps = next(r for r in rows if r.setting == "capabilities")
    assert caps.configured == caps.observed == (
        "AUDIT_WRITE,CHOWN,DAC_OVERRIDE,FOWNER,FSETID,KILL,MKNOD,NET_BIND_SERVICE,NET_RAW,"
        "SETFCAP,SETGID,SETPCAP,SETUID,SYS_CHROOT")
    assert {r.setting for r in rows} >= {"privileged", "pid namespace host", "memory (bytes)",
                                         "cpus", "pids limit", "no-new-privileges", "uid",
                                         "mounts", "devices", "read-only rootfs"}


def test_disagreements_are_flagged() -> None:
    conf = configured(
        memory=512 * 1024 * 1024, cpus=None, pids_limit=50, read_only=True,
        cap_drop=[Capability("ALL", HERE)], cap_add=[Capability("NET_ADMIN", HERE)],
        security_opts=[SecurityOpt("no-new-privileges", "true", HERE)], user="1000",
        mounts=[Mount("bind", "/srv", "/srv", HERE)],
        devices=[Device("/dev/fuse", "/dev/fuse", HERE)],
    )
    got = {r.setting: r for r in disagreements(conf, observed())}
    assert set(got) == {"capabilities", "memory (bytes)", "cpus", "read-only rootfs",
                        "no-new-privileges", "uid", "mounts"}
    assert got["capabilities"].note.startswith("configured but not granted: NET_ADMIN; "
                                               "granted but not configured: AUDIT_WRITE")
    assert got["memory (bytes)"].configured == "536870912"
    assert got["memory (bytes)"].observed == "268435456"
    assert got["cpus"].configured == "unlimited" and got["cpus"].observed == "1.5"
    assert got["mounts"].note == "configured but not mounted: /srv"
    assert got["uid"].configured == "1000" and got["uid"].observed == "0"
    assert "devices" not in got  # configured but absent nodes are the node's business


def test_unknowns_never_disagree() -> None:
    obs = observed()
    obs.mark_unknown("memory", "x")
    conf = configured(memory=1, cpus=1.5, pids_limit=50, user="app")  # a name: no uid known
    got = {r.setting for r in disagreements(conf, obs)}
    assert "memory (bytes)" not in got and "uid" not in got


def test_configured_capabilities() -> None:
    assert configured_capabilities(configured(cap_drop=[Capability("ALL", HERE)])) == set()
    w = configured(cap_add=[Capability("SYS_ADMIN", HERE)], cap_drop=[Capability("MKNOD", HERE)])
    caps = configured_capabilities(w)
    assert caps is not None and "SYS_ADMIN" in caps and "MKNOD" not in caps
    assert configured_capabilities(configured(privileged=True), {"A", "B"}) == {"A", "B"}
