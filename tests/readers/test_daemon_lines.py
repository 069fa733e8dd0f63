"""Where dockerd listens, from command lines, env settings and unit files (DW601 input)."""

from __future__ import annotations

import textwrap

import pytest

from dockward.models.daemon import Daemon, Listener
from dockward.models.location import Location
from dockward.readers.base import SourceFile
from dockward.readers.commands import read_commands
from dockward.readers.commands.daemon_lines import normalize_address


def daemons(text: str, kind: str = "shell") -> list[Daemon]:
    src = SourceFile("f", "f", textwrap.dedent(text).lstrip("\n"), kind)
    return [m for m in read_commands(src) if isinstance(m, Daemon)]


def listeners(text: str, kind: str = "shell") -> list[tuple[str, bool, bool, str, int, int]]:
    return [(li.address, li.tls, li.tls_verify, li.role, li.origin.line, li.origin.column)
            for d in daemons(text, kind) for li in d.listeners]


# --- dockerd flags ----------------------------------------------------------------------------


def test_dockerd_plain_tcp() -> None:
    [daemon] = daemons("sudo dockerd -H tcp://0.0.0.0:2375 &\n")
    assert daemon.name == "dockerd"
    assert daemon.source_kind == "command-line"
    assert daemon.anchor == Location("f", 1, 6, path="dockerd[0]", end_line=1)
    assert daemon.flags == ["-H", "tcp://0.0.0.0:2375"]
    assert daemon.listeners == [Listener("tcp://0.0.0.0:2375",
                                         Location("f", 1, 14, path="dockerd[0].argv[1]",
                                                  end_line=1),
                                         tls=False, tls_verify=False, role="daemon")]
    assert daemon.where("hosts") == daemon.listeners[0].origin


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("dockerd --host=tcp://0.0.0.0:2376 --tlsverify --tlscacert=ca.pem "
         "--tlscert=cert.pem --tlskey=key.pem", [("tcp://0.0.0.0:2376", True, True)]),
        ("dockerd --tls --tlscert c.pem --tlskey k.pem -H 0.0.0.0:2376",
         [("tcp://0.0.0.0:2376", True, False)]),
        ("dockerd --tlsverify=false -H tcp://0.0.0.0:2376",
         [("tcp://0.0.0.0:2376", True, False)]),
        ("dockerd -H unix:///var/run/docker.sock -H=tcp://127.0.0.1:2375",
         [("unix:///var/run/docker.sock", False, False), ("tcp://127.0.0.1:2375", False, False)]),
        ("/usr/bin/dockerd --data-root /srv/docker -D -H :2375",
         [("tcp://:2375", False, False)]),
        ("docker daemon -H tcp://0.0.0.0:4243", [("tcp://0.0.0.0:4243", False, False)]),
    ],
)
def test_dockerd_flag_forms(line: str, expected: list[tuple[str, bool, bool]]) -> None:
    got = [(a, tls, verify) for a, tls, verify, role, _, _ in listeners(line + "\n")]
    assert got == expected


def test_dockerd_without_hosts_is_not_evidence() -> None:
    assert daemons("dockerd --debug &\n") == []


def test_dockerd_in_docs_and_ci() -> None:
    md = "```console\n$ sudo dockerd -H tcp://0.0.0.0:2375\n```\n"
    assert listeners(md, "markdown") == [("tcp://0.0.0.0:2375", False, False, "daemon", 2, 16)]
    gh = "jobs:\n  x:\n    steps:\n      - run: dockerd -H tcp://0.0.0.0:2375 &\n"
    assert listeners(gh, "ci-yaml") == [("tcp://0.0.0.0:2375", False, False, "daemon", 4, 22)]


# --- systemd units and DOCKER_OPTS --------------------------------------------------------


