"""``dockward guard`` on the command line: bad input exits 2 before anything is served."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from dockward.cli.app import app

runner = CliRunner()


def test_check_policy_ok_and_bad(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('deny-at = "critical"\n[[exceptions]]\nrules = ["DW201"]\n'
                    'container = "traefik"\n')
    result = runner.invoke(app, ["guard", "check-policy", str(good)])
    assert result.exit_code == 0
    assert "ok (deny at critical and above, 0 denied route pattern(s), 1 exception(s))" \
        in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text('deny-at = "high"\ndeny-route = ["build"]\n')
    result = runner.invoke(app, ["guard", "check-policy", str(bad)])
    assert result.exit_code == 2
    assert "unknown key(s): deny-route" in result.output
    assert "Traceback" not in result.output


def _plugin(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dockward", "guard", "plugin", *args],
                          capture_output=True, text=True, timeout=60, check=False)


def test_plugin_refuses_to_start_without_a_valid_policy(tmp_path: Path) -> None:
    sock = tmp_path / "g.sock"
    result = _plugin("--socket", str(sock), "--policy", str(tmp_path / "missing.toml"))
    assert result.returncode == 2
    assert "policy file not found" in result.stderr and not sock.exists()
    broken = tmp_path / "broken.toml"
    broken.write_text("[[exceptions]]\nname = 'no rules'\n")
    result = _plugin("--socket", str(sock), "--policy", str(broken))
    assert result.returncode == 2 and "neither which rules nor which routes" in result.stderr


def test_plugin_refuses_a_socket_path_that_is_a_file(tmp_path: Path) -> None:
    target = tmp_path / "not-a-socket"
    target.write_text("keep me")
    result = _plugin("--socket", str(target))
    assert result.returncode == 2 and "is not a socket" in result.stderr
    assert target.read_text() == "keep me"


def test_plugin_refuses_an_unwritable_log(tmp_path: Path) -> None:
    result = _plugin("--socket", str(tmp_path / "g.sock"), "--log",
                     str(tmp_path / "no" / "dir" / "log.jsonl"))
    assert result.returncode == 2 and "cannot open the decision log" in result.stderr


def test_explain_documents_the_protocol_rules() -> None:
    result = runner.invoke(app, ["explain", "DW801"])
    assert result.exit_code == 0 and "CVE-2026-34040" in result.output
