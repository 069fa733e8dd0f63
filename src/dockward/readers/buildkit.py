"""BuildKit's Dockerfile parser, called once per file text, on a line budget.

Both the Dockerfile reader (stages, ARGs, USER) and the command extractor (docker lines in
``RUN``) need the instructions of the same file; the Go parser is the most expensive step
of reading a Dockerfile, so its result is kept for the few most recent texts.

The parser is quadratic in the length of one instruction: it grows the instruction's text
line by line, so a 200,000-line heredoc or a ``RUN`` continued over 160,000 lines takes
minutes (its cost is about lines x bytes of the instruction).  Before calling it, a linear
pre-scan measures every instruction (continuations and heredoc bodies included); one longer
than :data:`MAX_INSTRUCTION_LINES` lines is refused with :class:`InstructionTooLong`, which
bounds the parser's work to a few seconds for any file under the size limit.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

MAX_INSTRUCTION_LINES = 2_000
_ESCAPE_DIRECTIVE = re.compile(r"#\s*escape\s*=\s*(\S)", re.IGNORECASE)
_HEREDOC = re.compile(r"<<(-?)\s*([\"']?)([A-Za-z0-9_.\-]+)\2")
_HEREDOC_INSTRUCTIONS = ("RUN", "COPY", "ADD", "ONBUILD")


class InstructionTooLong(ValueError):
    """An instruction spans more lines than the parser can take in reasonable time."""

    def __init__(self, line: int, count: int) -> None:
        super().__init__(
            f"the instruction at line {line} spans {count:,} lines (heredoc or continuation), "
            f"over the {MAX_INSTRUCTION_LINES:,}-line limit for one instruction; the "
            "Dockerfile was not parsed")
        self.line = line
        self.count = count


@lru_cache(maxsize=8)
def parse_instructions(text: str) -> tuple[Any, ...]:
    """``dockerfile.parse_string(text)``; raises ``dockerfile.GoParseError`` as it does, and
    InstructionTooLong before parsing an instruction over the line budget."""
    import dockerfile

    start, count = longest_instruction(text)
    if count > MAX_INSTRUCTION_LINES:
        raise InstructionTooLong(start, count)
    return tuple(dockerfile.parse_string(text))


def longest_instruction(text: str) -> tuple[int, int]:
    """(first line, line count) of the instruction spanning the most lines: continuation
    lines and heredoc bodies count, as the parser reads them.  Linear in the text."""
    lines = text.split("\n")
    escape = _escape_char(lines)
    best = (0, 0)
    i, n = 0, len(lines)
    while i < n:
        line = lines[i].rstrip("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i
        head = stripped.split(None, 1)[0].upper()
        markers = []
        while True:
            if head in _HEREDOC_INSTRUCTIONS and "<<" in line:
                markers.extend(_HEREDOC.findall(line))
            if not line.rstrip().endswith(escape) or i + 1 >= n:
                break
            i += 1
            line = lines[i].rstrip("\r")
            while i + 1 < n and (not line.strip() or line.lstrip().startswith("#")):
                i += 1  # comment and blank lines inside a continuation are skipped
                line = lines[i].rstrip("\r")
        for strip_tabs, _quote, word in markers:
            while i + 1 < n:
                i += 1
                body = lines[i].rstrip("\r")
                if (body.lstrip("\t") if strip_tabs else body) == word:
                    break
        count = i - start + 1
        if count > best[1]:
            best = (start + 1, count)
        i += 1
    return best


def _escape_char(lines: list[str]) -> str:
    """The ``# escape=`` parser directive, if the file starts with one (else ``\\``)."""
    for line in lines[:8]:
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        match = _ESCAPE_DIRECTIVE.match(stripped)
        if match:
            return match.group(1)
    return "\\"
