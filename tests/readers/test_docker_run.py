"""``docker run`` argv -> Workload, flag by flag, as the docker CLI would parse it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dockward.models.location import Location
from dockward.models.workload import Mount, Port, Workload
from dockward.readers.base import SourceFile
from dockward.readers.commands import iter_commands, parse_cli, read_commands

FIXTURES = Path(__file__).parent / "fixtures" / "commands"
HERE = Location("f", 1, 1)


def workloads(text: str, kind: str = "shell", name: str = "f") -> list[Workload]:
    src = SourceFile(path=name, display=name, text=textwrap.dedent(text).lstrip("\n"),
                     kind=kind)
    return [m for m in read_commands(src) if isinstance(m, Workload)]


def run(line: str) -> Workload:
    [workload] = workloads(line + "\n")
    return workload


def at(location: Location) -> tuple[int, int]:
    return location.line, location.column


# --- recognising the command ---------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "docker run img",
        "docker create img",
        "docker container run img",
        "docker container create img",
        "podman run img",
        "podman create img",
        "podman container run img",
        "nerdctl run img",
        "nerdctl container create img",
        "sudo docker run img",
        "/usr/bin/docker run img",
        "sudo -E /usr/local/bin/docker run img",
        "env DOCKER_BUILDKIT=1 docker run img",
        "exec docker run img",
        "time docker run img",
        "docker -H tcp://h:2375 run img",
        "docker --host=unix:///x.sock --tlsverify run img",
        "docker --context remote run img",
        "docker -c remote run img",
        "docker --config /etc/docker -l debug run img",
        "podman --remote --url ssh://h run img",
        "nerdctl -n k8s.io run img",
    ],
)
def test_container_creating_commands(line: str) -> None:
    workload = run(line)
    assert workload.image == "img"
    assert workload.source_kind == "run-line"
    assert workload.name == "img"


@pytest.mark.parametrize(
    "line",
    [
        "docker ps",
        "docker compose run web",
        "docker exec -it x sh",
        "docker run",
        "docker run --rm -it",
        "docker run -v /a:/b",
        "docker run --rm ...",
        "docker build -t x .",
        "docker image ls",
        "echo docker run img",
        "dockerd run img",
        "docker run --help",
    ],
)
def test_not_a_workload(line: str) -> None:
    assert workloads(line + "\n") == []


def test_parse_cli_splits_globals_and_subcommand() -> None:
    src = SourceFile("f", "f", "docker -H tcp://x:1 --tls container run -d img\n", "shell")
    [command] = list(iter_commands(src))
    cli = parse_cli(command)
    assert cli is not None
    assert cli.program == "docker"
    assert [(f.name, f.value) for f in cli.globals] == [("host", "tcp://x:1"), ("tls", None)]
    assert cli.path == ("container", "run")
    assert cli.action == "run"
    assert [w.text for w in cli.args] == ["-d", "img"]


def test_anchor_name_image_and_command() -> None:
    w = run("docker run --name web -it --rm nginx:1.27 nginx -g 'daemon off;'")
    assert w.name == "web"
    assert w.image == "nginx:1.27"
    assert w.command == ["nginx", "-g", "daemon off;"]
    assert w.anchor == Location("f", 1, 1, path="run[0]", end_line=1)
    assert w.origins["name"] == Location("f", 1, 12, path="run[0].argv[2]", end_line=1)
    assert w.origins["image"] == Location("f", 1, 32, path="run[0].argv[6]", end_line=1)
    assert w.facts["rm"] is True
    assert w.facts["runtime"] == "docker"
    assert w.facts["subcommand"] == "run"


def test_ordinals_number_run_lines_in_file_order() -> None:
    found = workloads("docker run a\ndocker ps\npodman run b\n")
    assert [w.anchor.path for w in found] == ["run[0]", "run[1]"]
    assert [w.facts["runtime"] for w in found] == ["docker", "podman"]


# --- flag syntax (pflag) ---------------------------------------------------------------------


def test_long_flags_with_equals_and_separate_values() -> None:
    w = run("docker run --user=1000 --pid host img")
    assert w.user == "1000"
    assert w.pid_mode == "host"
    assert at(w.origins["user"]) == (1, 12)
    assert at(w.origins["pid_mode"]) == (1, 24)


def test_combined_short_flags() -> None:
    w = run("docker run -itd -p8080:80 -itv /a:/b -eFOO=1 img sh")
    assert w.facts["detach"] is True
    assert [(p.host_port, p.container_port) for p in w.ports] == [("8080", "80")]
    [mount] = w.mounts
    assert (mount.source, mount.target) == ("/a", "/b")
    assert at(mount.origin) == (1, 27)  # the `-itv` word
    assert [(e.key, e.value) for e in w.env] == [("FOO", "1")]
    assert w.image == "img" and w.command == ["sh"]


def test_short_value_flag_takes_the_next_word_even_if_it_starts_with_a_dash() -> None:
    w = run("docker run --pids-limit -1 -h -weird img")
    assert w.pids_limit == -1
    assert w.image == "img"


def test_boolean_flags_with_values() -> None:
    w = run("docker run --privileged=false --read-only=true --init=false img")
    assert w.privileged is False
    assert w.read_only is True
    assert w.facts["init"] is False
    assert at(w.origins["privileged"]) == (1, 12)
    assert at(w.origins["read_only"]) == (1, 31)
    w = run("docker run -d=false --privileged img")
    assert w.facts["detach"] is False and w.privileged is True


def test_double_dash_ends_options() -> None:
    w = run("docker run --rm -- --weird-image-name --privileged")
    assert w.image == "--weird-image-name"
    assert w.command == ["--privileged"]
    assert not w.privileged


def test_flags_after_the_image_belong_to_the_container() -> None:
    w = run("docker run alpine --privileged -v /:/host")
    assert not w.privileged and w.mounts == []
    assert w.command == ["--privileged", "-v", "/:/host"]


def test_repeated_flags_accumulate() -> None:
    w = run("docker run -v /a:/a -v /b:/b --volume=/c:/c -e A=1 --env B -p 1:1 -p 2:2 img")
    assert [m.target for m in w.mounts] == ["/a", "/b", "/c"]
    assert [(e.key, e.value) for e in w.env] == [("A", "1"), ("B", None)]
    assert [p.container_port for p in w.ports] == ["1", "2"]


def test_unknown_flags_are_skipped_without_crashing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG", logger="dockward.readers.commands.cli")
    w = run("docker run --frobnicate --knob=3 -Z -v /x:/y img")
    assert w.image == "img"
    assert [m.target for m in w.mounts] == ["/y"]
    assert "unknown flag --frobnicate" in caplog.text


def test_documentation_elisions_are_skipped() -> None:
    w = run("docker run --privileged --name d -d ... --pids-limit -1 %%IMAGE%%:dind")
    assert w.image == "%%IMAGE%%:dind" and w.privileged and w.pids_limit == -1


# --- fields ------------------------------------------------------------------------------------


def test_privileged_and_capabilities() -> None:
    w = run("docker run --privileged --cap-add=NET_ADMIN,sys_time --cap-add CAP_SYS_ADMIN "
            "--cap-drop=ALL --cap-drop cap_chown img")
    assert w.privileged is True
    assert [c.name for c in w.cap_add] == ["NET_ADMIN", "SYS_TIME", "SYS_ADMIN"]
    assert [c.name for c in w.cap_drop] == ["ALL", "CHOWN"]
    assert [at(c.origin) for c in w.cap_add] == [(1, 25), (1, 25), (1, 54)]
    assert at(w.origins["cap_add"]) == (1, 25)


@pytest.mark.parametrize(
    ("flag", "field"),
    [("--pid", "pid_mode"), ("--network", "network_mode"), ("--net", "network_mode"),
     ("--ipc", "ipc_mode"), ("--uts", "uts_mode"), ("--userns", "userns_mode"),
     ("--cgroupns", "cgroupns_mode")],
)
def test_namespace_modes(flag: str, field: str) -> None:
    for line in (f"docker run {flag}=host img", f"docker run {flag} host img"):
        w = run(line)
        assert getattr(w, field) == "host"
        assert at(w.origins[field]) == (1, 12)


def test_first_network_is_the_network_mode() -> None:
    w = run("docker run --network host --network other img")
    assert w.network_mode == "host"
    assert w.facts["networks"] == ["host", "other"]


def test_unresolved_mount_sources_keep_their_target() -> None:
    w = run('docker run -v $SOCK:/var/run/docker.sock -v "$(pwd)":/app '
            '-v "${HOME:-/root}/.ssh:/root/.ssh:ro" -v \'$LITERAL:/x\' img')
    sock, app, ssh, literal = w.mounts
    assert (sock.type, sock.source, sock.target, sock.unresolved) == (
        "bind", "$SOCK", "/var/run/docker.sock", True)
    assert (app.source, app.target, app.unresolved) == ("$(pwd)", "/app", True)
    assert (ssh.source, ssh.target, ssh.read_only, ssh.unresolved) == (
        "${HOME:-/root}/.ssh", "/root/.ssh", True, True)
    assert (literal.type, literal.source, literal.unresolved) == ("volume", "$LITERAL", False)


def test_mount_and_tmpfs_flags() -> None:
    w = run("docker run --mount type=bind,src=$PWD,dst=/app --tmpfs /run:rw,size=64m "
            "--mount=type=bind,source=/,target=/host img")
    app, tmpfs, host = w.mounts
    assert (app.source, app.target, app.unresolved) == ("$PWD", "/app", True)
    assert (tmpfs.type, tmpfs.source, tmpfs.target) == ("tmpfs", None, "/run")
    assert (host.type, host.source, host.target) == ("bind", "/", "/host")
    assert [at(m.origin) for m in w.mounts] == [(1, 12), (1, 48), (1, 73)]


def test_refused_specs_are_read_as_written(caplog: pytest.LogCaptureFixture) -> None:
    """A snippet the CLI or the engine would refuse still shows what its author meant:
    the CLI's split is kept (readers/specs.py), the refusal is only logged."""
    caplog.set_level("DEBUG", logger="dockward.readers.commands.docker_run")
    w = run("docker run -v /var/run/docker.sock:ro -v /a::/b --device /dev/mem:r:rw "
            "-p http:80 img")
    assert [(m.type, m.source, m.target) for m in w.mounts] == [
        ("bind", "/var/run/docker.sock", "ro")]
    assert [(d.host_path, d.container_path, d.permissions) for d in w.devices] == [
        ("/dev/mem", "r", "rw")]
    assert [(p.host_port, p.container_port) for p in w.ports] == [("http", "80")]
    assert "invalid volume specification: '/var/run/docker.sock:ro'" in caplog.text
    assert "r is not an absolute path" in caplog.text
    assert "invalid host port 'http' in 'http:80'" in caplog.text


