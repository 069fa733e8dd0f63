"""Bad input gives a clear DW000 finding and never stops the rest of the scan."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dockward.config import Config
from dockward.usecases.scan import scan_paths

GOOD = "services:\n  web:\n    image: nginx\n    privileged: true\n"


def _scan(tmp_path: Path) -> list[tuple[str, str, int, str]]:
    result = scan_paths([str(tmp_path)], Config(select=["DW000", "DW101"]))
    return [(Path(f.location.file).name, f.code, f.location.line, f.message)
            for f in result.findings]


def _good(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(GOOD)


def _codes(rows: list[tuple[str, str, int, str]]) -> list[tuple[str, str, int]]:
    return [(n, c, line) for n, c, line, _ in rows]


def test_malformed_yaml(tmp_path: Path) -> None:
    _good(tmp_path)
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    image: [x\n")
    rows = _scan(tmp_path)
    assert ("compose.yaml", "DW101", 4) in _codes(rows)
    bad = [r for r in rows if r[0] == "docker-compose.yml"]
    assert len(bad) == 1 and bad[0][1] == "DW000"
    assert bad[0][2] >= 3  # the line the parser stopped at


def test_yaml_alias_bomb(tmp_path: Path) -> None:
    _good(tmp_path)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    lines.append("services:\n  web:\n    image: x\n    labels: *a11")
    (tmp_path / "bomb.compose.yaml").write_text("\n".join(lines) + "\n")
    rows = _scan(tmp_path)
    assert ("compose.yaml", "DW101", 4) in _codes(rows)
    bad = [r for r in rows if r[0] == "bomb.compose.yaml"]
    assert [r[1] for r in bad] == ["DW000"]
    assert "alias" in bad[0][3].lower()


def test_huge_file(tmp_path: Path) -> None:
    _good(tmp_path)
    with open(tmp_path / "big.sh", "wb") as fh:
        fh.write(b"# " + b"x" * (50 * 1024 * 1024) + b"\n")
    rows = _scan(tmp_path)
    assert ("compose.yaml", "DW101", 4) in _codes(rows)
    big = [r for r in rows if r[0] == "big.sh"]
    assert len(big) == 1 and "50.0 MB" in big[0][3] and "limit" in big[0][3]


def test_binary_file_named_like_a_dockerfile(tmp_path: Path) -> None:
    _good(tmp_path)
    (tmp_path / "Dockerfile").write_bytes(b"\x7fELF\x00\x00\x01\x02" * 100)
    rows = _scan(tmp_path)
    assert ("compose.yaml", "DW101", 4) in _codes(rows)
    assert [(r[0], r[1]) for r in rows if r[0] == "Dockerfile"] == [("Dockerfile", "DW000")]
    assert "binary" in next(r for r in rows if r[0] == "Dockerfile")[3]


def test_invalid_utf8_is_reported_and_rest_of_file_scanned(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_bytes(
        b"# caf\xe9\nservices:\n  web:\n    image: nginx\n    privileged: true\n")
    rows = _scan(tmp_path)
    assert ("compose.yaml", "DW101", 5) in _codes(rows)
    bad = [r for r in rows if r[1] == "DW000"]
    assert len(bad) == 1 and bad[0][2] == 1 and "UTF-8" in bad[0][3]


def test_symlink_loop(tmp_path: Path) -> None:
    _good(tmp_path)
    os.symlink("b.sh", tmp_path / "a.sh")
    os.symlink("a.sh", tmp_path / "b.sh")
    rows = _scan(tmp_path)
    assert ("compose.yaml", "DW101", 4) in _codes(rows)
    loops = [r for r in rows if r[1] == "DW000"]
    assert sorted(r[0] for r in loops) == ["a.sh", "b.sh"]
    assert all("symlink loop" in r[3] for r in loops)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file; see the chmod-000 test below")
def test_unreadable_file_as_user(tmp_path: Path) -> None:  # pragma: no cover - non-root only
    _good(tmp_path)
    f = tmp_path / "run.sh"
    f.write_text("docker run --privileged x\n")
    f.chmod(0)
    rows = _scan(tmp_path)
    assert ("compose.yaml", "DW101", 4) in _codes(rows)
    assert [r[1] for r in rows if r[0] == "run.sh"] == ["DW000"]


def test_unreadable_file_even_as_root(tmp_path: Path) -> None:
    """A FIFO named like a script cannot be read as a file: reported, not hung on."""
    _good(tmp_path)
    os.mkfifo(tmp_path / "pipe.sh")
    rows = _scan(tmp_path)
    assert ("compose.yaml", "DW101", 4) in _codes(rows)
    assert [r[0] for r in rows if r[1] == "DW000"] == []  # skipped silently in a walk
    explicit = scan_paths([str(tmp_path / "pipe.sh")], Config(select=["DW000"]))
    assert [f.code for f in explicit.findings] == ["DW000"]
    assert "not a regular file" in explicit.findings[0].message


def test_permission_error_as_a_real_user() -> None:
    """EACCES for real: the scan runs as an unprivileged user (setpriv when we are root)."""
    import shutil

    from tests.hostile.helpers import open_folder, run_as_user

    folder = open_folder()
    try:
        _good(folder)
        target = folder / "run.sh"
        target.write_text("docker run --privileged x\n")
        target.chmod(0)
        proc = run_as_user("scan", str(folder), "--select", "DW000,DW101", "-f", "csv")
        rows = sorted((r[3].rsplit("/", 1)[-1], r[1], r[8]) for r in
                      (line.split(",") for line in proc.stdout.decode().splitlines()[1:]))
        assert [(name, code) for name, code, _ in rows] == [("compose.yaml", "DW101"),
                                                            ("run.sh", "DW000")]
        assert rows[1][2] == "cannot read file: Permission denied"
    finally:
        shutil.rmtree(folder)
