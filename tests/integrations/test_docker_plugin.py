"""``docker ward ...`` through the real docker CLI, after ``dockward install-docker-plugin``."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.integrations.conftest import ROOT, dockward, require

FIXTURE = ROOT / "tests" / "reporters" / "fixtures" / "project"


def _docker(docker: str, *args: str, config: Path, cwd: Path | None = None,
            use_env: bool = True) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(config.parent),
           "NO_COLOR": "1", "DOCKER_CLI_HINTS": "false"}
    if use_env:
        env["DOCKER_CONFIG"] = str(config)
    return subprocess.run([docker, *args], capture_output=True, text=True, env=env,
                          cwd=cwd or ROOT, timeout=120)


@pytest.fixture
def plugin_config(tmp_path: Path) -> Path:
    config = tmp_path / "docker-config"
    proc = dockward("install-docker-plugin", "--dir", str(config / "cli-plugins"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    plugin = config / "cli-plugins" / "docker-ward"
    assert plugin.is_file() and os.access(plugin, os.X_OK)
    return config


def test_plugin_answers_metadata(plugin_config: Path) -> None:
    out = subprocess.run([str(plugin_config / "cli-plugins" / "docker-ward"),
                          "docker-cli-plugin-metadata"], capture_output=True, text=True,
                         check=True, timeout=30)
    meta = json.loads(out.stdout)
    assert meta["SchemaVersion"] == "0.1.0" and meta["Vendor"] == "dockward"
    assert meta["Version"] and meta["ShortDescription"]


def test_docker_ward_runs_dockward(plugin_config: Path) -> None:
    docker = require("docker", Path("/usr/local/bin"), Path("/usr/bin"))
    version = _docker(docker, "ward", "--version", config=plugin_config)
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith("dockward ")
    listed = _docker(docker, "--help", config=plugin_config)
    assert "ward" in listed.stdout and "dockward" in listed.stdout
    scan = _docker(docker, "ward", "scan", str(FIXTURE), "--format", "json",
                   config=plugin_config)
    assert scan.returncode == 1, scan.stderr  # the fixture has critical findings
    report = json.loads(scan.stdout)
    assert report["command"] == "scan"
    assert {f["code"] for f in report["findings"]} >= {"DW101", "DW201"}
    # --config instead of DOCKER_CONFIG works the same
    via_flag = _docker(docker, "--config", str(plugin_config), "ward", "--version",
                       config=plugin_config, use_env=False)
    assert via_flag.returncode == 0 and via_flag.stdout.startswith("dockward ")


def test_install_refuses_to_replace_a_foreign_plugin(tmp_path: Path) -> None:
    folder = tmp_path / "cli-plugins"
    folder.mkdir()
    (folder / "docker-ward").write_text("#!/bin/sh\necho someone else\n")
    refused = dockward("install-docker-plugin", "--dir", str(folder), cwd=tmp_path)
    assert refused.returncode == 2 and "not written by dockward" in refused.stderr
    forced = dockward("install-docker-plugin", "--dir", str(folder), "--force", cwd=tmp_path)
    assert forced.returncode == 0
    again = dockward("install-docker-plugin", "--dir", str(folder), cwd=tmp_path)
    assert again.returncode == 0  # our own plugin is updated in place


def test_default_folder_follows_docker_config(tmp_path: Path) -> None:
    proc = dockward("install-docker-plugin", cwd=tmp_path,
                    env={"DOCKER_CONFIG": str(tmp_path / "cfg")})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "cfg" / "cli-plugins" / "docker-ward").is_file()


@pytest.mark.parametrize(("args", "expected"), [
    (["ward", "scan", "."], "|||scan ."),
    (["-H", "ssh://me@host", "ward", "audit"], "ssh://me@host|||audit"),
    (["--host=tcp://h:2376", "--tlsverify", "ward", "audit"], "tcp://h:2376||1|audit"),
    (["--context", "prod", "-D", "--config", "/c", "ward", "audit", "--format", "json"],
     "|prod||audit --format json"),
    (["-c", "ward", "ward", "audit"], "|ward||audit"),  # an option value named 'ward'
])
def test_plugin_strips_docker_global_options(tmp_path: Path, args: list[str],
                                             expected: str) -> None:
    from dockward.cli.plugin_cmd import plugin_script

    text = plugin_script()
    exec_line = next(line for line in text.splitlines() if line.startswith("exec "))
    probe = tmp_path / "docker-ward"
    probe.write_text(text.replace(exec_line, 'printf "%s|%s|%s|%s\\n" "$DOCKER_HOST" '
                                  '"$DOCKER_CONTEXT" "$DOCKER_TLS_VERIFY" "$*"'))
    probe.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run([str(probe), *args], capture_output=True, text=True, env=env,
                         check=True, timeout=30)
    assert out.stdout.strip() == expected
