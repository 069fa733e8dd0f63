"""One registry of what dockward reads: input kinds (files) and surfaces (how a workload is
described), with the way each surface spells a setting.

Adding a file kind or a surface means adding one entry here.  Everything that used to keep its
own table reads this one: the scan use case (which readers run on a kind), the CLI
(``--stdin-type``), the command extractor (which kinds hold shell lines), ``Workload.describe``
(how a workload is named in messages), rule messages and fix descriptions (how a setting is
written), the fixers (which editor edits a kind, which key or flag holds a setting), and the
rule fixtures (which suffix is which kind).

The spellings live here rather than with the rules or the fixers because both need them:
a rule's message tells the user what to write, a fixer writes it, and neither depends on the
other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class InputKind:
    """A kind of file dockward reads."""

    name: str
    title: str  # for humans: "compose file"
    readers: tuple[str, ...] = ()  # "module:function", each taking a SourceFile
    from_stdin: bool = True  # may be given on stdin with --stdin-type
    has_commands: bool = False  # holds shell command lines (docker run, dockerd ...)
    grouped: bool = False  # read in groups (a compose file with its overrides)
    fixture_suffixes: tuple[str, ...] = ()  # tests/rules/fixtures names of this kind
    editors: tuple[str, ...] = ()  # "module:Class" of the fixers that edit this kind, in order


_COMMANDS = "dockward.readers.commands:read_commands"
_BUILD_LINES = "dockward.readers.build_lines:read_build_lines"
_COMMAND_EDITOR = "dockward.fixers.command_lines:CommandLineEditor"

INPUT_KINDS: dict[str, InputKind] = {k.name: k for k in (
    InputKind("compose", "compose file", ("dockward.readers.compose:read_compose",),
              grouped=True, fixture_suffixes=(".compose.yaml", ".yaml", ".yml"),
              editors=("dockward.fixers.compose:ComposeEditor",)),
    InputKind("dockerfile", "Dockerfile",
              (_COMMANDS, "dockward.readers.dockerfile:read_dockerfile", _BUILD_LINES),
              has_commands=True, fixture_suffixes=(".Dockerfile",),
              editors=("dockward.fixers.dockerfile:DockerfileEditor", _COMMAND_EDITOR)),
    InputKind("shell", "shell script", (_COMMANDS, _BUILD_LINES), has_commands=True,
              fixture_suffixes=(".sh",), editors=(_COMMAND_EDITOR,)),
    InputKind("makefile", "Makefile", (_COMMANDS, _BUILD_LINES), has_commands=True,
              fixture_suffixes=(".mk",), editors=(_COMMAND_EDITOR,)),
    InputKind("markdown", "Markdown document", (_COMMANDS, _BUILD_LINES), has_commands=True,
              fixture_suffixes=(".md",), editors=(_COMMAND_EDITOR,)),
    InputKind("ci-yaml", "CI pipeline (GitHub Actions, GitLab CI)", (_COMMANDS, _BUILD_LINES),
              has_commands=True, fixture_suffixes=(".ci.yaml", ".ci.yml"),
              editors=(_COMMAND_EDITOR,)),
    InputKind("systemd", "systemd unit", (_COMMANDS,), has_commands=True,
              fixture_suffixes=(".service",), editors=(_COMMAND_EDITOR,)),
    InputKind("k8s", "Kubernetes manifest", ("dockward.readers.kubernetes:read_kubernetes",),
              fixture_suffixes=(".k8s.yaml", ".k8s.yml", ".k8s.json"),
              editors=("dockward.fixers.kubernetes:KubernetesEditor",)),
)}

STDIN_KINDS: tuple[str, ...] = tuple(k.name for k in INPUT_KINDS.values() if k.from_stdin)
COMMAND_KINDS: frozenset[str] = frozenset(
    k.name for k in INPUT_KINDS.values() if k.has_commands)


def kind_of_fixture(file_name: str) -> str | None:
    """The input kind a rule fixture's name declares (the longest matching suffix wins)."""
    best: tuple[int, str] | None = None
    for kind in INPUT_KINDS.values():
        for suffix in kind.fixture_suffixes:
            if file_name.endswith(suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), kind.name)
    return best[1] if best else None


# --------------------------------------------------------------------------- surfaces


