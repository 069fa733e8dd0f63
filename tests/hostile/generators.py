"""Structure-aware generators of scanner input (hypothesis strategies), shared by the
property tests and ``scripts/fuzz.py``: compose documents, ``docker run`` argument vectors
of every flag family, Dockerfiles with directives, heredocs and continuations, Kubernetes
pod specs, create-request bodies and ``/proc/self/status`` views."""

from __future__ import annotations

import json
import shlex
from typing import Any

from hypothesis import strategies as st

# -- scalars that break naive readers
WEIRD_VALUES: tuple[str, ...] = (
    "", " ", "0", "-1", "1e9", "true", "no", "null", "~", "[]", "{}", "${X}", "${X:-y}",
    "$$", "a:b:c", "/", "/../..", "//x", "C:\\x", "\\", "'", '"', "#", " #x", "\t", "\x1b[2J",
    "\u202e", "\u2028", "é", "😀", "a" * 300, "::", "@", "*", "&a", "*a", "!tag", "%",
    "0.0.0.0:2375:2375", "/var/run/docker.sock:/var/run/docker.sock", "SYS_ADMIN", "ALL",
    "host", "unconfined", "apparmor=unconfined", "seccomp=unconfined", "on-failure:-5",
)
WEIRD = st.sampled_from(WEIRD_VALUES)
SCALAR = st.one_of(WEIRD, st.integers(-3, 70000), st.booleans(), st.none(),
                   st.floats(allow_nan=False, allow_infinity=False, width=16),
                   st.text(max_size=12))
JSONISH = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                       max_leaves=8)

SERVICE_KEYS = [
    "image", "privileged", "cap_add", "cap_drop", "pid", "network_mode", "ipc", "uts",
    "userns_mode", "security_opt", "user", "read_only", "volumes", "devices", "ports",
    "mem_limit", "memswap_limit", "cpus", "pids_limit", "restart", "environment", "build",
    "deploy", "extends", "tmpfs", "sysctls", "group_add", "cgroup_parent", "labels",
    "entrypoint", "command", "healthcheck", "secrets", "configs", "profiles", "x-custom",
]
GOOD_VALUES: dict[str, Any] = {
    "privileged": st.booleans(), "cap_add": st.lists(st.sampled_from(
        ["SYS_ADMIN", "NET_ADMIN", "CAP_SYS_PTRACE", "ALL", "CHOWN"]), max_size=3),
    "cap_drop": st.lists(st.sampled_from(["ALL", "NET_RAW"]), max_size=2),
    "pid": st.sampled_from(["host", "service:x"]), "network_mode": st.sampled_from(
        ["host", "bridge", "none"]), "user": st.sampled_from(["0", "root", "1000:1000"]),
    "volumes": st.lists(st.sampled_from(
        ["/var/run/docker.sock:/var/run/docker.sock", "/:/host", "./a:/a:ro", "data:/d",
         "/etc:/etc:rw,rshared"]), max_size=3),
    "ports": st.lists(st.sampled_from(["80:80", "127.0.0.1:8080:80", "2375:2375", "53/udp"]),
                      max_size=2),
    "mem_limit": st.sampled_from(["512m", "1g", 0, "-1"]), "pids_limit": st.integers(-1, 500),
    "restart": st.sampled_from(["always", "no", "on-failure", "on-failure:3", "unless-stopped"]),
    "security_opt": st.lists(st.sampled_from(
        ["no-new-privileges:true", "seccomp=unconfined", "apparmor:unconfined",
         "label:disable"]), max_size=2),
    "environment": st.dictionaries(st.sampled_from(["DB_PASSWORD", "TOKEN", "A"]),
                                   st.sampled_from(["hunter2hunter2", "${X}", "1"]),
                                   max_size=2),
}


@st.composite
def compose_documents(draw: Any) -> str:
    """A compose file: mostly-valid services with some values of any type or shape."""
    import yaml

    services: dict[str, Any] = {}
    for index in range(draw(st.integers(0, 3))):
        service: dict[str, Any] = {"image": "nginx"}
        for key in draw(st.lists(st.sampled_from(SERVICE_KEYS), max_size=6, unique=True)):
            good = GOOD_VALUES.get(key)
            service[key] = draw(good if good is not None and draw(st.booleans())
                                else JSONISH)
        services[f"s{index}"] = service
    top: Any = {"services": services}
    if draw(st.integers(0, 9)) == 0:
        top = draw(JSONISH)
    return yaml.safe_dump(top, allow_unicode=True, sort_keys=False)


RUN_FLAGS = [
    "--privileged", "--cap-add=SYS_ADMIN", "--cap-add", "--cap-drop=ALL", "--pid=host",
    "--net=host", "--network", "--ipc=host", "--uts=host", "--userns=host",
    "--security-opt", "seccomp=unconfined", "--security-opt=apparmor=unconfined",
    "-v", "/:/host", "--volume=/var/run/docker.sock:/var/run/docker.sock",
    "--mount", "type=bind,src=/,dst=/h", "--device=/dev/sda", "-p", "2375:2375",
    "--publish=0.0.0.0:80:80", "-u", "0", "--user=root", "--read-only", "-m", "1g",
    "--memory=0", "--cpus", "1.5", "--pids-limit=-1", "--restart=always",
    "--restart", "on-failure:-5", "-e", "DB_PASSWORD=hunter2hunter2", "--env-file", ".env",
    "-it", "-d", "--rm", "--name", "x", "-H", "tcp://0.0.0.0:2375", "--", "-",
    "--tmpfs", "/tmp", "--sysctl", "net.ipv4.ip_forward=1", "--group-add", "docker",
]


