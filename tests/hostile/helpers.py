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
                          timeout=120)


def text(proc: subprocess.CompletedProcess[bytes]) -> str:
    return proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")


def run_as_user(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    """The CLI as an unprivileged user: ``setpriv`` to nobody when the tests run as root,
    so permission errors are real rather than mocked."""
    import shutil

    import pytest

    if os.geteuid() != 0:
        return run_cli(*args, cwd=cwd)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("setpriv (util-linux) is needed to drop root for this test")
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "NO_COLOR": "1", "HOME": "/tmp",
            "PYTHONIOENCODING": "utf-8", "PYTHONPATH": str(ROOT / "src"),
            "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                           sys.executable, "-m", "dockward", *args], capture_output=True,
                          cwd=cwd or "/", env=base, timeout=120)


def open_folder(prefix: str = "dockward-") -> Path:
    """A fresh folder under the system temp dir that an unprivileged user can enter (pytest's
    own tmp_path sits below a 0700 folder of root's); the caller removes it."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    return folder
