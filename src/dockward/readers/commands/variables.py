"""Shell and make variables of one file: what ``docker run $OPTS img`` really runs.

Real projects keep their flags in variables: ``OPTS="--network host"; docker run $OPTS img``,
bash arrays (``args=(--privileged ...)``, ``"${args[@]}"``), ``${OPTS:-default}`` and
Makefile variables (``DOCKER_FLAGS ?= ...``, ``+=``, ``$(DOCKER_FLAGS)``).  Reading only the
words as written, a scanner misses the flags hidden in the variable and claims that the
line sets no limit at all.

:class:`VariableTracker` records the assignments of a shell session in order, so that each
command sees the values assigned before it (as the shell running the file would), and
:class:`MakeVariables` applies make's rules (``=`` deferred, ``:=`` immediate, ``?=``,
``+=``, ``!=``; the whole Makefile is read before any recipe runs).  :func:`expand_command`
then expands a command's words the way the shell would: quotes removed, unquoted values
split into fields, array elements kept apart, ``${X:-default}`` and friends.

What cannot be known statically (a command substitution, a variable from the caller's
environment, a make function) stays verbatim in the word, which keeps ``expands`` set:
readers treat it as unknown rather than guess.  Words made from a variable sit at the
position of the reference and say in ``via`` which variable, set on which line, they came
from, so a finding can point at both.

Everything here is bounded: expansion depth, the length of a make expansion and the
number of words one command may grow to, so hostile input costs linear time.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from dockward.readers.commands.lexer import Lexer
from dockward.readers.commands.words import Command, Word, is_assignment

_MAX_MAKE_DEPTH = 16  # nested $(VAR) references in make values
_MAX_MAKE_LENGTH = 65536  # characters one make expansion may produce
_MAX_WORDS = 4096  # words one command may grow to through array expansions

# Variables the caller's environment always sets: their ``${HOME:-/root}`` default is not
# what runs, so it is never taken as the value.
_ENVIRONMENT = frozenset({
    "HOME", "PWD", "OLDPWD", "USER", "LOGNAME", "PATH", "SHELL", "TMPDIR", "UID", "EUID",
    "GID", "HOSTNAME", "LANG", "TERM", "PPID", "RANDOM", "SECONDS", "LINENO", "BASH_SOURCE",
    "CI", "GITHUB_WORKSPACE", "CI_PROJECT_DIR", "WORKSPACE",
})
_DECLARERS = frozenset({"export", "declare", "typeset", "local", "readonly"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGN_RAW = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<index>\[[^\]]*\])?(?P<op>\+?=)")
_PARAM = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\[(?P<index>[^\]]*)\])?"
                    r"(?P<op>:?[-=+?])?")
_IFS = re.compile(r"[ \t\n]+")


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class ShellValue:
    """What a variable holds: one element for a scalar, the elements of an array.

    ``unresolved``: the value holds text that could not be expanded (kept verbatim, such
    as ``$(get_opts)``).
    """

    name: str
    elements: tuple[str, ...]
    array: bool
    unresolved: bool
    lines: tuple[int, ...]  # of the assignments that made it (``+=`` adds one)

    @property
    def scalar(self) -> str:
        return self.elements[0] if self.elements else ""

    def describe(self) -> str:
        return f"${self.name} set at {_lines(list(self.lines))}"


class _History:
    """Every assignment of one shell session in order, for lookups at any point."""

    def __init__(self) -> None:
        self.tick = 0
        self.ticks: dict[str, list[int]] = {}
        self.values: dict[str, list[ShellValue | None]] = {}

    def set(self, name: str, value: ShellValue | None) -> None:
        self.tick += 1
        self.ticks.setdefault(name, []).append(self.tick)
        self.values.setdefault(name, []).append(value)


@dataclass(frozen=True, slots=True)
class Scope:
    """The variables one command sees: shell assignments before it, and make's variables."""

    history: _History
    tick: int
    make: MakeVariables | None = None

    def get(self, name: str) -> ShellValue | None:
        ticks = self.history.ticks.get(name)
        if not ticks:
            return None
        index = bisect.bisect_right(ticks, self.tick) - 1
        return self.history.values[name][index] if index >= 0 else None


