"""Shared pytest setup: the real-engine harness is available to every test package."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.engine.harness"]


@pytest.fixture(autouse=True)
def _own_cache_home(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own cache home: scans never share a cache (or its secret) across
    tests, and nothing is written to the real home or the repository."""
    home = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("DOCKWARD_CACHE_DIR", raising=False)
    return home
