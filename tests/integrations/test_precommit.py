"""The pre-commit hook, run by pre-commit itself (``pre-commit try-repo``) on a sample repo.

try-repo installs the hook's environment from a git repository, like a user's
``.pre-commit-config.yaml`` would.  A snapshot of the working tree (committed or not) is
made into a throwaway repository first, so the test checks the hook as it is on disk.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integrations.conftest import ROOT, require

pytestmark = pytest.mark.slow

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def _git(git: str, *args: str, cwd: Path) -> str:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), **GIT_ENV}
    return subprocess.run([git, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=True, timeout=120).stdout


def _snapshot(git: str, dest: Path) -> Path:
    """The repository's current files (tracked and new, minus ignored) as a fresh git repo."""
    listing = _git(git, "ls-files", "-z", "--cached", "--others", "--exclude-standard",
                   cwd=ROOT)
    for rel in filter(None, listing.split("\0")):
        src = ROOT / rel
        if not src.is_file():
            continue  # deleted in the working tree
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    _git(git, "init", "-q", "-b", "main", cwd=dest)
    _git(git, "add", "-A", cwd=dest)
    _git(git, "commit", "-q", "-m", "snapshot", cwd=dest)
    return dest


def test_pre_commit_try_repo(tmp_path: Path) -> None:
    git = require("git")
    pre_commit = require("pre-commit")
    hook_repo = _snapshot(git, tmp_path / "dockward-src")

    sample = tmp_path / "sample"
    sample.mkdir()
    (sample / "compose.yaml").write_text(
        "services:\n  agent:\n    image: alpine:3.20.0\n    privileged: true\n")
    (sample / "notes.md").write_text("# Notes\n\nNothing about containers here.\n")
    (sample / "values.yaml").write_text("replicas: 2\n")  # not a Docker file: not passed
    (sample / "app.py").write_text("print('hi')\n")
    _git(git, "init", "-q", "-b", "main", cwd=sample)
    _git(git, "add", "-A", cwd=sample)

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"), "NO_COLOR": "1",
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", **GIT_ENV}
    for key in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_TRUSTED_HOST", "HTTPS_PROXY",
                "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy"):
        if key in os.environ:
            env[key] = os.environ[key]

    def try_repo(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([pre_commit, "try-repo", str(hook_repo), "dockward", *extra],
                              cwd=sample, env=env, capture_output=True, text=True,
                              timeout=900)

    failing = try_repo("--all-files", "--verbose")
    out = failing.stdout + failing.stderr
    assert "Could not install" not in out and "An unexpected error" not in out, out
    assert failing.returncode == 1, out
    assert "dockward" in out and "Failed" in out
    assert "compose.yaml" in out and "DW101" in out
    assert "values.yaml" not in out  # generic YAML is filtered out by the hook
    assert "DW000" not in out

    passing = try_repo("--files", "notes.md", "app.py")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout or "Skipped" in passing.stdout
