"""Writing reports and baselines: atomically, never over an input, whatever the file names.

A report is written to a temporary file next to the target and renamed over it, so a crash
or a full disk never leaves half a report where a CI step expects a whole one (a SARIF
upload of a truncated file fails in confusing ways).  A target that is not a regular file
(``-o /dev/stdout``, a FIFO) is written in place.  Writing over a file the same run has
read (``scan compose.yaml -o compose.yaml``) is refused: that is data loss, never intent.

File names that are not UTF-8 reach findings as surrogate escapes (``os.fsdecode``); the
writers use ``errors="backslashreplace"`` so they come out as ``\\udcff`` (in JSON, a valid
escape) rather than crash the writer.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from typing import TextIO

ENCODING_ERRORS = "backslashreplace"


class WriteRefused(Exception):
    """The target may not be written (it is an input of this run, or cannot be written)."""


def write_atomically(path: str, render: Callable[[TextIO], object], *,
                     protected: Iterable[str] = (), what: str = "report") -> None:
    """Render into ``path`` through a temporary file and a rename; raises WriteRefused."""
    from dockward.text import visible

    shown = visible(path)
    real = os.path.realpath(path)
    if real in {os.path.realpath(p) for p in protected}:
        raise WriteRefused(f"refusing to write the {what} over {shown}: this run read it "
                           "as input")
    try:
        st: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise WriteRefused(f"cannot write {shown}: {exc.strerror or exc}") from None
    try:
        if st is not None and not stat.S_ISREG(st.st_mode):
            with open(real, "w", encoding="utf-8", errors=ENCODING_ERRORS,
                      newline="\n") as fh:
                render(fh)
            return
        _replace(real, render, st)
    except OSError as exc:
        raise WriteRefused(f"cannot write {shown}: {exc.strerror or exc}") from None


def _replace(real: str, render: Callable[[TextIO], object], st: os.stat_result | None) -> None:
    folder = os.path.dirname(real) or "."
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(real)}.", suffix=".tmp",
                               dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors=ENCODING_ERRORS,
                       newline="\n") as fh:
            render(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
