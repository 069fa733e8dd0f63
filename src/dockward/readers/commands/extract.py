"""Find shell command text in any file kind and split it into commands with exact positions.

Container command lines live in many places: shell scripts, Makefile recipes, Markdown code
blocks (often as console transcripts with prompts and output), Dockerfile ``RUN``
instructions, CI YAML ``run:``/``script:`` entries and systemd units.  Each of these is first
cut into *chunks*: a :class:`CommandText` whose ``text`` is exactly the shell text a shell
would see (prompts, recipe prefixes and YAML indentation removed) and whose ``spans`` map
every character back to its line and column in the original file.  A chunk is then split
into logical lines (:func:`iter_command_lines`) and into simple commands
(:func:`iter_commands`).

Splitting uses our own tolerant lexer rather than bashlex by default: bashlex is a faithful
parser but costs about 10 µs per character (a scan of a documentation tree would spend
seconds in it), and it gives up on the half-finished snippets documentation is full of
(``<hostname>`` placeholders, unbalanced quotes, ``...``).  The lexer understands what
matters for finding argv words (quotes, escapes, ``$(..)``, ``${..}``, backticks,
operators, redirections, comments, heredocs, continuations) and never raises.  Pass
``use_bashlex=True`` to :func:`iter_commands` to split with bashlex wherever it parses the
line (the lexer remains the fallback); the test-suite checks that both agree on the corpus.
"""

from __future__ import annotations

import bisect
import json
import logging
import posixpath
import re
import shlex
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from dockward.models.location import Location
from dockward.readers.base import ParseProblem, SourceFile

log = logging.getLogger(__name__)

# Programs whose command lines dockward reads; a cheap substring filter on chunks.
# ``DOCKER`` also catches ``$DOCKER run``, ``DOCKER_HOST`` and ``DOCKER_OPTS``.
CONTAINER_PROGRAMS: tuple[str, ...] = ("docker", "podman", "nerdctl", "DOCKER")

_MAX_DEPTH = 12  # nesting of $(...), sh -c '...', heredoc scripts
_MAX_NESTING = 100  # brackets inside quotes inside brackets, when matching them


