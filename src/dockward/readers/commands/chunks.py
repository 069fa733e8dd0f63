"""What the per-kind chunkers share: per-file state and building a mapped chunk.

Each ``chunks_<kind>`` module finds where shell text lives in one kind of file and cuts it
into :class:`CommandText` chunks whose ``text`` is exactly what a shell would see (prompts,
recipe prefixes, YAML indentation removed).  They all build chunks the same way, from
``(text, line, column)`` pieces joined by newlines, and may record simple variable
assignments (``DOCKER ?= podman``) in a :class:`FileState` so ``$DOCKER run`` resolves.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dockward.readers.commands.variables import MakeVariables
from dockward.readers.commands.words import CommandText, Span


@dataclass(slots=True)
class FileState:
    """Per-file facts shared by every command of the file: simple variable assignments
    (for the program name), and a Makefile's variables with make's rules."""

    variables: dict[str, str] = field(default_factory=dict)
    make: MakeVariables | None = None


def build_chunk(pieces: Iterable[tuple[str, int, int]], origin: str, file: str,
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
