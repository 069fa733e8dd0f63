"""Workload -> create body (engine_body) is the readers' opposite: round trips keep every
security-relevant field, and a run line makes the body the docker CLI itself sends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockward.engine_body import body_from_workload
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
from dockward.readers.commands.docker_run import workload_from_argv
from dockward.readers.engine.inspect_to_workload import (
    workload_from_create_body,
    workload_from_inspect,
)
from tests.audit.make_fixtures import DEMOS

FIXTURES = Path(__file__).parents[1] / "audit" / "fixtures"
AT = Location(file="t", line=1)


def security_view(w: Workload) -> dict[str, Any]:
    """Every field a rule reads (provenance aside).  ``NetworkMode: default`` is how the
    docker CLI spells "not set"."""
    network = None if w.network_mode == "default" else w.network_mode
    return {
        "image": w.image, "user": w.user, "privileged": w.privileged,
        "cap_add": [c.name for c in w.cap_add], "cap_drop": [c.name for c in w.cap_drop],
        "namespaces": [w.pid_mode, network, w.ipc_mode, w.uts_mode, w.userns_mode,
                       w.cgroupns_mode],
        "mounts": sorted((m.type, m.source or "", m.target, m.read_only, m.propagation or "")
                         for m in w.mounts),
        "devices": [(d.host_path, d.container_path, d.permissions) for d in w.devices],
        "security_opts": [(o.key, o.value) for o in w.security_opts],
        "read_only": w.read_only, "memory": w.memory, "cpus": w.cpus,
        "pids_limit": w.pids_limit,
        "restart": (w.restart.name, w.restart.max_retries) if w.restart else ("no", None),
        "ports": sorted((p.container_port, p.host_port, p.host_ip, p.protocol)
                        for p in w.ports if p.published),
        "env": [(e.key, e.value) for e in w.env],
        "command": w.command,
    }


def round_trip(w: Workload) -> Workload:
    return workload_from_create_body(body_from_workload(w), "host/x")


def run_line(*args: str) -> Workload:
    w = workload_from_argv(["docker", "run", *args])
    assert w is not None
    return w


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_run_line_makes_the_body_the_docker_cli_sends(name: str) -> None:
    """The seed's demos: our body and the body docker 28 sent (captured) mean the same."""
    args = [a.format(sock="/var/run/docker.sock") for a in DEMOS[name]]
    ours = workload_from_create_body(
        body_from_workload(run_line("--name", name, *args, "busybox:dw", "sleep", "1000")),
        "host/x")
    cli_body = json.loads((FIXTURES / "create" / f"{name}.json").read_text())
    theirs = workload_from_create_body(cli_body, "host/x")
    assert security_view(ours) == security_view(theirs)


@pytest.mark.parametrize("name", sorted(DEMOS))
def test_inspect_round_trip(name: str) -> None:
    inspect = json.loads((FIXTURES / "inspect" / f"{name}.json").read_text())
    w = workload_from_inspect(inspect, f"host/{name}")
    assert security_view(round_trip(w)) == security_view(w)


def test_hardened_body_exact() -> None:
    w = run_line("--cap-drop=ALL", "--cap-add", "chown", "--security-opt",
                 "no-new-privileges", "--read-only", "--tmpfs", "/tmp", "-u", "1000:1000",
                 "--memory", "64m", "--cpus", "0.5", "--pids-limit", "50",
                 "--restart", "on-failure:5", "-v", "/srv:/srv:ro,rshared", "-v", "data:/data",
                 "-p", "127.0.0.1:8080:80", "-e", "A=1", "-w", "/app", "--entrypoint", "/init",
                 "--health-cmd", "true", "--health-interval", "30s", "--sysctl",
                 "net.core.somaxconn=1024", "--ulimit", "nofile=1024:2048", "--init",
                 "img:1", "serve", "--port", "80")
    body = body_from_workload(w)
    assert body == {
        "Image": "img:1", "User": "1000:1000", "Env": ["A=1"], "Entrypoint": ["/init"],
        "Cmd": ["serve", "--port", "80"], "WorkingDir": "/app",
        "Healthcheck": {"Test": ["CMD-SHELL", "true"], "Interval": 30_000_000_000},
        "ExposedPorts": {"80/tcp": {}},
        "HostConfig": {
            "CapAdd": ["CHOWN"], "CapDrop": ["ALL"],
            "Mounts": [{"Type": "bind", "Target": "/srv", "Source": "/srv", "ReadOnly": True,
                        "BindOptions": {"Propagation": "rshared"}},
                       {"Type": "volume", "Target": "/data", "Source": "data"}],
            "Tmpfs": {"/tmp": ""},
            "SecurityOpt": ["no-new-privileges"], "ReadonlyRootfs": True,
            "Memory": 64 * 1024 * 1024, "NanoCpus": 500_000_000, "PidsLimit": 50,
            "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 5},
            "PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]},
            "Sysctls": {"net.core.somaxconn": "1024"},
            "Ulimits": [{"Name": "nofile", "Soft": 1024, "Hard": 2048}],
            "Init": True,
        },
    }