# --------------------------------------------------------------------------- make


@dataclass(slots=True)
class _MakeVariable:
    value: str
    recursive: bool  # ``=``: expanded when used; ``:=``: expanded when assigned
    lines: list[int] = field(default_factory=list)


class MakeVariables:
    """A Makefile's variables with make's assignment rules, expanded when a recipe uses them.

    A recursive variable is expanded once and remembered (``A = $(B)$(B)`` chains would
    otherwise cost exponential time); an expansion longer than :data:`_MAX_MAKE_LENGTH`
    is given up as unresolved.
    """

    def __init__(self) -> None:
        self.variables: dict[str, _MakeVariable] = {}
        self._expanded: dict[str, tuple[str, tuple[str, ...], bool]] = {}

    def assign(self, name: str, op: str, value: str, line: int) -> None:
        self._expanded.clear()
        known = self.variables.get(name)
        if op == "?=" and known is not None:
            return
        if op == "+=" and known is not None:
            extra = value if known.recursive else self.expand(value)[0]
            known.value = f"{known.value} {extra}" if known.value else extra
            known.lines.append(line)
            return
        if op == "!=":
            made = _MakeVariable(f"$(shell {value})", False)  # a shell command: unknown
        elif op in (":=", "::=", ":::="):
            made = _MakeVariable(self.expand(value)[0], False)
        else:  # =, ?= (first), += (first)
            made = _MakeVariable(value, True)
        made.lines.append(line)
        self.variables[name] = made

    def expand(self, text: str, depth: int = 0) -> tuple[str, list[str], bool]:
        """``text`` with every known ``$(VAR)``/``${VAR}`` replaced and ``$$`` made ``$``.

        Returns the text, the variables used (for ``via``) and whether anything stayed
        unresolved (undefined variables and make functions are kept verbatim).
        """
        out: list[str] = []
        used: dict[str, None] = {}
        unresolved = False
        length = 0
        i = 0
        n = len(text)
        while i < n:
            dollar = text.find("$", i)
            if dollar < 0:
                out.append(text[i:])
                break
            out.append(text[i:dollar])
            length += dollar - i
            nxt = text[dollar + 1] if dollar + 1 < n else ""
            if nxt == "$":
                out.append("$")
                i = dollar + 2
                continue
            if nxt in "({" and nxt:
                end = _match_bracket(text, dollar + 1)
                inner = text[dollar + 2:end - 1] if text[end - 1] in ")}" else ""
                reference = text[dollar:end]
                i = end
            elif nxt and (nxt.isalnum() or nxt == "_"):
                inner, reference, i = nxt, text[dollar:dollar + 2], dollar + 2
            else:
                out.append(text[dollar:dollar + 2])
                unresolved = unresolved or bool(nxt)
                i = dollar + 2
                continue
            variable = self.variables.get(inner) if _NAME.fullmatch(inner) else None
            if variable is None or depth >= _MAX_MAKE_DEPTH:
                out.append(reference)  # undefined, automatic ($@) or a function: unknown
                unresolved = True
                continue
            used[f"$({inner}) set at {_lines(variable.lines)}"] = None
            value, inner_used, inner_unresolved = self._value(inner, variable, depth)
            used.update(dict.fromkeys(inner_used))
            unresolved = unresolved or inner_unresolved
            out.append(value)
            length += len(value)
            if length > _MAX_MAKE_LENGTH:
                return text, [], True
        return "".join(out), list(used), unresolved

    def _value(self, name: str, variable: _MakeVariable,
               depth: int) -> tuple[str, tuple[str, ...], bool]:
        if not variable.recursive:
            value = variable.value
            return value, (), "$(" in value or "${" in value
        known = self._expanded.get(name)
        if known is None:
            self._expanded[name] = (variable.value, (), True)  # A = $(A): unknown, not a loop
            text, used, unresolved = self.expand(variable.value, depth + 1)
            known = (text, tuple(used), unresolved)
            self._expanded[name] = known
        return known


