"""Workload -> create body -> Workload, and Workload -> ``docker run`` line -> Workload:
the converters the fixers (and tighten) use give back every security-relevant setting."""

from __future__ import annotations

from dockward.engine_body import body_from_workload
from dockward.findings import Change, Remedy
from dockward.fixers.workload_model import apply_to_workload, command_line, run_args
from dockward.models.workload import Workload
from dockward.readers.base import SourceFile
from dockward.readers.commands import read_commands
from dockward.readers.compose import read_compose
from dockward.readers.engine.inspect_to_workload import workload_from_create_body

COMPOSE = """\
services:
  app:
    image: alpine:3.20
    user: "1000:1000"
    privileged: true
    cap_add: [SYS_ADMIN, NET_ADMIN]
    cap_drop: [ALL]
    pid: host
    ipc: host
    uts: host
    userns_mode: host
    network_mode: host
    security_opt: ["seccomp=unconfined", "apparmor=unconfined", "no-new-privileges:true"]
    read_only: true
    mem_limit: 256m
    cpus: 1.5
    pids_limit: 100
    restart: on-failure:3
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - /mnt:/mnt:rshared
      - data:/data
    tmpfs: [/run]
    devices: ["/dev/fuse:/dev/fuse:rwm"]
    ports: ["127.0.0.1:8080:80", "53:53/udp"]
    environment:
      A: "1"
    command: ["sleep", "300"]
"""


def _service() -> Workload:
    found = [m for m in read_compose([SourceFile("", "c.yaml", COMPOSE, "compose")], {})
             if isinstance(m, Workload)]
    assert len(found) == 1
    return found[0]


def summary(w: Workload) -> dict[str, object]:
    """Everything the rules judge, without locations."""
    return {
        "image": w.image, "user": w.user, "privileged": w.privileged,
        "cap_add": sorted(c.name for c in w.cap_add),
        "cap_drop": sorted(c.name for c in w.cap_drop),
        "modes": (w.pid_mode, w.ipc_mode, w.uts_mode, w.userns_mode, w.network_mode),
        "security_opts": sorted((o.key, o.value) for o in w.security_opts),
        "read_only": w.read_only, "memory": w.memory, "cpus": w.cpus,
        "pids": w.pids_limit,
        "restart": (w.restart.name, w.restart.max_retries) if w.restart else None,
        "mounts": sorted((m.type, m.source, m.target, m.read_only, m.propagation)
                         for m in w.mounts),
        "devices": sorted((d.host_path, d.container_path, d.permissions) for d in w.devices),
        "ports": sorted((p.host_ip, p.host_port, p.container_port, p.protocol)
                        for p in w.ports),
        "env": sorted((e.key, e.value) for e in w.env),
        "command": w.command,
    }


def test_create_body_round_trip() -> None:
    w = _service()
    body = body_from_workload(w)
    assert body["HostConfig"]["NanoCpus"] == 1_500_000_000
    assert body["HostConfig"]["Tmpfs"] == {"/run": ""}
    back = workload_from_create_body(body, "test/app")
    assert summary(back) == summary(w)


def test_run_line_round_trip() -> None:
    w = _service()
    line = command_line(run_args(w, name="app"))
    models = list(read_commands(SourceFile("", "r.sh", line + "\n", "shell")))
    back = [m for m in models if isinstance(m, Workload)]
    assert len(back) == 1, line
    assert summary(back[0]) == summary(w)


def test_remedies_apply_to_the_model() -> None:
    w = _service()
    socket = next(m for m in w.mounts if m.source == "/var/run/docker.sock")
    fixed = apply_to_workload(w, [
        Remedy(Change.REMOVE, "privileged", True),
        Remedy(Change.REMOVE, "cap_add", "SYS_ADMIN"),
        Remedy(Change.REMOVE, "pid_mode", "host"),
        Remedy(Change.REMOVE, "security_opts", "seccomp=unconfined"),
        Remedy(Change.REMOVE, "mounts", target=socket.origin),
        Remedy(Change.SET, "restart", ("on-failure", 5)),
        Remedy(Change.SET, "memory", 512 << 20, also=(Remedy(Change.ADD, "tmpfs", "/tmp"),)),
    ])
    s = summary(fixed)
    assert (s["privileged"], s["cap_add"], s["memory"], s["restart"]) == \
        (False, ["NET_ADMIN"], 512 << 20, ("on-failure", 5))
    assert fixed.pid_mode is None
    assert ("seccomp", "unconfined") not in s["security_opts"]  # type: ignore[operator]
    assert all(m.source != "/var/run/docker.sock" for m in fixed.mounts)
    assert any(m.type == "tmpfs" and m.target == "/tmp" for m in fixed.mounts)
    assert w.privileged and w.memory == 256 << 20  # the original is untouched


def test_a_bare_workload_is_a_bare_run_line() -> None:
    assert run_args(Workload("x", "container", _service().anchor, image="busybox"),
                    name="x") == ["docker", "run", "-d", "--name", "x", "busybox"]
