"""Helpers for integration tests that drive dockward the way users and other tools do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(tool: str, *extra_dirs: Path) -> str:
    """The path of ``tool``; skip when missing, but fail under CI=true where it must exist."""
    search = os.pathsep.join([str(Path(sys.executable).parent), *map(str, extra_dirs),
                              os.environ.get("PATH", "")])
    found = shutil.which(tool, path=search)
    if found is None:
        reason = f"{tool} is not installed"
        if in_ci():
            pytest.fail(f"{reason} (required under CI=true)")
        pytest.skip(reason)
    return found


def dockward(*args: str, cwd: Path, env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1",
            "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run([sys.executable, "-m", "dockward", *args], capture_output=True,
                          text=True, cwd=cwd, env={**base, **(env or {})}, timeout=120)