def test_systemd_unit() -> None:
    unit = """
    [Service]
    ExecStart=
    ExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375 --containerd=/run/containerd.sock
    """
    assert listeners(unit, "systemd") == [
        ("fd://", False, False, "daemon", 3, 28),
        ("tcp://0.0.0.0:2375", False, False, "daemon", 3, 37),
    ]


def test_unit_written_by_a_script_through_a_heredoc_or_sed() -> None:
    script = """
    mkdir -p /etc/systemd/system/docker.service.d
    cat > /etc/systemd/system/docker.service.d/override.conf <<EOF
    [Service]
    ExecStart=
    ExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2375 -H unix:///var/run/docker.sock
    EOF
    sed -i 's|ExecStart=.*|ExecStart=/usr/bin/dockerd -H tcp://0.0.0.0:2376|' docker.service
    """
    got = [(a, line, col) for a, _, _, _, line, col in listeners(script)]
    assert got == [("tcp://0.0.0.0:2375", 5, 28), ("unix:///var/run/docker.sock", 5, 50),
                   ("tcp://0.0.0.0:2376", 7, 51)]


def test_docker_opts() -> None:
    text = 'DOCKER_OPTS="-H tcp://0.0.0.0:2375 -H unix:///var/run/docker.sock"\n'
    [daemon] = daemons(text)
    assert [li.address for li in daemon.listeners] == ["tcp://0.0.0.0:2375",
                                                       "unix:///var/run/docker.sock"]
    assert (daemon.listeners[0].origin.line, daemon.listeners[0].origin.column) == (1, 14)
    assert daemon.anchor.column == 1


# --- clients ---------------------------------------------------------------------------------


def test_docker_host_exports() -> None:
    text = """
    export DOCKER_HOST=tcp://192.168.1.10:2375
    DOCKER_HOST=tcp://build:2375 docker ps
    DOCKER_HOST="tcp://quoted:2375"
    env DOCKER_HOST=ssh://me@box docker info
    DOCKER_HOST=$REMOTE
    """
    assert listeners(text) == [
        ("tcp://192.168.1.10:2375", False, False, "client", 1, 8),
        ("tcp://build:2375", False, False, "client", 2, 1),
        ("tcp://quoted:2375", False, False, "client", 3, 1),
        ("ssh://me@box", False, False, "client", 4, 5),
    ]
    assert {d.name for d in daemons(text)} == {"DOCKER_HOST"}


def test_docker_tls_verify_anywhere_in_the_file_counts() -> None:
    text = "export DOCKER_TLS_VERIFY=1\nexport DOCKER_HOST=tcp://h:2376\n"
    assert listeners(text) == [("tcp://h:2376", True, True, "client", 2, 8)]
    # like the docker CLI: any non-empty value turns verification on; empty does not
    assert listeners("DOCKER_TLS_VERIFY=\nDOCKER_HOST=tcp://h:2375\n")[0][1:3] == (False, False)


def test_docker_client_host_flags() -> None:
    text = """
    docker -H tcp://host:2375 ps
    docker --host tcp://host:2376 --tlsverify info
    docker --host=tcp://host:2377 --tls ps
    docker -H unix:///var/run/docker.sock ps
    """
    assert listeners(text) == [
        ("tcp://host:2375", False, False, "client", 1, 8),
        ("tcp://host:2376", True, True, "client", 2, 8),
        ("tcp://host:2377", True, False, "client", 3, 8),
        ("unix:///var/run/docker.sock", False, False, "client", 4, 8),
    ]
    assert daemons(text)[0].name == "docker -H"


def test_container_told_to_use_a_tcp_daemon() -> None:
    text = "docker run -e DOCKER_HOST=tcp://docker:2375 docker:cli docker ps\n"
    assert listeners(text) == [("tcp://docker:2375", False, False, "client", 1, 12)]


