"""Fixtures for the guard: a guarded private engine shared by a module's tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.engine.harness import (
    EngineUnavailable,
    PrivateEngine,
    engine_unavailable_reason,
    skip_or_fail,
)
from tests.guard.helpers import GuardedEngine, guarded_engine


def _factory() -> tuple[Callable[..., Any], list[PrivateEngine]]:
    engines: list[PrivateEngine] = []

    def make(*args: str, busybox: bool = False, **kw: Any) -> PrivateEngine:
        eng = PrivateEngine(*args, **kw)
        engines.append(eng)
        try:
            eng.start()
            if busybox:
                eng.import_busybox()
        except EngineUnavailable as exc:
            eng.stop()
            skip_or_fail(str(exc))
        return eng

    return make, engines


@pytest.fixture(scope="module")
def guarded() -> Iterator[GuardedEngine]:
    """One dockerd behind ``dockward guard plugin`` (default policy) for a test module."""
    reason = engine_unavailable_reason()
    if reason:
        skip_or_fail(reason)
    make, engines = _factory()
    try:
        with guarded_engine(make) as g:
            yield g
    finally:
        for eng in engines:
            eng.stop()


@pytest.fixture
def guard(guarded: GuardedEngine) -> Iterator[GuardedEngine]:
    """The module's guarded engine; containers and volumes a test leaves are removed."""
    before = set(guarded.engine.container_ids())
    volumes = set(guarded.engine.volume_names())
    yield guarded
    if guarded.plugin.poll() is None:
        guarded.engine.remove_containers(
            c for c in guarded.engine.container_ids() if c not in before)
        guarded.engine.remove_volumes(v for v in guarded.engine.volume_names()
                                      if v not in volumes)
