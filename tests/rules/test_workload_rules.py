"""Rule logic on hand-built models, independent of the readers."""

from __future__ import annotations

from typing import Any

import pytest

from dockward.findings import Hit, Severity
from dockward.models.daemon import Daemon, Listener
from dockward.models.environment import DaemonDefaults, Environment
from dockward.models.location import Location
from dockward.models.workload import (
    Capability,
    Device,
    EnvVar,
    Mount,
    Port,
    RestartPolicy,
    SecurityOpt,
    Workload,
)
from dockward.rules.registry import RuleContext, lookup

ANCHOR = Location(file="compose.yaml", line=2, column=3, path="services.app")


def at(line: int, path: str = "") -> Location:
    return Location(file="compose.yaml", line=line, column=7, path=path)


def workload(**fields: Any) -> Workload:
    w = Workload(name="app", source_kind="compose-service", anchor=ANCHOR)
    for key, value in fields.items():
        setattr(w, key, value)
    return w


def limited(**fields: Any) -> Workload:
    """A workload that passes the "missing setting" rules, with ``fields`` on top."""
    base: dict[str, Any] = {
        "memory": 256 * 1024 * 1024, "cpus": 1.0, "pids_limit": 100, "read_only": True,
        "user": "10001", "cap_drop": [Capability("ALL", at(9))],
        "security_opts": [SecurityOpt.parse("no-new-privileges:true", at(10))],
    }
    base.update(fields)
    return workload(**base)


def run(code: str, model: object, **options: Any) -> list[Hit]:
    found = lookup(code)
    assert found is not None, code
    ctx = RuleContext(options={**found.options, **options})
    return list(found.check(model, ctx))


def lines(hits: list[Hit]) -> list[int]:
    return [h.location.line for h in hits]


def bind(source: str, target: str, line: int = 5, ro: bool = False, **kw: Any) -> Mount:
    return Mount("bind", source, target, at(line), read_only=ro, **kw)


# -- DW101 ------------------------------------------------------------------------------

def test_dw101_privileged_points_at_the_setting() -> None:
    w = workload(privileged=True)
    w.origins["privileged"] = at(4)
    hits = run("DW101", w)
    assert lines(hits) == [4]
    assert "root in the container" in hits[0].message


def test_dw101_not_privileged() -> None:
    assert run("DW101", workload()) == []


# -- DW102 ------------------------------------------------------------------------------

def test_dw102_one_hit_per_dangerous_capability_at_its_line() -> None:
    w = workload(cap_add=[Capability("SYS_ADMIN", at(5)), Capability("CHOWN", at(6)),
                          Capability("SYS_BOOT", at(7))])
    hits = run("DW102", w)
    assert lines(hits) == [5, 7]
    assert "SYS_ADMIN" in hits[0].message and "SYS_BOOT" in hits[1].message
    assert "kexec" in hits[1].message


def test_dw102_all_is_flagged_as_near_privileged() -> None:
    hits = run("DW102", workload(cap_add=[Capability("ALL", at(5))]))
    assert len(hits) == 1
    assert "privileged" in hits[0].message and "critical" in hits[0].message
    assert hits[0].severity is Severity.CRITICAL


def test_dw102_normalizes_names_and_dedups() -> None:
    w = workload(cap_add=[Capability("cap_sys_module", at(5)), Capability("SYS_MODULE", at(6))])
    assert lines(run("DW102", w)) == [5]


def test_dw102_capabilities_option() -> None:
    w = workload(cap_add=[Capability("NET_RAW", at(5)), Capability("SYS_ADMIN", at(6))])
    hits = run("DW102", w, capabilities=["CAP_NET_RAW"])
    assert lines(hits) == [5]
    assert "NET_RAW" in hits[0].message


def test_dw102_harmless_capability_passes() -> None:
    assert run("DW102", workload(cap_add=[Capability("NET_BIND_SERVICE", at(5))])) == []


def test_dw102_net_admin_is_lower_in_its_own_network_namespace() -> None:
    own = run("DW102", workload(cap_add=[Capability("NET_ADMIN", at(5))]))
    assert [(h.location.line, h.severity) for h in own] == [(5, Severity.MEDIUM)]
    assert "CVE-2024-1086" in own[0].message and "inline ignore" in own[0].message
    host = run("DW102", workload(cap_add=[Capability("NET_ADMIN", at(5))], network_mode="host"))
    assert [h.severity for h in host] == [None]  # the rule's own: high
    assert "host networking" in host[0].message
    always = run("DW102", workload(cap_add=[Capability("NET_ADMIN", at(5))]), netns_scoped=[])
    assert [h.severity for h in always] == [None]


