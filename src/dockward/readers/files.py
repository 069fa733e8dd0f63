"""Reading files defensively: type, place, size, binary and encoding checks before any parser.

A scanned repository is not trusted.  Whatever a reader opens (a scanned file, the ``.env``
next to a compose file, an override file, an ``extends.file``, the Dockerfile a build
points at) goes through :func:`read_bytes`:

- only regular files are read, checked on the open descriptor (opened non-blocking, so a
  FIFO or a device named like a Dockerfile can neither hang the scan nor feed it endless
  data);
- a link that leaves the scanned roots (``Dockerfile -> /proc/self/environ``) is not
  followed: the roots are set for the duration of a scan by :func:`scan_scope`, and only
  paths named on the command line may point anywhere;
- at most the size limit is read.

Every failure becomes a :class:`ParseProblem` (reported as DW000) for that file; nothing here
raises, so one bad file never stops a scan.

Encodings: UTF-8 with or without a BOM everywhere; UTF-16 and UTF-32 with a BOM for the YAML
kinds (compose, Kubernetes, CI YAML), which the consuming tools read; any other encoding is
named in the DW000 message.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import stat
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from dockward.discovery import Candidate, kind_from_content
from dockward.models.location import Location
from dockward.readers.base import ParseProblem, SourceFile

log = logging.getLogger(__name__)

# Kinds read as YAML, whose consumers (docker compose, kubectl, CI runners) accept UTF-16
# and UTF-32 with a byte-order mark.
YAML_KINDS = frozenset({"compose", "k8s", "ci-yaml", "yaml", "json"})
_BOMS: tuple[tuple[bytes, str, str], ...] = (  # longest first: UTF-32 LE starts like UTF-16 LE
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32 BE"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)
OUTSIDE_ROOTS = "a link to a file outside the scanned folders; not followed"
NOT_REGULAR = "not a regular file (FIFO, device, socket or folder); not read"


class Refused(Exception):
    """A file that is not read, and why (for a DW000 message or a reader's problem)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- texts that stand in for files --------------------------------------------------------

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


def overlay_active() -> bool:
    """True inside :func:`overlay`: some texts exist only in this process's memory."""
    return bool(_OVERLAY.get())


# --- what a scan looked at, for the cache -------------------------------------------------

# What the files read so far looked at besides their own bytes ((probe, path, limit) -> what
# was seen), while a scan that caches its results records it: a cached result is reused
# only while every one of these is still the same (see dockward.scanning.cache).
_SEEN: ContextVar[dict[tuple[str, str, int], str] | None] = ContextVar(
    "dockward_seen", default=None)


@contextmanager
def recording() -> Iterator[dict[tuple[str, str, int], str]]:
    """Within the block, every :func:`is_regular_file` and :func:`read_bytes` is noted in
    the dict yielded."""
    seen: dict[tuple[str, str, int], str] = {}
    token = _SEEN.set(seen)
    try:
        yield seen
    finally:
        _SEEN.reset(token)


def _note(kind: str, path: str | os.PathLike[str], limit: int, outcome: str) -> None:
    seen = _SEEN.get()
    if seen is not None:
        seen[(kind, os.fspath(path), limit)] = outcome


def probe(kind: str, path: str, limit: int = 0) -> str:
    """What :func:`is_regular_file` (``kind`` "is_file") or :func:`read_bytes` ("read",
    "read-anywhere") would see now, as a short string: how a recorded look is checked
    again."""
    if kind == "is_file":
        return "yes" if is_regular_file(path) else "no"
    try:
        return _digest(read_bytes(path, limit, anywhere=kind == "read-anywhere"))
    except Refused as exc:
        return f"refused: {exc.reason}"


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _stand_in(path: str | os.PathLike[str]) -> bytes | None:
    texts = _OVERLAY.get()
    return texts.get(os.path.abspath(path)) if texts else None


def read_file(path: str | Path, limit: int) -> bytes:
    """Up to ``limit`` bytes of a file, or its stand-in text; raises OSError like open()."""
    found = _stand_in(path)
    if found is not None:
        return found[:limit]
    with open(path, "rb") as fh:
        return fh.read(limit)


# --- where a scan may read ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Scope:
    """The real paths a scan may read below (empty: anywhere, for library use)."""

    roots: tuple[str, ...] = ()

    def contains(self, path: str | os.PathLike[str]) -> bool:
        if not self.roots:
            return True
        try:
            real = os.path.realpath(path)
        except (OSError, ValueError):
            return False
        return any(real == root or real.startswith(root.rstrip(os.sep) + os.sep)
                   for root in self.roots)


_SCOPE: ContextVar[Scope | None] = ContextVar("dockward_read_scope", default=None)
_ANYWHERE = Scope()


def current_scope() -> Scope:
    return _SCOPE.get() or _ANYWHERE


def roots_of(paths: list[str]) -> tuple[str, ...]:
    """The folders a scan of ``paths`` may read in: each folder named, and the folder of
    each file named (the ``.env``, overrides and Dockerfiles next to it)."""
    roots: list[str] = []
    for p in paths:
        if p == "-":
            continue
        try:
            folder = p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))
            roots.append(os.path.realpath(folder))
        except (OSError, ValueError):
            continue
    return tuple(dict.fromkeys(roots))


