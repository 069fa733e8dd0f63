"""The value notations Docker settings are written in, read the same way by every reader.

Memory sizes (``256m``, ``1g``, ``512MiB``), CPU counts, integers, Go durations (``1m30s``)
and the booleans compose users write as strings (``"true"``, ``yes``, ``on``).  Each parser
returns None for text it cannot read, so a reader can report the setting as unreadable
rather than guess.
"""

from __future__ import annotations

import math
import re


def parse_bytes(value: object) -> int | None:
    """Docker's memory notation (``256m``, ``1g``, ``512MiB``, ``1024``) into bytes."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip().lower().replace(" ", "")
    if not text:
        return None
    units = {
        "": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2,
        "mib": 1024**2, "g": 1024**3, "gb": 1024**3, "gib": 1024**3, "t": 1024**4,
        "tb": 1024**4, "tib": 1024**4,
    }
    num = text.rstrip("kmgtib")
    unit = text[len(num):]
    if unit not in units:
        return None
    try:
        return int(float(num) * units[unit])
    except (ValueError, OverflowError):  # '.inf', '1e999', 'nan'
        return None


def parse_float(value: object) -> float | None:
    """A finite number (``1.5``, ``"2"``); None for text, infinities and NaN."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_int(value: object) -> int | None:
    """A whole number written as an int or as text (``"100"``)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def parse_bool(value: object) -> bool | None:
    """YAML and CLI booleans, including the strings compose users write (``"true"``)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1", "y"):
        return True
    if text in ("false", "no", "off", "0", "n", ""):
        return False
    return None


_DURATION_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
                   "m": 60_000_000_000, "h": 3_600_000_000_000}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def parse_duration(value: object) -> int | None:
    """A Go duration (``30s``, ``1m30s``, ``500ms``) as nanoseconds, as the docker CLI and
    compose read ``--health-interval``/``interval:``; a bare number is seconds."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value * 1_000_000_000)
    text = str(value).strip()
    if not text:
        return None
    try:
        return int(float(text) * 1_000_000_000)
    except ValueError:
        pass
    total = 0.0
    pos = 0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _DURATION_UNITS[match.group(2)]
        pos = match.end()
    return int(total) if pos == len(text) else None
