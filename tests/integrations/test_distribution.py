"""Packaging: a wheel that carries the HTML templates, an isolated install that works (what
``pipx install .`` does), and dockward's own Dockerfile, which dockward scans clean."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.integrations.conftest import ROOT, dockward, in_ci

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        import build  # noqa: F401
    except ImportError:
        if in_ci():
            pytest.fail("the 'build' package is required under CI=true")
        pytest.skip("the 'build' package is not installed (pip install build)")
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out),
                           str(ROOT)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    (found,) = out.glob("dockward-*.whl")
    return found


def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("dockward/reporters/templates/report.html.j2",
                     "dockward/reporters/templates/report.css",
                     "dockward/reporters/templates/report.js",
                     "dockward/reporters/sarif.py", "dockward/py.typed"):
        assert required in names, required
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "dockward = dockward.cli.entry:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_isolated_install_runs(wheel: Path, tmp_path: Path) -> None:
    """An application venv with only the wheel, as pipx makes one."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, symlinks=True).create(env_dir)
    pip = subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q",
                          "--disable-pip-version-check", str(wheel)],
                         capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-3000:]
    exe = env_dir / "bin" / "dockward"
    assert subprocess.run([str(exe), "--version"], capture_output=True, text=True,
                          check=True).stdout.startswith("dockward ")
    fixture = ROOT / "tests" / "reporters" / "fixtures" / "project"
    out = tmp_path / "r.html"
    scan = subprocess.run([str(exe), "scan", str(fixture), "-f", "html", "-o", str(out)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300,
                          env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)})
    assert scan.returncode == 1, scan.stderr
    assert "DW201" in out.read_text()


def test_own_dockerfile_is_hardened_and_scans_clean(tmp_path: Path) -> None:
    text = (ROOT / "Dockerfile").read_text()
    froms = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert len(froms) >= 2  # multi-stage
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}$", text,
                     re.MULTILINE)
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and not users[-1].startswith(("root", "0"))
    assert not re.search(r"(?i)(password|secret|token|api_key)\s*=", text)
    proc = dockward("scan", "Dockerfile", "--fail-on", "info", "-f", "json", cwd=ROOT)
    assert proc.returncode == 0, proc.stdout


def test_pre_commit_hook_definition() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "dockward" and hook["entry"] == "dockward scan"
    assert hook["language"] == "python"
    assert set(hook["types_or"]) >= {"dockerfile", "yaml", "shell", "markdown"}
    assert "files" not in hook  # every YAML goes in: dockward skips what it does not read


def test_hook_passes_yaml_that_is_not_ours(tmp_path: Path) -> None:
    """pre-commit hands over every staged YAML file; the ones dockward does not read must
    neither fail the commit nor be reported."""
    (tmp_path / ".pre-commit-config.yaml").write_text("repos: []\n")
    (tmp_path / "values.yaml").write_text("replicaCount: 1\nimage:\n  tag: latest\n")
    (tmp_path / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostPID: true\n"
        "  containers: [{name: c, image: busybox}]\n")
    quiet = dockward("scan", ".pre-commit-config.yaml", "values.yaml", "-f", "json",
                     cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert json.loads(quiet.stdout)["findings"] == []
    caught = dockward("scan", "pod.yaml", "--select", "DW104", "-f", "json", cwd=tmp_path)
    assert caught.returncode == 1
    assert [(f["code"], f["line"]) for f in json.loads(caught.stdout)["findings"]] == [
        ("DW104", 5)]


def test_action_scan_step(tmp_path: Path) -> None:
    """Run the action's scan script as a runner would, with dockward on PATH."""
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {"paths", "fail-on", "format", "sarif-file"} <= set(action["inputs"])
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "scan")
    assert "${{" not in step["run"]  # inputs only through env: no script injection
    fixture = ROOT / "tests" / "reporters" / "fixtures" / "project"
    output = tmp_path / "github_output"
    env = {"PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
           "HOME": str(tmp_path), "GITHUB_OUTPUT": str(output), "GITHUB_ACTIONS": "true",
           "DW_PATHS": f"{fixture}/compose.yaml\n{fixture}/scripts", "DW_FAIL_ON": "critical",
           "DW_FORMAT": "github", "DW_SARIF": str(tmp_path / "out.sarif"), "DW_BASELINE": "",
           "DW_ARGS": "--select DW1,DW2"}
    proc = subprocess.run(["bash", "-c", step["run"]], env=env, capture_output=True,
                          text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stderr
    assert "::error file=" in proc.stdout
    assert (tmp_path / "out.sarif").is_file()
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert outputs == {"sarif-file": str(tmp_path / "out.sarif"), "exit-code": "1"}


def test_shell_completion(tmp_path: Path) -> None:
    """typer's completion: the script installs, and completes commands and options."""
    exe = Path(sys.executable).parent / "dockward"  # completion is keyed on the program name
    if not exe.is_file():
        pytest.skip("the dockward console script is not installed beside this Python")

    def run(*args: str, **env: str) -> str:
        return subprocess.run([str(exe), *args], capture_output=True, text=True, cwd=tmp_path,
                              env={"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path),
                                   **env}, timeout=60).stdout

    assert "complete -o default -F _dockward_completion dockward" in run("--show-completion",
                                                                         "bash")
    words = run(_DOCKWARD_COMPLETE="complete_bash", COMP_WORDS="dockward ins", COMP_CWORD="1")
    assert words.split() == ["inside", "install-docker-plugin"]
    option = run(_DOCKWARD_COMPLETE="complete_bash", COMP_WORDS="dockward scan --base",
                 COMP_CWORD="2")
    assert option.split() == ["--baseline"]
