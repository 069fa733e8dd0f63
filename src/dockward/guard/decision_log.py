"""Accounting: one JSON line per decision, completed with the response status.

A denied request is written at once (nothing follows it).  An allowed one waits for its
response (the plugin's ``AuthZRes``, the proxy's upstream answer) so that its line
carries the status, and is written without one after ``wait`` seconds (streams and
attached sessions answer only when they end) or when the guard stops.  Bodies are never
logged: a SHA-256 and a size identify them; query values that can hold secrets
(``buildargs``) are redacted.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from datetime import UTC, datetime
from typing import Any

from dockward.secrets import classify_value, redact

_SECRET_QUERY_KEYS = {"buildargs", "registryauth"}


def safe_query(query: dict[str, str]) -> dict[str, str]:
    """Query parameters fit for a log: build args and registry auth only by name."""
    out: dict[str, str] = {}
    for key, value in query.items():
        if key.lower() in _SECRET_QUERY_KEYS:
            try:
                names = sorted(json.loads(value or "{}"))
                out[key] = "{" + ", ".join(f"{n}=***" for n in names) + "}"
            except (ValueError, TypeError):
                out[key] = "***"
        else:
            out[key] = redact(value) if classify_value(value) else value
    return out


class DecisionLog:
    """Writes decision records as JSON lines to a file, stdout (``-``) or nowhere."""

    def __init__(self, path: str | None, wait: float = 5.0, max_pending: int = 10_000) -> None:
        self.path = path
        self.wait = wait
        self.max_pending = max_pending
        self._fd: int | None = None
        if path == "-":
            self._fd = sys.stdout.fileno()
        elif path:
            self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC,
                               0o600)
        self._lock = threading.Lock()
        self._pending: OrderedDict[int, tuple[float, Hashable, dict[str, Any]]] = OrderedDict()
        self._by_key: dict[Hashable, list[int]] = {}
        self._next = 0
        self._stop = threading.Event()
        self._flusher: threading.Thread | None = None
        if self._fd is not None:
            self._flusher = threading.Thread(target=self._flush_loop, name="dockward-log",
                                             daemon=True)
            self._flusher.start()

    @property
    def enabled(self) -> bool:
        return self._fd is not None

    def new_id(self) -> int:
        with self._lock:
            self._next += 1
            return self._next

    def decided(self, record: dict[str, Any], key: Hashable | None = None) -> None:
        """Record a decision; with a ``key`` it waits for :meth:`responded`."""
        if self._fd is None:
            return
        record.setdefault("time", _now())
        if key is None:
            self._write(record)
            return
        overflow: list[dict[str, Any]] = []
        with self._lock:
            self._pending[record["id"]] = (time.monotonic(), key, record)
            self._by_key.setdefault(key, []).append(record["id"])
            while len(self._pending) > self.max_pending:
                overflow.append(self._pop_oldest())
        for old in overflow:
            self._write(old)

    def responded(self, key: Hashable, status: int | None, **extra: Any) -> dict[str, Any] | None:
        """Complete the oldest pending decision with ``key``; returns its record."""
        if self._fd is None:
            return None
        with self._lock:
            ids = self._by_key.get(key)
            if not ids:
                return None
            ident = ids.pop(0)
            if not ids:
                del self._by_key[key]
            entry = self._pending.pop(ident, None)
        if entry is None:
            return None
        record = entry[2]
        record["status"] = status
        record.update(extra)
        self._write(record)
        return record

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            remaining = [self._pop_oldest() for _ in range(len(self._pending))]
        for record in remaining:
            self._write(record)
        if self._fd is not None and self.path not in (None, "-"):
            os.close(self._fd)
        self._fd = None

    def _pop_oldest(self) -> dict[str, Any]:
        ident, (_, key, record) = self._pending.popitem(last=False)
        ids = self._by_key.get(key)
        if ids and ident in ids:
            ids.remove(ident)
            if not ids:
                del self._by_key[key]
        record.setdefault("status", None)
        return record

    def _flush_loop(self) -> None:
        while not self._stop.wait(min(1.0, max(self.wait / 2, 0.05))):
            cutoff = time.monotonic() - self.wait
            due: list[dict[str, Any]] = []
            with self._lock:
                while self._pending:
                    started = next(iter(self._pending.values()))[0]
                    if started > cutoff:
                        break
                    due.append(self._pop_oldest())
            for record in due:
                self._write(record)

    def _write(self, record: dict[str, Any]) -> None:
        fd = self._fd
        if fd is None:
            return
        line = json.dumps(record, separators=(",", ":"), default=str) + "\n"
        with contextlib.suppress(OSError):
            os.write(fd, line.encode("utf-8", "replace"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
