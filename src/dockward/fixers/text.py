"""Positions in a text: 1-based line and column (as every Location has) to offsets, and back."""

from __future__ import annotations

import bisect


class TextIndex:
    """Line starts of a text, to turn a Location's line and column into an offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        position = text.find("\n")
        while position >= 0:
            self.starts.append(position + 1)
            position = text.find("\n", position + 1)
        self.newline = "\r\n" if "\r\n" in text else "\n"

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def offset(self, line: int, column: int) -> int:
        """Offset of 1-based ``line``:``column`` (clamped to the text)."""
        line = min(max(line, 1), len(self.starts))
        return min(self.starts[line - 1] + max(column, 1) - 1, len(self.text))

    def line_start(self, line: int) -> int:
        line = min(max(line, 1), len(self.starts))
        return self.starts[line - 1]

    def line_end(self, line: int) -> int:
        """Offset of the line break ending ``line`` (or the end of the text)."""
        if line >= len(self.starts):
            return len(self.text)
        end = self.starts[line] - 1
        return end - 1 if end > 0 and self.text[end - 1] == "\r" else end

    def next_line_start(self, line: int) -> int:
        """Where the line after ``line`` starts (the end of the text after the last one)."""
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def line_of(self, offset: int) -> int:
        """1-based line holding ``offset``."""
        return bisect.bisect_right(self.starts, offset)

    def line_text(self, line: int) -> str:
        return self.text[self.line_start(line):self.line_end(line)]

    def column_of(self, offset: int) -> int:
        return offset - self.starts[self.line_of(offset) - 1] + 1


def is_comment_line(line: str) -> bool:
    """A line that holds only a comment (``#`` after optional blanks)."""
    return line.lstrip().startswith("#")
