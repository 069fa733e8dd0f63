"""Accounting: one JSON line per decision, completed with the response status.

A denied request is written at once (nothing follows it).  An allowed one waits for its
response (the plugin's ``AuthZRes``, the proxy's upstream answer) so that its line
carries the status, and is written without one after ``wait`` seconds (streams and
attached sessions answer only when they end) or when the guard stops.  Completed lines
of allowed requests are written in batches every ``batch`` seconds by a background
thread, which keeps the file write off the path of every API call.  Bodies are never
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
from collections import OrderedDict, deque
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

    def __init__(self, path: str | None, wait: float = 5.0, max_pending: int = 10_000,
                 batch: float = 0.05) -> None:
        self.path = path
        self.wait = wait
        self.batch = batch
        self._ready: deque[dict[str, Any]] = deque()  # appends and pops are atomic
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
            self._write([record])
            return
        overflow: list[dict[str, Any]] = []
        with self._lock:
            self._pending[record["id"]] = (time.monotonic(), key, record)
            self._by_key.setdefault(key, []).append(record["id"])
            while len(self._pending) > self.max_pending:
                overflow.append(self._pop_oldest())
        if overflow:
            self._write(overflow)

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
        self._ready.append(record)  # the flusher writes it
        return record

    def close(self) -> None:
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join(timeout=5)
        with self._lock:
            remaining = [self._pop_oldest() for _ in range(len(self._pending))]
        self._write(self._take_ready() + remaining)
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

    def _take_ready(self) -> list[dict[str, Any]]:
        ready: list[dict[str, Any]] = []
        with contextlib.suppress(IndexError):
            while True:
                ready.append(self._ready.popleft())
        return ready

    def _flush_loop(self) -> None:
        while not self._stop.wait(self.batch):
            cutoff = time.monotonic() - self.wait
            due: list[dict[str, Any]] = self._take_ready()
            with self._lock:
                while self._pending:
                    started = next(iter(self._pending.values()))[0]
                    if started > cutoff:
                        break
                    due.append(self._pop_oldest())
            self._write(due)

    def _write(self, records: list[dict[str, Any]]) -> None:
        fd = self._fd
        if fd is None or not records:
            return
        text = "".join(json.dumps(r, separators=(",", ":"), default=str) + "\n"
                       for r in records)
        with contextlib.suppress(OSError):
            os.write(fd, text.encode("utf-8", "replace"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