def _lines(lines: list[int]) -> str:
    if len(lines) == 1:
        return f"line {lines[0]}"
    return "lines " + ", ".join(str(n) for n in lines[:4]) + (", ..." if len(lines) > 4 else "")


# --------------------------------------------------------------------------- tracking


class VariableTracker:
    """Walks the commands of one shell session in order and gives each its :class:`Scope`.

    Assignments alone on a line (``OPTS=...``, ``args=(...)``, ``args+=(...)``) and after
    ``export``/``declare``/``local``/``readonly`` change the session; ``X=1 cmd`` only sets
    the environment of ``cmd``; ``unset X`` forgets ``X``.
    """

    def __init__(self, make: MakeVariables | None = None) -> None:
        self.history = _History()
        self.make = make

    def view(self) -> Scope:
        return Scope(self.history, self.history.tick, self.make)

    def visit(self, command: Command) -> None:
        command.scope = self.view()
        argv = command.argv
        if not argv:
            assignments: Iterable[Word] = (w for w in command.words if is_assignment(w))
        elif command.program in _DECLARERS:
            assignments = (w for w in argv[1:] if is_assignment(w))
        elif command.program == "unset":
            for word in argv[1:]:
                if _NAME.fullmatch(word.text):
                    self.history.set(word.text, None)
            return
        else:
            return
        for word in assignments:
            self._assign(word)

    def _assign(self, word: Word) -> None:
        match = _ASSIGN_RAW.match(word.raw)
        if match is None:
            return
        name = match.group("name")
        rest = word.raw[match.end():]
        scope = self.view()
        old = scope.get(name)
        if match.group("index"):  # args[3]=x: the array is no longer known element by element
            if old is not None:
                self.history.set(name, ShellValue(name, old.elements, old.array, True,
                                                  (*old.lines, word.line)))
            return
        expander = _Expander(scope)
        if rest.startswith("(") and rest.endswith(")"):
            elements, unresolved = expander.array(rest[1:-1])
            array = True
        else:
            text, unresolved = expander.scalar(rest)
            elements, array = (text,), False
        lines: tuple[int, ...] = (word.line,)
        if match.group("op") == "+=" and old is not None:
            unresolved = unresolved or old.unresolved
            lines = (*old.lines, word.line)
            if array or old.array:
                elements = (*old.elements, *elements)
                array = True
            else:
                elements = (old.scalar + elements[0],)
        self.history.set(name, ShellValue(name, elements, array, unresolved, lines))


# --------------------------------------------------------------------------- expansion


@dataclass(slots=True)
class _Segment:
    """A piece of a word after expansion, before field splitting."""

    text: str
    split: bool = False  # an unquoted expansion result: split on blanks
    quoted: bool = False  # inside quotes: makes a field even when empty
    unresolved: bool = False
    via: str = ""
    vanish: bool = False  # "${empty[@]}": not even an empty word


_BREAK = None  # a field boundary between array elements ("${args[@]}")
Segments = list["_Segment | None"]


@dataclass(slots=True)
class Field:
    """One word the shell would pass, with what it was made from."""

    text: str
    unresolved: bool
    quoted: bool
    vias: list[str]