def test_docker_context() -> None:
    text = """
    docker context create plain --docker host=tcp://1.2.3.4:2375
    docker context create safe --docker "host=tcp://1.2.3.4:2376,ca=~/ca.pem,cert=~/c.pem,key=~/k.pem"
    docker context update lax --docker=host=tcp://h:2376,ca=/ca.pem,skip-tls-verify=true
    """
    assert listeners(text) == [
        ("tcp://1.2.3.4:2375", False, False, "client", 1, 29),
        ("tcp://1.2.3.4:2376", True, True, "client", 2, 28),
        ("tcp://h:2376", True, False, "client", 3, 27),
    ]


def test_makefile_variables_and_recipes() -> None:
    text = """
    export DOCKER_HOST ?= tcp://ci:2375
    DOCKER_TLS_VERIFY :=

    test:
    \tDOCKER_HOST=tcp://other:2375 docker ps
    """
    assert listeners(text, "makefile") == [
        ("tcp://other:2375", False, False, "client", 5, 2),
        ("tcp://ci:2375", False, False, "client", 1, 8),
    ]


def test_github_actions_env() -> None:
    workflow = """
    env:
      DOCKER_HOST: tcp://localhost:2375
    jobs:
      build:
        env:
          DOCKER_TLS_VERIFY: "1"
        steps:
          - run: docker ps
            env:
              DOCKER_HOST: tcp://step:2376
    """
    got = [(a, verify, line, col, d.anchor.path) for d in daemons(workflow, "ci-yaml")
           for a, verify, line, col in [(d.listeners[0].address, d.listeners[0].tls_verify,
                                         d.anchor.line, d.anchor.column)]]
    assert got == [
        ("tcp://localhost:2375", True, 2, 3, "env.DOCKER_HOST"),
        ("tcp://step:2376", True, 10, 11, "jobs.build.steps[0].env.DOCKER_HOST"),
    ]


@pytest.mark.parametrize(("certdir", "verify"), [('""', False), ('"/certs"', True)])
def test_gitlab_dind_variables(certdir: str, verify: bool) -> None:
    gitlab = f"""
    services:
      - docker:dind
    variables:
      DOCKER_HOST: tcp://docker:2375
      DOCKER_TLS_CERTDIR: {certdir}
    build:
      variables:
        DOCKER_HOST:
          value: tcp://job:2375
          description: per-job daemon
      script:
        - docker build .
    """
    assert [(a, v, line) for a, _, v, _, line, _ in listeners(gitlab, "ci-yaml")] == [
        ("tcp://docker:2375", verify, 4), ("tcp://job:2375", verify, 8)]


def test_systemd_environment_lines() -> None:
    unit = '[Service]\nEnvironment="DOCKER_HOST=tcp://10.0.0.1:2375" DOCKER_TLS_VERIFY=1\n'
    assert listeners(unit, "systemd") == [("tcp://10.0.0.1:2375", True, True, "client", 2, 13)]


def test_no_evidence_in_ordinary_files() -> None:
    assert daemons("docker run -v /var/run/docker.sock:/var/run/docker.sock img\n") == []
    assert daemons("echo DOCKER_HOST is not set\n") == []


@pytest.mark.parametrize(
    ("raw", "normal"),
    [("tcp://0.0.0.0:2375", "tcp://0.0.0.0:2375"), ("0.0.0.0:2375", "tcp://0.0.0.0:2375"),
     (":2375", "tcp://:2375"), ("unix:///x.sock", "unix:///x.sock"), ("fd://", "fd://"),
     ("/var/run/docker.sock", "/var/run/docker.sock")],
)
def test_normalize_address(raw: str, normal: str) -> None:
    assert normalize_address(raw) == normal


def test_partly_resolved_addresses_are_kept() -> None:
    text = "export DOCKER_HOST=tcp://$IP:2375\npodman --url tcp://box:8080 ps\n"
    assert [(a, role) for a, _, _, role, _, _ in listeners(text)] == [
        ("tcp://box:8080", "client"), ("tcp://$IP:2375", "client")]
