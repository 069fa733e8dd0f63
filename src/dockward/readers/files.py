"""Reading files defensively: size, type, binary and encoding checks before any parser.

Every failure becomes a :class:`ParseProblem` (reported as DW000) for that file; nothing here
raises, so one bad file never stops a scan.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from dockward.discovery import Candidate, kind_from_content
from dockward.models.location import Location
from dockward.readers.base import ParseProblem, SourceFile

log = logging.getLogger(__name__)

# Texts that stand in for files on disk (absolute path -> bytes): ``dockward fix`` edits in
# memory and re-scans its edits before writing anything (and ``--diff`` never writes).
_OVERLAY: ContextVar[Mapping[str, bytes] | None] = ContextVar("dockward_overlay", default=None)


@contextmanager
def overlay(texts: Mapping[str, str]) -> Iterator[None]:
    """Within the block, reading a file named in ``texts`` (by path) returns that text."""
    token = _OVERLAY.set({os.path.abspath(p): t.encode("utf-8") for p, t in texts.items()})
    try:
        yield
    finally:
        _OVERLAY.reset(token)


def read_file(path: str | Path, limit: int) -> bytes:
    """Up to ``limit`` bytes of a file, or its stand-in text; raises OSError like open()."""
    texts = _OVERLAY.get()
    if texts:
        found = texts.get(os.path.abspath(path))
        if found is not None:
            return found[:limit]
    with open(path, "rb") as fh:
        return fh.read(limit)


def read_source(candidate: Candidate, root_display: Callable[[Path], str], max_size: int,
                ) -> tuple[SourceFile | None, list[ParseProblem]]:
    """Read one file defensively: size, type, binary and encoding checks come first."""
    path = candidate.path
    display = root_display(path)
    loc = Location(file=display, line=1, column=1, path="")
    try:
        st = path.stat()
    except OSError as exc:
        return None, [ParseProblem(loc, f"cannot read file: {_os_reason(exc)}")]
    if not path.is_file():
        if candidate.explicit:
            return None, [ParseProblem(loc, "not a regular file (device, socket or folder)")]
        return None, []
    if st.st_size > max_size:
        mb = st.st_size / (1024 * 1024)
        return None, [ParseProblem(loc, f"file is {mb:.1f} MB, over the {max_size // (1024 * 1024)}"
                                   " MB limit (max-file-size); skipped")]
    try:
        data = read_file(path, max_size + 1)
    except OSError as exc:
        return None, [ParseProblem(loc, f"cannot read file: {_os_reason(exc)}")]
    return decode_source(data, str(path), display, candidate.kind, candidate.explicit)


def decode_source(data: bytes, path: str, display: str, kind: str | None, explicit: bool
                  ) -> tuple[SourceFile | None, list[ParseProblem]]:
    """Turn bytes into a SourceFile, settling content-dependent kinds."""
    loc = Location(file=display, line=1, column=1)
    problems: list[ParseProblem] = []
    if b"\x00" in data[:8192]:
        if kind in (None, "maybe-script", "yaml", "json") and not explicit:
            return None, []
        return None, [ParseProblem(loc, "binary file (contains NUL bytes); skipped")]
    if kind == "maybe-script":
        kind = kind_from_content(kind, data[:128])
        if kind is None:
            return None, []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = data.decode("utf-8-sig", errors="replace")
        problems.append(ParseProblem(
            Location(file=display, line=line, column=1),
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "undecodable bytes were replaced and the rest was scanned"))
    if kind == "json":
        kind = kind_from_content("json", b"", text)
        if kind is None:
            return None, problems  # package.json and friends: not ours, not a problem
    if kind == "yaml" or kind is None:
        kind = kind_from_content("yaml", b"", text)
        if kind is None:
            if explicit:  # e.g. a pre-commit hook passing .pre-commit-config.yaml: not ours
                log.info("%s: not a file kind dockward reads (Dockerfile, compose, "
                         "Kubernetes, script, Markdown, CI YAML); skipped", display)
            return None, problems
    return SourceFile(path=path, display=display, text=text, kind=kind), problems


def _os_reason(exc: OSError) -> str:
    if exc.errno == 40:  # ELOOP
        return "symlink loop"
    return exc.strerror or str(exc)
