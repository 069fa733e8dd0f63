"""The guard tests' own hygiene: a killed run's plugin spec file must not slow the next run."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.guard.helpers import SPEC_DIR, remove_stale_specs


@pytest.fixture
def spec_dir() -> Path:
    try:
        SPEC_DIR.mkdir(parents=True, exist_ok=True)
    except OSError:
        pytest.skip(f"{SPEC_DIR} cannot be created")
    if not os.access(SPEC_DIR, os.W_OK):
        pytest.skip(f"{SPEC_DIR} is not writable")
    return SPEC_DIR


def test_only_specs_of_dead_sockets_are_removed(spec_dir: Path, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:8]
    live_sock = tmp_path / "live.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(live_sock))
    listener.listen(1)
    gone_pid = subprocess.Popen(["true"])  # a process id that no longer runs
    gone_pid.wait()
    dead = spec_dir / f"dwguard-{gone_pid.pid}-{tag}.spec"
    live = spec_dir / f"dwguard-{gone_pid.pid}-live{tag}.spec"  # its socket answers
    paused = spec_dir / f"dwguard-{os.getpid()}-{tag}.spec"  # its run is alive
    other = spec_dir / f"someone-else-{tag}.spec"  # not ours: never touched
    try:
        gone = f"unix://{tmp_path}/gone.sock\n"
        dead.write_text(gone)
        live.write_text(f"unix://{live_sock}\n")
        paused.write_text(gone)
        other.write_text(gone)
        removed = remove_stale_specs()
        assert dead in removed and not dead.exists()
        assert all(p.exists() and p not in removed for p in (live, paused, other))
    finally:
        listener.close()
        for path in (dead, live, paused, other):
            path.unlink(missing_ok=True)
