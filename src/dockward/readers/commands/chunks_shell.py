"""Shell scripts: the whole file is one chunk, mapped line by line."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.readers.base import SourceFile
from dockward.readers.commands.chunks import FileState, build_chunk
from dockward.readers.commands.words import CommandText


def shell_chunks(src: SourceFile, state: FileState) -> Iterator[CommandText]:
    """One chunk for the whole script (``state`` is unused: shell assignments are read
    from the lexed commands, in :func:`~dockward.readers.commands.extract.iter_commands`)."""
    lines = src.text.split("\n")
    chunk = build_chunk(((line.rstrip("\r"), i, 1) for i, line in enumerate(lines, start=1)),
                        "shell", src.display)
    if chunk is not None:
        yield chunk
