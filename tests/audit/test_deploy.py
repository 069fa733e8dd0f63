"""deploy/: the swarm stack and the Kubernetes DaemonSet that spread the audit over a fleet.

- ``dockward scan deploy/`` reports nothing above low (two findings are suppressed inline,
  each with its reason: the guard is the one container holding the socket).
- The stack deploys on a one-node swarm of a private daemon, as global services whose
  specs keep the socket out of the audit container.
- The audit command of the stack file runs against that engine through a read-only proxy
  in front of its socket, writes its per-node report, and the report merges.  The proxy is
  the test's own GET-only forwarder (tests/engine/audit_helpers.py): ``dockward guard
  proxy --profile read-only``, which the stack runs, is not part of this branch.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from dockward.cli.app import app
from tests.engine.audit_helpers import RecordingProxy
from tests.engine.harness import PrivateEngine, free_tcp_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
STACK = DEPLOY / "swarm" / "dockward-audit.stack.yaml"


def test_scan_of_deploy_reports_nothing_above_low() -> None:
    result = CliRunner().invoke(app, ["scan", str(DEPLOY), "-f", "json", "--show-suppressed"])
    report = json.loads(result.stdout)
    assert result.exit_code == 0 and report["errors"] == []
    assert report["summary"]["files_by_kind"] == {"compose": 1, "dockerfile": 1, "k8s": 1,
                                                  "systemd": 2}
    assert [f for f in report["findings"] if not f["suppressed"]] == []
    assert [(f["code"], f["line"], f["suppression_reason"]) for f in report["findings"]] == [
        ("DW113", 22, "the socket is root:docker 0660; the guard only forwards reads"),
        ("DW201", 25, "the guard is the one component that holds the socket, and it "
                      "forwards only the read-only profile"),
    ]


def _audit_argv(stack: dict[str, Any], socket_url: str, reports: Path) -> list[str]:
    """The audit service's ``dockward audit`` words, pointed at this test's socket."""
    script = stack["services"]["audit"]["command"][2]
    line = script.split("dockward audit", 1)[1].split(";", 1)[0]
    words = shlex.split(line.replace("$$", "$"))
    out = []
    for word in words:
        word = word.replace("unix:///run/dockward/engine.sock", socket_url)
        if word.startswith("/reports/"):
            word = str(reports / "node1.json")
        out.append(word)
    return out


def test_stack_deploys_as_global_services_and_its_audit_runs_read_only(
        make_private_engine: Any, tmp_path: Path) -> None:
    eng: PrivateEngine = make_private_engine(busybox=True)
    eng.docker("swarm", "init", "--advertise-addr", "127.0.0.1",
               "--listen-addr", f"127.0.0.1:{free_tcp_port()}")
    eng.docker("stack", "deploy", "-c", str(STACK), "dockward")
    specs = {s["Spec"]["Name"]: s["Spec"] for s in eng.client.api.services()}
    assert sorted(specs) == ["dockward_audit", "dockward_guard"]
    for spec in specs.values():
        assert "Global" in spec["Mode"]
        container = spec["TaskTemplate"]["ContainerSpec"]
        assert container["ReadOnly"] is True
        assert container["CapabilityDrop"] == ["ALL"]
    mounts = {name: {m["Target"]: m for m in spec["TaskTemplate"]["ContainerSpec"]["Mounts"]}
              for name, spec in specs.items()}
    assert mounts["dockward_guard"]["/var/run/docker.sock"]["ReadOnly"] is True
    assert all(m["Source"] != "/var/run/docker.sock" for m in mounts["dockward_audit"].values())
    assert specs["dockward_audit"]["TaskTemplate"]["ContainerSpec"]["User"] == "65534:65534"

    stack = yaml.safe_load(STACK.read_text())
    with RecordingProxy(eng.socket_path, read_only=True) as proxy:
        argv = _audit_argv(stack, proxy.url, tmp_path)
        result = CliRunner().invoke(app, ["audit", *argv])
        assert proxy.refused == [] and proxy.methods() == {"GET"}
    assert result.exit_code == 1, result.output
    report = json.loads((tmp_path / "node1.json").read_text())
    assert report["errors"] == [] and report["summary"]["services"] == 2
    # the live view cannot see the file's inline reasons: the guard's socket is reported
    sock = [f["subject"] for f in report["findings"] if f["code"] == "DW201"]
    assert sock == [f"{report['subjects'][0]['host']}/dockward_guard"]
    assert not [f for f in report["findings"] if f["code"] == "DW616"]  # encrypted network
    merged = CliRunner().invoke(app, ["report", "merge", str(tmp_path / "node1.json"),
                                      "-f", "json"])
    assert json.loads(merged.stdout)["summary"]["services"] == 2