# -- DW103 ------------------------------------------------------------------------------

def test_dw103_nothing_dropped_anchors_at_service() -> None:
    hits = run("DW103", workload())
    assert [h.location for h in hits] == [ANCHOR]
    assert "14 default capabilities" in hits[0].message


def test_dw103_partial_drop_names_what_is_kept() -> None:
    hits = run("DW103", workload(cap_drop=[Capability("NET_RAW", at(5))]))
    assert len(hits) == 1
    assert "drops NET_RAW but not ALL" in hits[0].message
    assert "CHOWN" in hits[0].message and "NET_RAW, " not in hits[0].message


@pytest.mark.parametrize("w", [
    workload(cap_drop=[Capability("ALL", at(5))]),
    workload(privileged=True),
])
def test_dw103_passes(w: Workload) -> None:
    assert run("DW103", w) == []


def test_dw103_unknown_is_not_missing() -> None:
    w = workload()
    w.mark_unknown("cap_drop", "not expressible")
    assert run("DW103", w) == []


# -- DW104..DW108 namespaces -------------------------------------------------------------

@pytest.mark.parametrize(("code", "field", "word"), [
    ("DW104", "pid_mode", "PID"),
    ("DW105", "network_mode", "network"),
    ("DW106", "ipc_mode", "IPC"),
    ("DW107", "uts_mode", "UTS"),
    ("DW108", "userns_mode", "user namespace"),
])
def test_host_namespaces(code: str, field: str, word: str) -> None:
    w = workload(**{field: "host"})
    w.origins[field] = at(6)
    hits = run(code, w)
    assert lines(hits) == [6]
    assert word in hits[0].message
    assert run(code, workload(**{field: "HOST"}))  # case-insensitive
    assert run(code, workload()) == []
    assert run(code, workload(**{field: "container:other"})) == []
    assert run(code, workload(**{field: "private"})) == []


# -- DW109..DW111, DW115 security options --------------------------------------------------

@pytest.mark.parametrize(("code", "raw"), [
    ("DW109", "seccomp=unconfined"),
    ("DW109", "seccomp:unconfined"),
    ("DW110", "apparmor=unconfined"),
    ("DW110", "apparmor:unconfined"),
    ("DW111", "label=disable"),
    ("DW111", "label:disable"),
    ("DW111", "label=type:spc_t"),
    ("DW115", "systempaths=unconfined"),
])
def test_security_opt_fires_at_option(code: str, raw: str) -> None:
    w = workload(security_opts=[SecurityOpt.parse("no-new-privileges", at(4)),
                                SecurityOpt.parse(raw, at(5))])
    assert lines(run(code, w)) == [5]


@pytest.mark.parametrize(("code", "raw"), [
    ("DW109", "seccomp=/etc/docker/seccomp.json"),
    ("DW110", "apparmor=docker-default"),
    ("DW111", "label=type:container_t"),
    ("DW111", "label=level:s0:c100,c200"),
    ("DW115", "no-new-privileges"),
])
def test_security_opt_passes(code: str, raw: str) -> None:
    assert run(code, workload(security_opts=[SecurityOpt.parse(raw, at(5))])) == []


def test_dw109_last_option_wins() -> None:
    w = workload(security_opts=[SecurityOpt.parse("seccomp=unconfined", at(4)),
                                SecurityOpt.parse("seccomp=profile.json", at(5))])
    assert run("DW109", w) == []


# -- DW112 ------------------------------------------------------------------------------

def test_dw112_missing_anchors_at_service() -> None:
    assert [h.location for h in run("DW112", workload())] == [ANCHOR]


@pytest.mark.parametrize("raw", ["no-new-privileges", "no-new-privileges:true",
                                 "no-new-privileges=true"])
def test_dw112_set(raw: str) -> None:
    assert run("DW112", workload(security_opts=[SecurityOpt.parse(raw, at(5))])) == []


