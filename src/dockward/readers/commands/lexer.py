"""A tolerant shell lexer: simple commands, logical line breaks and nested scripts.

We use our own lexer rather than bashlex by default: bashlex is a faithful parser but costs
about 10 µs per character (a scan of a documentation tree would spend seconds in it), and it
gives up on the half-finished snippets documentation is full of (``<hostname>``
placeholders, unbalanced quotes, ``...``).  This lexer understands what matters for finding
argv words (quotes, escapes, ``$(..)``, ``${..}``, backticks, operators, redirections,
comments, heredocs, continuations) and never raises.  It knows nothing of files or
positions: it works on offsets into one text, and :mod:`.split` maps its tokens to
:class:`~dockward.readers.commands.words.Word` values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_MAX_NESTING = 100  # brackets inside quotes inside brackets, when matching them

_BLANK = " \t\r\f\v"
_WORD_RUN = re.compile(r"[^\s'\"\\$`;&|()<>]+")
_PLAIN_END = frozenset(" \t\r\f\v\n;&|)")  # what ends a plain word (not `(`: arrays)
_BLANK_RUN = re.compile(r"[ \t\r\f\v]+")
_DQ_RUN = re.compile(r"[^\"\\$`]+")
_PLACEHOLDER = re.compile(r"<[A-Za-z_%][^\s<>|;&()]*>")
_FD_REDIRECT = re.compile(r"\d+(?=[<>])")
_ARRAY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")  # before `(`: an array assignment
_OPERATORS = ("&&", "||", ";;&", ";;", ";&", "|&", "&", "|", ";", "(", ")")
_REDIRECTS = ("<<<", "<<-", "<<", "&>>", "&>", ">>", ">&", "<&", "<>", ">|", ">", "<")


@dataclass(slots=True)
class Budget:
    """Bracket-matching steps left for one chunk, shared by its nested lexers."""

    left: int


def budget_for(length: int) -> int:
    """Ordinary shell needs a few steps per character even with nesting; hostile input
    (thousands of unclosed ``"$(``) would need quadratically many, and gets cut off."""
    return 16 * length + 4096


@dataclass(slots=True)
class Token:
    """One word as ``text[start:end]``, its value after quote removal and its flags.

    Offsets only: :mod:`.split` turns a token into a positioned ``Word``.
    """

    start: int
    end: int
    text: str
    expands: bool
    quoted: bool


@dataclass(slots=True, eq=False)
class _Simple:
    """The tokens of one simple command and the heredoc bodies it announced."""

    words: list[Token] = field(default_factory=list)
    heredocs: list[tuple[int, int]] = field(default_factory=list)  # body ranges


@dataclass(slots=True)
class _Pending:
    """A heredoc announced on the current line; its body starts after the newline."""

    delimiter: str
    strip_tabs: bool
    owner: _Simple


class Lexer:
    """A tolerant shell lexer over ``text[start:end]``: simple commands and line breaks.

    It never raises: an unbalanced quote is read as a literal character, an unclosed
    ``$(`` runs to the end.  Command substitutions are remembered as ranges so that the
    commands inside them are found too.
    """

    def __init__(self, text: str, start: int, end: int, placeholders: bool,
                 make: bool = False, budget: Budget | None = None) -> None:
        self.text = text
        self.pos = start
        self.end = end
        self.placeholders = placeholders
        self.make = make  # Makefile recipe: $(VAR) is a make variable, not a substitution
        self.commands: list[_Simple] = []
        self.nested: dict[tuple[int, int], None] = {}  # ordered set: retries add no copies
        self.breaks: list[int] = []  # offsets of top-level newlines ending a logical line
        self.continuations: list[int] = []
        self.comments: list[int] = []  # offsets of the '#' that starts each comment
        self._current = _Simple()
        self._pending: list[_Pending] = []
        self._nesting = 0  # of "$(...)" inside quotes inside "$(...)": bounded, never a crash
        self._matched: dict[tuple[int, str], int] = {}  # unclosed brackets are scanned once
        # Bracket matching rescans text when brackets stay unclosed; on hostile input
        # (thousands of `"$(`) that is quadratic, so it runs on a budget linear in the text.
        self._budget = budget if budget is not None else Budget(budget_for(end - start))

    # -- driver ---------------------------------------------------------------------------

    def run(self) -> Lexer:
        text, end = self.text, self.end
        while self.pos < end:
            c = text[self.pos]
            if c in _BLANK:
                blanks = _BLANK_RUN.match(text, self.pos, end)
                self.pos = blanks.end() if blanks else self.pos + 1
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
                self.comments.append(self.pos)
                newline = text.find("\n", self.pos, end)
                self.pos = end if newline < 0 else newline
            elif c in ";&|()" and self._operator():
                continue
            elif (c in "<>&" or c.isdecimal()) and self._redirect():
                continue  # (a redirection starts with one of these, or with an fd number)
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

    def _word(self) -> Token:
        text, end = self.text, self.end
        start = self.pos
        # Most words are one run of ordinary characters up to a blank or an operator:
        # one regex match, no loop per character.  Anything else (quotes, expansions, a
        # `(` that may open an array, a `<` or `>`, a blank that is not ASCII) is read
        # by the full loop below from the word's start.
        plain = _WORD_RUN.match(text, start, end)
        if plain is not None:
            stop = plain.end()
            if stop >= end or text[stop] in _PLAIN_END:
                self.pos = stop
                return Token(start, stop, plain.group(), False, False)
        parts: list[str] = []
        expands = quoted = False
        while self.pos < end:
            c = text[self.pos]
            if c == "(" and not quoted and not expands and _ARRAY_NAME.fullmatch(
                    text, start, self.pos):
                # `args=(--privileged -v /:/host)`: a bash array assignment is one word
                close = self._match(self.pos, "(", ")")
                parts.append(text[self.pos:close])
                self.pos = close
                break
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
        return Token(start, self.pos, "".join(parts), expands, quoted)

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