@st.composite
def run_lines(draw: Any) -> str:
    """A ``docker run`` line (or a variant: podman, sudo, env, sh -c) with any flags."""
    words = draw(st.lists(st.one_of(st.sampled_from(RUN_FLAGS), WEIRD), max_size=14))
    prefix = draw(st.sampled_from(["docker run", "podman run", "sudo docker run",
                                   "docker container run", "docker create", "nerdctl run"]))
    line = f"{prefix} {' '.join(shlex.quote(w) for w in words)} alpine sh"
    if draw(st.booleans()):
        line = f"sh -c {shlex.quote(line)}"
    return line + "\n"


DOCKERFILE_LINES = [
    "FROM alpine AS build", "FROM scratch", "ARG TOKEN=hunter2hunter2", "ARG X",
    "ENV DB_PASSWORD hunter2hunter2", "ENV A=1 B=2", "USER root", "USER 1000",
    "RUN curl -fsSL https://x/i.sh | sh", "RUN echo 'a ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoers",
    "RUN --mount=type=secret,id=x cat /run/secrets/x", "COPY id_rsa /root/.ssh/",
    "ADD https://x/y.tgz /", "RUN <<EOF\nset -e\ndocker run --privileged x\nEOF",
    "COPY <<EOF /etc/x\n# dockward: ignore-file\nEOF", "RUN a \\\n  && b \\\n  # c\n  && d",
    "# syntax=docker/dockerfile:1", "# escape=`", "ONBUILD RUN x", "HEALTHCHECK CMD x",
    "RUN [\"docker\", \"run\", \"--privileged\", \"x\"]", "LABEL a=\"b # c\"", "EXPOSE 2375",
]


@st.composite
def dockerfiles(draw: Any) -> str:
    lines = draw(st.lists(st.one_of(st.sampled_from(DOCKERFILE_LINES), WEIRD), max_size=10))
    return "\n".join(["FROM alpine", *lines]) + "\n"


@st.composite
def pod_specs(draw: Any) -> str:
    """A Kubernetes object with a pod template, some fields of any type."""
    import yaml

    container: dict[str, Any] = {"name": "a", "image": "x"}
    for key in draw(st.lists(st.sampled_from(
            ["securityContext", "resources", "volumeMounts", "env", "ports", "command"]),
            max_size=3, unique=True)):
        container[key] = draw(JSONISH)
    if draw(st.booleans()):
        container["securityContext"] = {"privileged": draw(st.booleans()),
                                        "capabilities": {"add": ["SYS_ADMIN"]}}
    spec: dict[str, Any] = {"containers": [container]}
    for key in draw(st.lists(st.sampled_from(
            ["hostPID", "hostNetwork", "hostIPC", "volumes", "securityContext",
             "initContainers"]), max_size=3, unique=True)):
        spec[key] = draw(st.one_of(st.booleans(), JSONISH))
    kind = draw(st.sampled_from(["Pod", "Deployment", "DaemonSet", "Job", "CronJob", "List"]))
    if kind == "Pod":
        obj: dict[str, Any] = {"apiVersion": "v1", "kind": "Pod", "spec": spec}
    elif kind == "CronJob":
        obj = {"apiVersion": "batch/v1", "kind": kind,
               "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}
    elif kind == "List":
        obj = {"apiVersion": "v1", "kind": "List",
               "items": [{"apiVersion": "v1", "kind": "Pod", "spec": spec}]}
    else:
        obj = {"apiVersion": "apps/v1", "kind": kind, "spec": {"template": {"spec": spec}}}
    return yaml.safe_dump(obj, allow_unicode=True)


@st.composite
def create_bodies(draw: Any) -> dict[str, Any]:
    """``POST /containers/create`` bodies, HostConfig fields of any type."""
    host_config: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(
            ["Privileged", "CapAdd", "CapDrop", "PidMode", "NetworkMode", "IpcMode", "Binds",
             "Mounts", "Devices", "PortBindings", "Memory", "NanoCpus", "PidsLimit",
             "RestartPolicy", "SecurityOpt", "ReadonlyRootfs", "UsernsMode"]),
            max_size=6, unique=True)):
        host_config[key] = draw(JSONISH)
    body: dict[str, Any] = {"Image": draw(SCALAR), "HostConfig": host_config}
    if draw(st.booleans()):
        body["User"] = draw(SCALAR)
        body["Env"] = draw(JSONISH)
    return body


STATUS_FIELDS = ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp",
                 "Seccomp_filters", "Uid", "Gid", "NSpid", "Groups"]


@st.composite
def proc_status(draw: Any) -> str:
    """A ``/proc/self/status`` with fields of any text."""
    lines = []
    for field in draw(st.lists(st.sampled_from(STATUS_FIELDS), max_size=10, unique=True)):
        value = draw(st.one_of(st.sampled_from(
            ["000001ffffffffff", "0000000000000000", "00000000a80425fb", "1", "2", "0",
             "0\t0\t0\t0", "zz", ""]), st.text(max_size=8)))
        lines.append(f"{field}:\t{value}")
    return "\n".join(lines) + "\n"


def as_json(value: Any) -> str:
    return json.dumps(value, default=str)