def test_use_api_socket_mounts_the_socket() -> None:
    [mount] = run("docker run --use-api-socket img").mounts
    assert mount == Mount(type="bind", source="/var/run/docker.sock",
                          target="/var/run/docker.sock",
                          origin=Location("f", 1, 12, path="run[0].argv[2]", end_line=1))


def test_device_flag() -> None:
    w = run("docker run --device=/dev/kvm --device '/dev/sdc:/dev/xvdc' img")
    assert [(d.host_path, d.container_path) for d in w.devices] == [
        ("/dev/kvm", "/dev/kvm"), ("/dev/sdc", "/dev/xvdc")]
    assert [at(d.origin) for d in w.devices] == [(1, 12), (1, 30)]


def test_user_and_security_options() -> None:
    w = run("docker run -u 1000:1000 --security-opt seccomp=unconfined "
            "--security-opt apparmor:unconfined --security-opt no-new-privileges "
            "--security-opt=label=disable img")
    assert w.user == "1000:1000"
    assert [(o.key, o.value) for o in w.security_opts] == [
        ("seccomp", "unconfined"), ("apparmor", "unconfined"), ("no-new-privileges", "true"),
        ("label", "disable")]
    assert w.no_new_privileges
    assert at(w.security_opts[1].origin) == (1, 59)