class _Expander:
    """Parameter expansion, quote removal and field splitting of one word's raw text."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    # -- entry points ---------------------------------------------------------------------

    def fields(self, raw: str) -> list[Field] | None:
        """The words ``raw`` becomes, or None when no variable of the file was used."""
        segments = self.segments(raw, False, False)
        if not any(s is not None and s.via for s in segments):
            return None
        return _split(segments)

    def scalar(self, raw: str) -> tuple[str, bool]:
        """An assignment's value: no field splitting, array elements joined by spaces.

        Unresolved parts are kept between marks, so that splitting the value where it is
        used never cuts ``$(cat opts.txt)`` into pieces."""
        segments = self.segments(raw, False, False)
        text = "".join(" " if s is None else _marked(s) for s in segments)
        return text, any(s is not None and s.unresolved for s in segments)

    def array(self, inner: str) -> tuple[tuple[str, ...], bool]:
        """The elements of ``( ... )``: lexed as words, each expanded and split."""
        lexer = Lexer(inner, 0, len(inner), placeholders=False).run()
        elements: list[str] = []
        unresolved = False
        for simple in lexer.commands:
            for token in simple.words:
                segments = self.segments(inner[token.start:token.end], False, False)
                for piece in _split(segments, keep_marks=True):
                    elements.append(piece.text)
                    unresolved = unresolved or piece.unresolved
        return tuple(elements), unresolved

    # -- scanning -------------------------------------------------------------------------

    def segments(self, raw: str, in_quotes: bool, result: bool) -> Segments:
        """Segments of ``raw``; ``result``: the text is itself an expansion's result (the
        word of ``${X:-word}``), so its unquoted literal parts are split too."""
        out: Segments = []
        i, n = 0, len(raw)
        stops = "\\$`" + ("" if in_quotes else "'\"")
        while i < n:
            c = raw[i]
            if c == "'" and not in_quotes:
                close = raw.find("'", i + 1)
                if close < 0:
                    out.append(_Segment("'", split=result))
                    i += 1
                    continue
                out.append(_Segment(raw[i + 1:close], quoted=True))
                i = close + 1
            elif c == '"' and not in_quotes:
                close = _close_double(raw, i)
                if close < 0:
                    out.append(_Segment('"', split=result))
                    i += 1
                    continue
                inner = self.segments(raw[i + 1:close], True, False)
                # "" is an empty word; "${none[@]}" is no word at all
                if _BREAK not in inner and not (inner and all(
                        s is not None and s.vanish for s in inner)):
                    out.append(_Segment("", quoted=True))
                out.extend(inner)
                i = close + 1
            elif c == "\\":
                nxt = raw[i + 1] if i + 1 < n else ""
                if nxt == "\n":
                    pass  # a line continuation
                elif in_quotes and nxt not in '$`"\\':
                    out.append(_Segment("\\" + nxt, quoted=True))
                else:
                    out.append(_Segment(nxt or "\\", quoted=True))
                i += 2
            elif c == "$":
                found, i = self._dollar(raw, i, in_quotes)
                out.extend(found)
            elif c == "`":
                close = _close_backtick(raw, i)
                body = raw[i + 1:close - 1].strip() if raw.endswith("`", 0, close) else "?"
                if not body or body.startswith("#"):  # `#optional`: a comment, no word
                    out.append(_Segment("", via="a comment"))
                else:
                    out.append(_Segment(raw[i:close], quoted=in_quotes, unresolved=True))
                i = close
            else:
                j = i + 1
                while j < n and raw[j] not in stops:
                    j += 1
                out.append(_Segment(raw[i:j], split=result and not in_quotes,
                                    quoted=in_quotes))
                i = j
        return out

    def _dollar(self, raw: str, i: int, in_quotes: bool) -> tuple[Segments, int]:
        n = len(raw)
        nxt = raw[i + 1] if i + 1 < n else ""
        if nxt == "(":
            end = _match_bracket(raw, i + 1)
            return [_Segment(raw[i:end], quoted=in_quotes, unresolved=True)], end
        if nxt == "{":
            end = _match_bracket(raw, i + 1)
            closed = raw[end - 1] == "}" and end - 1 > i + 1
            inner = raw[i + 2:end - 1] if closed else raw[i + 2:end]
            return self._parameter(raw[i:end], inner, in_quotes), end
        match = _NAME.match(raw, i + 1)  # ASCII names only: "$é" is a literal dollar
        if match is not None:
            text = raw[i:match.end()]
            return self._variable(text, match.group(), None, in_quotes), match.end()
        if nxt and (nxt.isdigit() or nxt in "@*#?$!-"):
            return [_Segment(raw[i:i + 2], quoted=in_quotes, unresolved=True)], i + 2
        return [_Segment("$", quoted=in_quotes)], i + 1

    def _parameter(self, text: str, inner: str, in_quotes: bool) -> Segments:
        """``${NAME}``, ``${NAME[@]}``, ``${NAME:-word}`` and friends; others are unknown."""
        unknown: Segments = [_Segment(text, quoted=in_quotes, unresolved=True)]
        match = _PARAM.match(inner)
        if match is None:
            return unknown  # ${#x}, ${!x}, ${@}
        name, index, op = match.group("name"), match.group("index"), match.group("op")
        word = inner[match.end():]
        if op is None:
            return unknown if word else self._variable(text, name, index, in_quotes)
        value = self.scope.get(name)
        is_set = value is not None and (not op.startswith(":") or any(value.elements))
        kind = op[-1]
        if kind in "-=":
            if is_set:
                return self._variable(text, name, index, in_quotes)
            if value is None and name in _ENVIRONMENT:
                return unknown
            return self._alternative(word, text, "the default of", in_quotes)
        if kind == "+":
            if value is None:
                return unknown  # set or not in the caller's environment: unknown
            if is_set:
                return self._alternative(word, text, "", in_quotes)
            return [_Segment("", via=f"{text}: empty")]
        return self._variable(text, name, index, in_quotes) if is_set else unknown

    def _alternative(self, word: str, text: str, what: str, in_quotes: bool) -> Segments:
        segments = self.segments(word, in_quotes, True)
        via = f"{what} {text}".strip()
        for segment in segments:
            if segment is not None and not segment.via:
                segment.via = via
        if not any(s is not None and s.via for s in segments):
            segments.append(_Segment("", via=via))  # an empty word: still resolved
        return segments

    def _variable(self, text: str, name: str, index: str | None, in_quotes: bool) -> Segments:
        value = self.scope.get(name)
        if value is None:
            return [_Segment(text, quoted=in_quotes, unresolved=True)]
        via = value.describe()
        unresolved = value.unresolved
        if index in ("@", "*"):
            if in_quotes and index == "*":
                return [_Segment(" ".join(value.elements), quoted=True, unresolved=unresolved,
                                 via=via)]
            out: Segments = []
            for element in value.elements:
                if out:
                    out.append(_BREAK)
                out.append(_Segment(element, split=not in_quotes, quoted=in_quotes,
                                    unresolved=unresolved, via=via))
            return out or [_Segment("", via=via, vanish=True)]
        if index is not None:
            if not index.isdigit():
                return [_Segment(text, quoted=in_quotes, unresolved=True)]
            position = int(index)
            element = value.elements[position] if position < len(value.elements) else ""
            return [_Segment(element, split=not in_quotes, quoted=in_quotes,
                             unresolved=unresolved, via=via)]
        return [_Segment(value.scalar, split=not in_quotes, quoted=in_quotes,
                         unresolved=unresolved, via=via)]


# Marks around the unresolved parts of a stored value (private-use characters).
_OPEN, _CLOSE = "\ue000", "\ue001"


def _marked(segment: _Segment) -> str:
    return f"{_OPEN}{segment.text}{_CLOSE}" if segment.unresolved else segment.text


def _ifs_split(text: str) -> list[str]:
    """Split on blanks outside marked (unresolved) parts."""
    if _OPEN not in text:
        return _IFS.split(text)
    pieces: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == _OPEN:
            depth += 1
        elif char == _CLOSE:
            depth = max(depth - 1, 0)
        elif depth == 0 and char in " \t\n":
            pieces.append("".join(current))
            current = []
            continue
        current.append(char)
    pieces.append("".join(current))
    return pieces


def _split(segments: Segments, keep_marks: bool = False) -> list[Field]:
    """Field splitting: unquoted expansion results split on blanks, array elements apart."""
    fields: list[Field] = []
    text: list[str] = []
    started = unresolved = quoted = False
    vias: list[str] = []

    def flush() -> None:
        nonlocal started, unresolved, quoted, vias
        if started:
            joined = "".join(text)
            if not keep_marks:
                joined = joined.replace(_OPEN, "").replace(_CLOSE, "")
            fields.append(Field(joined, unresolved, quoted, vias))
        text.clear()
        started = unresolved = quoted = False
        vias = []

    def take(segment: _Segment, piece: str) -> None:
        nonlocal started, unresolved, quoted
        text.append(piece)
        started = True
        unresolved = unresolved or segment.unresolved
        quoted = quoted or segment.quoted
        if segment.via and segment.via not in vias:
            vias.append(segment.via)

    for segment in segments:
        if segment is None:
            flush()
        elif segment.split and segment.text:
            pieces = _ifs_split(segment.text)
            for k, piece in enumerate(pieces):
                if k:
                    flush()
                if piece:
                    take(segment, piece)
        elif segment.text or segment.quoted:
            take(segment, _marked(segment) if keep_marks else segment.text)
        elif segment.via and started and segment.via not in vias:
            vias.append(segment.via)
    flush()
    return fields


def _close_double(raw: str, i: int) -> int:
    """Index of the ``"`` closing the one at ``i``, or -1."""
    j = i + 1
    n = len(raw)
    while j < n:
        c = raw[j]
        if c == "\\":
            j += 2
        elif c == '"':
            return j
        elif c == "$" and j + 1 < n and raw[j + 1] in "({":
            j = _match_bracket(raw, j + 1)
        else:
            j += 1
    return -1