def test_dw112_explicit_false_points_at_option() -> None:
    hits = run("DW112", workload(security_opts=[SecurityOpt.parse("no-new-privileges=false",
                                                                  at(5))]))
    assert lines(hits) == [5]
    assert "explicitly" in hits[0].message


def test_dw112_k8s_allow_privilege_escalation_false() -> None:
    w = workload(allow_privilege_escalation=False)
    assert run("DW112", w) == []


# -- DW113 ------------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["root", "0", "0:0", "root:root", " 0 "])
def test_dw113_explicit_root(user: str) -> None:
    w = workload(user=user)
    w.origins["user"] = at(7)
    hits = run("DW113", w)
    assert lines(hits) == [7]
    assert "explicitly as root" in hits[0].message


def test_dw113_no_user_anchors_and_says_image_default() -> None:
    hits = run("DW113", workload())
    assert [h.location for h in hits] == [ANCHOR]
    assert "no user set" in hits[0].message
    assert "root unless the image says otherwise" in hits[0].message


def test_dw113_image_user_non_root_is_trusted() -> None:
    assert run("DW113", workload(image_user="app")) == []
    assert run("DW113", workload(image_user="1000:1000")) == []


def test_dw113_image_user_root() -> None:
    hits = run("DW113", workload(image_user="root"))
    assert len(hits) == 1 and "image's USER is root" in hits[0].message


@pytest.mark.parametrize("user", ["1000", "1000:0", "app", "nobody:nogroup"])
def test_dw113_non_root(user: str) -> None:
    assert run("DW113", workload(user=user)) == []


def test_dw113_unknown_user_and_run_as_non_root() -> None:
    w = workload()
    w.mark_unknown("user", "${UID}")
    assert run("DW113", w) == []
    assert run("DW113", workload(run_as_non_root=True)) == []


# -- DW114 ------------------------------------------------------------------------------

def test_dw114() -> None:
    assert [h.location for h in run("DW114", workload())] == [ANCHOR]
    assert run("DW114", workload(read_only=True)) == []
    w = workload()
    w.mark_unknown("read_only", "not expressible")
    assert run("DW114", w) == []


# -- DW201 ------------------------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "/var/run/docker.sock", "/run/docker.sock", "//var/run/docker.sock",
    "/run/containerd/containerd.sock", "/run/podman/podman.sock", "/var/run/crio/crio.sock",
    "/var/run", "/run", "/run/user/1000", "/run/user/1000/docker.sock",
])
def test_dw201_runtime_sockets(source: str) -> None:
    hits = run("DW201", workload(mounts=[bind(source, "/var/run/docker.sock", 8)]))
    assert lines(hits) == [8]
    assert "-v /:/host" in hits[0].message


def test_dw201_read_only_does_not_help() -> None:
    hits = run("DW201", workload(mounts=[bind("/var/run/docker.sock", "/var/run/docker.sock",
                                              ro=True)]))
    assert len(hits) == 1
    assert hits[0].message.startswith("mounts the Docker socket /var/run/docker.sock read-only:"
                                      " read-only does not help, the API still accepts writes")


def test_dw201_unresolved_source_with_socket_target() -> None:
    m = bind("${SOCK}", "/var/run/docker.sock", unresolved=True)
    hits = run("DW201", workload(mounts=[m]))
    assert len(hits) == 1 and "not resolved" in hits[0].message
    m = bind("${DATA}", "/data", unresolved=True)
    assert run("DW201", workload(mounts=[m])) == []


def test_dw201_windows_pipe() -> None:
    m = Mount("npipe", r"\\.\pipe\docker_engine", r"\\.\pipe\docker_engine", at(5))
    assert lines(run("DW201", workload(mounts=[m]))) == [5]


@pytest.mark.parametrize("m", [
    bind("/srv/data", "/data"),
    bind("/var/lib/app/docker.socket.conf", "/etc/x"),
    Mount("volume", "docker-sock", "/var/run", at(5)),
    bind("/home/me/app", "/var/run/docker.sock"),
])
def test_dw201_passes(m: Mount) -> None:
    assert run("DW201", workload(mounts=[m])) == []