@dataclass(frozen=True, slots=True)
class Surface:
    """How a Workload was described (``Workload.source_kind``)."""

    source_kind: str
    label: str  # how messages name one: "service 'web'"
    dialect: str  # whose syntax messages and fixes use: compose | run | k8s


SURFACES: dict[str, Surface] = {s.source_kind: s for s in (
    Surface("compose-service", "service", "compose"),
    Surface("run-line", "docker run", "run"),
    Surface("ci-container", "CI container", "run"),
    Surface("container", "container", "run"),
    Surface("swarm-service", "swarm service", "run"),
    Surface("k8s", "container", "k8s"),
    Surface("observed", "this container", "run"),
    Surface("dockerfile", "Dockerfile", "dockerfile"),
    Surface("build-command", "build command", "build"),
    Surface("compose-build", "compose build", "compose"),
)}


def surface_of(source_kind: str) -> Surface:
    """The surface of a Workload; an unknown kind speaks docker CLI flags."""
    return SURFACES.get(source_kind) or Surface(source_kind, source_kind, "run")


# How each setting is written in each dialect, so messages and fixes speak the user's syntax.
# Values in braces are filled by :func:`spell`.
SPELLINGS: dict[str, dict[str, str]] = {
    "no_new_privileges": {
        "compose": "security_opt: [no-new-privileges:true]",
        "run": "--security-opt no-new-privileges",
        "k8s": "securityContext.allowPrivilegeEscalation: false",
    },
    "read_only": {
        "compose": "read_only: true (with tmpfs for paths it must write)",
        "run": "--read-only (with --tmpfs for paths it must write)",
        "k8s": "securityContext.readOnlyRootFilesystem: true (with emptyDir for paths it "
               "must write)",
    },
    "cap_drop_all": {
        "compose": "cap_drop: [ALL] and add back only what the service needs with cap_add",
        "run": "--cap-drop=ALL and add back only what it needs with --cap-add",
        "k8s": "securityContext.capabilities.drop: [ALL] and add back only what it needs",
    },
    "user": {
        "compose": 'user: "10001:10001" (or a USER in the image)',
        "run": "--user 10001:10001 (or a USER in the image)",
        "k8s": "securityContext.runAsNonRoot: true with a runAsUser",
    },
    "memory": {
        "compose": "mem_limit (or deploy.resources.limits.memory)",
        "run": "--memory",
        "k8s": "resources.limits.memory",
    },
    "cpus": {
        "compose": "cpus (or deploy.resources.limits.cpus)",
        "run": "--cpus",
        "k8s": "resources.limits.cpu",
    },
    "pids": {
        "compose": "pids_limit (or deploy.resources.limits.pids)",
        "run": "--pids-limit",
        "k8s": "the kubelet's podPidsLimit",
    },
    "restart": {
        "compose": "restart: on-failure:{n}",
        "run": "--restart on-failure:{n}",
        "k8s": "restartPolicy (Kubernetes backs off on its own)",
    },
    "pid_host": {"compose": "pid: host", "run": "--pid=host", "k8s": "hostPID: true"},
    "network_host": {"compose": "network_mode: host", "run": "--network=host",
                     "k8s": "hostNetwork: true"},
    "ipc_host": {"compose": "ipc: host", "run": "--ipc=host", "k8s": "hostIPC: true"},
    "uts_host": {"compose": "uts: host", "run": "--uts=host", "k8s": "hostNetwork: true"},
    "userns_host": {"compose": "userns_mode: host", "run": "--userns=host",
                    "k8s": "hostUsers: true"},
}


def spell(source_kind: str, setting: str, **values: Any) -> str:
    """The way ``setting`` is written on the surface ``source_kind``."""
    text = SPELLINGS[setting][surface_of(source_kind).dialect]
    return text.format(**values) if values else text


# --------------------------------------------------------------------------- fix spellings

