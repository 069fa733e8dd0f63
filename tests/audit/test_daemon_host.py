"""Daemon settings, the live daemon/host readers and the daemon and host rules (DW602-612).

``info.json`` is ``GET /info`` of a private dockerd 20.10 on the reference machine.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

import pytest

from dockward.config import Config
from dockward.findings import Finding
from dockward.models.daemon import Daemon
from dockward.models.host import FileFacts, GroupMember, Host
from dockward.models.location import Location
from dockward.readers.engine.connect import Endpoint
from dockward.readers.engine.daemon import (
    DaemonConfigFile,
    DockerdProcess,
    daemon_from_live,
    file_facts,
    host_from_live,
    match_dockerd,
    process_config_path,
    process_hosts,
    read_daemon_config,
)
from dockward.rules.runner import RuleRunner

INFO: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "info.json").read_text(encoding="utf-8"))
UNIX = Endpoint("dw", "unix:///tmp/dw/docker.sock", "--host")


def codes(model: object, select: str = "DW6", **options: Any) -> list[str]:
    cfg = Config(select=[select], rule_options=options)
    return sorted(f.code for f in RuleRunner(cfg).check(model))


def run(model: object, select: str, **options: Any) -> list[Finding]:
    return RuleRunner(Config(select=[select], rule_options=options)).check(model)


def info(**changes: Any) -> dict[str, Any]:
    out = copy.deepcopy(INFO)
    out.update(changes)
    return out


def live(flags: list[str] | None = None, config: dict[str, Any] | None = None,
         endpoint: Endpoint = UNIX, **info_changes: Any) -> Daemon:
    proc = DockerdProcess(pid=1, argv=["dockerd", *(flags or [])], uid=0)
    cfg = DaemonConfigFile(path="/etc/docker/daemon.json", known=True,
                           data=config or {}, exists=config is not None,
                           text=json.dumps(config or {}, indent=2))
    return daemon_from_live(endpoint, info(**info_changes), proc, cfg, None, True)


# ------------------------------------------------------------------ Daemon.settings


def test_settings_from_flags_and_config() -> None:
    d = Daemon(name="d", anchor=Location(subject="d"),
               flags=["-H", "unix:///x", "-Htcp://0.0.0.0:2375", "--icc=false", "--tlsverify",
                      "--insecure-registry", "a:5000", "--userns-remap", "default"],
               config={"insecure-registries": ["b:5000"], "live-restore": True})
    assert [s.value for s in d.settings("hosts")] == ["unix:///x", "tcp://0.0.0.0:2375"]
    assert d.enabled("icc") is False and d.enabled("tlsverify") is True
    assert d.enabled("live-restore") is True and d.enabled("no-new-privileges") is None
    assert [s.value for s in d.settings("insecure-registries")] == ["a:5000", "b:5000"]
    assert d.setting("userns-remap").value == "default"  # type: ignore[union-attr]
    assert d.settings("hosts")[1].origin.path == "argv[2]"


def test_security_options_parsing() -> None:
    d = live(SecurityOptions=["name=seccomp,profile=default", "name=rootless", "apparmor"])
    assert d.security_options() == {"seccomp": {"profile": "default"}, "rootless": {},
                                    "apparmor": {}}


# ------------------------------------------------------------------ live daemon model


def test_live_daemon_is_complete_with_cmdline_and_config() -> None:
    d = live(["--data-root", "/x", "-H", "unix:///tmp/dw/docker.sock"], {"icc": False})
    assert d.is_live and d.complete and d.source_kind == "live" and d.host == "dw"
    assert d.where("daemon.json.icc") == Location(file="/etc/docker/daemon.json", line=2,
                                                  column=3, path="icc", subject="dw")
    assert d.settings("hosts")[0].origin.path == "dockerd.argv[3]"


def test_remote_daemon_is_not_complete() -> None:
    d = daemon_from_live(Endpoint("r", "tcp://10.0.0.5:2376", "--host"), info(), None, None)
    assert d.is_live and not d.complete


def test_tcp_listener_from_cmdline_and_endpoint_deduplicated() -> None:
    ep = Endpoint("t", "tcp://127.0.0.1:2375", "--host")
    d = live(["-H", "unix:///s", "-H", "tcp://127.0.0.1:2375"], endpoint=ep)
    tcp = [x for x in d.listeners if x.is_tcp]
    assert len(tcp) == 1 and not tcp[0].tls and tcp[0].origin.path == "dockerd.argv[3]"
    assert codes(d, "DW601") == ["DW601"]


def test_remote_plain_tcp_endpoint_is_evidence_of_a_listener() -> None:
    d = daemon_from_live(Endpoint("r", "tcp://10.0.0.5:2375", "--host"), info(), None, None)
    assert [(x.address, x.tls, x.origin.path) for x in d.listeners] == [
        ("tcp://10.0.0.5:2375", False, "endpoint")]
    assert codes(d, "DW601") == ["DW601"]


def test_tlsverify_listener_is_quiet() -> None:
    d = live(["-H", "tcp://0.0.0.0:2376", "--tlsverify", "--tlscacert", "/c"])
    assert codes(d, "DW601") == []


# ------------------------------------------------------------------ process matching


def test_match_dockerd_by_socket_then_data_root(tmp_path: Path) -> None:
    sock = str(tmp_path / "docker.sock")
    a = DockerdProcess(1, ["dockerd", "-H", f"unix://{sock}"], 0)
    b = DockerdProcess(2, ["dockerd", "--data-root", "/data/b"], 0)
    configs = {1: DaemonConfigFile("x", known=True), 2: DaemonConfigFile("y", known=True)}
    ep = Endpoint("x", f"unix://{sock}", "--host")
    assert match_dockerd(ep, {}, [b, a], configs) is a
    other = Endpoint("y", "unix:///elsewhere.sock", "--host")
    assert match_dockerd(other, {"DockerRootDir": "/data/b"}, [a, b], configs) is b
    assert match_dockerd(other, {"DockerRootDir": "/nope"}, [a, b], configs) is None


def test_match_dockerd_default_socket_and_tcp() -> None:
    default = DockerdProcess(1, ["/usr/bin/dockerd", "-H", "fd://"], 0)
    tcp = DockerdProcess(2, ["dockerd", "-H", "tcp://0.0.0.0:2375"], 0)
    configs = {1: DaemonConfigFile("x", known=True), 2: DaemonConfigFile("y", known=True)}
    ep = Endpoint("local", "unix:///var/run/docker.sock", "default")
    assert match_dockerd(ep, {}, [tcp, default], configs) is default
    ep = Endpoint("t", "tcp://127.0.0.1:2375", "--host")
    assert match_dockerd(ep, {}, [default, tcp], configs) is tcp


def test_process_hosts_and_config_path() -> None:
    proc = DockerdProcess(1, ["dockerd", "--config-file=/etc/x.json"], 0)
    assert process_config_path(proc) == "/etc/x.json"
    assert process_hosts(proc, {"hosts": ["tcp://1.2.3.4:2375"]}) == ["tcp://1.2.3.4:2375"]
    assert process_hosts(proc, {}) == ["unix:///var/run/docker.sock"]
    rootless = DockerdProcess(2, ["dockerd"], 1000, {"HOME": "/home/u"})
    assert process_config_path(rootless) == "/home/u/.config/docker/daemon.json"


def test_read_daemon_config(tmp_path: Path) -> None:
    missing = read_daemon_config(str(tmp_path / "none.json"))
    assert missing.known and not missing.exists and missing.data == {}
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    result = read_daemon_config(str(bad))
    assert not result.known and "not valid JSON" in result.error
    good = tmp_path / "good.json"
    good.write_text('{"icc": false}')
    assert read_daemon_config(str(good)).data == {"icc": False}


# ------------------------------------------------------------------ daemon rules


def test_reference_daemon_findings() -> None:
    """The reference machine's private daemon: no userns, no authz, no LSM, no live restore,
    nothing in daemon.json, no bridge."""
    d = live(["--bridge=none"])
    assert codes(d) == ["DW604", "DW605", "DW607", "DW608", "DW610"]


def test_hardened_daemon_is_quiet() -> None:
    d = live(["--bridge=none"], {"no-new-privileges": True, "live-restore": True,
                                 "icc": False, "authorization-plugins": ["authz"]},
             SecurityOptions=["name=apparmor", "name=seccomp,profile=default", "name=userns"],
             LiveRestoreEnabled=True, ServerVersion="29.3.1")  # older ones: DW614, DW615
    assert codes(d) == []


def test_rootless_counts_as_userns() -> None:
    d = live(SecurityOptions=["name=seccomp,profile=default", "name=rootless"])
    assert "DW604" not in codes(d)


def test_dw606_seccomp_unconfined_live_and_flag() -> None:
    d = live(["--seccomp-profile", "unconfined"],
             SecurityOptions=["name=seccomp,profile=unconfined"])
    found = run(d, "DW606")
    assert len(found) == 1 and found[0].location.path == "dockerd.argv[1]"
    d = live(SecurityOptions=["name=seccomp,profile=unconfined"])
    assert [f.location.path for f in run(d, "DW606")] == ["info.SecurityOptions"]
    d = live(SecurityOptions=[])
    assert "no seccomp support" in run(d, "DW606")[0].message


def test_dw606_on_a_command_line_daemon() -> None:
    d = Daemon(name="dockerd", anchor=Location(file="run.sh", line=3, path="dockerd[0]"),
               flags=["-H", "unix:///var/run/docker.sock", "--seccomp-profile=unconfined"])
    found = run(d, "DW606")
    assert [(f.location.file, f.location.path) for f in found] == [("run.sh",
                                                                    "dockerd[0].argv[2]")]
    assert codes(d) == ["DW606"]  # absence-based rules stay silent on partial knowledge


def test_dw607_explicit_false_and_absent() -> None:
    assert codes(live(config={"no-new-privileges": False}), "DW607") == ["DW607"]
    assert codes(live(config={"no-new-privileges": True}), "DW607") == []
    incomplete = daemon_from_live(UNIX, info(), None, None)
    assert codes(incomplete, "DW607") == []


def test_dw608_lsm() -> None:
    assert codes(live(SecurityOptions=["name=selinux"]), "DW608") == []
    assert codes(live(SecurityOptions=["name=apparmor"]), "DW608") == []
    assert codes(live(OSType="windows"), "DW608") == []


def test_dw609_icc_from_bridge_network_and_settings() -> None:
    proc = DockerdProcess(1, ["dockerd"], 0)
    cfg = DaemonConfigFile(path="/etc/docker/daemon.json", known=True)
    on = daemon_from_live(UNIX, info(), proc, cfg,
                          {"com.docker.network.bridge.enable_icc": "true"}, True)
    assert codes(on, "DW609") == ["DW609"]
    off = daemon_from_live(UNIX, info(), proc, cfg,
                           {"com.docker.network.bridge.enable_icc": "false"}, True)
    assert codes(off, "DW609") == []
    no_bridge = daemon_from_live(UNIX, info(), proc, cfg, None, True)
    assert codes(no_bridge, "DW609") == []
    unchecked = daemon_from_live(UNIX, info(), proc, cfg, None, False)
    assert codes(unchecked, "DW609") == ["DW609"]
    assert codes(live(["--icc=true"]), "DW609") == ["DW609"]
    assert codes(live(["--icc=false"]), "DW609") == []


def test_dw610_not_on_swarm() -> None:
    swarm = {"LocalNodeState": "active", "ControlAvailable": True}
    assert codes(live(Swarm=swarm), "DW610") == []
    assert codes(live(config={"live-restore": False}, LiveRestoreEnabled=False),
                 "DW610") == ["DW610"]


def test_dw611_insecure_registries_once_each() -> None:
    registry = {"InsecureRegistryCIDRs": ["127.0.0.0/8", "10.0.0.0/8"],
                "IndexConfigs": {"docker.io": {"Secure": True},
                                 "reg.local:5000": {"Secure": False},
                                 "localhost:5000": {"Secure": False}},
                "Mirrors": []}
    d = live(config={"insecure-registries": ["reg.local:5000"],
                     "registry-mirrors": ["http://mirror.local"]}, RegistryConfig=registry)
    found = run(d, "DW611")
    assert sorted(f.evidence for f in found) == [
        "insecure-registry 10.0.0.0/8", "insecure-registry reg.local:5000",
        "registry-mirror http://mirror.local"]
    by_evidence = {f.evidence: f for f in found}
    assert by_evidence["insecure-registry reg.local:5000"].location.file == (
        "/etc/docker/daemon.json")
    assert codes(live(), "DW611") == []


def test_dw604_explicit_empty_on_command_line() -> None:
    d = Daemon(name="dockerd", anchor=Location(file="x.sh", line=1),
               flags=["-H", "unix:///s", "--userns-remap="])
    assert codes(d, "DW604") == ["DW604"]


# ------------------------------------------------------------------ host rules


def facts(path: str, role: str, mode: int, uid: int = 0, gid: int = 0, owner: str = "root",
          group: str = "root", kind: str = "file") -> FileFacts:
    return FileFacts(path=path, role=role, origin=Location(subject="h", path=f"file:{path}"),
                     uid=uid, gid=gid, owner=owner, group=group, mode=mode, kind=kind)


def host(socket: FileFacts | None = None, members: list[GroupMember] | None = None,
         files: list[FileFacts] | None = None, rootless: bool = False) -> Host:
    return Host(name="h", anchor=Location(subject="h"), local=True, rootless=rootless,
                socket=socket, socket_group_members=members or [], files=files or [])


SOCK_OK = facts("/var/run/docker.sock", "socket", 0o660, gid=105, group="docker",
                kind="socket")


@pytest.mark.parametrize(("sock", "fires"), [
    (SOCK_OK, False),
    (facts("/s", "socket", 0o660, gid=0, group="root", kind="socket"), False),
    (facts("/s", "socket", 0o666, gid=105, group="docker", kind="socket"), True),
    (facts("/s", "socket", 0o660, gid=100, group="users", kind="socket"), True),
    (facts("/s", "socket", 0o660, uid=1000, owner="adam", gid=105, group="docker",
           kind="socket"), True),
    (facts("/s", "socket", 0o664, gid=105, group="docker", kind="socket"), True),
])
def test_dw602_socket(sock: FileFacts, fires: bool) -> None:
    assert bool(run(host(sock), "DW602")) is fires


def test_dw602_world_writable_message_and_options() -> None:
    sock = facts("/s", "socket", 0o666, gid=100, group="users", kind="socket")
    found = run(host(sock), "DW602")
    assert "writable by every local user" in found[0].message
    assert "group users" in found[0].message
    assert found[0].evidence == "/s root:users 0666"
    quiet = run(host(facts("/s", "socket", 0o660, gid=100, group="users", kind="socket")),
                "DW602", DW602={"allowed_groups": ["users"]})
    assert quiet == []


def test_dw602_rootless_checks_mode_only() -> None:
    sock = facts("/run/user/1000/docker.sock", "socket", 0o660, uid=1000, owner="u",
                 gid=1000, group="u", kind="socket")
    assert run(host(sock, rootless=True), "DW602") == []


def test_dw603_members_listed_and_trusted_allowed() -> None:
    members = [GroupMember("adam", "member", 1000), GroupMember("ci", "primary", 1001),
               GroupMember("root", "member", 0)]
    found = run(host(SOCK_OK, members), "DW603")
    assert [(f.extra["user"], f.location.path) for f in found] == [
        ("adam", "file:/var/run/docker.sock.group.adam"),
        ("ci", "file:/var/run/docker.sock.group.ci")]
    assert "root-equivalent" in found[0].message
    trusted = run(host(SOCK_OK, members), "DW603", DW603={"trusted_users": ["adam"]})
    assert [f.extra["user"] for f in trusted] == ["ci"]
    no_write = facts("/s", "socket", 0o640, gid=105, group="docker", kind="socket")
    assert run(host(no_write, members), "DW603") == []


def test_dw603_severity_configurable() -> None:
    from dockward.findings import Severity

    cfg = Config(select=["DW603"], severity_overrides={"DW603": Severity.HIGH})
    found = RuleRunner(cfg).check(host(SOCK_OK, [GroupMember("adam", "member", 1000)]))
    assert [f.severity for f in found] == [Severity.HIGH]


@pytest.mark.parametrize(("f", "fires"), [
    (facts("/etc/docker/daemon.json", "daemon-config", 0o644), False),
    (facts("/etc/docker/daemon.json", "daemon-config", 0o666), True),
    (facts("/etc/docker/daemon.json", "daemon-config", 0o644, uid=1000, owner="u"), True),
    (facts("/etc/docker", "config-dir", 0o755, kind="dir"), False),
    (facts("/etc/docker", "config-dir", 0o775, kind="dir"), True),
    (facts("/etc/docker/key.pem", "tls-key", 0o400), False),
    (facts("/etc/docker/key.pem", "tls-key", 0o644), True),
    (facts("/etc/docker/certs.d/r/ca.crt", "registry-certs", 0o644), False),
    (facts("/run/containerd/containerd.sock", "containerd-socket", 0o660, kind="socket"),
     False),
    (facts("/run/containerd/containerd.sock", "containerd-socket", 0o660, gid=105,
           group="docker", kind="socket"), True),
    (facts("/lib/systemd/system/docker.service", "systemd-unit", 0o664), True),
])
def test_dw612_files(f: FileFacts, fires: bool) -> None:
    assert bool(run(host(files=[f]), "DW612")) is fires


def test_host_reader_on_real_files(tmp_path: Path) -> None:
    cfg = tmp_path / "daemon.json"
    cfg.write_text("{}")
    os.chmod(cfg, 0o666)
    facts_ = file_facts(str(cfg), "daemon-config", "h")
    assert facts_ is not None and facts_.mode == 0o666 and facts_.kind == "file"
    assert file_facts(str(tmp_path / "missing"), "x", "h") is None
    d = live(config={})
    d.config_path = str(cfg)
    h = host_from_live(Endpoint("h", f"unix://{tmp_path}/none.sock", "--host"), d, None)
    assert h.local and h.socket is None and h.errors
    assert any(x.path == str(cfg) and x.role == "daemon-config" for x in h.files)
    assert any(f.code == "DW612" and str(cfg) in f.message for f in run(h, "DW612"))


def test_host_reader_remote_has_no_facts() -> None:
    d = daemon_from_live(Endpoint("r", "tcp://10.0.0.1:2376", "--host"), info(), None, None)
    h = host_from_live(Endpoint("r", "tcp://10.0.0.1:2376", "--host"), d, None)
    assert not h.local and h.socket is None and h.files == []