# -- DW202 ------------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "ro"), [
    ("/", True), ("/", False), ("/etc", True), ("/etc/", False), ("//etc", False),
    ("/etc/shadow", True), ("/etc/cron.d", False), ("/etc/passwd", False),
    ("/etc/systemd/system/x.service", False), ("/root", True), ("/root/.ssh", True),
    ("/home", True), ("/proc", True), ("/proc/sys/kernel", False), ("/sys", False),
    ("/sys/fs/cgroup", False), ("/dev", True), ("/var/lib/docker", True),
    ("/var/lib/docker/containers", True), ("/var/lib/kubelet", True), ("/var", True),
    ("/var/lib", False), ("/lib/modules", False), ("/usr", False), ("/usr/bin", False),
    ("/boot", False), ("/var/log", False), ("/run/dbus", True),
    ("/var/lib/../lib/docker", True), ("/run/systemd", False),
])
def test_dw202_fires(source: str, ro: bool) -> None:
    hits = run("DW202", workload(mounts=[bind(source, "/host", 6, ro=ro)]))
    assert lines(hits) == [6], source


@pytest.mark.parametrize(("source", "ro"), [
    ("/etc/localtime", True), ("/etc/localtime", False), ("/etc/timezone", False),
    ("/sys/fs/cgroup", True), ("/sys", True), ("/var/log", True), ("/usr", True),
    ("/lib/modules", True), ("/home/me/project", False), ("/srv/app", False),
    ("./data", False), ("~/data", False), ("/etc/nginx/nginx.conf", True),
    ("/etc/nginx", False), ("/etc/passwd", True), ("/etc/pihole", False),
    ("/var/run/docker.sock", False), ("/run", False), ("/dev/dri", False),
    ("/usr/share/zoneinfo", True), ("/run/systemd/journal", False),
])
def test_dw202_passes(source: str, ro: bool) -> None:
    assert run("DW202", workload(mounts=[bind(source, "/x", ro=ro)])) == [], source


def test_dw202_messages() -> None:
    hits = run("DW202", workload(mounts=[bind("/var", "/hostvar", ro=True)]))
    assert "(it contains /var/lib/docker)" in hits[0].message
    assert "read-only still exposes" in hits[0].message
    hits = run("DW202", workload(mounts=[bind("/", "/host")]))
    assert "whole filesystem" in hits[0].message and hits[0].severity is Severity.CRITICAL
    hits = run("DW202", workload(mounts=[bind("/etc/ssh/sshd_config", "/x")]))
    assert "(inside /etc/ssh)" in hits[0].message and "SSH" in hits[0].message


def test_dw202_skips_volumes_and_unresolved() -> None:
    mounts = [Mount("volume", "etc", "/etc", at(5)), bind("${ROOT}", "/host", unresolved=True),
              Mount("tmpfs", None, "/tmp", at(6))]
    assert run("DW202", workload(mounts=mounts)) == []


def test_dw202_options() -> None:
    w = workload(mounts=[bind("/srv/secrets", "/s", 5, ro=True), bind("/etc", "/e", 6)])
    assert lines(run("DW202", w, paths=["/srv/secrets/**"])) == [5]
    assert lines(run("DW202", w, allow=["/etc"])) == []  # default paths: /etc allowed
    w = workload(mounts=[bind("/etc/nginx", "/n", 5, ro=True), bind("/etc/nginx", "/n", 6)])
    assert lines(run("DW202", w)) == []
    assert lines(run("DW202", w, paths=["/etc/**"])) == [5, 6]
    assert lines(run("DW202", w, paths=["/etc/**"], allow=["/etc/nginx/**:ro"])) == [6]
    assert lines(run("DW202", w, paths=["/etc/**:rw"])) == [6]


# -- DW203 ------------------------------------------------------------------------------

def test_dw203_each_device() -> None:
    w = workload(devices=[Device("/dev/sda", "/dev/sda", at(5)),
                          Device("/dev/net/tun", "/dev/net/tun", at(6)),
                          Device("/dev/dri/renderD128", "/dev/dri/renderD128", at(7), "r")])
    hits = run("DW203", w)
    assert lines(hits) == [5, 6, 7]
    assert "disk" in hits[0].message and "(r)" in hits[2].message
    assert lines(run("DW203", w, allow=["/dev/net/tun"])) == [5, 7]
    assert run("DW203", workload()) == []


# -- DW204 ------------------------------------------------------------------------------