def test_inspect_keeps_entrypoint_and_cmd_apart() -> None:
    """An inspect's ``command`` is Entrypoint + Cmd; the body sets both as they were."""
    inspect = {"Name": "/web", "Config": {"Image": "nginx", "Entrypoint": ["/docker-ep.sh"],
                                          "Cmd": ["nginx", "-g", "daemon off;"],
                                          "WorkingDir": "/srv"},
               "HostConfig": {}}
    w = workload_from_inspect(inspect, "h/web")
    assert w.command == ["/docker-ep.sh", "nginx", "-g", "daemon off;"]
    body = body_from_workload(w)
    assert (body["Entrypoint"], body["Cmd"], body["WorkingDir"]) == (
        ["/docker-ep.sh"], ["nginx", "-g", "daemon off;"], "/srv")


def test_create_body_without_entrypoint_keeps_the_images() -> None:
    w = workload_from_create_body({"Image": "nginx", "Cmd": ["nginx"]}, "h/x")
    body = body_from_workload(w)
    assert "Entrypoint" not in body and body["Cmd"] == ["nginx"]


def test_empty_entrypoint_resets_the_images() -> None:
    assert body_from_workload(run_line("--entrypoint", "", "img"))["Entrypoint"] == [""]


def test_no_healthcheck_and_random_host_port() -> None:
    body = body_from_workload(run_line("--no-healthcheck", "-p", "80", "img"))
    assert body["Healthcheck"] == {"Test": ["NONE"]}
    assert body["HostConfig"]["PortBindings"] == {"80/tcp": [{"HostIp": "", "HostPort": ""}]}


# --------------------------------------------------------------------------- property test

CAPS = st.sampled_from(["ALL", "CHOWN", "NET_ADMIN", "SYS_ADMIN", "SETUID", "KILL"])
PATHS = st.sampled_from(["/data", "/srv/x", "/var/run/docker.sock", "/etc", "/tmp/a b"])
NAMES = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)


@st.composite
def mounts(draw: st.DrawFn) -> Mount:
    kind = draw(st.sampled_from(["bind", "volume", "tmpfs"]))
    source = None
    if kind == "bind":
        source = draw(PATHS)
    elif kind == "volume":
        source = draw(st.none() | NAMES)
    propagation = draw(st.none() | st.sampled_from(["rshared", "private", "slave"])) \
        if kind == "bind" else None
    return Mount(type=kind, source=source, target=draw(PATHS), origin=AT,
                 read_only=kind != "tmpfs" and draw(st.booleans()), propagation=propagation)


@st.composite
def workloads(draw: st.DrawFn) -> Workload:
    w = Workload(name="x", source_kind="run-line", anchor=AT, image=draw(NAMES))
    w.privileged = draw(st.booleans())
    w.cap_add = [Capability(c, AT) for c in draw(st.lists(CAPS, max_size=3))]
    w.cap_drop = [Capability(c, AT) for c in draw(st.lists(CAPS, max_size=3))]
    modes = st.none() | st.sampled_from(["host", "private", "container:db"])
    w.pid_mode, w.ipc_mode, w.uts_mode = draw(modes), draw(modes), draw(modes)
    w.network_mode = draw(st.none() | st.sampled_from(["host", "none", "mynet"]))
    w.userns_mode = draw(st.none() | st.just("host"))
    w.cgroupns_mode = draw(st.none() | st.sampled_from(["host", "private"]))
    mount_list = draw(st.lists(mounts(), max_size=4, unique_by=lambda m: m.target))
    w.mounts = mount_list
    w.devices = [Device(p, p, AT, draw(st.sampled_from(["rwm", "r"])))
                 for p in draw(st.lists(st.sampled_from(["/dev/fuse", "/dev/kvm"]),
                                        max_size=2, unique=True))]
    w.user = draw(st.none() | st.sampled_from(["0", "1000:1000", "nobody"]))
    w.security_opts = [SecurityOpt.parse(o, AT) for o in draw(st.lists(st.sampled_from(
        ["no-new-privileges", "seccomp=unconfined", "apparmor=unconfined", "label=disable",
         "systempaths=unconfined"]), max_size=3, unique=True))]
    w.read_only = draw(st.booleans())
    w.memory = draw(st.none() | st.integers(6 * 2**20, 2**34))
    w.cpus = draw(st.none() | st.sampled_from([0.5, 1.0, 1.25]))
    w.pids_limit = draw(st.none() | st.integers(1, 5000))
    name = draw(st.sampled_from(["no", "always", "unless-stopped", "on-failure"]))
    retries = draw(st.integers(1, 9)) if name == "on-failure" else None
    w.restart = RestartPolicy(name, AT, retries)
    w.ports = [Port(str(p), AT, host_port=draw(st.sampled_from(["", "8080", "9000"])),
                    host_ip=draw(st.sampled_from(["", "127.0.0.1"])))
               for p in draw(st.lists(st.sampled_from([80, 443, 53]), max_size=2, unique=True))]
    w.env = [EnvVar(k, draw(st.none() | st.text(max_size=5)), AT)
             for k in draw(st.lists(NAMES, max_size=3, unique=True))]
    w.command = draw(st.lists(st.text(min_size=1, max_size=6), max_size=3))
    return w


@settings(max_examples=200, deadline=None)
@given(workloads())
def test_round_trip_keeps_security_fields(w: Workload) -> None:
    assert security_view(round_trip(w)) == security_view(w)
