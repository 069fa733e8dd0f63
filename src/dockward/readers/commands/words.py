"""The values the command extractor hands out: mapped shell text, words and simple commands.

:class:`CommandText` is shell text cut out of a file together with a map from every offset
back to a line and column of that file; :class:`Word` and :class:`Command` are what the
lexer (or bashlex) makes of it.  These types live apart from the code that finds and splits
text so that the readers built on them (``docker_run``, ``daemon_lines``, the Dockerfile
reader) depend on the shapes only, not on how the text was found.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dockward.models.location import Location

if TYPE_CHECKING:
    from dockward.readers.commands.variables import Scope


@dataclass(frozen=True, slots=True)
class Span:
    """Text from ``offset`` on (up to the next span) starts at ``line``:``column`` (1-based)."""

    offset: int
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class CommandText:
    """Shell text cut out of a file, with a map from every offset back to the file.

    ``text`` is what the shell sees, backslash-newline continuations included, so offsets
    map one-to-one; :attr:`joined` is the same text with continuations removed, for display.
    ``origin`` says where it came from (``shell``, ``makefile``, ``markdown``,
    ``dockerfile``, ``ci-yaml``, ``systemd``); ``placeholders`` is set for documentation,
    where ``<hostname>`` is a placeholder and not a redirection.
    """

    text: str
    spans: tuple[Span, ...]
    origin: str
    file: str = ""
    placeholders: bool = False
    shell_heredoc_default: bool = False  # Dockerfile ``RUN <<EOF``: the heredoc is the script
    offsets: tuple[int, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.offsets) != len(self.spans):
            object.__setattr__(self, "offsets", tuple(s.offset for s in self.spans))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) in the original file of ``text[offset]``."""
        spans = self.spans
        if not spans:
            return (1, 1)
        index = bisect.bisect_right(self.offsets, offset) - 1
        span = spans[max(index, 0)]
        return span.line, span.column + max(offset - span.offset, 0)

    @property
    def line(self) -> int:
        return self.position(0)[0]

    @property
    def end_line(self) -> int:
        return self.position(max(len(self.text.rstrip()) - 1, 0))[0]

    @property
    def joined(self) -> str:
        """The text with backslash-newline continuations removed (what a human reads)."""
        return self.text.replace("\\\n", "")

    def joined_position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) in the file of ``joined[offset]``."""
        raw = offset
        start = 0
        while True:
            cont = self.text.find("\\\n", start)
            if cont < 0 or cont > raw:
                return self.position(raw)
            raw += 2
            start = cont + 2

    def slice(self, start: int, end: int) -> CommandText:
        """The sub-text ``text[start:end]`` with its own (re-based) position map."""
        start = max(start, 0)
        end = min(end, len(self.text))
        spans: list[Span] = []
        line, column = self.position(start)
        spans.append(Span(0, line, column))
        first = bisect.bisect_right(self.offsets, start)
        for span in self.spans[first:]:
            if span.offset >= end:
                break
            spans.append(Span(span.offset - start, span.line, span.column))
        return CommandText(
            text=self.text[start:end], spans=tuple(spans), origin=self.origin, file=self.file,
            placeholders=self.placeholders, shell_heredoc_default=self.shell_heredoc_default,
        )


@dataclass(frozen=True, slots=True)
class Word:
    """One shell word: its value after quote removal, as written, and where it starts.

    Expansions (``$VAR``, ``${VAR}``, ``$(cmd)``, backticks) are kept verbatim in ``text``
    and flagged by ``expands``: a reader must not pretend to know their value.  A word made
    by expanding a variable of the same file (:mod:`.variables`) sits at the position of
    the reference and says in ``via`` which variable it came from.
    """

    text: str
    raw: str
    line: int
    column: int
    expands: bool = False
    quoted: bool = False
    end_line: int = 0
    offset: int = field(default=-1, compare=False, repr=False)  # in the lexed CommandText
    via: str = field(default="", compare=False)  # made from a variable: which, set where

    def location(self, file: str, path: str = "") -> Location:
        return Location(file=file, line=self.line, column=self.column, path=path,
                        end_line=self.end_line or self.line, via=self.via)


@dataclass(slots=True)
class Command:
    """A simple command: its words, and where the real program starts.

    ``words`` is everything the shell would see for one simple command (redirections
    removed).  Leading assignments (``X=1``), reserved words (``then``, ``do``, ``!``) and
    wrappers (``sudo -u x``, ``env -i X=1``, ``exec``, ``time``, ``nohup``, ``timeout 5``,
    ``ssh host``) come before :attr:`argv`, which starts at the program that runs.
    """

    words: tuple[Word, ...]
    file: str
    origin: str
    argv_start: int = 0
    variables: Mapping[str, str] = field(default_factory=dict)
    _program: str | None = field(default=None, repr=False, compare=False)
    # the shell (and make) variables set before this command in its file (.variables)
    scope: Scope | None = field(default=None, repr=False, compare=False)
    # this command with its arguments' variables expanded (.variables.expand_command), once
    # worked out: the run-line, build-line and daemon readers all ask for it
    expanded: Command | None = field(default=None, repr=False, compare=False)

    @property
    def argv(self) -> tuple[Word, ...]:
        return self.words[self.argv_start:]

    @property
    def prefix(self) -> tuple[Word, ...]:
        """Words before the program: assignments and wrappers."""
        return self.words[:self.argv_start]

    @property
    def assignments(self) -> list[Word]:
        """``NAME=value`` words that set the environment of this command."""
        return [w for w in self.prefix if is_assignment(w)]

    @property
    def program(self) -> str:
        """Basename of the program (``/usr/bin/docker`` -> ``docker``), variables resolved.

        ``$DOCKER``/``$(DOCKER)`` resolve through simple assignments seen in the same file
        (``DOCKER ?= podman``), and ``${DOCKER:-docker}`` through its default.
        """
        if self._program is None:
            self._program = self._find_program()
        return self._program

    def _find_program(self) -> str:
        if self.argv_start >= len(self.words):
            return ""
        first = self.words[self.argv_start]
        text = first.text
        if first.expands:
            text = resolve_variable(text, self.variables) or text
        base = posixpath.basename(text.replace("\\", "/")) or text
        return base[:-4] if base.lower().endswith(".exe") else base

    @property
    def line(self) -> int:
        return self.words[0].line if self.words else 0

    @property
    def end_line(self) -> int:
        return max((w.end_line or w.line for w in self.words), default=0)

    def location(self, index: int, path: str = "") -> Location:
        """Location of ``argv[index]`` (clamped to the command's words)."""
        argv = self.argv
        if not argv:
            return Location(file=self.file, path=path)
        word = argv[min(max(index, 0), len(argv) - 1)]
        return word.location(self.file, path)

    def text(self) -> str:
        return " ".join(w.raw for w in self.words)


_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")


def is_assignment(word: Word) -> bool:
    """``NAME=value`` written with an unquoted name (``"A=b"`` is an ordinary word)."""
    return bool(_ASSIGNMENT.match(word.raw))


_VAR_REF = re.compile(
    r"^\$(?:\{(?P<b>[A-Za-z_][A-Za-z0-9_]*)(?::?[-=](?P<d>[^}]*))?\}"
    r"|\((?P<p>[A-Za-z_][A-Za-z0-9_.-]*)\)|(?P<n>[A-Za-z_][A-Za-z0-9_]*))$"
)


def resolve_variable(text: str, variables: Mapping[str, str]) -> str | None:
    """The value of a word that is exactly one variable reference, if it is known."""
    match = _VAR_REF.match(text)
    if not match:
        return None
    name = match.group("b") or match.group("p") or match.group("n")
    value = variables.get(name or "")
    if value is not None:
        if value.startswith("$"):
            return resolve_variable(value, {}) or value
        return value
    default = match.group("d")
    return default if default else None
