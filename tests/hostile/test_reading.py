"""Files a hostile repository plants: FIFOs, links out of the tree, unreadable folders
(issue 17, "Hangs and memory", "Crashes", "Secrets printed in clear")."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockward.config import Config
from dockward.usecases.scan import scan_paths
from tests.hostile.helpers import open_folder, run_as_user, run_cli, text

PRIVILEGED = "services:\n  web:\n    image: nginx\n    privileged: true\n"


def _rows(path: Path, select: str = "DW000,DW101") -> list[tuple[str, str, int, str]]:
    result = scan_paths([str(path)], Config(select=select.split(",")))
    return [(os.path.relpath(os.path.abspath(f.location.file), path), f.code,
             f.location.line, f.message) for f in result.findings]


@pytest.fixture
def shared() -> Iterator[Path]:
    folder = open_folder()
    yield folder
    for p in folder.rglob("*"):
        if p.is_dir() and not p.is_symlink():
            p.chmod(0o755)
    shutil.rmtree(folder)


def test_fifo_named_explicitly_does_not_hang(tmp_path: Path) -> None:
    """``dockward scan path/Dockerfile`` where it is a FIFO: DW000 with no snippet, and the
    reporter never re-opens it (this used to hang forever)."""
    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    proc = run_cli("scan", str(fifo))
    out = text(proc)
    assert proc.returncode == 1, out
    assert "DW000" in out and "not a regular file" in out
    assert "|" not in proc.stdout.decode().split("DW000", 1)[1].split("\n")[1]


def test_link_out_of_the_tree_is_not_followed_or_printed(tmp_path: Path) -> None:
    """``Dockerfile -> /proc/self/environ`` inside a scanned folder: reported as skipped,
    its content never read or shown."""
    os.symlink("/proc/self/environ", tmp_path / "Dockerfile")
    (tmp_path / "compose.yaml").write_text(PRIVILEGED)
    proc = run_cli("scan", str(tmp_path), env={"CANARY_SECRET": "s3cr3t-canary-value"})
    out = text(proc)
    assert "s3cr3t-canary-value" not in out and "CANARY_SECRET" not in out
    rows = _rows(tmp_path)
    assert ("Dockerfile", "DW000", 1,
            "a link to a file outside the scanned folders; not followed") in rows
    assert ("compose.yaml", "DW101", 4) in [r[:3] for r in rows]


def test_links_inside_the_tree_are_followed(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "compose.yaml").write_text(PRIVILEGED)
    os.symlink("real/compose.yaml", tmp_path / "docker-compose.yml")
    assert sorted(r[:3] for r in _rows(tmp_path)) == [
        ("docker-compose.yml", "DW101", 4), ("real/compose.yaml", "DW101", 4)]


@pytest.mark.parametrize("target", ["/proc/self/environ", "/dev/zero", "/etc/hostname"])
def test_env_file_leaving_the_tree_is_not_read(tmp_path: Path, target: str) -> None:
    """``.env`` next to a compose file, linked out of the tree: its values would flow into
    messages through ``${VAR}``; it is not read."""
    os.symlink(target, tmp_path / ".env")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: nginx\n    volumes: ['${HOME:-/srv}:/data']\n")
    result = scan_paths([str(tmp_path)], Config(select=["DW202"]))
    assert [f.code for f in result.findings] == []  # ${HOME} unresolved, not from environ


def test_extends_file_outside_the_tree_is_refused(tmp_path: Path) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "base.yaml").write_text(PRIVILEGED)
    (tmp_path / "app" / "compose.yaml").write_text(
        "services:\n  web:\n    extends: {file: ../base.yaml, service: web}\n")
    result = scan_paths([str(tmp_path / "app")], Config(select=["DW000", "DW101"]))
    messages = [f.message for f in result.findings]
    assert any("outside the scanned folders" in m for m in messages), messages
    whole = scan_paths([str(tmp_path)], Config(select=["DW000", "DW101"]))
    assert {(Path(f.location.file).name, f.code) for f in whole.findings} == {
        ("base.yaml", "DW101")}


def test_unreadable_subfolder_is_dw000_and_the_rest_is_scanned(shared: Path) -> None:
    (shared / "compose.yaml").write_text(PRIVILEGED)
    locked = shared / "locked"
    locked.mkdir()
    (locked / "run.sh").write_text("docker run --privileged x\n")
    locked.chmod(0o700)
    proc = run_as_user("scan", str(shared), "--select", "DW000,DW101")
    out = text(proc)
    assert proc.returncode == 1 and "Traceback" not in out, out
    assert "cannot read folder: Permission denied" in out
    assert "DW101" in out


def test_unreadable_scanned_folder_and_config_lookup(shared: Path) -> None:
    """The folder named on the command line cannot be listed (0711) or entered (0700):
    DW000, not a traceback, and the config lookup passes over it."""
    locked = shared / "locked"
    locked.mkdir()
    (locked / "run.sh").write_text("docker run --privileged x\n")
    for mode, targets in ((0o711, [locked]), (0o700, [locked, locked / "run.sh"])):
        locked.chmod(mode)
        for target in targets:
            proc = run_as_user("scan", str(target))
            out = text(proc)
            assert "Traceback" not in out, out
            assert proc.returncode == 1 and "DW000" in out, out
            assert "Permission denied" in out


def test_stdin_over_the_size_limit_is_dw000(tmp_path: Path) -> None:
    (tmp_path / ".dockward.toml").write_text("max-file-size = 100\n")
    proc = run_cli("scan", "-", "--stdin-type", "shell", "--config",
                   str(tmp_path / ".dockward.toml"), stdin=b"docker run x\n" * 20)
    assert proc.returncode == 1 and b"over the 100 byte limit" in proc.stdout