def _close_backtick(raw: str, i: int) -> int:
    """Index after the backtick closing the one at ``i`` (the end when open)."""
    j = i + 1
    while j < len(raw):
        if raw[j] == "\\":
            j += 2
        elif raw[j] == "`":
            return j + 1
        else:
            j += 1
    return len(raw)


def _match_bracket(raw: str, i: int) -> int:
    """Index after the bracket closing ``raw[i]`` (``(`` or ``{``), skipping quotes."""
    open_char = raw[i]
    close_char = ")" if open_char == "(" else "}"
    depth = 0
    j = i
    n = len(raw)
    while j < n:
        c = raw[j]
        if c == "\\":
            j += 2
            continue
        if c == "'" and close_char == ")":
            quote = raw.find("'", j + 1)
            j = n if quote < 0 else quote + 1
            continue
        if c == open_char:
            depth += 1
        elif c == close_char:
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return n


# --------------------------------------------------------------------------- commands


def expand_word(word: Word, scope: Scope) -> list[Word] | None:
    """The words ``word`` becomes with the file's variables; None when it uses none."""
    raw = word.raw
    if "$" not in raw and "`" not in raw:
        return None
    make_vias: list[str] = []
    pieces = [raw]
    if scope.make is not None:
        text, make_vias, _ = scope.make.expand(raw)
        if make_vias:  # make substitutes text before the shell reads the line
            lexer = Lexer(text, 0, len(text), placeholders=False).run()
            pieces = [text[t.start:t.end] for simple in lexer.commands for t in simple.words]
        elif "$$" in raw:
            pieces = [text]
    expander = _Expander(scope)
    words: list[Word] = []
    changed = bool(make_vias) or pieces != [raw]
    for piece in pieces:
        fields = expander.fields(piece)
        if fields is None:
            if not changed:
                return None
            fields = _split(expander.segments(piece, False, False))
        else:
            changed = True
        for item in fields:
            via = "; ".join(dict.fromkeys([*make_vias, *item.vias]))
            words.append(Word(text=item.text, raw=item.text, line=word.line,
                              column=word.column, expands=_expands(item),
                              quoted=item.quoted, end_line=word.end_line, via=via))
    return words if changed else None