def test_dw204() -> None:
    w = workload(mounts=[bind("/a", "/a", 5, propagation="rshared"),
                         bind("/b", "/b", 6, propagation="rslave"),
                         bind("/c", "/c", 7, propagation="shared"), bind("/d", "/d", 8)])
    assert lines(run("DW204", w)) == [5, 7]


# -- DW205 / DW206 ----------------------------------------------------------------------

def test_dw205() -> None:
    w = workload(ports=[Port("80", at(5), host_port="8080"),
                        Port("80", at(6), host_port="8081", host_ip="127.0.0.1"),
                        Port("443", at(7), host_port="443", host_ip="0.0.0.0"),
                        Port("9000", at(8)),
                        Port("53", at(9), host_port="", host_ip="::", protocol="udp")])
    hits = run("DW205", w)
    assert lines(hits) == [5, 7, 9]
    assert "random host port" in hits[2].message


def test_dw206() -> None:
    w = workload(ports=[Port("2375", at(5), host_port="2375", host_ip="127.0.0.1"),
                        Port("2376/tcp", at(6), host_port="12376"),
                        Port("2375", at(7)),  # exposed only
                        Port("8080", at(8), host_port="2375"),
                        Port("2370-2380", at(9), host_port="2370-2380")])
    hits = run("DW206", w)
    assert lines(hits) == [5, 6, 9]
    assert "plaintext" in hits[0].message and hits[0].severity is Severity.CRITICAL
    assert "2376" in hits[1].message


@pytest.mark.parametrize(("host_ip", "env", "command", "reported"), [
    ("127.0.0.1", "/certs", [], False),  # Docker's recommended Docker-in-Docker
    ("127.0.0.1", None, ["--tlsverify", "--tlscacert=/c/ca.pem"], False),
    ("::1", "/certs", [], False),
    ("127.0.0.1", "", [], True),  # TLS turned off
    ("127.0.0.1", None, [], True),  # nothing turns it on
    ("127.0.0.1", None, ["--tlsverify=false"], True),
    ("", "/certs", [], True),  # every interface
    ("0.0.0.0", "/certs", [], True),
    ("10.0.0.5", "/certs", [], True),
])
def test_dw206_tls_port_on_loopback_with_tls_passes(host_ip: str, env: str | None,
                                                     command: list[str], reported: bool) -> None:
    w = workload(ports=[Port("2376", at(5), host_port="2376", host_ip=host_ip)],
                 env=[EnvVar("DOCKER_TLS_CERTDIR", env, at(4))] if env is not None else [],
                 command=command)
    assert bool(run("DW206", w)) is reported
    plain = workload(ports=[Port("2375", at(5), host_port="2375", host_ip=host_ip)],
                     env=[EnvVar("DOCKER_TLS_CERTDIR", "/certs", at(4))])
    assert len(run("DW206", plain)) == 1


# -- DW301..DW303 -----------------------------------------------------------------------

@pytest.mark.parametrize(("code", "field", "good"), [
    ("DW301", "memory", 512 * 1024 * 1024),
    ("DW302", "cpus", 0.5),
    ("DW303", "pids_limit", 200),
])
def test_limits(code: str, field: str, good: Any) -> None:
    assert [h.location for h in run(code, workload())] == [ANCHOR]
    assert run(code, workload(**{field: good})) == []
    assert len(run(code, workload(**{field: 0}))) == 1
    assert len(run(code, workload(**{field: -1}))) == 1
    w = workload()
    w.mark_unknown(field, "not expressible in a pod spec")
    assert run(code, w) == []


def test_dw303_says_memory_and_cpu_limits_do_not_stop_a_fork_bomb() -> None:
    hits = run("DW303", workload(memory=256 * 1024 * 1024, cpus=4.0))
    assert "fork bomb" in hits[0].message
    assert "memory and CPU limits do not cap the number of processes" in hits[0].message
    assert "memory and CPU limits alone" in run("DW303", workload())[0].message


# -- DW304 ------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "retries", "fires"), [
    ("always", None, True), ("unless-stopped", None, True), ("on-failure", None, True),
    ("on-failure", 0, True), ("on-failure", 6, True), ("on-failure", 5, False),
    ("on-failure", 3, False), ("no", None, False),
])
def test_dw304(name: str, retries: int | None, fires: bool) -> None:
    w = workload(restart=RestartPolicy(name, at(9), retries))
    assert lines(run("DW304", w)) == ([9] if fires else [])


