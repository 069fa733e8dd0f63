"""dockward-inside.pyz: contents, reproducibility, and running it with a bare Python."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dockward.inside import zipapp
from tests.inside.helpers import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
PY38 = sorted(Path("/root/.pyenv/versions").glob("3.8.*/bin/python3.8"))
INTERPRETERS = [sys.executable] + [str(p) for p in PY38[-1:]]


def _roots(tree: str) -> list[str]:
    root = FIXTURES / tree
    return [f"--proc-root={root / 'proc'}", f"--sys-root={root / 'sys'}",
            f"--dev-root={root / 'dev'}", f"--fs-root={root}"]


def test_archive_holds_only_the_probe() -> None:
    data = zipapp.build_pyz_bytes()
    assert data.startswith(b"#!/usr/bin/env python3\n")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["__main__.py", "dockward/__init__.py",
                                 "dockward/inside/__init__.py",
                                 "dockward/inside/socket_probe.py",
                                 "dockward/inside/probe_parsers.py", "dockward/inside/probe.py"]
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}


def test_build_is_reproducible() -> None:
    assert zipapp.build_pyz_bytes() == zipapp.build_pyz_bytes()


def test_build_script_writes_dist(tmp_path: Path) -> None:
    out = tmp_path / "dockward-inside.pyz"
    res = subprocess.run([sys.executable, str(ROOT / "scripts/build_inside_pyz.py"),
                          "--output", str(out)], capture_output=True, text=True, check=True)
    assert str(out) in res.stdout
    assert out.read_bytes() == zipapp.build_pyz_bytes()
    assert out.stat().st_mode & 0o111


@pytest.mark.parametrize("python", INTERPRETERS)
def test_pyz_runs_isolated_without_site_packages(tmp_path: Path, python: str) -> None:
    pyz = zipapp.build_pyz(tmp_path / "dockward-inside.pyz")
    # -I -S: no user site, no site-packages, no PYTHONPATH: the standard library only
    res = subprocess.run([python, "-I", "-S", str(pyz), "--no-socket-probe", "--compact",
                          *_roots("v2-limited")], capture_output=True, text=True, check=True,
                         cwd=tmp_path)
    obs = json.loads(res.stdout)
    assert obs["schema"] == "dockward-inside/1"
    assert obs["cgroup"]["memory"]["limit"] == 268435456


@pytest.mark.parametrize("python", INTERPRETERS)
def test_bootstrap_source_runs_with_dash_c(python: str) -> None:
    res = subprocess.run([python, "-I", "-S", "-c", zipapp.bootstrap_source(), "--capsh",
                          *_roots("v1-limited")], capture_output=True, text=True, check=True)
    assert res.stdout.splitlines()[1] == (
        "Bounding set =cap_chown,cap_dac_override,cap_fowner,cap_fsetid,cap_kill,cap_setgid,"
        "cap_setuid,cap_setpcap,cap_net_bind_service,cap_net_raw,cap_sys_chroot,cap_mknod,"
        "cap_audit_write,cap_setfcap")