def test_resources() -> None:
    w = run("docker run -m 512m --cpus 1.5 --pids-limit 100 img")
    assert w.memory == 512 * 1024 * 1024
    assert w.cpus == 1.5
    assert w.pids_limit == 100
    assert at(w.origins["memory"]) == (1, 12)
    assert at(w.origins["cpus"]) == (1, 20)
    assert at(w.origins["pids_limit"]) == (1, 31)
    assert run("docker run --memory=1g img").memory == 1024**3


def test_cpu_quota_and_period() -> None:
    w = run("docker run --cpu-quota 50000 --cpu-period 100000 img")
    assert w.cpus == 0.5
    assert at(w.origins["cpus"]) == (1, 12)
    assert run("docker run --cpu-quota=25000 img").cpus == 0.25
    assert run("docker run --cpus 2 --cpu-quota 50000 img").cpus == 2.0


def test_unresolved_numbers_are_unknown_not_guessed() -> None:
    w = run('docker run -m "$MEM" --cpus ${CPUS} --pids-limit $(nproc) --restart $POLICY img')
    assert w.memory is None and w.cpus is None and w.pids_limit is None
    assert w.unknown == {"memory": "unresolved $MEM", "cpus": "unresolved ${CPUS}",
                         "pids_limit": "unresolved $(nproc)", "restart": "unresolved $POLICY"}
    assert at(w.origins["memory"]) == (1, 12)


