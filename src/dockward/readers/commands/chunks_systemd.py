"""systemd units: the command lines of ``ExecStart=`` and the other ``Exec*=`` settings.

:func:`systemd_exec_chunk` is shared with the daemon-evidence reader, which reads
``ExecStart=/usr/bin/dockerd -H ...`` lines in other file kinds too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockward.readers.base import SourceFile
from dockward.readers.commands.chunks import FileState, build_chunk
from dockward.readers.commands.words import CommandText

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
    return build_chunk(pieces, origin, file), i + 1


def systemd_chunks(src: SourceFile, state: FileState) -> Iterator[CommandText]:
    """One chunk per ``Exec*=`` line, continuation lines included."""
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
