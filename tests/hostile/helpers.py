"""Running dockward as a user would, for the hostile-input tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str | bytes, cwd: Path | None = None, stdin: bytes | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """``python -m dockward ARGS`` in a subprocess; output kept as bytes (file names and
    escaped control characters are asserted byte for byte)."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1",
            "HOME": os.environ.get("HOME", "/tmp"), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "dockward", *args], capture_output=True,
                          cwd=cwd or ROOT, input=stdin, env={**base, **(env or {})},
                          timeout=300)


def text(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
