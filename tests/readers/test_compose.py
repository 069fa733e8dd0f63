"""The compose reader: every field, its exact line, merges, extends and bad input."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dockward.models.location import Location
from dockward.models.workload import Workload
from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.compose import (
    discover_override,
    is_compose_document,
    is_override_file,
    read_compose,
)

FIXTURES = Path(__file__).parent / "fixtures" / "compose"
NAMES = ("compose.yaml", "compose.override.yaml", "compose.extra.yaml")


def source(text: str, name: str = "compose.yaml", directory: str = "/proj") -> SourceFile:
    return SourceFile(path=f"{directory}/{name}", display=name,
                      text=textwrap.dedent(text), kind="compose")


def read_all(*texts: str, env: dict[str, str] | None = None
             ) -> tuple[dict[str, Workload], list[ParseProblem]]:
    files = [source(text, NAMES[i]) for i, text in enumerate(texts)]
    services: dict[str, Workload] = {}
    problems: list[ParseProblem] = []
    for item in read_compose(files, env):
        if isinstance(item, ParseProblem):
            problems.append(item)
        else:
            services[item.name] = item
    return services, problems


def read_one(text: str, env: dict[str, str] | None = None) -> Workload:
    services, problems = read_all(text, env=env)
    assert problems == []
    assert len(services) == 1
    return next(iter(services.values()))


def read_files(*paths: Path) -> tuple[dict[str, Workload], list[ParseProblem]]:
    files = [SourceFile(path=str(p), display=os.path.relpath(p, FIXTURES),
                        text=p.read_text(encoding="utf-8"), kind="compose") for p in paths]
    services: dict[str, Workload] = {}
    problems: list[ParseProblem] = []
    for item in read_compose(files):
        if isinstance(item, ParseProblem):
            problems.append(item)
        else:
            services[item.name] = item
    return services, problems


def lines(items: list) -> list[int]:
    return [item.origin.line for item in items]


# ----------------------------------------------------------------------------- basics


def test_service_identity_anchor_and_image() -> None:
    w = read_one("""\
        services:
          web:
            image: nginx:1.27
        """)
    assert w.name == "web"
    assert w.source_kind == "compose-service"
    assert w.anchor == Location(file="compose.yaml", line=2, column=3, path="services.web")
    assert w.image == "nginx:1.27"
    assert w.where("image") == Location(file="compose.yaml", line=3, column=5,
                                        path="services.web.image")
    assert w.where("privileged") == w.anchor  # never set: findings attach to the service


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ('"true"', True), ("yes", True), ('"yes"', True), ("True", True),
     ("false", False), ('"no"', False), ("off", False)],
)
def test_privileged_boolean_spellings(value: str, expected: bool) -> None:
    w = read_one(f"services:\n  a:\n    image: x\n    privileged: {value}\n")
    assert w.privileged is expected
    assert w.where("privileged").line == 4


def test_read_only_and_user() -> None:
    w = read_one("""\
        services:
          a:
            image: x
            read_only: "true"
            user: 1000
        """)
    assert w.read_only is True
    assert w.user == "1000"
    assert (w.where("read_only").line, w.where("user").line) == (4, 5)


def test_capabilities_normalized_each_with_its_line() -> None:
    w = read_one("""\
        services:
          a:
            image: x
            cap_add:
              - SYS_ADMIN
              - cap_net_admin
              - CAP_SYS_PTRACE
              - " sys_module "
            cap_drop: [all]
        """)
    assert [c.name for c in w.cap_add] == ["SYS_ADMIN", "NET_ADMIN", "SYS_PTRACE", "SYS_MODULE"]
    assert lines(w.cap_add) == [5, 6, 7, 8]
    assert w.cap_add[1].origin.path == "services.a.cap_add[1]"
    assert [c.name for c in w.cap_drop] == ["ALL"]
    assert w.cap_drop[0].origin.line == 9
    assert w.where("cap_add").line == 4
    assert w.dropped("SYS_ADMIN")


def test_security_opt_both_separators() -> None:
    w = read_one("""\
        services:
          a:
            image: x
            security_opt:
              - seccomp:unconfined
              - apparmor=unconfined
              - label:disable
              - no-new-privileges:true
              - "seccomp=./profile.json"
        """)
    assert [(o.key, o.value) for o in w.security_opts] == [
        ("seccomp", "unconfined"), ("apparmor", "unconfined"), ("label", "disable"),
        ("no-new-privileges", "true"), ("seccomp", "./profile.json"),
    ]
    assert lines(w.security_opts) == [5, 6, 7, 8, 9]
    assert w.no_new_privileges
    assert w.security_opt("seccomp") is not None
    assert w.security_opt("seccomp").value == "./profile.json"  # type: ignore[union-attr]


def test_bare_no_new_privileges() -> None:
    w = read_one("services:\n  a:\n    image: x\n    security_opt: [no-new-privileges]\n")
    assert w.no_new_privileges


def test_namespace_modes() -> None:
    w = read_one("""\
        services:
          a:
            image: x
            network_mode: host
            pid: "host"
            ipc: service:db
            uts: host
            userns_mode: host
            cgroup: host
        """)
    assert (w.network_mode, w.pid_mode, w.ipc_mode, w.uts_mode, w.userns_mode,
            w.cgroupns_mode) == ("host", "host", "service:db", "host", "host", "host")
    assert [w.where(f).line for f in ("network_mode", "pid_mode", "ipc_mode", "uts_mode",
                                      "userns_mode", "cgroupns_mode")] == [4, 5, 6, 7, 8, 9]


@pytest.mark.parametrize("mode", ["service:vpn", "container:abc123", "none", "bridge"])
def test_network_mode_values_are_kept(mode: str) -> None:
    w = read_one(f"services:\n  a:\n    image: x\n    network_mode: \"{mode}\"\n")
    assert w.network_mode == mode


def test_legacy_net_key() -> None:
    w = read_one("services:\n  a:\n    image: x\n    net: host\n")
    assert w.network_mode == "host"


# ----------------------------------------------------------------------------- devices, ports


def test_devices_short_and_long() -> None:
    w = read_one("""\
        services:
          a:
            image: x
            devices:
              - /dev/kmsg
              - /dev/sda:/dev/xvda
              - "/dev/fuse:/dev/fuse:rwm"
              - /dev/mem:r
              - source: /dev/net/tun
                target: /dev/net/tun
                permissions: rw
        """)
    assert [(d.host_path, d.container_path, d.permissions) for d in w.devices] == [
        ("/dev/kmsg", "/dev/kmsg", "rwm"),
        ("/dev/sda", "/dev/xvda", "rwm"),
        ("/dev/fuse", "/dev/fuse", "rwm"),
        ("/dev/mem", "r", "rwm"),  # compose-go: a second field is always the target
        ("/dev/net/tun", "/dev/net/tun", "rw"),
    ]
    assert lines(w.devices) == [5, 6, 7, 8, 9]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ('"80"', ("", "", "80", "tcp")),
        ("80", ("", "", "80", "tcp")),
        ('"8080:80"', ("", "8080", "80", "tcp")),
        ("8080:80", ("", "8080", "80", "tcp")),  # YAML 1.2: a string, not sexagesimal
        ('"127.0.0.1:8080:80"', ("127.0.0.1", "8080", "80", "tcp")),
        ('"127.0.0.1::80"', ("127.0.0.1", "", "80", "tcp")),
        ('"0.0.0.0:5432:5432"', ("0.0.0.0", "5432", "5432", "tcp")),
        ('"[::1]:80:80"', ("::1", "80", "80", "tcp")),
        ('"[::]:53:53/udp"', ("::", "53", "53", "udp")),
        ('"8000-8010:8000-8010"', ("", "8000-8010", "8000-8010", "tcp")),
        ('"53:53/udp"', ("", "53", "53", "udp")),
        ('"9090/UDP"', ("", "", "9090", "udp")),
    ],
)
def test_short_ports(spec: str, expected: tuple[str, str, str, str]) -> None:
    w = read_one(f"services:\n  a:\n    image: x\n    ports:\n      - {spec}\n")
    (port,) = w.ports
    assert (port.host_ip, port.host_port, port.container_port, port.protocol) == expected
    assert port.published
    assert port.origin == Location(file="compose.yaml", line=5, column=9,
                                   path="services.a.ports[0]")


def test_long_ports_and_interfaces() -> None:
    w = read_one("""\
        services:
          a:
            image: x
            ports:
              - target: 80
                published: 8080
                host_ip: 127.0.0.1
                protocol: tcp
                mode: host
              - target: 443
                published: "8443"
              - target: 53
                protocol: UDP
              - target: 22
                published: 2222
                host_ip: "[::1]"
        """)
    assert [(p.host_ip, p.host_port, p.container_port, p.protocol) for p in w.ports] == [
        ("127.0.0.1", "8080", "80", "tcp"),
        ("", "8443", "443", "tcp"),
        ("", "", "53", "udp"),
        ("::1", "2222", "22", "tcp"),
    ]
    assert lines(w.ports) == [5, 10, 12, 14]
    assert [p.on_all_interfaces for p in w.ports] == [False, True, True, False]


def test_duplicate_ports_are_listed_once() -> None:
    w = read_one('services:\n  a:\n    image: x\n    ports: ["80:80", "80:80", 80]\n')
    assert [(p.host_port, p.container_port) for p in w.ports] == [("80", "80"), ("", "80")]


def test_invalid_port_is_a_problem_and_the_rest_is_read() -> None:
    services, problems = read_all("""\
        services:
          a:
            image: x
            ports:
              - "http:80"
              - "81:81"
              - [1]
            privileged: true
        """)
    assert [p.location.line for p in problems] == [5, 7]
    assert "invalid host port 'http'" in problems[0].message
    assert [p.container_port for p in services["a"].ports] == ["81"]
    assert services["a"].privileged


# ----------------------------------------------------------------------------- mounts


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("./data:/data:ro", ("bind", "./data", "/data", True, None)),
        ("/var/run/docker.sock:/var/run/docker.sock",
         ("bind", "/var/run/docker.sock", "/var/run/docker.sock", False, None)),
        ("data:/d", ("volume", "data", "/d", False, None)),
        ("/anon", ("volume", None, "/anon", False, None)),
        ("~/.ssh:/root/.ssh:ro,z", ("bind", "~/.ssh", "/root/.ssh", True, None)),
        ("../up:/up:rw,rshared", ("bind", "../up", "/up", False, "rshared")),
        ("/:/host:slave", ("bind", "/", "/host", False, "slave")),
        (".:/src:Z", ("bind", ".", "/src", False, None)),
        ('"C:\\\\data:/data"', ("bind", "C:\\data", "/data", False, None)),
    ],
)
def test_short_volumes(spec: str, expected: tuple) -> None:
    w = read_one(f"services:\n  a:\n    image: x\n    volumes:\n      - {spec}\n")
    (mount,) = w.mounts
    assert (mount.type, mount.source, mount.target, mount.read_only,
            mount.propagation) == expected
    assert mount.origin == Location(file="compose.yaml", line=5, column=9,
                                    path="services.a.volumes[0]")
    assert not mount.unresolved


def test_long_volumes_and_tmpfs() -> None:
    w = read_one("""\
        services:
          a:
            image: x
            volumes:
              - type: bind
                source: /var/run/docker.sock
                target: /var/run/docker.sock
                read_only: true
              - type: volume
                source: data
                target: /data
              - type: bind
                source: ./src
                target: /src
                bind:
                  propagation: rshared
              - type: tmpfs
                target: /scratch
            tmpfs:
              - /run
              - /tmp:size=64m
        """)
    assert [(m.type, m.source, m.target, m.read_only, m.propagation) for m in w.mounts] == [
        ("bind", "/var/run/docker.sock", "/var/run/docker.sock", True, None),
        ("volume", "data", "/data", False, None),
        ("bind", "./src", "/src", False, "rshared"),
        ("tmpfs", None, "/scratch", False, None),
        ("tmpfs", None, "/run", False, None),
        ("tmpfs", None, "/tmp", False, None),
    ]
    assert lines(w.mounts) == [5, 9, 12, 17, 20, 21]
    assert w.mounts[0].is_host_path


def test_spellings_compose_refuses_are_problems_and_the_rest_is_read() -> None:
    """compose-go refuses these short spellings (readers/specs.py); a mode without a
    container path is read as compose reads it: the source mounted at 'ro'."""
    services, problems = read_all("""\
        services:
          a:
            image: x
            volumes:
              - /a::/b
              - /a:/b:ro:z
              - /var/run/docker.sock:ro
            devices:
              - /dev/serial/by-id/usb-F8:5B:1B-if00:/dev/ttyS9
              - /dev/kvm
        """)
    assert sorted((p.location.line, p.location.column, p.message) for p in problems) == [
        (5, 9, "volumes: empty section between colons in '/a::/b'"),
        (6, 9, "volumes: too many colons in '/a:/b:ro:z'"),
        (9, 9, "devices: confusing device mapping, please use long syntax: "
               "/dev/serial/by-id/usb-F8:5B:1B-if00:/dev/ttyS9"),
    ]
    w = services["a"]
    assert [(m.type, m.source, m.target, m.read_only) for m in w.mounts] == [
        ("bind", "/var/run/docker.sock", "ro", False)]
    assert [(d.host_path, d.container_path) for d in w.devices] == [("/dev/kvm", "/dev/kvm")]


def test_named_volume_that_binds_a_host_folder_is_a_bind() -> None:
    w = read_one("""\
        services:
          a:
            image: x
            volumes:
              - sock:/host-run
              - plain:/data
        volumes:
          sock:
            driver: local
            driver_opts:
              type: none
              o: bind
              device: /var/run
          plain: {}
        """)
    assert [(m.type, m.source, m.target) for m in w.mounts] == [
        ("bind", "/var/run", "/host-run"), ("volume", "plain", "/data")]
    assert w.mounts[0].origin.line == 5


def test_single_tmpfs_string() -> None:
    w = read_one("services:\n  a:\n    image: x\n    tmpfs: /run\n")
    assert [(m.type, m.target) for m in w.mounts] == [("tmpfs", "/run")]


# ----------------------------------------------------------------------------- resources, restart


def test_resource_limits() -> None:
    w = read_one("""\
        services:
          a:
            image: x
            mem_limit: 512m
            memswap_limit: 1g
            cpus: 1.5
            pids_limit: 100
        """)
    assert (w.memory, w.cpus, w.pids_limit) == (512 * 1024**2, 1.5, 100)
    assert [w.where(f).line for f in ("memory", "cpus", "pids_limit")] == [4, 6, 7]


def test_cpu_quota_and_period() -> None:
    w = read_one("services:\n  a:\n    image: x\n    cpu_quota: 50000\n    cpu_period: 200000\n")
    assert w.cpus == 0.25
    assert w.where("cpus").line == 4
    w = read_one("services:\n  a:\n    image: x\n    cpu_quota: 150000\n")
    assert w.cpus == 1.5


def test_deploy_limits_fill_in_only_what_is_unset() -> None:
    w = read_one("""\
        services:
          a:
            image: x
            mem_limit: 1g
            deploy:
              resources:
                limits:
                  memory: 256M
                  cpus: "0.5"
                  pids: 64
              restart_policy:
                condition: on-failure
                max_attempts: 3
        """)
    assert w.memory == 1024**3
    assert w.where("memory").line == 4
    assert (w.cpus, w.pids_limit) == (0.5, 64)
    assert (w.where("cpus").line, w.where("pids_limit").line) == (9, 10)
    assert w.restart is not None
    assert (w.restart.name, w.restart.max_retries, w.restart.origin.line) == ("on-failure", 3, 12)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("no", ("no", None)), ('"no"', ("no", None)), ("always", ("always", None)),
     ("unless-stopped", ("unless-stopped", None)), ("on-failure", ("on-failure", None)),
     ('"on-failure:3"', ("on-failure", 3)), ("false", ("no", None))],
)
def test_restart_forms(value: str, expected: tuple[str, int | None]) -> None:
    w = read_one(f"services:\n  a:\n    image: x\n    restart: {value}\n")
    assert w.restart is not None
    assert (w.restart.name, w.restart.max_retries) == expected
    assert w.restart.origin.line == 4


@pytest.mark.parametrize(
    ("condition", "expected"), [("any", "always"), ("none", "no"), ("on-failure", "on-failure")]
)
def test_deploy_restart_conditions(condition: str, expected: str) -> None:
    w = read_one(f"services:\n  a:\n    image: x\n    deploy:\n      restart_policy:\n"
                 f"        condition: {condition}\n")
    assert w.restart is not None and w.restart.name == expected


def test_restart_wins_over_deploy_restart_policy() -> None:
    w = read_one("""\
        services:
          a:
            image: x
            restart: always
            deploy:
              restart_policy: {condition: none}
        """)
    assert w.restart is not None and (w.restart.name, w.restart.origin.line) == ("always", 4)


def test_unknown_restart_policy_is_a_problem() -> None:
    services, problems = read_all("services:\n  a:\n    image: x\n    restart: sometimes\n")
    assert services["a"].restart is None
    assert [(p.location.line, p.message) for p in problems] == [
        (4, "restart: unknown restart policy 'sometimes'")]


# ----------------------------------------------------------------------------- env, command, build


def test_environment_list_form() -> None:
    w = read_one("""\
        services:
          a:
            image: x
            environment:
              - A=1
              - B
              - C=
              - D=x=y
        """)
    assert [(e.key, e.value) for e in w.env] == [("A", "1"), ("B", None), ("C", ""),
                                                  ("D", "x=y")]
    assert lines(w.env) == [5, 6, 7, 8]


def test_environment_map_form() -> None:
    w = read_one("""\
        services:
          a:
            image: x
            environment:
              A: 1
              B:
              C: "text"
              D: true
        """)
    assert [(e.key, e.value) for e in w.env] == [("A", "1"), ("B", None), ("C", "text"),
                                                  ("D", "true")]
    assert lines(w.env) == [5, 6, 7, 8]
    assert w.env[0].origin.path == "services.a.environment.A"


def test_command_string_and_list() -> None:
    w = read_one("services:\n  a:\n    image: x\n    command: sh -c 'echo hi'\n")
    assert w.command == ["sh", "-c", "echo hi"]
    w = read_one('services:\n  a:\n    image: x\n    command: ["-H", "unix:///var/run/d.sock"]\n')
    assert w.command == ["-H", "unix:///var/run/d.sock"]
    assert w.where("command").line == 4


def test_build_string() -> None:
    w = read_one("services:\n  a:\n    build: ./backend\n")
    assert w.build_context == "/proj/backend"
    build = w.build
    assert build is not None
    assert (build.context, build.dockerfile, build.args) == ("./backend", None, [])
    assert build.location.line == 3


def test_build_mapping_with_list_args_and_secrets() -> None:
    w = read_one("""\
        services:
          a:
            build:
              context: ..
              dockerfile: docker/Dockerfile.prod
              args:
                - VERSION=1.2
                - TOKEN
              secrets: [npm_token, {source: gh_token}]
        """)
    build = w.build
    assert build is not None
    assert w.build_context == "/"
    assert build.context == ".."
    assert build.dockerfile == "docker/Dockerfile.prod"
    assert [(a.name, a.value, a.origin.line) for a in build.args] == [("VERSION", "1.2", 7),
                                                                       ("TOKEN", None, 8)]
    assert build.secrets == ["npm_token", "gh_token"]


def test_build_args_map_form_and_default_context() -> None:
    w = read_one("""\
        services:
          a:
            build:
              args:
                PASSWORD: hunter2
                EMPTY:
        """)
    build = w.build
    assert build is not None
    assert build.context == "."
    assert w.build_context == "/proj"
    assert [(a.name, a.value, a.origin.line, a.origin.path) for a in build.args] == [
        ("PASSWORD", "hunter2", 5, "services.a.build.args.PASSWORD"),
        ("EMPTY", None, 6, "services.a.build.args.EMPTY"),
    ]


def test_remote_build_context_is_kept() -> None:
    w = read_one("services:\n  a:\n    build: https://github.com/x/y.git#main\n")
    assert w.build_context == "https://github.com/x/y.git#main"


# ------------------------------------------------------------------ anchors, x-, profiles


def test_anchors_merge_keys_and_extension_fields() -> None:
    services, problems = read_all("""\
        x-common: &common
          restart: unless-stopped
          privileged: true
          cap_add: [SYS_ADMIN]
        x-logging: &logging
          driver: json-file
        services:
          a:
            <<: *common
            image: a
            logging: *logging
          b:
            <<: *common
            image: b
            privileged: false
            profiles: [debug]
        """)
    assert problems == []
    a, b = services["a"], services["b"]
    assert a.privileged and not b.privileged
    assert a.where("privileged") == Location(file="compose.yaml", line=3, column=3,
                                             path="services.a.privileged")
    assert b.where("privileged").line == 15
    assert a.restart is not None and a.restart.origin.line == 2
    assert [c.origin.line for c in a.cap_add] == [4]
    assert set(services) == {"a", "b"}  # x- keys are not services; profiles do not hide


# ----------------------------------------------------------------------------- interpolation


def test_interpolation_from_env_and_defaults() -> None:
    w = read_one("""\
        services:
          a:
            image: "app:${TAG:-latest}"
            privileged: ${PRIV:-true}
            ports:
              - "${BIND:-127.0.0.1}:${PORT}:80"
            volumes:
              - ${SOCK:-/var/run/docker.sock}:/var/run/docker.sock
            environment:
              - MODE=$MODE
            command: echo $$HOME
        """, env={"PORT": "8080", "MODE": "prod"})
    assert w.image == "app:latest"
    assert w.privileged is True
    assert [(p.host_ip, p.host_port) for p in w.ports] == [("127.0.0.1", "8080")]
    assert w.mounts[0].source == "/var/run/docker.sock"
    assert w.env[0].value == "prod"
    assert w.command == ["echo", "$HOME"]
    assert w.unknown == {}


def test_unresolved_variables_are_unknown_not_guessed() -> None:
    w = read_one("""\
        services:
          a:
            image: "app:${TAG}"
            privileged: ${PRIV}
            mem_limit: ${MEM}
            pids_limit: ${PIDS:?set it}
            restart: ${RESTART}
            volumes:
              - ${DATA}:/data
              - /srv/${SUB}:/srv
        """)
    assert w.image == "app:${TAG}"
    assert w.privileged is False
    assert w.memory is None and w.pids_limit is None and w.restart is None
    assert w.unknown == {
        "image": "unresolved ${TAG}",
        "privileged": "unresolved ${PRIV}",
        "memory": "unresolved ${MEM}",
        "pids_limit": "unresolved ${PIDS}",
        "restart": "unresolved ${RESTART}",
    }
    assert [(m.type, m.source, m.unresolved) for m in w.mounts] == [
        ("bind", "${DATA}", True), ("bind", "/srv/${SUB}", True)]


# ----------------------------------------------------------------------------- wrong types


def test_wrong_types_are_problems_and_the_rest_is_read() -> None:
    services, problems = read_all("""\
        services:
          a:
            image: x
            cap_add: SYS_ADMIN
            ports: {}
            volumes: /data
            environment: FOO
            privileged: maybe
            security_opt: {seccomp: unconfined}
            deploy: []
            user: [root]
            pid: host
          b: just-a-string
          c:
            image: c
            privileged: true
        """)
    assert [(p.location.line, p.message) for p in problems] == [
        (13, "service 'b' must be a mapping, got a string"),
        (11, "user: expected a string, got a list"),
        (8, "privileged: expected a boolean, got 'maybe'"),
        (4, "cap_add: expected a list, got a string"),
        (9, "security_opt: expected a list, got a mapping"),
        (5, "ports: expected a list, got a mapping"),
        (6, "volumes: expected a list, got a string"),
        (7, "environment: expected a list or a mapping, got a string"),
        (10, "deploy: expected a mapping, got a list"),
    ]
    assert set(services) == {"a", "c"}
    assert services["a"].pid_mode == "host"
    assert services["c"].privileged


def test_null_settings_are_unset() -> None:
    w = read_one("services:\n  a:\n    image: x\n    privileged:\n    ports:\n    cap_add: ~\n")
    assert (w.privileged, w.ports, w.cap_add) == (False, [], [])
    assert "privileged" not in w.origins


def test_files_that_are_not_compose_yield_nothing() -> None:
    assert read_all("apiVersion: v1\nkind: Pod\n") == ({}, [])
    assert read_all("") == ({}, [])


def test_compose_files_of_the_wrong_shape_are_problems() -> None:
    """A top level that is a list or a scalar, or services that are not a mapping: docker
    compose rejects the file, so it is DW000, not "0 findings" (issue 17)."""
    for text, line, message in [
            ("- a\n- b\n", 1, "a compose file must be a mapping at the top level, got a list"),
            ("just text\n", 1, "a compose file must be a mapping at the top level, got a "
                               "string"),
            ("services: [a, b]\n", 1, "services must be a mapping of service names to "
                                      "services, got a list"),
            ('x: 1\nservices: "web"\n', 2, "services must be a mapping of service names "
                                            "to services, got a string")]:
        services, problems = read_all(text)
        assert services == {}
        assert [(p.location.line, p.message) for p in problems] == [
            (line, f"{message}; nothing in it was checked")]


def test_malformed_yaml_is_a_problem_with_line() -> None:
    services, problems = read_all("services:\n  a:\n    image: x\n  b: [\n")
    assert services == {}
    assert len(problems) == 1
    assert problems[0].location.file == "compose.yaml"
    assert problems[0].location.line == 5
    assert problems[0].message.startswith("cannot read YAML: ")


# ----------------------------------------------------------------------------- multiple files


def test_multi_file_merge_rules() -> None:
    services, problems = read_all(
        """\
        services:
          a:
            image: a:1
            command: [serve]
            ports: ["80:80"]
            volumes:
              - ./code:/code:ro
              - data:/data
            environment:
              MODE: prod
              DEBUG: "0"
            cap_add: [NET_ADMIN]
            security_opt: [no-new-privileges:true]
            privileged: false
          b:
            image: b
            user: app
        """,
        """\
        services:
          a:
            image: a:dev
            command: [serve, --debug]
            ports: ["80:80", "127.0.0.1:9229:9229"]
            volumes:
              - ./code:/code
            environment:
              - DEBUG=1
            cap_add: [NET_ADMIN, SYS_PTRACE]
            security_opt: !reset []
            privileged: true
          c:
            image: c
        """,
    )
    assert problems == []
    assert list(services) == ["a", "b", "c"]
    a = services["a"]
    assert a.anchor.file == "compose.yaml"
    assert (a.image, a.where("image").file) == ("a:dev", "compose.override.yaml")
    assert a.command == ["serve", "--debug"]
    assert [(p.host_ip, p.host_port) for p in a.ports] == [("", "80"), ("127.0.0.1", "9229")]
    assert [(m.source, m.target, m.read_only, m.origin.file) for m in a.mounts] == [
        ("./code", "/code", False, "compose.override.yaml"),
        ("data", "/data", False, "compose.yaml"),
    ]
    assert {e.key: (e.value, e.origin.file, e.origin.line) for e in a.env} == {
        "MODE": ("prod", "compose.yaml", 10),
        "DEBUG": ("1", "compose.override.yaml", 9),
    }
    assert [(c.name, c.origin.file) for c in a.cap_add] == [
        ("NET_ADMIN", "compose.yaml"), ("SYS_PTRACE", "compose.override.yaml")]
    assert a.security_opts == []
    assert a.privileged and a.where("privileged").line == 12
    assert services["b"].user == "app"


def test_override_tag_replaces_instead_of_merging() -> None:
    services, _ = read_all(
        "services:\n  a:\n    image: a\n    ports: ['80:80']\n",
        "services:\n  a:\n    ports: !override ['81:81']\n",
    )
    assert [p.host_port for p in services["a"].ports] == ["81"]


def test_multi_document_file_merges_in_order() -> None:
    services, _ = read_all("services:\n  a:\n    image: a\n---\nservices:\n  a:\n"
                           "    privileged: true\n")
    assert services["a"].privileged and services["a"].image == "a"
    assert services["a"].where("privileged").line == 7


def test_broken_override_is_a_problem_and_the_base_is_still_read() -> None:
    services, problems = read_all("services:\n  a:\n    image: a\n", "services: [\n")
    assert services["a"].image == "a"
    assert [(p.location.file, p.location.line) for p in problems] == [
        ("compose.override.yaml", 2)]


def test_override_fixture_files_with_auto_discovery() -> None:
    base = FIXTURES / "override" / "compose.yaml"
    overrides = discover_override(str(base))
    assert overrides == [str(FIXTURES / "override" / "compose.override.yaml")]
    assert is_override_file(overrides[0])
    services, problems = read_files(base, *map(Path, overrides))
    assert problems == []
    assert services["app"].image == "app:dev"
    assert [m.read_only for m in services["app"].mounts] == [False, False]
    assert services["debug"].privileged
    assert services["debug"].anchor.file == "override/compose.override.yaml"


def test_override_discovery_rules(tmp_path: Path) -> None:
    assert discover_override(str(tmp_path / "compose.yaml")) == []
    (tmp_path / "docker-compose.override.yml").write_text("services: {}\n")
    (tmp_path / "compose.override.yaml").write_text("services: {}\n")
    assert discover_override(str(tmp_path / "docker-compose.yml")) == [
        str(tmp_path / "docker-compose.override.yml")]
    assert discover_override(str(tmp_path / "compose.yaml")) == [
        str(tmp_path / "compose.override.yaml")]
    assert discover_override(str(tmp_path / "docker-compose.prod.yml")) == []
    # without a base next to it, an override file is a standalone compose file
    assert not is_override_file(str(tmp_path / "compose.override.yaml"))
    (tmp_path / "docker-compose.yml").write_text("services: {}\n")
    assert is_override_file(str(tmp_path / "compose.override.yaml"))
    assert not is_override_file(str(tmp_path / "docker-compose.yml"))


# ----------------------------------------------------------------------------- extends


def test_extends_in_one_file_both_forms() -> None:
    services, problems = read_all("""\
        services:
          base:
            image: base
            privileged: true
            cap_add: [NET_ADMIN]
          short:
            extends: base
            cap_add: [SYS_TIME]
          long:
            extends:
              service: short
            image: long
        """)
    assert problems == []
    short, long = services["short"], services["long"]
    assert short.privileged and short.where("privileged").line == 4
    assert [c.name for c in short.cap_add] == ["NET_ADMIN", "SYS_TIME"]
    assert short.anchor.line == 6
    assert (long.image, long.privileged, [c.name for c in long.cap_add]) == (
        "long", True, ["NET_ADMIN", "SYS_TIME"])


def test_extends_cycle_and_unknown_service_are_problems() -> None:
    services, problems = read_all("""\
        services:
          a:
            extends: b
            image: a
          b:
            extends: a
            image: b
          c:
            extends: nope
            image: c
        """)
    assert set(services) == {"a", "b", "c"}
    messages = sorted((p.location.line, p.message) for p in problems)
    assert messages == [(6, "extends: service 'a' extends itself (cycle)"),
                        (9, "extends: no service 'nope' to extend")]


def test_extends_from_another_file() -> None:
    services, problems = read_files(FIXTURES / "extends" / "compose.yaml")
    assert problems == []
    web, worker = services["web"], services["worker"]
    assert web.image == "web:1" and web.read_only
    assert [c.name for c in web.cap_drop] == ["ALL"]
    assert web.where("read_only") == Location(file="extends/common/base.yaml", line=3, column=5,
                                              path="services.hardened.read_only")
    assert web.build_context == str(FIXTURES / "extends" / "app")
    assert [(m.source, m.origin.file) for m in web.mounts] == [
        ("./cache", "extends/common/base.yaml")]
    assert worker.privileged and worker.read_only
    assert worker.anchor.file == "extends/compose.yaml"


def test_extends_file_missing_is_a_problem() -> None:
    services, problems = read_files(FIXTURES / "extends-missing" / "compose.yaml")
    assert services["web"].image == "nginx"
    assert [(p.location.line, p.message) for p in problems] == [
        (5, "extends.file 'nowhere.yaml' not found (or not a regular file)")]


def test_extends_file_that_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "compose.yaml").write_text(
        "services:\n  a:\n    image: a\n    extends: {file: dir.yaml, service: x}\n")
    services, problems = read_files(tmp_path / "compose.yaml")
    assert services["a"].image == "a"
    assert "not a regular file" in problems[0].message


def test_extends_file_without_a_path_on_stdin() -> None:
    text = "services:\n  a:\n    image: a\n    extends: {file: other.yaml, service: x}\n"
    items = list(read_compose([SourceFile(path="", display="-", text=text, kind="compose")]))
    assert [type(i).__name__ for i in items] == ["ParseProblem", "Workload"]


# ----------------------------------------------------------------------------- classifier helpers


def test_is_compose_document() -> None:
    assert is_compose_document({"services": {}})
    assert is_compose_document({"services": {"a": {}}, "volumes": {}})
    assert not is_compose_document({"services": []})
    assert not is_compose_document({"kind": "Pod"})
    assert not is_compose_document(["services"])


# ----------------------------------------------------------------------------- robustness

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 70000), st.floats(allow_nan=False),
    st.sampled_from(["host", "/var/run/docker.sock:/x", "80:80", "${X}", "a=b", "SYS_ADMIN",
                     "on-failure:x", "[::1]:1:2", "-", ":", "", "$$", "${A:-${B}}"]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["target", "source", "type", "published", "host_ip", "condition",
                         "limits", "resources", "memory", "service", "file", "context",
                         "args"]), inner, max_size=3),
    max_leaves=8,
)
KEYS = st.sampled_from([
    "image", "privileged", "cap_add", "cap_drop", "security_opt", "network_mode", "pid",
    "devices", "ports", "volumes", "tmpfs", "mem_limit", "cpus", "cpu_quota", "pids_limit",
    "deploy", "restart", "environment", "command", "build", "extends", "user", "read_only",
])


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b"]), st.dictionaries(KEYS, VALUES, max_size=6)
                       | SCALARS, max_size=2))
def test_random_services_never_raise(services: dict) -> None:
    text = yaml.safe_dump({"services": services})
    for item in read_compose([source(text)]):
        assert isinstance(item, Workload | ParseProblem)


def test_reset_of_one_environment_key_and_unresolved_deploy_values() -> None:
    services, _ = read_all(
        "services:\n  a:\n    image: a\n    environment: {A: '1', B: '2'}\n",
        "services:\n  a:\n    environment:\n      B: !reset\n"
        "    cpu_quota: 50000\n    cpu_period: ${PERIOD}\n"
        "    deploy:\n      restart_policy:\n        max_attempts: ${TRIES}\n",
    )
    a = services["a"]
    assert [(e.key, e.value) for e in a.env] == [("A", "1")]
    assert a.unknown == {"cpus": "unresolved ${PERIOD}", "restart": "unresolved ${TRIES}"}
    assert a.cpus is None and a.restart is None


def test_deeply_nested_compose_is_a_problem_not_a_crash() -> None:
    deep = "services:\n  a:\n    image: x\n    labels: " + "[" * 120 + "]" * 120 + "\n"
    services, problems = read_all(deep)
    assert services == {}
    assert [(p.location.line, p.message) for p in problems] == [
        (4, "cannot read YAML: YAML nesting is deeper than 100 levels")]


def test_alias_bomb_in_compose_fails_fast() -> None:
    bomb = "x-a: &a [1,1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"x-{n}: &{n} [{','.join([f'*{p}'] * 10)}]\n"
        for p, n in zip("abcdefghijk", "bcdefghijkl", strict=True)
    ) + "services:\n  a:\n    image: x\n    command: *l\n"
    start = time.perf_counter()
    services, problems = read_all(bomb)
    assert time.perf_counter() - start < 1.0
    assert services == {}
    assert problems[0].message == (
        "cannot read YAML: YAML alias expansion exceeds 200000 nodes (alias bomb?)")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="services:\n -[]{}&*<>'\"$a1", max_size=80))
def test_random_text_as_compose_never_raises(text: str) -> None:
    for item in read_compose([source(text)]):
        assert isinstance(item, Workload | ParseProblem)


@pytest.mark.parametrize("value", [".inf", ".nan", "1e999", '"lots"', "[1]"])
def test_unreadable_limits_are_problems(value: str) -> None:
    services, problems = read_all(
        f"services:\n  a:\n    image: x\n    mem_limit: {value}\n    cpus: {value}\n"
    )
    assert (services["a"].memory, services["a"].cpus) == (None, None)
    assert [p.location.line for p in problems] == [4, 5]
    assert problems[0].message.startswith("mem_limit: cannot read ")
