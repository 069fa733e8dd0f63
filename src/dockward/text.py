"""Text as dockward counts and shows it: lines end at ``\\n`` only, and what reaches a
human is escaped.

Every reader, the suppression comments and the snippet a reporter shows must agree on
what "line 12" is.  Python's ``str.splitlines`` also breaks at a lone ``\\r``, form feed,
``\\x1c``-``\\x1e``, ``\\x85``, U+2028 and U+2029, so one of those in a comment would shift
every line after it; editors, git and the consuming tools count ``\\n`` (a ``\\r\\n`` pair is
one line end).  :class:`LineIndex` and :func:`split_lines` count that way.

A scanned file is not trusted: its text reaches terminals, CI logs and PR comments through
snippets, messages and file names.  :func:`visible` is the one escaping used by every
human-facing format, so control characters (a terminal escape that clears the screen or
retitles the window) and Unicode bidi overrides ("Trojan Source") are shown as ``\\x1b`` or
``\\u202e`` instead of acting.
"""

from __future__ import annotations

import bisect
import logging
import re

# C0 and C1 controls (tab kept), DEL, bidi embeddings/overrides/isolates and marks, the
# line/paragraph separators, a stray BOM, interlinear annotations, and lone surrogates.
_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ufeff\ufff9-\ufffb\udc80-\udcff]")
MAX_SHOWN_LINE = 160  # characters of one source line a reporter shows


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def visible(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control characters and bidi overrides escaped (``\\x1b``, ``\\u202e``).

    ``keep_newlines`` keeps ``\\n`` (for multi-line messages in formats that allow them).
    Undecodable bytes carried as surrogates (``os.fsdecode`` of a non-UTF-8 file name)
    become ``\\xNN`` too, so every writer can encode the result as UTF-8.
    """
    if not text:
        return text
    if keep_newlines:
        parts = text.split("\n")
        last = len(parts) - 1
        return "\n".join(
            _UNSAFE.sub(_escape, part[:-1]) + "\r"
            if i < last and part.endswith("\r") else _UNSAFE.sub(_escape, part)
            for i, part in enumerate(parts))
    return _UNSAFE.sub(_escape, text)


def cut(text: str, limit: int = MAX_SHOWN_LINE) -> str:
    """At most ``limit`` characters, with ``...`` when cut (before any per-line work)."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def split_lines(text: str) -> list[str]:
    """Lines ended by ``\\n`` (a ``\\r`` before it is dropped); nothing else ends a line."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


class LineIndex:
    """Offsets <-> 1-based (line, column) for one text, counting ``\\n`` only."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos >= 0:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self._starts = starts

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, max(offset, 0))

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of ``text[offset]``."""
        offset = max(0, min(offset, len(self._text)))
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def offset(self, line: int, column: int = 1) -> int | None:
        """The offset of 1-based (line, column), or None outside the text."""
        if not 1 <= line <= len(self._starts):
            return None
        pos = self._starts[line - 1] + max(column, 1) - 1
        return pos if pos <= len(self._text) else None

    def line(self, number: int) -> str:
        """The text of line ``number`` without its line end ('' outside the text)."""
        if not 1 <= number <= len(self._starts):
            return ""
        start = self._starts[number - 1]
        end = self._starts[number] - 1 if number < len(self._starts) else len(self._text)
        text = self._text[start:end]
        return text[:-1] if text.endswith("\r") else text


class EscapingFormatter(logging.Formatter):
    """Log lines on stderr go through :func:`visible` too (they name scanned files)."""

    def format(self, record: logging.LogRecord) -> str:
        return visible(super().format(record), keep_newlines=True)