# How each setting a remedy changes (see :class:`dockward.findings.Remedy`) is written on each
# dialect, for the fix descriptions findings carry; ``{value}`` is the value in that
# dialect's units (:func:`format_value`).  The editors in :mod:`dockward.fixers` write the
# same things; a setting missing for a dialect is described in the model's words.
FIELD_SPELLINGS: dict[str, dict[str, str]] = {
    "privileged": {"compose": "privileged: true", "run": "--privileged",
                   "k8s": "securityContext.privileged: true"},
    "cap_add": {"compose": "cap_add: [{value}]", "run": "--cap-add {value}",
                "k8s": "securityContext.capabilities.add: [{value}]"},
    "cap_drop": {"compose": "cap_drop: [{value}]", "run": "--cap-drop {value}",
                 "k8s": "securityContext.capabilities.drop: [{value}]"},
    "pid_mode": {"compose": "pid: {value}", "run": "--pid {value}", "k8s": "hostPID: true"},
    "network_mode": {"compose": "network_mode: {value}", "run": "--network {value}",
                     "k8s": "hostNetwork: true"},
    "ipc_mode": {"compose": "ipc: {value}", "run": "--ipc {value}", "k8s": "hostIPC: true"},
    "uts_mode": {"compose": "uts: {value}", "run": "--uts {value}", "k8s": "hostNetwork: true"},
    "userns_mode": {"compose": "userns_mode: {value}", "run": "--userns {value}",
                    "k8s": "hostUsers: true"},
    "security_opts": {"compose": "security_opt: [{value}]", "run": "--security-opt {value}",
                      "k8s": "securityContext ({value})"},
    "no_new_privileges": {"compose": "security_opt: [no-new-privileges:true]",
                          "run": "--security-opt no-new-privileges",
                          "k8s": "securityContext.allowPrivilegeEscalation: false"},
    "user": {"compose": 'user: "{value}"', "run": "--user {value}",
             "k8s": "securityContext.runAsUser/runAsGroup: {value}, runAsNonRoot: true"},
    "read_only": {"compose": "read_only: true", "run": "--read-only",
                  "k8s": "securityContext.readOnlyRootFilesystem: true"},
    "tmpfs": {"compose": "tmpfs: [{value}]", "run": "--tmpfs {value}"},
    "memory": {"compose": "mem_limit: {value}", "run": "--memory {value}",
               "k8s": "resources.limits.memory: {value}"},
    "cpus": {"compose": "cpus: {value}", "run": "--cpus {value}",
             "k8s": "resources.limits.cpu: {value}"},
    "pids_limit": {"compose": "pids_limit: {value}", "run": "--pids-limit {value}"},
    "restart": {"compose": "restart: {value}", "run": "--restart {value}"},
    "mounts": {"compose": "volumes: [{value}]", "run": "--volume {value}",
               "k8s": "volumeMounts ({value})"},
    "env": {"compose": "environment: {value}", "run": "--env {value}"},
    "stage_user": {"dockerfile": "USER {value}"},
    "arg": {"dockerfile": "ARG {value}"},
    "secret_mount": {"dockerfile": "RUN --mount=type=secret,{value}"},
    "build_arg": {"build": "--build-arg {value}", "compose": "build.args: {value}"},
    "build_secret": {"build": "--secret {value}", "compose": "build.secrets: [{value}]"},
    "add_checksum": {"dockerfile": "ADD --checksum={value}"},
}

# The keys and flags that hold a setting on each surface, for the editors in dockward.fixers
# (the first one is what a fix writes; the others are read and changed in place).
COMPOSE_KEYS: dict[str, tuple[str, ...]] = {
    "privileged": ("privileged",),
    "read_only": ("read_only",),
    "pid_mode": ("pid",),
    "network_mode": ("network_mode", "net"),
    "ipc_mode": ("ipc",),
    "uts_mode": ("uts",),
    "userns_mode": ("userns_mode",),
    "user": ("user",),
    "memory": ("mem_limit", "memory"),
    "cpus": ("cpus",),
    "pids_limit": ("pids_limit", "pids"),
    "restart": ("restart",),
}
COMPOSE_LISTS: dict[str, str] = {"cap_add": "cap_add", "cap_drop": "cap_drop",
                                 "security_opts": "security_opt", "tmpfs": "tmpfs",
                                 "mounts": "volumes"}
COMPOSE_DEPLOY_LIMITS: dict[str, str] = {"memory": "memory", "cpus": "cpus",
                                         "pids_limit": "pids"}
