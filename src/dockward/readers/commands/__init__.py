"""The run-line reader: container command lines in scripts, docs, CI and Dockerfiles.

``read_commands`` turns a :class:`SourceFile` of kind ``shell``, ``makefile``, ``markdown``,
``dockerfile``, ``ci-yaml`` or ``systemd`` into the models rules judge:

- a :class:`Workload` per ``docker run``/``create`` (also ``podman``, ``nerdctl``,
  ``docker container run``), with the meaning the Engine API would give the same request;
- a :class:`Daemon` per piece of listener evidence (``dockerd -H``, ``DOCKER_HOST``...);
- a :class:`ParseProblem` when a CI YAML file cannot be read.

``iter_commands`` is the reusable part: every simple command of a file as words with
exact positions, with ``program`` detection through ``sudo``/``env``/``exec``/... and
``parse_cli`` for the ``docker [globals] <subcommand>`` split (``docker build
--build-arg`` readers start there).
"""

from __future__ import annotations

from collections.abc import Iterator

from dockward.kinds import COMMAND_KINDS
from dockward.models.daemon import Daemon
from dockward.models.workload import Workload
from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.commands.cli import CliInvocation, FlagUse, parse_cli, parse_flags
from dockward.readers.commands.daemon_lines import read_daemon_lines
from dockward.readers.commands.docker_run import (
    RunLine,
    parse_run,
    read_run_commands,
    workload_from_run,
)
from dockward.readers.commands.extract import (
    CONTAINER_PROGRAMS,
    Command,
    CommandText,
    Word,
    iter_command_lines,
    iter_commands,
)
from dockward.readers.specs import has_expansion

__all__ = [
    "CONTAINER_PROGRAMS",
    "CliInvocation",
    "Command",
    "CommandText",
    "FlagUse",
    "RunLine",
    "Word",
    "has_expansion",
    "iter_command_lines",
    "iter_commands",
    "parse_cli",
    "parse_flags",
    "parse_run",
    "read_commands",
    "workload_from_run",
]


def read_commands(src: SourceFile) -> Iterator[Workload | Daemon | ParseProblem]:
    """Workloads for container-creating lines, then daemon evidence, then problems."""
    if src.kind not in COMMAND_KINDS:
        return
    problems: list[ParseProblem] = []
    commands = list(iter_commands(src, problems=problems))
    yield from read_run_commands(commands)
    yield from read_daemon_lines(src, commands)
    yield from problems