@contextmanager
def scan_scope(paths: list[str]) -> Iterator[Scope]:
    """Restrict every read to the scanned roots while the block runs."""
    scope = Scope(roots_of(paths) or (os.path.realpath(os.sep + "nonexistent-root"),))
    token = _SCOPE.set(scope)
    try:
        yield scope
    finally:
        _SCOPE.reset(token)


# --- reading -----------------------------------------------------------------------------

def read_bytes(path: str | os.PathLike[str], max_size: int, *, anywhere: bool = False,
               limit_name: str = "max-file-size") -> bytes:
    """At most ``max_size`` bytes of a regular file inside the scope; raises Refused.

    ``anywhere`` lifts the scope check (a path the user named on the command line).  A file
    with a stand-in text (``dockward fix`` re-scanning its edits) reads as that text.
    Noted while :func:`recording`.
    """
    if _SEEN.get() is None:
        return _read_bytes(path, max_size, anywhere, limit_name)
    kind = "read-anywhere" if anywhere else "read"
    try:
        data = _read_bytes(path, max_size, anywhere, limit_name)
    except Refused as exc:
        _note(kind, path, max_size, f"refused: {exc.reason}")
        raise
    _note(kind, path, max_size, _digest(data))
    return data


def _read_bytes(path: str | os.PathLike[str], max_size: int, anywhere: bool,
                limit_name: str) -> bytes:
    if not anywhere and not current_scope().contains(path):
        raise Refused(OUTSIDE_ROOTS)
    found = _stand_in(path)
    if found is not None:
        if len(found) > max_size:
            raise Refused(_too_big(len(found), max_size))
        return found
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise Refused(f"cannot read file: {_os_reason(exc)}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(NOT_REGULAR)
        if st.st_size > max_size:
            raise Refused(_too_big(st.st_size, max_size, limit_name))
        chunks: list[bytes] = []
        left = max_size + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise Refused(f"cannot read file: {_os_reason(exc)}") from None
    finally:
        os.close(fd)
    if len(data) > max_size:  # /proc and friends report a size of 0
        raise Refused(_too_big(len(data), max_size, limit_name))
    return data


def is_regular_file(path: str | os.PathLike[str]) -> bool:
    """``os.path.isfile`` that never raises (EACCES on a folder above included); noted while
    :func:`recording` (readers ask it about files other than the one they read: a build's
    Dockerfile, a compose override)."""
    try:
        found = stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        found = False
    _note("is_file", path, 0, "yes" if found else "no")
    return found


def read_source(candidate: Candidate, root_display: Callable[[Path], str], max_size: int,
                ) -> tuple[SourceFile | None, list[ParseProblem]]:
    """Read one file defensively: place, type, size, binary and encoding checks first."""
    display, data, problems = read_checked(candidate, root_display(candidate.path), max_size)
    if data is None:
        return None, problems
    return decode_source(data, str(candidate.path), display, candidate.kind, candidate.explicit)


def read_checked(candidate: Candidate, display: str, max_size: int
                 ) -> tuple[str, bytes | None, list[ParseProblem]]:
    """The bytes of one file after the place, type and size checks (None when it is not
    read) and the problems found: the half of :func:`read_source` before decoding, so a
    scan can look its result up in the cache by the bytes' hash first."""
    loc = Location(file=display, line=1, column=1, path="")
    if candidate.problem:
        return display, None, [ParseProblem(loc, candidate.problem)]
    try:
        data = read_bytes(candidate.path, max_size, anywhere=candidate.explicit)
    except Refused as exc:
        if exc.reason == NOT_REGULAR and not candidate.explicit:
            return display, None, []  # a FIFO or socket met in a walk is not a file to scan
        return display, None, [ParseProblem(loc, exc.reason)]
    return display, data, []


def decode_source(data: bytes, path: str, display: str, kind: str | None, explicit: bool
                  ) -> tuple[SourceFile | None, list[ParseProblem]]:
    """Turn bytes into a SourceFile, settling content-dependent kinds."""
    loc = Location(file=display, line=1, column=1)
    bom = _bom(data)
    yaml_like = kind in YAML_KINDS
    if bom is not None and bom[0] != "utf-8" and not yaml_like:
        if kind in (None, "maybe-script") and not explicit:
            return None, []
        return None, [ParseProblem(loc, f"encoded as {bom[1]} (byte-order mark); this kind of "
                                        "file is read as UTF-8, as Docker and the shell read "
                                        "it; skipped")]
    if bom is None and b"\x00" in data[:8192]:
        if kind in (None, "maybe-script", "yaml", "json") and not explicit:
            return None, []
        return None, [ParseProblem(loc, f"binary file (contains NUL bytes{_utf16_hint(data)}); "
                                        "skipped")]
    if kind == "maybe-script":
        kind = kind_from_content(kind, data[:128])
        if kind is None:
            return None, []
    text, problems = decode_text(data, display)
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


def decode_text(data: bytes, display: str) -> tuple[str, list[ParseProblem]]:
    """Text of ``data`` by its BOM (UTF-8 without one); undecodable bytes are replaced and
    reported with their line."""
    bom = _bom(data)
    codec, name = (bom[0], bom[1]) if bom else ("utf-8", "UTF-8")
    body = data[len(_BOM_BYTES[codec]):] if bom else data
    try:
        return body.decode(codec), []
    except UnicodeDecodeError as exc:
        text = body.decode(codec, errors="replace")
        line = text[: _char_offset(body, exc.start, codec)].count("\n") + 1
        where = Location(file=display, line=line, column=1)
        return text, [ParseProblem(where, f"not valid {name} (byte 0x{body[exc.start]:02x} at "
                                          f"offset {exc.start + len(data) - len(body)}); "
                                          "undecodable bytes were replaced and the rest was "
                                          "scanned")]


_BOM_BYTES = {codec: bom for bom, codec, _name in _BOMS}


def _bom(data: bytes) -> tuple[str, str] | None:
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return codec, name
    return None


def _char_offset(body: bytes, byte_offset: int, codec: str) -> int:
    return len(body[:byte_offset].decode(codec, errors="replace"))


def _utf16_hint(data: bytes) -> str:
    """UTF-16 without a BOM has a NUL in every other byte of ASCII text."""
    head = data[:4096]
    if len(head) >= 8 and (head[1::2].count(0) > 0.9 * len(head[1::2])
                           or head[0::2].count(0) > 0.9 * len(head[0::2])):
        return "; UTF-16 without a byte-order mark? save it as UTF-8"
    return ""


def _too_big(size: int, max_size: int, limit_name: str = "max-file-size") -> str:
    mb = size / (1024 * 1024)
    return (f"file is {mb:.1f} MB, over the {max_size / (1024 * 1024):g} MB limit "
            f"({limit_name}); skipped")


def _os_reason(exc: OSError) -> str:
    if exc.errno == 40:  # ELOOP
        return "symlink loop"
    return exc.strerror or str(exc)