RUN_FLAGS: dict[str, tuple[str, ...]] = {
    "privileged": ("privileged",),
    "read_only": ("read-only",),
    "pid_mode": ("pid",),
    "network_mode": ("network", "net"),
    "ipc_mode": ("ipc",),
    "uts_mode": ("uts",),
    "userns_mode": ("userns",),
    "user": ("user",),
    "memory": ("memory",),
    "cpus": ("cpus",),
    "pids_limit": ("pids-limit",),
    "restart": ("restart",),
    "cap_add": ("cap-add",),
    "cap_drop": ("cap-drop",),
    "security_opts": ("security-opt",),
    "no_new_privileges": ("security-opt",),
    "tmpfs": ("tmpfs",),
    "mounts": ("volume", "mount", "use-api-socket"),
    "mount_read_only": ("volume", "mount"),
    "mount_propagation": ("volume", "mount"),
    "port_host_ip": ("publish",),
    "env": ("env",),
}
K8S_POD_FIELDS: dict[str, str] = {"pid_mode": "hostPID", "ipc_mode": "hostIPC",
                                  "network_mode": "hostNetwork", "uts_mode": "hostNetwork"}

# Changes described in words rather than in the file's syntax.
FIX_PHRASES: dict[str, str] = {
    "mount_read_only": "mount it read-only",
    "mount_propagation": "drop the mount's {value} propagation",
    "port_host_ip": "publish the port on {value} only",
    "socket_proxy": "put a dockward guard proxy service in front of {value}",
    "user_account": "create the user {value} in a RUN",
}

# DW201's fix for a compose service that mounted the Docker socket: a ``dockward guard
# proxy`` service of this name, listening on this address, stands in for the socket.
GUARD_PROXY_SERVICE = "dockward-proxy"
GUARD_PROXY_PORT = 2375
GUARD_PROXY_HOST = f"tcp://{GUARD_PROXY_SERVICE}:{GUARD_PROXY_PORT}"

_VERBS = {"set": "set", "add": "add", "remove": "remove"}


def spell_change(change: str, setting: str, value: Any, dialect: str) -> str:
    """``add `pids_limit: 200``` for a remedy part, in the dialect's syntax when known."""
    shown = format_value(setting, value, dialect)
    phrase = FIX_PHRASES.get(setting)
    if phrase is not None:
        return phrase.format(value=shown)
    template = FIELD_SPELLINGS.get(setting, {}).get(dialect)
    verb = _VERBS.get(change, change)
    if change == "set" and value is True:
        verb = "add"
    if template is None:
        return f"{verb} {setting}" + (f" {shown}" if shown else "")
    return f"{verb} `{template.format(value=shown)}`"


def format_value(setting: str, value: Any, dialect: str = "") -> str:
    """A remedy value in the units the dialect writes: 512 MiB is ``512m`` for Docker and
    ``512Mi`` for Kubernetes, one CPU ``1``; a restart policy ``on-failure:5``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if setting == "memory" and isinstance(value, int):
        return k8s_memory(value) if dialect == "k8s" else docker_size(value)
    if setting == "cpus" and isinstance(value, int | float):
        return k8s_cpu(float(value)) if dialect == "k8s" else cpus_text(float(value))
    if setting == "restart" and isinstance(value, tuple):
        name, retries = value
        return f"{name}:{retries}" if retries else str(name)
    if setting == "user_account" and isinstance(value, tuple):
        return f"{value[0]}:{value[1]}"
    if setting == "build_secret" and isinstance(value, tuple):
        return f"id={value[0]},env={value[1]}" if dialect == "build" else str(value[0])
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


_DOCKER_UNITS = (("g", 1 << 30), ("m", 1 << 20), ("k", 1 << 10))
_K8S_UNITS = (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10))


def docker_size(size: int) -> str:
    """Bytes as Docker writes a size: the largest exact unit (``512m``, ``1g``)."""
    for suffix, unit in _DOCKER_UNITS:
        if size >= unit and size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def k8s_memory(size: int) -> str:
    """Bytes as a Kubernetes quantity (``512Mi``, ``1Gi``)."""
    for suffix, unit in _K8S_UNITS:
        if size >= unit and size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


def cpus_text(cpus: float) -> str:
    """``1`` for one CPU, ``0.5`` for half of one (what ``--cpus`` and compose accept)."""
    return str(int(cpus)) if float(cpus).is_integer() else f"{cpus:g}"


def k8s_cpu(cpus: float) -> str:
    """``1`` for one CPU, ``500m`` for half of one."""
    if float(cpus).is_integer():
        return str(int(cpus))
    return f"{round(cpus * 1000)}m"
