"""One registry of what dockward reads: input kinds (files) and surfaces (how a workload is
described), with the way each surface spells a setting.

Adding a file kind or a surface means adding one entry here.  Everything that used to keep its
own table reads this one: the scan use case (which readers run on a kind), the CLI
(``--stdin-type``), the command extractor (which kinds hold shell lines), ``Workload.describe``
(how a workload is named in messages), rule messages and fix descriptions (how a setting is
written), and the rule fixtures (which suffix is which kind).

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


_COMMANDS = "dockward.readers.commands:read_commands"
_BUILD_LINES = "dockward.readers.build_lines:read_build_lines"

INPUT_KINDS: dict[str, InputKind] = {k.name: k for k in (
    InputKind("compose", "compose file", ("dockward.readers.compose:read_compose",),
              grouped=True, fixture_suffixes=(".compose.yaml", ".yaml", ".yml")),
    InputKind("dockerfile", "Dockerfile",
              (_COMMANDS, "dockward.readers.dockerfile:read_dockerfile", _BUILD_LINES),
              has_commands=True, fixture_suffixes=(".Dockerfile",)),
    InputKind("shell", "shell script", (_COMMANDS, _BUILD_LINES), has_commands=True,
              fixture_suffixes=(".sh",)),
    InputKind("makefile", "Makefile", (_COMMANDS, _BUILD_LINES), has_commands=True,
              fixture_suffixes=(".mk",)),
    InputKind("markdown", "Markdown document", (_COMMANDS, _BUILD_LINES), has_commands=True,
              fixture_suffixes=(".md",)),
    InputKind("ci-yaml", "CI pipeline (GitHub Actions, GitLab CI)", (_COMMANDS, _BUILD_LINES),
              has_commands=True, fixture_suffixes=(".ci.yaml", ".ci.yml")),
    InputKind("systemd", "systemd unit", (_COMMANDS,), has_commands=True,
              fixture_suffixes=(".service",)),
    InputKind("k8s", "Kubernetes manifest", ("dockward.readers.kubernetes:read_kubernetes",),
              fixture_suffixes=(".k8s.yaml", ".k8s.yml", ".k8s.json")),
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
