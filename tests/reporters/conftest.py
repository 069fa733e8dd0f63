"""Helpers shared by the reporter tests: the CLI, the SARIF schema, tool availability."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The OASIS SARIF 2.1.0 schema, vendored with its notice (tests/data/sarif/NOTICE.md) so the
# tests pass from a clone of the project alone.
SARIF_SCHEMA = Path(os.environ.get(
    "DOCKWARD_SARIF_SCHEMA", ROOT / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json"))


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Missing tools skip the test locally but fail it in CI, where they must be present."""
    if in_ci():
        pytest.fail(f"{reason} (required under CI=true)")
    pytest.skip(reason)


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1",
            "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run([sys.executable, "-m", "dockward", *args], capture_output=True,
                          text=True, cwd=cwd or ROOT, env={**base, **(env or {})}, timeout=120)


@pytest.fixture(scope="session")
def sarif_schema() -> dict[str, Any]:
    if not SARIF_SCHEMA.is_file():
        skip_or_fail(f"SARIF schema not found at {SARIF_SCHEMA}")
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