def test_unreadable_numbers_are_unknown() -> None:
    w = run("docker run -m lots --cpus many img")
    assert w.unknown == {"memory": "cannot read 'lots'", "cpus": "cannot read 'many'"}
    assert w.memory is None and w.cpus is None


@pytest.mark.parametrize(
    ("value", "name", "retries"),
    [("no", "no", None), ("always", "always", None), ("unless-stopped", "unless-stopped", None),
     ("on-failure", "on-failure", None), ("on-failure:5", "on-failure", 5)],
)
def test_restart_policies(value: str, name: str, retries: int | None) -> None:
    w = run(f"docker run --restart {value} img")
    assert w.restart is not None
    assert (w.restart.name, w.restart.max_retries) == (name, retries)
    assert at(w.restart.origin) == (1, 12)


def test_publish_flags() -> None:
    w = run("docker run -p 127.0.0.1:8080:80 --publish=9000:9000 -P img")
    assert w.ports == [
        Port("80", Location("f", 1, 12, path="run[0].argv[2]", end_line=1), "8080",
             "127.0.0.1"),
        Port("9000", Location("f", 1, 33, path="run[0].argv[4]", end_line=1), "9000", ""),
    ]
    assert w.facts["publish_all"] is True
    assert not w.ports[0].on_all_interfaces and w.ports[1].on_all_interfaces


def test_environment() -> None:
    w = run("docker run -e A=1 -e B --env C= --env=D=x=y --env-file ./.env --env-file=b.env img")
    assert [(e.key, e.value) for e in w.env] == [("A", "1"), ("B", None), ("C", ""),
                                                 ("D", "x=y")]
    assert w.facts["env_file"] == ["./.env", "b.env"]
    assert [at(e.origin) for e in w.env] == [(1, 12), (1, 19), (1, 24), (1, 33)]


def test_entrypoint_init_and_other_facts() -> None:
    w = run("docker run --entrypoint /bin/sh --init --gpus all --group-add 999 "
            "--sysctl net.ipv4.ip_forward=1 --ulimit nofile=1024 --oom-kill-disable "
            "--volumes-from other --runtime runsc img")
    assert w.facts["entrypoint"] == "/bin/sh"
    assert w.facts["init"] is True
    assert w.facts["gpus"] == "all"
    assert w.facts["group_add"] == ["999"]
    assert w.facts["sysctls"] == {"net.ipv4.ip_forward": "1"}
    assert w.facts["ulimits"] == ["nofile=1024"]
    assert w.facts["oom_kill_disable"] is True
    assert w.facts["volumes_from"] == ["other"]
    assert w.facts["runtime_name"] == "runsc"


def test_podman_specific_flags_take_their_values() -> None:
    w = run("podman run --pod mypod --userns=keep-id --uidmap 0:100:5000 -v /a:/b img")
    assert w.userns_mode == "keep-id"
    assert w.image == "img" and [m.target for m in w.mounts] == ["/b"]


