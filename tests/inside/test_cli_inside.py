"""``dockward inside``: output formats, --from-json, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockward.cli.app import app
from dockward.inside import probe
from tests.inside.helpers import FIXTURES, set_status, tree_roots, variant

runner = CliRunner()


def _saved(tmp_path: Path, tree: Path) -> Path:
    out = tmp_path / "obs.json"
    obs = probe.observe(**tree_roots(tree), probe_sockets=False, environ={})
    out.write_text(json.dumps(obs))
    return out


def _net_admin_tree(tmp_path: Path) -> Path:
    status = set_status((FIXTURES / "v1-unlimited/proc/self/status").read_text(),
                        CapEff="0000000000001000", CapPrm="0000000000001000",
                        CapBnd="0000000000001000")
    return variant(tmp_path, "v1-unlimited", {"proc/self/status": status})


def test_text_report_starts_with_the_attackers_view(tmp_path: Path) -> None:
    obs = _saved(tmp_path, _net_admin_tree(tmp_path))
    res = runner.invoke(app, ["inside", "--from-json", str(obs), "--no-color"])
    assert res.exit_code == 1, res.output
    lines = res.output.splitlines()
    assert lines[1] == "  Current: cap_net_admin=ep"
    assert lines[2] == "  Bounding set =cap_net_admin"
    assert "dropped: cap_chown," in lines[5]
    assert "DW103" not in res.output
    [caps] = [line for line in lines if " DW102 " in line]
    assert "medium" in caps


def test_json_report_subjects_and_codes(tmp_path: Path) -> None:
    obs = _saved(tmp_path, FIXTURES / "v2-limited")
    res = runner.invoke(app, ["inside", "--from-json", str(obs), "-f", "json"])
    data = json.loads(res.stdout)
    assert data["command"] == "inside"
    assert sorted(f["code"] for f in data["findings"]) == ["DW103", "DW112", "DW113", "DW114"]
    subject = data["subjects"][0]
    assert subject["kind"] == "observed" and subject["cgroup_version"] == 2
    assert (subject["memory_limit"], subject["cpus"], subject["pids_max"]) == (268435456, 0.5, 50)
    assert {f["subject"] for f in data["findings"]} == {"observed"}


def test_sarif_output(tmp_path: Path) -> None:
    obs = _saved(tmp_path, FIXTURES / "v1-unlimited")
    out = tmp_path / "r.sarif"
    res = runner.invoke(app, ["inside", "--from-json", str(obs), "-f", "sarif", "-o", str(out)])
    assert res.exit_code == 1
    sarif = json.loads(out.read_text())
    assert sarif["version"] == "2.1.0"
    assert len(sarif["runs"][0]["results"]) == 7


def test_in_process_probe_on_a_captured_tree(tmp_path: Path) -> None:
    root = FIXTURES / "v1-limited"
    save = tmp_path / "saved.json"
    res = runner.invoke(app, ["inside", "--proc-root", str(root / "proc"), "--sys-root",
                              str(root / "sys"), "--dev-root", str(root / "dev"), "--fs-root",
                              str(root), "--no-socket-probe", "-f", "json", "--name", "web",
                              "--save-observations", str(save)])
    data = json.loads(res.stdout)
    assert {f["subject"] for f in data["findings"]} == {"web"}
    assert json.loads(save.read_text())["schema"] == probe.SCHEMA


@pytest.mark.parametrize(("extra", "code"), [
    ([], 1), (["--exit-zero"], 0), (["--fail-on", "critical"], 0), (["--fail-on", "medium"], 1),
    (["--ignore", "DW1,DW3"], 0),
])
def test_exit_codes(tmp_path: Path, extra: list[str], code: int) -> None:
    obs = _saved(tmp_path, FIXTURES / "v2-unlimited")
    res = runner.invoke(app, ["inside", "--from-json", str(obs), "-f", "json", *extra])
    assert res.exit_code == code, res.output


def test_bad_input_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert runner.invoke(app, ["inside", "--from-json", str(bad)]).exit_code == 2
    bad.write_text('{"schema": "something-else"}')
    res = runner.invoke(app, ["inside", "--from-json", str(bad)])
    assert res.exit_code == 2 and "not a dockward-inside observation" in res.output
    assert runner.invoke(app, ["inside", "--from-json", str(tmp_path / "none")]).exit_code == 2


def test_stdin(tmp_path: Path) -> None:
    obs = _saved(tmp_path, FIXTURES / "v2-limited")
    res = runner.invoke(app, ["inside", "--from-json", "-", "-f", "json"],
                        input=obs.read_text())
    assert res.exit_code == 1 and json.loads(res.stdout)["command"] == "inside"


@pytest.mark.parametrize("on_host", [True, False])
def test_warns_when_every_namespace_is_the_hosts(tmp_path: Path, on_host: bool) -> None:
    import subprocess
    import sys

    from dockward.inside.probe import observe

    obs = observe(probe_sockets=False)
    for ns in ("pid", "net", "ipc", "uts"):
        obs["namespaces"][ns]["host"] = on_host
    saved = tmp_path / "obs.json"
    saved.write_text(json.dumps(obs))
    res = subprocess.run([sys.executable, "-m", "dockward", "inside", "--from-json", str(saved),
                          "-f", "json"], capture_output=True, text=True)
    assert res.returncode in (0, 1), res.stderr
    assert ("looks like the host itself" in res.stderr) is on_host
