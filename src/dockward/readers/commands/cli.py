"""The container CLIs' command lines: program, global options, subcommand, flags.

``docker``, ``podman`` and ``nerdctl`` parse their argv with spf13/pflag, and so does this
module, so that a documentation snippet means here what it means to the CLI:
``--flag=value`` and ``--flag value``; short clusters where only the last flag may take a
value (``-itv /a:/b``, ``-p8080:80``); ``--privileged=false``; repeated flags; ``--`` and
the first positional word end the options.  Which flags take a value comes from the
complete flag tables (``cli_flags.py``, generated from the CLIs' ``--help``, and
``cli_flags_nerdctl.py``): guessing would make ``-v /a:/b`` swallow the image whenever an
unknown boolean precedes it.

The run-line reader (``docker_run.py``) and the build-line reader start here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from dockward.readers.commands.cli_flags import (
    DOCKER_GLOBAL_FLAGS,
    DOCKER_RUN_FLAGS,
    PODMAN_GLOBAL_FLAGS,
    PODMAN_RUN_FLAGS,
    FlagTable,
)
from dockward.readers.commands.cli_flags_nerdctl import NERDCTL_GLOBAL_FLAGS, NERDCTL_RUN_FLAGS
from dockward.readers.commands.words import Command, Word

log = logging.getLogger(__name__)

RUNTIME_PROGRAMS = frozenset({"docker", "podman", "nerdctl"})

# `run`/`create` flags per program.  podman and nerdctl lines are read with docker's flags
# underneath: documentation mixes them, and a value flag read as a boolean would swallow
# the image.  `create` takes a subset of `run`'s flags, so one table serves both.
RUN_FLAGS: dict[str, FlagTable] = {
    "docker": DOCKER_RUN_FLAGS,
    "podman": {**DOCKER_RUN_FLAGS, **PODMAN_RUN_FLAGS},
    "nerdctl": {**DOCKER_RUN_FLAGS, **NERDCTL_RUN_FLAGS},
}
GLOBAL_FLAGS: dict[str, FlagTable] = {
    "docker": DOCKER_GLOBAL_FLAGS,
    "podman": PODMAN_GLOBAL_FLAGS,
    "nerdctl": NERDCTL_GLOBAL_FLAGS,
}
_MANAGEMENT = frozenset({
    "container", "image", "network", "volume", "system", "builder", "buildx", "compose",
    "context", "plugin", "secret", "service", "stack", "swarm", "node", "config", "trust",
    "manifest", "checkpoint", "pod", "machine", "generate", "kube", "scout", "namespace",
    "apparmor", "ipfs",
})


def shorts(table: FlagTable) -> dict[str, str]:
    """Short letter -> long name."""
    return {short: long for long, (short, _) in table.items() if short}


RUN_SHORTS = {program: shorts(table) for program, table in RUN_FLAGS.items()}
_GLOBAL_SHORTS = {program: shorts(table) for program, table in GLOBAL_FLAGS.items()}


def takes_value(table: FlagTable, name: str) -> bool:
    spec = table.get(name)
    return bool(spec and spec[1])


@dataclass(frozen=True, slots=True)
class FlagUse:
    """One option as the CLI parsed it.  ``index`` is the argv index of the flag word."""

    name: str  # long name, without dashes (``volume`` for ``-v``)
    value: str | None
    index: int
    expands: bool = False  # the value holds an unresolved shell expansion
    known: bool = True


@dataclass(frozen=True, slots=True)
class CliInvocation:
    """A container CLI command line: ``docker [globals] container run [args]``.

    ``path`` is the subcommand as written (``("container", "run")``); ``action`` is its
    normalized form (``run``; ``build`` for ``image build``/``builder build``;
    ``buildx build``).  ``args_start`` is the argv index of the first word after it.
    """

    command: Command
    program: str
    globals: tuple[FlagUse, ...]
    path: tuple[str, ...]
    action: str
    args_start: int

    @property
    def args(self) -> tuple[Word, ...]:
        return self.command.argv[self.args_start:]

    def global_values(self, name: str) -> list[FlagUse]:
        return [flag for flag in self.globals if flag.name == name]


def parse_cli(command: Command) -> CliInvocation | None:
    """Split a docker/podman/nerdctl command into globals and subcommand, or None."""
    program = command.program
    if program not in RUNTIME_PROGRAMS:
        return None
    argv = command.argv
    table = GLOBAL_FLAGS[program]
    flags, index = parse_flags(argv, 1, table, _GLOBAL_SHORTS[program])
    path: list[str] = []
    if index < len(argv):
        first = argv[index].text
        path.append(first)
        index += 1
        if first in _MANAGEMENT and index < len(argv) and not argv[index].text.startswith("-"):
            path.append(argv[index].text)
            index += 1
    if not path:
        return None
    return CliInvocation(command=command, program=program, globals=tuple(flags),
                         path=tuple(path), action=_action(tuple(path)), args_start=index)


def _action(path: tuple[str, ...]) -> str:
    if len(path) == 2 and path[0] in ("container", "image", "builder"):
        return path[1]
    if path == ("buildx", "b"):
        return "buildx build"
    return " ".join(path)


def parse_flags(
    argv: tuple[Word, ...],
    start: int,
    table: FlagTable,
    shorts: dict[str, str],
    *,
    stop_at_positional: bool = True,
    elisions: frozenset[str] = frozenset(),
) -> tuple[list[FlagUse], int]:
    """Parse options from ``argv[start:]`` like pflag; return them and the first positional.

    Unknown flags are assumed to take no value unless written ``--x=y`` (a debug note is
    logged): a reader must keep going on flags newer than its table.  Words in
    ``elisions`` (``...`` in documentation: "more flags here") are skipped.
    """
    flags: list[FlagUse] = []
    i = start
    n = len(argv)
    while i < n:
        word = argv[i]
        text = word.text
        if text == "--":
            return flags, i + 1
        if text in elisions:
            i += 1
            continue
        if not text.startswith("-") or text == "-":
            if stop_at_positional:
                return flags, i
            i += 1
            continue
        if text.startswith("--"):
            name, eq, inline = text[2:].partition("=")
            spec = table.get(name)
            if spec is None:
                log.debug("%s:%d: unknown flag --%s", word.line, word.column, name)
                flags.append(FlagUse(name, inline if eq else None, i, word.expands, False))
                i += 1
                continue
            if eq or not spec[1]:
                flags.append(FlagUse(name, inline if eq else None, i, word.expands))
                i += 1
                continue
            if i + 1 < n:
                flags.append(FlagUse(name, argv[i + 1].text, i, argv[i + 1].expands))
                i += 2
            else:
                flags.append(FlagUse(name, None, i))
                i += 1
            continue
        i = _short_cluster(argv, i, table, shorts, flags)
    return flags, i


def _short_cluster(argv: tuple[Word, ...], i: int, table: FlagTable,
                   shorts: dict[str, str], flags: list[FlagUse]) -> int:
    """``-itv /a:/b``, ``-p8080:80``, ``-d=false``: return the index after the cluster."""
    word = argv[i]
    text = word.text
    k = 1
    while k < len(text):
        letter = text[k]
        long = shorts.get(letter)
        if long is None:
            log.debug("%s:%d: unknown short flag -%s", word.line, word.column, letter)
            flags.append(FlagUse(letter, None, i, False, False))
            k += 1
            continue
        takes_value = table[long][1]
        rest = text[k + 1:]
        if rest.startswith("="):
            flags.append(FlagUse(long, rest[1:], i, word.expands))
            return i + 1
        if not takes_value:
            flags.append(FlagUse(long, None, i))
            k += 1
            continue
        if rest:
            flags.append(FlagUse(long, rest, i, word.expands))
            return i + 1
        if i + 1 < len(argv):
            flags.append(FlagUse(long, argv[i + 1].text, i, argv[i + 1].expands))
            return i + 2
        flags.append(FlagUse(long, None, i))
        return i + 1
    return i + 1
