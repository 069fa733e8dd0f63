"""Several private engines at once: started concurrently (each dockerd spends most of its
start-up waiting), stopped together, skipped (or failed under CI=true) as one."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.engine.harness import (
    EngineUnavailable,
    PrivateEngine,
    engine_unavailable_reason,
    skip_or_fail,
)


def _start(eng: PrivateEngine, busybox: bool) -> PrivateEngine:
    eng.start()
    if busybox:
        eng.import_busybox()
    return eng


@contextlib.contextmanager
def private_engines(specs: list[tuple[tuple[str, ...], dict[str, Any]]], busybox: bool = False,
                    ) -> Iterator[list[PrivateEngine]]:
    """Start one engine per ``(dockerd args, PrivateEngine kwargs)`` concurrently."""
    reason = engine_unavailable_reason()
    if reason:
        skip_or_fail(reason)
    engines = [PrivateEngine(*args, **kwargs) for args, kwargs in specs]
    try:
        with ThreadPoolExecutor(max_workers=len(engines)) as pool:
            list(pool.map(lambda e: _start(e, busybox), engines))
    except EngineUnavailable as exc:
        _stop_all(engines)
        skip_or_fail(str(exc))
    except BaseException:
        _stop_all(engines)
        raise
    try:
        yield engines
    finally:
        _stop_all(engines)


def _stop_all(engines: list[PrivateEngine]) -> None:
    with ThreadPoolExecutor(max_workers=max(1, len(engines))) as pool:
        list(pool.map(lambda e: e.stop(), engines))
