"""Find shell command text in any file kind and split it into commands with exact positions.

Container command lines live in many places: shell scripts, Makefile recipes, Markdown code
blocks (often as console transcripts with prompts and output), Dockerfile ``RUN``
instructions, CI YAML ``run:``/``script:`` entries and systemd units.  Each of these is first
cut into *chunks*: a :class:`CommandText` whose ``text`` is exactly the shell text a shell
would see and whose ``spans`` map every character back to its line and column in the
original file.  A chunk is then split into logical lines (:func:`iter_command_lines`) and
into simple commands (:func:`iter_commands`).

This module is the entry point and keeps the names other modules import; the work is done in:

- :mod:`.words`: the types (:class:`Span`, :class:`CommandText`, :class:`Word`,
  :class:`Command`);
- :mod:`.chunks` and ``chunks_<kind>``: where shell text lives in each file kind;
- :mod:`.split`: a chunk to logical lines and simple commands, nested scripts included,
  with :mod:`.lexer` (the tolerant lexer, the default) or :mod:`.bashlex_adapter`
  (``use_bashlex=True``, the lexer remaining the fallback) and :mod:`.programs` (where the
  program starts past ``sudo``/``env``/...).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.commands.chunks import FileState
from dockward.readers.commands.chunks_ci_yaml import ci_yaml_chunks, compose_yaml, mapping_items
from dockward.readers.commands.chunks_dockerfile import dockerfile_chunks
from dockward.readers.commands.chunks_makefile import makefile_chunks
from dockward.readers.commands.chunks_markdown import SHELL_INFOS, markdown_chunks
from dockward.readers.commands.chunks_shell import shell_chunks
from dockward.readers.commands.chunks_systemd import systemd_chunks, systemd_exec_chunk
from dockward.readers.commands.programs import SHELLS
from dockward.readers.commands.split import LexMemo, lex_commands, split_logical_lines
from dockward.readers.commands.variables import VariableTracker
from dockward.readers.commands.words import (
    Command,
    CommandText,
    Span,
    Word,
    is_assignment,
    resolve_variable,
)

__all__ = [
    "CONTAINER_PROGRAMS",
    "SHELLS",
    "SHELL_INFOS",
    "Command",
    "CommandText",
    "Span",
    "Word",
    "compose_yaml",
    "is_assignment",
    "iter_chunks",
    "iter_command_lines",
    "iter_commands",
    "lex_commands",
    "mapping_items",
    "resolve_variable",
    "split_logical_lines",
    "systemd_exec_chunk",
]


# Programs whose command lines dockward reads; a cheap substring filter on chunks.
# ``DOCKER`` also catches ``$DOCKER run``, ``DOCKER_HOST`` and ``DOCKER_OPTS``.
CONTAINER_PROGRAMS: tuple[str, ...] = ("docker", "podman", "nerdctl", "buildah", "DOCKER")


# Kinds where each chunk runs in a shell of its own (a RUN, a recipe line, an ExecStart=),
# so shell variables do not carry from one chunk to the next.  A script is one chunk; a
# document and a CI file are read as one session (a variable set in one block is used in
# the next one).
_SHELL_PER_CHUNK = frozenset({"dockerfile", "makefile", "systemd"})
# A chunk that assigns a variable is read even without a container program in it.
_ASSIGNS = re.compile(r"(?m)^[ \t]*(?:(?:export|declare|typeset|local|readonly)[ \t]+"
                      r"(?:-\w+[ \t]+)*)?[A-Za-z_][A-Za-z0-9_]*\+?=")

_CHUNKERS: dict[str, Callable[[SourceFile, FileState], Iterator[CommandText]]] = {
    "shell": shell_chunks,
    "makefile": makefile_chunks,
    "markdown": markdown_chunks,
    "dockerfile": dockerfile_chunks,
    "systemd": systemd_chunks,
}


def iter_chunks(src: SourceFile, problems: list[ParseProblem] | None = None,
                state: FileState | None = None) -> Iterator[CommandText]:
    """The shell text regions of a file (whole script, code block, recipe line, RUN)."""
    state = state if state is not None else FileState()
    if src.kind == "ci-yaml":
        yield from ci_yaml_chunks(src, state, problems)
        return
    chunker = _CHUNKERS.get(src.kind)
    if chunker is not None:
        yield from chunker(src, state)


def iter_command_lines(src: SourceFile,
                       problems: list[ParseProblem] | None = None) -> Iterator[CommandText]:
    """Logical command lines of ``src`` (continuations joined, heredoc bodies attached)."""
    for chunk in iter_chunks(src, problems):
        yield from split_logical_lines(chunk)


def _code_text(src: SourceFile) -> str:
    """The text a pre-filter should look at: Dockerfile comments are not commands."""
    if src.kind != "dockerfile" or "#" not in src.text:
        return src.text
    return "\n".join(line for line in src.text.split("\n") if not line.lstrip().startswith("#"))


def iter_commands(
    src: SourceFile,
    programs: Iterable[str] | None = CONTAINER_PROGRAMS,
    *,
    problems: list[ParseProblem] | None = None,
    use_bashlex: bool = False,
) -> Iterator[Command]:
    """Simple commands of ``src`` in file order, nested ones included.

    ``programs`` is a cheap pre-filter: chunks that contain none of these substrings are
    not lexed at all (pass ``None`` to get every command).  Simple variable assignments
    of the file are attached to each command so ``$DOCKER run`` resolves.

    Several readers look at the same file (run lines, build lines, daemon endpoints), so
    the result is kept on the SourceFile and the text is lexed once.
    """
    needles = tuple(programs) if programs is not None else None
    cache = src.lexed
    key = (needles, use_bashlex)
    if key not in cache:
        found: list[ParseProblem] = []
        cache[key] = (list(_lex_file(src, needles, found, use_bashlex)), found)
    commands, found = cache[key]
    if problems is not None:
        problems.extend(found)
    yield from commands


def chunk_memo(src: SourceFile) -> LexMemo:
    """The file's memo of lexed chunks, shared by the readers that lex its shell text."""
    memo: LexMemo = src.lexed.setdefault(_CHUNK_MEMO, {})
    return memo


_CHUNK_MEMO = "chunks"  # (the other keys of SourceFile.lexed are tuples)


def _lex_file(src: SourceFile, needles: tuple[str, ...] | None,
              problems: list[ParseProblem], use_bashlex: bool) -> Iterator[Command]:
    state = FileState()
    if needles is not None and not any(n in _code_text(src) for n in needles) and (
            src.kind != "ci-yaml"):  # still report broken YAML
        return
    chunks = [c for c in iter_chunks(src, problems, state)
              if needles is None or any(n in c.text for n in needles)
              or _ASSIGNS.search(c.text)]
    commands: list[Command] = []
    tracker = VariableTracker(state.make)
    for chunk in chunks:
        lexed = lex_commands(chunk, state.variables, use_bashlex=use_bashlex,
                             memo=chunk_memo(src))
        if src.kind in _SHELL_PER_CHUNK:
            tracker = VariableTracker(state.make)
        for command in lexed:
            tracker.visit(command)
        commands.extend(lexed)
    for command in commands:
        if command.argv and command.program not in ("export", "readonly", "declare"):
            continue
        for word in command.words:
            name, _, value = word.text.partition("=")
            if is_assignment(word) and value and " " not in value:
                state.variables.setdefault(name, value)
    for command in commands:
        if state.variables and command.argv and command.argv[0].expands:
            command._program = None  # resolve again now that the file's variables are known
    yield from commands