def test_dw304_option_and_absent() -> None:
    w = workload(restart=RestartPolicy("on-failure", at(9), 8))
    assert run("DW304", w, max_retries=10) == []
    assert run("DW304", workload()) == []


# -- a hardened workload passes every Workload rule ----------------------------------------

def test_hardened_workload_is_clean() -> None:
    w = limited(mounts=[bind("/srv/app", "/data", ro=True)],
                ports=[Port("80", at(5), host_port="8080", host_ip="127.0.0.1")],
                restart=RestartPolicy("on-failure", at(9), 5))
    from dockward.rules.registry import rules_for

    for r in rules_for(Workload):
        assert run(r.code, w) == [], r.code


# -- DW601 ------------------------------------------------------------------------------

def daemon(*listeners: Listener) -> Daemon:
    return Daemon(name="dockerd", anchor=at(1), listeners=list(listeners))


def test_dw601_daemon_listeners() -> None:
    d = daemon(
        Listener("unix:///var/run/docker.sock", at(2)),
        Listener("tcp://0.0.0.0:2375", at(3)),
        Listener("tcp://0.0.0.0:2376", at(4), tls=True),
        Listener("tcp://0.0.0.0:2376", at(5), tls=True, tls_verify=True),
        Listener("tcp://127.0.0.1:2375", at(6)),
        Listener("ssh://me@host", at(7)),
    )
    hits = run("DW601", d)
    assert lines(hits) == [3, 4, 6]
    assert "without TLS" in hits[0].message and hits[0].severity is None
    assert "without --tlsverify" in hits[1].message
    assert "loopback" in hits[2].message and hits[2].severity is Severity.HIGH


def test_dw601_client() -> None:
    d = daemon(
        Listener("tcp://build:2375", at(2), role="client"),
        Listener("tcp://build:2376", at(3), role="client"),
        Listener("tcp://build:2376", at(4), tls=True, role="client"),
        Listener("tcp://build:2375", at(5), tls=True, role="client"),
        Listener("unix:///run/user/1000/docker.sock", at(6), role="client"),
    )
    hits = run("DW601", d)
    assert lines(hits) == [2, 3, 5]
    assert all("the client talks to a daemon" in h.message and "plaintext TCP" in h.message
               for h in hits)


# --------------------------------------------------------------------------- environment


def run_in(code: str, model: object, env: Environment) -> list[Hit]:
    found = lookup(code)
    assert found is not None, code
    return list(found.check(model, RuleContext(options=dict(found.options), env=env)))


def test_dw112_daemon_default_applies_no_new_privileges() -> None:
    w = limited(security_opts=[])
    assert lines(run("DW112", w)) == [2]
    assert run_in("DW112", w, Environment(daemon=DaemonDefaults(no_new_privileges=True))) == []
    assert lines(run_in("DW112", w, Environment(daemon=DaemonDefaults()))) == [2]
    # an explicit opt-out is still reported: the daemon default does not override it
    off = limited(security_opts=[SecurityOpt.parse("no-new-privileges:false", at(10))])
    assert lines(run_in("DW112", off,
                        Environment(daemon=DaemonDefaults(no_new_privileges=True)))) == [10]


def test_dw113_image_user_from_the_environment() -> None:
    w = limited(user=None, image="app:1")
    assert [h.evidence for h in run("DW113", w)] == ["user missing"]
    assert run_in("DW113", w, Environment(image_users={"app:1": "10001"})) == []
    hits = run_in("DW113", w, Environment(image_users={"app:1": ""}))
    assert [(h.location.line, h.evidence) for h in hits] == [(2, "user missing, image user root")]
    assert hits[0].message.startswith("no user set and the image's USER is root: runs as root")


def test_daemon_defaults_from_daemon_settings() -> None:
    d = Daemon(name="d", anchor=Location(subject="h"), config={"no-new-privileges": True,
                                                              "userns-remap": "default"})
    assert DaemonDefaults.of(d) == DaemonDefaults(no_new_privileges=True, userns_remap=True)
    off = Daemon(name="d", anchor=Location(subject="h"), flags=["--seccomp-profile",
                                                                "unconfined"])
    assert DaemonDefaults.of(off) == DaemonDefaults(seccomp_unconfined=True)