def test_continuation_reports_the_line_of_each_flag() -> None:
    [w] = workloads("""
    docker run -d \\
      --name web \\
      -v /var/run/docker.sock:/var/run/docker.sock \\
      nginx
    """)
    [mount] = w.mounts
    assert at(mount.origin) == (3, 3)
    assert mount.origin.path == "run[0].argv[5]"
    assert w.anchor == Location("f", 1, 1, path="run[0]", end_line=4)


# --- the seed guide -----------------------------------------------------------------------------


def test_the_seed_guides_docker_run_lines() -> None:
    path = FIXTURES / "seed-runlines.md"
    src = SourceFile(str(path), "seed.md", path.read_text(encoding="utf-8"), "markdown")
    found = [m for m in read_commands(src) if isinstance(m, Workload)]
    summary = [
        (w.anchor.line, w.anchor.column, w.image, w.command, w.pid_mode,
         [c.name for c in w.cap_add], [c.name for c in w.cap_drop],
         [(m.type, m.source, m.target) for m in w.mounts], w.memory, w.cpus, w.facts.get("rm"))
        for w in found
    ]
    assert summary == [
        (6, 15, "alpine:3.20.0", ["sleep", "25"], None, [], [], [], None, None, True),
        (15, 15, "alpine:3.20.0", ["ps", "aux"], "host", [], [], [], None, None, True),
        (22, 15, "alpine:3.20.0", ["sh"], None, ["NET_ADMIN"], ["ALL"], [], None, None, True),
        (36, 15, "alpine:3.20.0", ["sh"], None, [], [],
         [("bind", "/var/run/docker.sock", "/var/run/docker.sock")], None, None, True),
        (42, 5, "ubuntu:24.04", ["sh"], None, [], [], [("bind", "/", "/psm")], None, None,
         None),
        (48, 15, "alpine:3.20.0", ["sh"], None, [], [], [], None, None, True),
        (55, 15, "alpine:3.20.0", ["sh"], None, [], [], [], 256 * 1024**2, 4.0, True),
    ]
    assert all(not w.privileged and w.restart is None and w.pids_limit is None for w in found)
    assert at(found[1].origins["pid_mode"]) == (15, 51)
    assert [at(c.origin) for c in found[2].cap_drop + found[2].cap_add] == [(22, 51), (22, 66)]
    assert at(found[3].mounts[0].origin) == (36, 51)
    assert at(found[4].mounts[0].origin) == (42, 36)
    assert at(found[6].origins["memory"]) == (55, 51)
    assert at(found[6].origins["cpus"]) == (55, 65)


# --- one line, every surface -----------------------------------------------------------------

_LINE = "docker run --privileged -v /var/run/docker.sock:/var/run/docker.sock --pid=host img"
_SURFACES = [
    ("shell", f"#!/bin/sh\nset -e\n{_LINE}\n", (3, 1)),
    ("makefile", f"all:\n\t@echo go\n\t{_LINE}\n", (3, 2)),
    ("markdown", f"Run it:\n\n```console\n$ {_LINE}\n```\n", (4, 3)),
    ("dockerfile", f"FROM docker:cli\nRUN apk add curl && \\\n    {_LINE}\n", (3, 5)),
    ("ci-yaml", f"jobs:\n  t:\n    steps:\n      - run: |\n          {_LINE}\n", (5, 11)),
    ("ci-yaml", f"test:\n  script:\n    - echo hi\n    - {_LINE}\n", (4, 7)),
]


@pytest.mark.parametrize(("kind", "text", "anchor"), _SURFACES)
def test_the_same_line_means_the_same_workload_everywhere(
        kind: str, text: str, anchor: tuple[int, int]) -> None:
    src = SourceFile("f", "f", text, kind)
    [w] = [m for m in read_commands(src) if isinstance(m, Workload)]
    assert at(w.anchor) == anchor
    assert (w.image, w.privileged, w.pid_mode) == ("img", True, "host")
    [mount] = w.mounts
    assert (mount.type, mount.source, mount.target) == ("bind", "/var/run/docker.sock",
                                                        "/var/run/docker.sock")
    line, column = anchor
    assert at(mount.origin) == (line, column + len("docker run --privileged "))
    assert at(w.origins["privileged"]) == (line, column + len("docker run "))