def _expands(item: Field) -> bool:
    from dockward.readers.specs import has_expansion

    return item.unresolved and has_expansion(item.text)


def expand_command(command: Command) -> Command:
    """``command`` with the arguments of its program expanded (itself when nothing changes)."""
    scope = command.scope
    argv = command.argv
    if scope is None or len(argv) < 2 or not any(
            "$" in w.raw or "`" in w.raw for w in argv[1:]):
        return command
    if command.expanded is None:
        command.expanded = _expanded(command, scope)
    return command.expanded


def _expanded(command: Command, scope: Scope) -> Command:
    argv = command.argv
    words: list[Word] = [*command.prefix, argv[0]]
    changed = False
    for index, word in enumerate(argv[1:], start=1):
        expanded = expand_word(word, scope) if len(words) < _MAX_WORDS else None
        if expanded is None:
            words.append(word)
            continue
        changed = True
        words.extend(expanded)
        if len(words) >= _MAX_WORDS:
            words.extend(argv[index + 1:])
            break
    if not changed:
        return command
    return Command(words=tuple(words), file=command.file, origin=command.origin,
                   argv_start=command.argv_start, variables=command.variables,
                   _program=command.program, scope=scope)


# --------------------------------------------------------------------------- heuristics

# A variable named like this holds options: ``$DOCKER_OPTS``, ``$RUN_ARGS``, ``$EXTRA``.
_OPTION_WORDS = frozenset({"OPT", "OPTS", "OPTION", "OPTIONS", "ARG", "ARGS", "ARGV",
                           "ARGUMENTS", "FLAG", "FLAGS", "PARAM", "PARAMS", "PARAMETERS",
                           "EXTRA", "SETTINGS", "SWITCHES"})
