"""The command line as a user runs it: exit codes, formats, stdin, lazy start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str | None = None, cwd: Path | None = None,
        env_columns: str | None = None) -> subprocess.CompletedProcess[str]:
    columns = {"COLUMNS": env_columns} if env_columns else {}
    return subprocess.run(
        [sys.executable, "-m", "dockward", *args], input=stdin, capture_output=True, text=True,
        cwd=cwd or ROOT, timeout=120,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1",
             "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"],  # the test's own (conftest)
             **columns},
    )


def test_version_does_not_import_the_docker_sdk() -> None:
    code = ("import sys\nfrom dockward.cli.app import app\n"
            "try:\n    app(['--version'])\nexcept SystemExit:\n    pass\n"
            "print('docker' in sys.modules, 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False False"
    assert out.stdout.startswith("dockward ")


def test_version_imports_nothing_but_dockward_itself() -> None:
    """The executable answers --version before the command line (typer) is imported."""
    code = ("import sys\nsys.argv = ['dockward', '--version']\n"
            "from dockward.cli.entry import main\nmain()\n"
            "print(sorted(m for m in sys.modules if m.startswith(('dockward', 'typer', 'click',"
            " 'rich'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0] == "dockward 0.1.0"
    assert lines[-1] == "['dockward', 'dockward.cli', 'dockward.cli.entry']"


def _modules_after_scan(*args: str) -> set[str]:
    """The modules a ``dockward scan`` run imported, stdout not a terminal (a pre-commit
    hook, a CI log)."""
    code = ("import json, sys\n"
            f"sys.argv = ['dockward', 'scan', *{list(args)!r}]\n"
            "from dockward.cli.entry import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120, env={**os.environ, "NO_COLOR": ""})
    assert "finding" in out.stdout, out.stdout + out.stderr
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_scan_of_one_file_imports_only_what_it_needs(tmp_path: Path) -> None:
    """Not the other commands, not rich (plain text off a terminal), not the docker SDK, not
    the process pool, and not the rules of other models (daemon, swarm, guard)."""
    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  web:\n    image: nginx\n    privileged: true\n")
    for extra in (["--no-cache"], ["--cache-dir", str(tmp_path / "cache")],
                  ["--cache-dir", str(tmp_path / "cache")]):  # the last is answered by it
        mods = _modules_after_scan(*extra, str(compose))
        assert "dockward.cli.scan_cmd" in mods
        unwanted = sorted(m for m in mods if m.split(".")[0] in ("rich", "docker", "click",
                                                                   "multiprocessing")
                          or m in ("concurrent.futures", "importlib.metadata")
                          or m.startswith(("dockward.cli.audit", "dockward.cli.guard",
                                           "dockward.cli.inside", "dockward.cli.tighten",
                                           "dockward.cli.report", "dockward.cli.plugin",
                                           "dockward.cli.rules", "dockward.guard",
                                           "dockward.tighten", "dockward.inside",
                                           "dockward.rules.dw6", "dockward.rules.dw8")))
        assert unwanted == []
    assert not any(m.startswith("dockward.rules.dw") for m in mods)  # all from the cache


def test_exit_1_on_findings_and_0_when_below_fail_on(tmp_path: Path) -> None:
    f = tmp_path / "compose.yaml"
    f.write_text("services:\n  web:\n    image: nginx\n    ports: ['80:80']\n    user: '1000'\n"
                 "    read_only: true\n    cap_drop: [ALL]\n    security_opt: [no-new-privileges]\n"
                 "    mem_limit: 1g\n    cpus: 1\n    pids_limit: 100\n")
    low = run("scan", str(f), "--select", "DW205")
    assert low.returncode == 1, low.stdout + low.stderr
    assert "DW205" in low.stdout
    assert run("scan", str(f), "--select", "DW205", "--fail-on", "medium").returncode == 0
    assert run("scan", str(f), "--select", "DW205", "--exit-zero").returncode == 0


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = run("scan", str(tmp_path / "nope"))
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    bad_sev = run("scan", str(tmp_path), "--fail-on", "urgent")
    assert bad_sev.returncode == 2 and "unknown severity" in bad_sev.stderr
    bad_fmt = run("scan", str(tmp_path), "--format", "xml")
    assert bad_fmt.returncode == 2 and "unknown format" in bad_fmt.stderr
    no_type = run("scan", "-", stdin="x")
    assert no_type.returncode == 2 and "--stdin-type" in no_type.stderr
    (tmp_path / ".dockward.toml").write_text("selekt = []\n")
    bad_cfg = run("scan", str(tmp_path))
    assert bad_cfg.returncode == 2 and "unknown key(s): selekt" in bad_cfg.stderr


def test_stdin_with_type_and_json_output() -> None:
    out = run("scan", "-", "--stdin-type", "shell", "--stdin-filename", "demo.sh",
              "--select", "DW104", "--format", "json",
              stdin="#!/bin/sh\n\ndocker run --pid=host alpine ps\n")
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert data["schema"] == "dockward-report/1"
    assert [(f["code"], f["file"], f["line"]) for f in data["findings"]] == [
        ("DW104", "demo.sh", 3)]


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    out = run("scan", "-", "--stdin-type", "shell", "--select", "DW104", "-f", "json",
              "-o", str(target), stdin="docker run --pid=host alpine\n")
    assert out.returncode == 1 and out.stdout == ""
    assert json.loads(target.read_text())["summary"]["total"] == 1


def test_rules_json_lists_metadata() -> None:
    out = run("rules", "--format", "json")
    assert out.returncode == 0
    rules = {r["code"]: r for r in json.loads(out.stdout)}
    assert rules["DW201"]["name"] == "runtime-socket-mounted"
    assert rules["DW201"]["severity"] == "critical"
    assert rules["DW201"]["model"] == "Workload"
    assert rules["DW201"]["references"]
    assert {"DW000", "DW001", "DW101", "DW303", "DW601"} <= set(rules)


@pytest.mark.parametrize("key", ["DW303", "no-pids-limit"])
def test_explain_by_code_or_name(key: str) -> None:
    out = run("explain", key)
    assert out.returncode == 0
    assert out.stdout.startswith("# DW303 no-pids-limit")
    for heading in ("## Why it matters", "## Bad", "## Good", "## Fix", "## References"):
        assert heading in out.stdout


def test_explain_unknown_rule() -> None:
    out = run("explain", "DW999")
    assert out.returncode == 2 and "no rule" in out.stderr


def test_help_lists_every_command_though_they_load_lazily() -> None:
    """The commands are imported when they run (cli/lazy.py); ``--help`` still lists each,
    in order, with the first line of its help, and a typo still gets a suggestion."""
    out = run("--help", env_columns="200")
    assert out.returncode == 0, out.stderr
    names = ["scan", "fix", "audit", "rules", "explain", "inside", "tighten",
             "install-docker-plugin", "report", "guard"]
    rows = [line.strip("│ ").split()[0] for line in out.stdout.splitlines()
            if line.startswith("│ ") and not line.startswith("│ -")]
    assert rows == names
    assert "│ audit                  Audit live Docker hosts: daemon, socket" in out.stdout
    assert "│ guard                  Block dangerous Docker API requests" in out.stdout
    typo = run("scna")
    assert typo.returncode == 2
    assert "No such command 'scna'. Did you mean 'scan'?" in typo.stderr
    sub = run("guard", "--help", env_columns="200")
    assert "check-policy" in sub.stdout and "--install-completion" not in sub.stdout