# ---------------------------------------------------------------------------------------
# Data types
# ---------------------------------------------------------------------------------------


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
    and flagged by ``expands``: a reader must not pretend to know their value.
    """

    text: str
    raw: str
    line: int
    column: int
    expands: bool = False
    quoted: bool = False
    end_line: int = 0
    offset: int = field(default=-1, compare=False, repr=False)  # in the lexed CommandText

    def location(self, file: str, path: str = "") -> Location:
        return Location(file=file, line=self.line, column=self.column, path=path,
                        end_line=self.end_line or self.line)


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


# ---------------------------------------------------------------------------------------
# The lexer
# ---------------------------------------------------------------------------------------

_BLANK = " \t\r\f\v"
_WORD_RUN = re.compile(r"[^\s'\"\\$`;&|()<>]+")
_DQ_RUN = re.compile(r"[^\"\\$`]+")
_PLACEHOLDER = re.compile(r"<[A-Za-z_%][^\s<>|;&()]*>")
_FD_REDIRECT = re.compile(r"\d+(?=[<>])")
_OPERATORS = ("&&", "||", ";;&", ";;", ";&", "|&", "&", "|", ";", "(", ")")
_REDIRECTS = ("<<<", "<<-", "<<", "&>>", "&>", ">>", ">&", "<&", "<>", ">|", ">", "<")


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    text: str
    expands: bool
    quoted: bool


@dataclass(slots=True, eq=False)
class _Simple:
    words: list[_Tok] = field(default_factory=list)
    heredocs: list[tuple[int, int]] = field(default_factory=list)  # body ranges


@dataclass(slots=True)
class _Pending:
    delimiter: str
    strip_tabs: bool
    owner: _Simple


class _Lexer:
    """A tolerant shell lexer over ``text[start:end]``: simple commands and line breaks.

    It never raises: an unbalanced quote is read as a literal character, an unclosed
    ``$(`` runs to the end.  Command substitutions are remembered as ranges so that the
    commands inside them are found too.
    """

    def __init__(self, text: str, start: int, end: int, placeholders: bool,
                 make: bool = False, budget: _Budget | None = None) -> None:
        self.text = text
        self.pos = start
        self.end = end
        self.placeholders = placeholders
        self.make = make  # Makefile recipe: $(VAR) is a make variable, not a substitution
        self.commands: list[_Simple] = []
        self.nested: dict[tuple[int, int], None] = {}  # ordered set: retries add no copies
        self.breaks: list[int] = []  # offsets of top-level newlines ending a logical line
        self.continuations: list[int] = []
        self._current = _Simple()
        self._pending: list[_Pending] = []
        self._nesting = 0  # of "$(...)" inside quotes inside "$(...)": bounded, never a crash
        self._matched: dict[tuple[int, str], int] = {}  # unclosed brackets are scanned once
        # Bracket matching rescans text when brackets stay unclosed; on hostile input
        # (thousands of `"$(`) that is quadratic, so it runs on a budget linear in the text.
        self._budget = budget if budget is not None else _Budget(_budget_for(end - start))

    # -- driver ---------------------------------------------------------------------------

    def run(self) -> _Lexer:
        text, end = self.text, self.end
        while self.pos < end:
            c = text[self.pos]
            if c in _BLANK:
                self.pos += 1
            elif c == "\\" and text.startswith("\n", self.pos + 1):
                self.continuations.append(self.pos)
                self.pos += 2
            elif c == "\n":
                self._finish()
                self.pos += 1
                if self._pending:
                    self._read_heredocs()
                    self.breaks.append(self.pos - 1 if self.pos < end else end)
                else:
                    self.breaks.append(self.pos - 1)
            elif c == "#":
                newline = text.find("\n", self.pos, end)
                self.pos = end if newline < 0 else newline
            elif self._operator() or self._redirect():
                continue
            else:
                before = self.pos
                self._current.words.append(self._word())
                if self.pos == before:  # defensive: never loop on a character
                    self.pos += 1
        self._finish()
        if self._pending:
            self._pending.clear()
        return self

    def _finish(self) -> None:
        if self._current.words or self._current.heredocs:
            self.commands.append(self._current)
            self._current = _Simple()

    def _operator(self) -> bool:
        text, pos = self.text, self.pos
        c = text[pos]
        if c not in ";&|()":
            return False
        if c == "&" and text.startswith(">", pos + 1):
            return False  # &> redirection
        for op in _OPERATORS:
            if text.startswith(op, pos):
                self._finish()
                self.pos = pos + len(op)
                return True
        return False  # pragma: no cover - every char above starts an operator

    def _redirect(self) -> bool:
        text, pos = self.text, self.pos
        fd = _FD_REDIRECT.match(text, pos, self.end)
        start = fd.end() if fd else pos
        c = text[start] if start < self.end else ""
        if c not in "<>&":
            return False
        if c in "<>" and text.startswith("(", start + 1):
            return False  # process substitution: a word
        if c == "<" and self.placeholders and _PLACEHOLDER.match(text, start, self.end):
            return False
        op = next((o for o in _REDIRECTS if text.startswith(o, start)), None)
        if op is None:
            return False
        self.pos = start + len(op)
        if op.endswith("&") and self.pos < self.end and text[self.pos] in "-0123456789":
            while self.pos < self.end and text[self.pos] in "-0123456789":
                self.pos += 1
            return True
        while self.pos < self.end and text[self.pos] in _BLANK:
            self.pos += 1
        if self.pos >= self.end or text[self.pos] in "\n;&|()<>":
            return True
        target = self._word()
        if op in ("<<", "<<-"):
            self._pending.append(_Pending(target.text, op == "<<-", self._current))
        return True

    def _read_heredocs(self) -> None:
        """Consume heredoc bodies after the line that announced them."""
        text, end = self.text, self.end
        for pending in self._pending:
            body_start = self.pos
            line_start = self.pos
            body_end = end
            while line_start < end:
                newline = text.find("\n", line_start, end)
                line_end = end if newline < 0 else newline
                line = text[line_start:line_end]
                if pending.strip_tabs:
                    line = line.lstrip("\t")
                if line.rstrip() == pending.delimiter:
                    body_end = line_start
                    self.pos = min(line_end + 1, end)
                    break
                line_start = line_end + 1
            else:
                self.pos = end
            pending.owner.heredocs.append((body_start, body_end))
            if not any(c is pending.owner for c in self.commands):
                self.commands.append(pending.owner)
                if pending.owner is self._current:
                    self._current = _Simple()
        self._pending.clear()

    # -- words ----------------------------------------------------------------------------

    def _word(self) -> _Tok:
        text, end = self.text, self.end
        start = self.pos
        parts: list[str] = []
        expands = quoted = False
        while self.pos < end:
            c = text[self.pos]
            if c in " \t\r\f\v\n;&|()":
                break
            if c in "<>":
                if text.startswith("(", self.pos + 1):
                    close = self._match(self.pos + 1, "(", ")")
                    self.nested[(self.pos + 2, max(close - 1, self.pos + 2))] = None
                    parts.append(text[self.pos:close])
                    expands = True
                    self.pos = close
                    continue
                if c == "<" and self.placeholders:
                    match = _PLACEHOLDER.match(text, self.pos, end)
                    if match:
                        parts.append(match.group())
                        self.pos = match.end()
                        continue
                if self.pos == start:  # a lone '<' or '>' that no rule above took
                    parts.append(c)
                    self.pos += 1
                    continue
                break
            if c == "\\":
                nxt = text[self.pos + 1] if self.pos + 1 < end else ""
                if nxt == "\n":
                    self.continuations.append(self.pos)
                else:
                    parts.append(nxt or "\\")
                quoted = True
                self.pos += 2
            elif c == "'":
                close = text.find("'", self.pos + 1, end)
                if close < 0:
                    parts.append("'")
                    self.pos += 1
                else:
                    parts.append(text[self.pos + 1:close])
                    self.pos = close + 1
                    quoted = True
            elif c == '"':
                result = self._double_quoted(self.pos)
                if result is None:
                    parts.append('"')
                    self.pos += 1
                else:
                    value, close, dq_expands = result
                    parts.append(value)
                    expands = expands or dq_expands
                    quoted = True
                    self.pos = close
            elif c == "$":
                value, self.pos, dollar_expands = self._dollar(self.pos)
                parts.append(value)
                expands = expands or dollar_expands
            elif c == "`":
                tick_end = self._backtick(self.pos)
                if tick_end is None:
                    parts.append("`")
                    self.pos += 1
                else:
                    parts.append(text[self.pos:tick_end])
                    expands = True
                    self.pos = tick_end
            else:
                match = _WORD_RUN.match(text, self.pos, end)
                if match is None:  # pragma: no cover - defensive, every char is handled
                    parts.append(c)
                    self.pos += 1
                else:
                    parts.append(match.group())
                    self.pos = match.end()
        return _Tok(start, self.pos, "".join(parts), expands, quoted)

    def _double_quoted(self, pos: int) -> tuple[str, int, bool] | None:
        """Value, end offset and expansion flag of the ``"..."`` at ``pos``; None if open."""
        text, end = self.text, self.end
        i = pos + 1
        parts: list[str] = []
        expands = False
        while i < end:
            c = text[i]
            if c == '"':
                return "".join(parts), i + 1, expands
            if c == "\\":
                nxt = text[i + 1] if i + 1 < end else ""
                if nxt == "\n":
                    self.continuations.append(i)
                elif nxt in '$`"\\':
                    parts.append(nxt)
                else:
                    parts.append("\\" + nxt)
                i += 2
            elif c == "$":
                value, i, dollar_expands = self._dollar(i)
                parts.append(value)
                expands = expands or dollar_expands
            elif c == "`":
                close = self._backtick(i)
                if close is None:
                    parts.append("`")
                    i += 1
                else:
                    parts.append(text[i:close])
                    expands = True
                    i = close
            else:
                match = _DQ_RUN.match(text, i, end)
                assert match is not None
                parts.append(match.group())
                i = match.end()
        return None

    def _dollar(self, pos: int) -> tuple[str, int, bool]:
        """Read the expansion at ``text[pos] == '$'``: (verbatim text, end, expands)."""
        text, end = self.text, self.end
        nxt = text[pos + 1] if pos + 1 < end else ""
        if nxt == "(":
            close = self._match(pos + 1, "(", ")")
            if not text.startswith("((", pos + 1) and not self.make:
                self.nested[(pos + 2, max(close - 1, pos + 2))] = None
            return text[pos:close], close, True
        if nxt == "{":
            close = self._match(pos + 1, "{", "}")
            return text[pos:close], close, True
        if nxt == "'":
            i = pos + 2
            while i < end and text[i] != "'":
                i += 2 if text[i] == "\\" else 1
            if i >= end:
                return "$", pos + 1, False
            return text[pos + 2:i], i + 1, False
        if nxt.isalpha() or nxt == "_":
            i = pos + 2
            while i < end and (text[i].isalnum() or text[i] == "_"):
                i += 1
            return text[pos:i], i, True
        if nxt and (nxt.isdigit() or nxt in "@*#?$!-"):
            return text[pos:pos + 2], pos + 2, True
        return "$", pos + 1, False

    def _backtick(self, pos: int) -> int | None:
        """End offset (after the closing backtick) of the substitution at ``pos``."""
        text, end = self.text, self.end
        i = pos + 1
        while i < end:
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == "`":
                self.nested[(pos + 1, i)] = None
                return i + 1
            i += 1
        return None

    def _match(self, pos: int, open_char: str, close_char: str) -> int:
        """Offset after the bracket matching ``text[pos]``, skipping quotes; end if open."""
        key = (pos, open_char)
        known = self._matched.get(key)
        if known is not None:
            return known
        if self._nesting > _MAX_NESTING:
            return self.end  # absurdly deep: read the rest as one unclosed expansion
        self._nesting += 1
        try:
            result = self._match_from(pos, open_char, close_char)
        finally:
            self._nesting -= 1
        self._matched[key] = result
        return result

    def _match_from(self, pos: int, open_char: str, close_char: str) -> int:
        text, end = self.text, self.end
        depth = 0
        i = pos
        while i < end:
            self._budget.left -= 1
            if self._budget.left < 0:
                return end
            c = text[i]
            if c == "\\":
                i += 2
                continue
            if c == "'" and close_char == ")":
                quote_end = text.find("'", i + 1, end)
                i = i + 1 if quote_end < 0 else quote_end + 1
                continue
            if c in '"`':
                skipped = self._skip_double(i) if c == '"' else self._skip_backtick(i)
                i = i + 1 if skipped is None else skipped
                continue
            if c == open_char:
                depth += 1
            elif c == close_char:
                depth -= 1
                if depth == 0:
                    return i + 1
            i += 1
        return end

    def _skip_double(self, pos: int) -> int | None:
        text, end = self.text, self.end
        i = pos + 1
        while i < end:
            self._budget.left -= 1
            if self._budget.left < 0:
                return None
            c = text[i]
            if c == "\\":
                i += 2
            elif c == '"':
                return i + 1
            elif c == "$" and text.startswith("(", i + 1):
                i = self._match(i + 1, "(", ")")
            else:
                i += 1
        return None

    def _skip_backtick(self, pos: int) -> int | None:
        text, end = self.text, self.end
        i = pos + 1
        while i < end:
            if text[i] == "\\":
                i += 2
            elif text[i] == "`":
                return i + 1
            else:
                i += 1
        return None


# ---------------------------------------------------------------------------------------
# Commands from a CommandText
# ---------------------------------------------------------------------------------------

_RESERVED_LEADING = frozenset({"if", "then", "else", "elif", "do", "while", "until", "{", "!",
                               "fi", "done", "}", "esac"})
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ash", "ksh", "mksh", "busybox"})

# wrapper -> (options that take a value, how many positional words it consumes)
_WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "sudo": (frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-U", "-T", "-R",
                        "--user", "--group", "--host", "--prompt", "--chdir", "--role",
                        "--type", "--other-user", "--close-from", "--command-timeout",
                        "--chroot"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "env": (frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}), 0),
    "exec": (frozenset({"-a"}), 0),
    "time": (frozenset({"-f", "-o", "--format", "--output"}), 0),
    "nohup": (frozenset(), 0),
    "command": (frozenset(), 0),
    "builtin": (frozenset(), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "ionice": (frozenset({"-c", "-n", "-p", "-P", "-u", "--class", "--classdata"}), 0),
    "timeout": (frozenset({"-s", "-k", "--signal", "--kill-after"}), 1),
    "stdbuf": (frozenset({"-i", "-o", "-e", "--input", "--output", "--error"}), 0),
    "setsid": (frozenset(), 0),
    "chronic": (frozenset(), 0),
    "ssh": (frozenset({"-b", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m",
                       "-O", "-o", "-p", "-Q", "-R", "-S", "-W", "-w", "-B"}), 1),
}


def _program_start(words: list[Word]) -> int:
    """Index of the word that names the program, after assignments and wrappers."""
    i = 0
    n = len(words)
    while i < n and not words[i].quoted and words[i].text in _RESERVED_LEADING:
        i += 1
    if i < n and words[i].text == "time" and not words[i].quoted:
        i += 1
        if i < n and words[i].text == "-p":
            i += 1
    while i < n:
        while i < n and is_assignment(words[i]):
            i += 1
        if i >= n:
            return i
        name = posixpath.basename(words[i].text)
        wrapper = _WRAPPERS.get(name)
        if wrapper is None:
            return i
        value_opts, positional = wrapper
        j = i + 1
        while j < n:
            text = words[j].text
            if text == "--":
                j += 1
                break
            if not text.startswith("-") or text == "-":
                break
            j += 2 if text in value_opts else 1
        j += positional
        if j >= n:
            return i  # `sudo -v`, `ssh host`: the wrapper is the program
        if name == "ssh" and j == n - 1 and any(c.isspace() for c in words[j].text):
            return i  # `ssh host 'docker run ...'`: a remote script, read by _inline_script
        i = j
    return i


@dataclass(slots=True)
class _FileState:
    """Per-file facts shared by every command of the file (simple variable assignments)."""

    variables: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class _Budget:
    """Bracket-matching steps left for one chunk, shared by its nested lexers."""

    left: int


@dataclass(slots=True)
class _LexRun:
    """What every level of one recursive lexing run shares."""

    out: list[Command]
    variables: Mapping[str, str]
    use_bashlex: bool
    budget: _Budget


def lex_commands(
    ct: CommandText,
    variables: Mapping[str, str] | None = None,
    *,
    use_bashlex: bool = False,
) -> list[Command]:
    """Every simple command in ``ct``, nested ones (``$(..)``, ``sh -c '..'``) included."""
    run = _LexRun(out=[], variables=variables if variables is not None else {},
                  use_bashlex=use_bashlex, budget=_Budget(_budget_for(len(ct.text))))
    _lex_into(ct, 0, len(ct.text), run, 0)
    run.out.sort(key=lambda c: (c.line, c.words[0].column if c.words else 0))
    return run.out


def _budget_for(length: int) -> int:
    """Ordinary shell needs a few steps per character even with nesting; hostile input
    (thousands of unclosed ``"$(``) would need quadratically many, and gets cut off."""
    return 16 * length + 4096


def _lex_into(ct: CommandText, start: int, end: int, run: _LexRun, depth: int) -> None:
    if depth > _MAX_DEPTH or start >= end:
        return
    if run.use_bashlex:
        parsed = _bashlex_commands(ct, start, end, run.variables)
        if parsed is not None:
            for command in parsed:
                _append(ct, command, [], run, depth)
            return
    lexer = _Lexer(ct.text, start, end, ct.placeholders, ct.origin == "makefile",
                   run.budget).run()
    for simple in lexer.commands:
        words = tuple(_to_word(ct, tok) for tok in simple.words)
        command = Command(words=words, file=ct.file, origin=ct.origin,
                          argv_start=_program_start(list(words)), variables=run.variables)
        _append(ct, command, simple.heredocs, run, depth)
    for nested_start, nested_end in lexer.nested:
        _lex_into(ct, nested_start, nested_end, run, depth + 1)


def _append(ct: CommandText, command: Command, heredocs: list[tuple[int, int]], run: _LexRun,
            depth: int) -> None:
    """Keep ``command`` and read the scripts it runs (heredocs to a shell, ``sh -c``)."""
    if command.words:
        run.out.append(command)
    program = command.program
    runs_shell = program in SHELLS or program == "ssh" or (
        not command.argv and ct.shell_heredoc_default)
    if runs_shell:
        for body_start, body_end in heredocs:
            _lex_into(ct, body_start, body_end, run, depth + 1)
    script = _inline_script(command)
    if script is not None:
        _lex_word(ct, script, run, depth + 1)


def _to_word(ct: CommandText, tok: _Tok) -> Word:
    line, column = ct.position(tok.start)
    end_line = ct.position(max(tok.end - 1, tok.start))[0]
    return Word(text=tok.text, raw=ct.text[tok.start:tok.end], line=line, column=column,
                expands=tok.expands, quoted=tok.quoted, end_line=end_line, offset=tok.start)


def _inline_script(command: Command) -> Word | None:
    """The script word of ``sh -c '...'``, ``eval '...'`` or ``ssh host '...'``."""
    argv = command.argv
    program = command.program
    if program == "eval" and len(argv) == 2:
        return argv[1]
    if program == "ssh":
        last = argv[-1]
        return last if len(argv) > 2 and any(c.isspace() for c in last.text) else None
    if program in SHELLS:
        for i, word in enumerate(argv[1:], start=1):
            text = word.text
            if text.startswith("-") and not text.startswith("--") and "c" in text[1:]:
                return argv[i + 1] if i + 1 < len(argv) else None
            if not text.startswith("-"):
                return None
    return None


def _lex_word(ct: CommandText, word: Word, run: _LexRun, depth: int) -> None:
    """Lex the contents of a script word, keeping exact positions when quoting allows."""
    raw = word.raw
    quote = 1 if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" else 0
    inner = raw[quote:len(raw) - quote]
    if inner == word.text and word.offset >= 0:
        start = word.offset + quote
        _lex_into(ct, start, start + len(inner), run, depth)
        return
    sub = CommandText(text=word.text, spans=(Span(0, word.line, word.column),),
                      origin=ct.origin, file=ct.file, placeholders=ct.placeholders)
    _lex_into(sub, 0, len(sub.text), run, depth)


_BASHLEX_UNSAFE = re.compile(r"<<|<[A-Za-z_%]")


def _bashlex_commands(
    ct: CommandText, start: int, end: int, variables: Mapping[str, str],
) -> list[Command] | None:
    """Simple commands as bashlex parses them; None when bashlex cannot (or should not).

    Heredocs and documentation placeholders (``<name>``) are left to the lexer: bashlex
    reads the first as an unsupported construct and the second as redirections.  bashlex
    reports positions in the text *without* backslash-newlines, so they are mapped back.
    """
    text = ct.text[start:end]
    if _BASHLEX_UNSAFE.search(text) and (ct.placeholders or "<<" in text):
        return None
    kept = [i for i in range(len(text))
            if not (text.startswith("\\\n", i) or (i and text.startswith("\\\n", i - 1)))]
    try:
        import bashlex

        trees = bashlex.parse("".join(text[i] for i in kept))
    except Exception as exc:  # bashlex raises many exception types on odd input
        log.debug("bashlex failed (%s); using the tolerant lexer", exc)
        return None
    commands: list[Command] = []

    def original(offset: int) -> int:
        return kept[offset] if offset < len(kept) else len(text)

    def word_of(node: Any) -> Word:
        lo, hi = original(node.pos[0]), original(node.pos[1] - 1) + 1
        raw = text[lo:hi]
        line, column = ct.position(start + lo)
        end_line = ct.position(start + max(hi - 1, lo))[0]
        kinds = {getattr(p, "kind", "") for p in getattr(node, "parts", [])}
        expands = bool(kinds & {"parameter", "commandsubstitution", "processsubstitution"})
        return Word(text=node.word, raw=raw, line=line, column=column, expands=expands,
                    quoted=raw != node.word, end_line=end_line, offset=start + lo)

    def visit(node: Any, depth: int = 0) -> None:
        if depth > 200:
            return
        kind = getattr(node, "kind", "")
        if kind == "command":
            words = [word_of(p) for p in node.parts if p.kind in ("word", "assignment")]
            if words:
                commands.append(Command(words=tuple(words), file=ct.file, origin=ct.origin,
                                        argv_start=_program_start(words),
                                        variables=variables))
        if kind in ("commandsubstitution", "processsubstitution"):
            visit(node.command, depth + 1)
            return
        for child in getattr(node, "parts", None) or getattr(node, "list", None) or []:
            visit(child, depth + 1)

    for tree in trees:
        visit(tree)
    return commands


def split_logical_lines(ct: CommandText) -> Iterator[CommandText]:
    """Cut a chunk at newlines that end a command (not inside quotes, ``$(..)``, heredocs)."""
    lexer = _Lexer(ct.text, 0, len(ct.text), ct.placeholders, ct.origin == "makefile",
                   _Budget(_budget_for(len(ct.text)))).run()
    start = 0
    for brk in [*lexer.breaks, len(ct.text)]:
        piece = ct.text[start:brk].strip()
        if piece and not piece.startswith("#"):
            yield ct.slice(start, brk)
        start = brk + 1


# ---------------------------------------------------------------------------------------
# Chunks: where shell text lives in each file kind
# ---------------------------------------------------------------------------------------


def _build(pieces: Iterable[tuple[str, int, int]], origin: str, file: str,
           placeholders: bool = False, heredoc_default: bool = False) -> CommandText | None:
    """Join ``(text, line, column)`` pieces with newlines into one mapped chunk."""
    parts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for text, line, column in pieces:
        if parts:
            parts.append("\n")
            offset += 1
        spans.append(Span(offset, line, column))
        parts.append(text)
        offset += len(text)
    if not spans:
        return None
    return CommandText(text="".join(parts), spans=tuple(spans), origin=origin, file=file,
                       placeholders=placeholders, shell_heredoc_default=heredoc_default)


def _shell_chunks(src: SourceFile, state: _FileState) -> Iterator[CommandText]:
    lines = src.text.split("\n")
    chunk = _build(((line.rstrip("\r"), i, 1) for i, line in enumerate(lines, start=1)),
                   "shell", src.display)
    if chunk is not None:
        yield chunk


# Makefiles -------------------------------------------------------------------------------

_MAKE_ASSIGN = re.compile(
    r"^(?:(?:export|override|private)\s+)*(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)\s*"
    r"(?P<op>:{1,3}=|\?=|\+=|!=|=)\s*(?P<value>.*)$"
)
_MAKE_DIRECTIVE = re.compile(
    r"^\s*(?:ifeq|ifneq|ifdef|ifndef|else|endif|include|-include|sinclude|vpath|unexport)\b"
)


def _makefile_chunks(src: SourceFile, state: _FileState) -> Iterator[CommandText]:
    """Recipe lines (tab-indented, after a rule), each run by its own shell."""
    lines = [line.rstrip("\r") for line in src.text.split("\n")]
    in_rule = in_define = False
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if in_define:
            in_define = not stripped.startswith("endef")
            i += 1
            continue
        if line.startswith("\t") and in_rule:
            i = yield from _recipe(src, lines, i, 1)
            continue
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        if stripped.startswith("define ") or stripped == "define":
            in_define = True
        elif _MAKE_DIRECTIVE.match(line):
            pass
        else:
            assign = _MAKE_ASSIGN.match(stripped)
            if assign and ":" not in stripped.split("=", 1)[0].rstrip(":?+!"):
                value = assign.group("value").strip()
                if value and " " not in value:
                    state.variables.setdefault(assign.group("name"), value)
                in_rule = False
            elif ":" in line and not line.startswith((" ", "\t")):
                in_rule = True
                semi = _rule_recipe_start(line)
                if semi is not None:
                    i = yield from _recipe(src, lines, i, semi)
                    continue
            else:
                in_rule = False
        # skip continuation lines of a non-recipe statement
        while i < n and lines[i].endswith("\\"):
            i += 1
        i += 1


def _rule_recipe_start(line: str) -> int | None:
    """Column offset of an inline recipe (``target: deps ; cmd``)."""
    colon = line.find(":")
    semi = line.find(";", colon)
    if colon < 0 or semi < 0:
        return None
    return semi + 1


def _recipe(src: SourceFile, lines: list[str], i: int,
            first_offset: int) -> Generator[CommandText, None, int]:
    """Yield one recipe line (with its continuations); return the next line index."""
    pieces: list[tuple[str, int, int]] = []
    line = lines[i]
    body = line[first_offset:]
    lead = len(body) - len(body.lstrip(" \t@-+"))
    pieces.append((body[lead:], i + 1, first_offset + lead + 1))
    while line.endswith("\\") and i + 1 < len(lines):
        i += 1
        line = lines[i]
        if line.startswith("\t"):
            pieces.append((line[1:], i + 1, 2))
        else:
            pieces.append((line, i + 1, 1))
    chunk = _build(pieces, "makefile", src.display)
    if chunk is not None:
        yield chunk
    return i + 1


# Markdown --------------------------------------------------------------------------------

_FENCE = re.compile(r"^(?P<indent>[ \t>]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
SHELL_INFOS = frozenset({"sh", "bash", "shell", "console", "zsh", "shell-session",
                         "shellsession", "sh-session", "terminal", "ksh", "session"})
_PROMPTS = (
    re.compile(r"[ \t]*[\w.-]+@[\w.-]+(?::\S*|\s+\S+)?\s*[$#%>❯]\s"),  # adam@host ~ > , u@h:~$
    re.compile(r"[ \t]*\[[^\]\n]{1,80}\]\s*[$#%>]\s"),  # [user@host dir]$
    re.compile(r"[ \t]*[/~][\w./~-]*\s*[$#%>]\s"),  # / # , ~/src $
    re.compile(r"[ \t]*[A-Za-z][\w-]{0,20}>\s"),  # unix> , host>
    re.compile(r"[ \t]*PS [^>\n]{0,80}>\s"),  # PowerShell
    re.compile(r"[ \t]*[$%❯➜➸λ→»›▶➤]\s"),  # $ , % , ❯ , ➸ (fancy shell themes)
    re.compile(r"[ \t]*[$%]$"),  # an empty prompt
)
_ROOT_PROMPT = re.compile(r"[ \t]*#\s")
_RUNTIME_START = re.compile(
    r"^(?:sudo\s+(?:-\S+\s+)*)?(?:[\w./-]*/)?"
    r"(?:docker|podman|nerdctl|dockerd|DOCKER_HOST=|export\s+DOCKER_)"
)


def _prompt_length(line: str, transcript: bool) -> int:
    """Length of the shell prompt at the start of ``line`` (0 if there is none)."""
    for pattern in _PROMPTS:
        match = pattern.match(line)
        if match:
            return match.end()
    if transcript:
        match = _ROOT_PROMPT.match(line)
        if match:
            return match.end()
    return 0


def _markdown_chunks(src: SourceFile, state: _FileState) -> Iterator[CommandText]:
    """Fenced code blocks in a shell language (or untagged ones that run a runtime)."""
    lines = [line.rstrip("\r") for line in src.text.split("\n")]
    i = 0
    n = len(lines)
    while i < n:
        match = _FENCE.match(lines[i])
        if not match:
            if "`" in lines[i]:
                yield from _inline_commands(src, lines[i], i + 1)
            i += 1
            continue
        fence, indent = match.group("fence"), match.group("indent")
        info = match.group("info").strip().strip("{}").lstrip(".").split()
        language = info[0].lower() if info else ""
        body_start = i + 1
        j = body_start
        while j < n:
            close = lines[j].lstrip(" \t>").rstrip()
            if close.startswith(fence) and not close.strip(fence[0]):
                break
            j += 1
        i = j + 1
        if language and language not in SHELL_INFOS:
            continue
        body = [(*_strip_indent(lines[k], indent), k + 1) for k in range(body_start, j)]
        yield from _code_block(src, body, language)


_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def _inline_commands(src: SourceFile, line: str, line_no: int) -> Iterator[CommandText]:
    """Inline code spans that hold a whole command line (`` `docker run -d ... img` ``).

    Prose often gives the command to run inline rather than in a block; a span counts
    only when it starts with a container runtime, so `` `-v` `` or `` `docker run` ``
    mentions in a sentence are not read as commands (the latter has no image anyway).
    """
    for match in _INLINE_CODE.finditer(line):
        content = match.group(2)
        stripped = content.strip()
        if not _RUNTIME_START.match(stripped):
            continue
        column = match.start(2) + (len(content) - len(content.lstrip())) + 1
        yield CommandText(text=stripped, spans=(Span(0, line_no, column),),
                          origin="markdown", file=src.display, placeholders=True)


def _strip_indent(line: str, indent: str) -> tuple[str, int]:
    """Remove the fence's own indentation (list items, blockquotes); return the column."""
    k = 0
    while k < len(indent) and k < len(line) and line[k] in " \t>":
        k += 1
    return line[k:], k


def _code_block(src: SourceFile, body: list[tuple[str, int, int]],
                language: str) -> Iterator[CommandText]:
    """The commands of one fenced block: a whole script, or a transcript's prompt lines.

    In a transcript every prompt line (with its continuation lines) is its own chunk, so
    an unbalanced quote or an unterminated heredoc cannot swallow the next command, and
    output lines (no prompt) are never read as commands.
    """
    # a transcript shows prompts; `console` blocks without any are plain command lists
    transcript = any(_prompt_length(text, False) for text, _, _ in body if text.strip())
    if not language:
        starts = (text[_prompt_length(text, True):].lstrip() for text, _, _ in body)
        if not any(_RUNTIME_START.match(s) for s in starts):
            return
    if not transcript:
        chunk = _build(((text, line_no, cols + 1) for text, cols, line_no in body),
                       "markdown", src.display, placeholders=True)
        if chunk is not None:
            yield chunk
        return
    pieces: list[tuple[str, int, int]] = []
    for text, cols, line_no in body:
        if pieces:  # continuation of the previous prompt line, maybe behind a PS2 `> `
            ps2 = len(text) - len(text.lstrip()) + 2 if text.lstrip().startswith("> ") else 0
            pieces.append((text[ps2:], line_no, cols + ps2 + 1))
        else:
            cut = _prompt_length(text, True)
            if not cut:
                continue  # output
            pieces.append((text[cut:], line_no, cols + cut + 1))
        if not text.endswith("\\"):
            chunk = _build(pieces, "markdown", src.display, placeholders=True)
            if chunk is not None:
                yield chunk
            pieces = []
    if pieces:
        chunk = _build(pieces, "markdown", src.display, placeholders=True)
        if chunk is not None:
            yield chunk


# Dockerfiles -----------------------------------------------------------------------------

_RUN_LINE = re.compile(r"^\s*(?:onbuild\s+)?run\b", re.IGNORECASE)
_RUN_PREFIX = re.compile(r"^\s*(?:onbuild\s+)?run\s+(?:--\S+\s+)*", re.IGNORECASE)
_ESCAPE_DIRECTIVE = re.compile(r"^#\s*escape\s*=\s*(\S)", re.IGNORECASE)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _dockerfile_chunks(src: SourceFile, state: _FileState) -> Iterator[CommandText]:
    """RUN instructions (shell form, exec form, heredocs); comments are not commands."""
    lines = [line.rstrip("\r") for line in src.text.split("\n")]
    for start, end, is_json in _run_ranges(src.text, lines):
        if is_json:
            chunk = _exec_form(src, lines, start, end)
        else:
            chunk = _shell_form(src, lines, start, end)
        if chunk is not None:
            yield chunk


def _run_ranges(text: str, lines: list[str]) -> list[tuple[int, int, bool]]:
    """(first line, last line, exec form) of each RUN, 1-based, from the BuildKit parser."""
    try:
        import dockerfile

        parsed = dockerfile.parse_string(text)
    except Exception as exc:  # the Dockerfile reader reports syntax errors; we scan on
        log.debug("dockerfile parser failed (%s); scanning RUN lines by hand", exc)
        return _run_ranges_by_hand(lines)
    ranges: list[tuple[int, int, bool]] = []
    for instruction in parsed:
        name = (instruction.cmd or "").upper()
        if name == "RUN" or (name == "ONBUILD" and (instruction.sub_cmd or "").upper() == "RUN"):
            ranges.append((instruction.start_line, instruction.end_line, instruction.json))
    return ranges


def _run_ranges_by_hand(lines: list[str]) -> list[tuple[int, int, bool]]:
    ranges: list[tuple[int, int, bool]] = []
    i = 0
    while i < len(lines):
        if _RUN_LINE.match(lines[i]):
            start = i
            while lines[i].endswith("\\") and i + 1 < len(lines):
                i += 1
            body = _RUN_PREFIX.sub("", lines[start]).lstrip()
            ranges.append((start + 1, i + 1, body.startswith("[")))
        i += 1
    return ranges


def _shell_form(src: SourceFile, lines: list[str], start: int, end: int) -> CommandText | None:
    first = lines[start - 1] if start - 1 < len(lines) else ""
    prefix = _RUN_PREFIX.match(first)
    cut = prefix.end() if prefix else 0
    pieces = [(first[cut:], start, cut + 1)]
    for number in range(start + 1, min(end, len(lines)) + 1):
        line = lines[number - 1]
        # the Dockerfile parser drops comment and blank lines inside a continuation;
        # inside a heredoc body they are part of the script
        if (not line.strip() or line.lstrip().startswith("#")) and "<<" not in first:
            continue
        pieces.append((line, number, 1))
    return _build(pieces, "dockerfile", src.display, heredoc_default=True)


def _exec_form(src: SourceFile, lines: list[str], start: int, end: int) -> CommandText | None:
    """``RUN ["docker", "run", ...]``: rebuild a shell-quoted line mapped to each string."""
    pieces: list[str] = []
    spans: list[Span] = []
    offset = 0
    for number in range(start, min(end, len(lines)) + 1):
        for match in _JSON_STRING.finditer(lines[number - 1]):
            try:
                value = json.loads(match.group())
            except ValueError:
                continue
            if not isinstance(value, str):
                continue
            quoted = shlex.quote(value)
            if pieces:
                pieces.append(" ")
                offset += 1
            spans.append(Span(offset, number, match.start() + 1))
            pieces.append(quoted)
            offset += len(quoted)
    if not spans:
        return None
    return CommandText(text="".join(pieces), spans=tuple(spans), origin="dockerfile",
                       file=src.display)


# CI YAML ---------------------------------------------------------------------------------

_GITLAB_SCRIPT_KEYS = ("before_script", "script", "after_script")


def _ci_yaml_chunks(src: SourceFile, state: _FileState,
                    problems: list[ParseProblem] | None) -> Iterator[CommandText]:
    lines = src.text.split("\n")
    for node in _ci_script_nodes(src, problems):
        chunk = _scalar_chunk(node, lines, src.display)
        if chunk is not None:
            yield chunk


def compose_yaml(src: SourceFile, problems: list[ParseProblem] | None) -> list[Any]:
    """Composed YAML documents (nodes, aliases shared, never expanded); [] on errors."""
    import yaml

    loader_cls: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return list(yaml.compose_all(src.text, Loader=loader_cls))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        column = mark.column + 1 if mark is not None else 0
        if problems is not None:
            problems.append(ParseProblem(Location(src.display, line, column),
                                         f"invalid YAML: {getattr(exc, 'problem', exc)}"))
        return []
    except Exception as exc:  # libyaml reader errors, recursion: never raise
        if problems is not None:
            problems.append(ParseProblem(Location(src.display), f"unreadable YAML: {exc}"))
        return []


def mapping_items(node: Any) -> Iterator[tuple[str, Any, Any]]:
    """(key text, key node, value node) of a mapping node; merge keys followed once."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for key, value in current.value:
            if key.tag == "tag:yaml.org,2002:merge" or (
                    isinstance(key, yaml.ScalarNode) and key.value == "<<"):
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                stack.extend(s for s in sources if isinstance(s, yaml.MappingNode))
                continue
            if isinstance(key, yaml.ScalarNode):
                yield key.value, key, value


def _ci_script_nodes(src: SourceFile, problems: list[ParseProblem] | None) -> list[Any]:
    """Scalar nodes holding shell scripts: GitHub ``steps[*].run``, GitLab ``script``."""
    import yaml

    found: list[Any] = []
    seen: set[int] = set()

    def scripts(value: Any, depth: int = 0) -> None:
        if depth > 32 or id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, yaml.ScalarNode):
            found.append(value)
        elif isinstance(value, yaml.SequenceNode):
            for item in value.value:
                scripts(item, depth + 1)

    for doc in compose_yaml(src, problems):
        if not isinstance(doc, yaml.MappingNode):
            continue
        top = {k: v for k, _, v in mapping_items(doc)}
        if "jobs" in top or "runs" in top:  # GitHub Actions workflow or composite action
            jobs = [v for _, _, v in mapping_items(top.get("jobs"))]
            if "runs" in top:
                jobs.append(top["runs"])
            for job in jobs:
                steps = dict((k, v) for k, _, v in mapping_items(job)).get("steps")
                if isinstance(steps, yaml.SequenceNode):
                    for step in steps.value:
                        run = dict((k, v) for k, _, v in mapping_items(step)).get("run")
                        if run is not None:
                            scripts(run)
            continue
        for key, _, value in mapping_items(doc):  # GitLab CI: jobs, templates, default
            if key in _GITLAB_SCRIPT_KEYS:
                scripts(value)
            for sub_key, _, sub_value in mapping_items(value):
                if sub_key in _GITLAB_SCRIPT_KEYS:
                    scripts(sub_value)
    found.sort(key=lambda node: (node.start_mark.line, node.start_mark.column))
    return found


def _scalar_chunk(node: Any, lines: list[str], file: str) -> CommandText | None:
    """Shell text of a YAML scalar, mapped to the file (block scalars line by line)."""
    value = node.value if isinstance(node.value, str) else ""
    if not value.strip():
        return None
    mark = node.start_mark
    style = node.style
    if style in ("|", ">"):
        chunk = _block_scalar(node, lines, file, style == ">")
        if chunk is not None:
            return chunk
        pieces = [(text, mark.line + 2 + k, 1) for k, text in enumerate(value.split("\n"))]
        return _build(pieces, "ci-yaml", file)
    column = mark.column + 1 + (1 if style in ("'", '"') else 0)
    # flow scalars: exact on one line; folded multi-line ones map to where they start
    return CommandText(text=value, spans=(Span(0, mark.line + 1, column),), origin="ci-yaml",
                       file=file)


def _block_scalar(node: Any, lines: list[str], file: str, folded: bool) -> CommandText | None:
    """Rebuild a ``|``/``>`` block from the raw lines so every line keeps its position."""
    first = node.start_mark.line + 1  # 0-based index of the first content line
    last = min(node.end_mark.line, len(lines))
    if node.end_mark.column > 0 and node.end_mark.line < len(lines):
        last = node.end_mark.line + 1
    raw = [line.rstrip("\r") for line in lines[first:last]]
    indent = next((len(r) - len(r.lstrip(" ")) for r in raw if r.strip()), None)
    if indent is None:
        return None
    pieces: list[tuple[str, int, int]] = []
    for k, line in enumerate(raw):
        if not line.strip():
            pieces.append((line[indent:], first + k + 1, indent + 1))
        elif len(line) - len(line.lstrip(" ")) < indent:
            break
        else:
            pieces.append((line[indent:], first + k + 1, indent + 1))
    while pieces and not pieces[-1][0]:
        pieces.pop()
    if folded:
        pieces = _fold(pieces)
    chunk = _build(pieces, "ci-yaml", file)
    if chunk is None:
        return None
    if chunk.text.rstrip("\n") != node.value.rstrip("\n"):
        return None  # indentation indicators, tabs: fall back to the composed value
    return chunk


def _fold(pieces: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """YAML ``>`` folding: lines of a paragraph joined with spaces (approximate spans)."""
    folded: list[tuple[str, int, int]] = []
    for text, line, column in pieces:
        if folded and text and folded[-1][0] and not text.startswith((" ", "\t")) and not \
                folded[-1][0].startswith((" ", "\t")):
            prev_text, prev_line, prev_column = folded[-1]
            folded[-1] = (f"{prev_text} {text}", prev_line, prev_column)
            continue
        folded.append((text, line, column))
    return folded


# systemd ---------------------------------------------------------------------------------

_EXEC_LINE = re.compile(
    r"^\s*Exec(?:Start|StartPre|StartPost|Reload|Stop|StopPost|Condition)\s*=\s*[-@:+!|]*"
)


def systemd_exec_chunk(lines: list[str], index: int, start: int, file: str,
                       origin: str = "systemd") -> tuple[CommandText | None, int]:
    """The command of an ``Exec*=`` line starting at ``lines[index][start:]``."""
    pieces = [(lines[index][start:], index + 1, start + 1)]
    i = index
    while lines[i].endswith("\\") and i + 1 < len(lines):
        i += 1
        pieces.append((lines[i], i + 1, 1))
    return _build(pieces, origin, file), i + 1


def _systemd_chunks(src: SourceFile, state: _FileState) -> Iterator[CommandText]:
    lines = [line.rstrip("\r") for line in src.text.split("\n")]
    i = 0
    while i < len(lines):
        match = _EXEC_LINE.match(lines[i])
        if not match:
            i += 1
            continue
        chunk, i = systemd_exec_chunk(lines, i, match.end(), src.display)
        if chunk is not None:
            yield chunk


# ---------------------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------------------

_CHUNKERS: dict[str, Callable[[SourceFile, _FileState], Iterator[CommandText]]] = {
    "shell": _shell_chunks,
    "makefile": _makefile_chunks,
    "markdown": _markdown_chunks,
    "dockerfile": _dockerfile_chunks,
    "systemd": _systemd_chunks,
}


def iter_chunks(src: SourceFile, problems: list[ParseProblem] | None = None,
                state: _FileState | None = None) -> Iterator[CommandText]:
    """The shell text regions of a file (whole script, code block, recipe line, RUN)."""
    state = state if state is not None else _FileState()
    if src.kind == "ci-yaml":
        yield from _ci_yaml_chunks(src, state, problems)
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
    """
    state = _FileState()
    needles = tuple(programs) if programs is not None else None
    if needles is not None and not any(n in _code_text(src) for n in needles) and not (
            src.kind == "ci-yaml" and problems is not None):  # still report broken YAML
        return
    chunks = [c for c in iter_chunks(src, problems, state)
              if needles is None or any(n in c.text for n in needles)]
    commands: list[Command] = []
    for chunk in chunks:
        commands.extend(lex_commands(chunk, state.variables, use_bashlex=use_bashlex))
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