# ... and like this an image: ``$IMAGE``, ``${REGISTRY}/app``.
_IMAGE_WORDS = frozenset({"IMAGE", "IMAGES", "IMG", "TAG", "REPO", "REPOSITORY", "REGISTRY",
                          "NAME", "CONTAINER", "VERSION"})
_WHOLE_EXPANSION = re.compile(
    r"(?:\$\{\{[^}]*\}\}|\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_][A-Za-z0-9_]*|\$[@*]|`[^`]*`)+")
_ALL_ARGUMENTS = re.compile(r"\$(?:[@*]|\{[@*]\}|\{[A-Za-z_][A-Za-z0-9_]*\[[@*]\]\})")
_REFERENCE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _name_words(text: str) -> set[str]:
    words: set[str] = set()
    for name in _REFERENCE.findall(text):
        words.update(p for p in re.split(r"[_.]+", _CAMEL.sub("_", name).upper()) if p)
    return words


def hides_options(word: Word, following: Word | None) -> bool:
    """Whether an unresolved word where the options are may hold options (not the image).

    ``"${args[@]}"``, ``$@`` and variables named like options (``$DOCKER_OPTS``,
    ``$(RUN_FLAGS)``, ``${{ matrix.extra_args }}``) do, and so does any lone expansion
    followed by a flag (``docker run $X --rm img``); ``$IMAGE`` does not.
    """
    if not word.expands or not _WHOLE_EXPANSION.fullmatch(word.text):
        return False
    if _ALL_ARGUMENTS.search(word.text):
        return True
    names = _name_words(f"{word.text} {word.via}")
    if names & _IMAGE_WORDS:
        return False
    if names & _OPTION_WORDS:
        return True
    return following is not None and following.text.startswith("-") and following.text != "-"
