"""``dockward tighten`` usage errors: clear messages and exit 2, never a traceback; an
unreachable engine is exit 1.  None of these needs an engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dockward.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = str(ROOT / "examples" / "tighten" / "compose.yaml")
NO_ENGINE = "unix:///nonexistent/dockward-test.sock"


@pytest.mark.parametrize(("args", "message"), [
    ([], "give one of: '-- docker run ...', a compose file with --service, or --container"),
    (["--container", "web", "--", "docker", "run", "x"], "give one of:"),
    (["--", "docker", "ps"], "not a docker run command: docker ps..."),
    (["--", "run", "x"], "expected one compose file, or '-- docker run ...' (got run x...)"),
    ([COMPOSE], f"which service of {COMPOSE}? (--service NAME)"),
    ([COMPOSE, "--service", "nope"], f"no service 'nope' in {COMPOSE} (services: traefik)"),
    (["nope.yaml", "--service", "web"], "cannot read nope.yaml"),
    (["--format", "xml", "--", "docker", "run", "x"], "--format must be one of: text, json, "
                                                      "compose, k8s"),
    (["--check", "wget 'unbalanced", "--", "docker", "run", "x"], "--check: No closing "
                                                                  "quotation"),
    (["--context", "nope", "--", "docker", "run", "x"], "context 'nope' not found"),
])
def test_usage_errors(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["tighten", "-H", NO_ENGINE, *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_service_with_a_run_command_is_refused() -> None:
    result = CliRunner().invoke(app, ["tighten", "--service", "web", "--", "docker", "run",
                                      "x"])
    assert result.exit_code == 2
    assert "--service goes with a compose file, not a run command" in result.output


def test_unreachable_engine_is_exit_1() -> None:
    result = CliRunner().invoke(app, ["tighten", "-H", NO_ENGINE, "--", "docker", "run",
                                      "busybox"])
    assert result.exit_code == 1
    assert result.output.startswith(f"dockward tighten: cannot reach the engine at {NO_ENGINE}")
