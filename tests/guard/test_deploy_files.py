"""The shipped example, systemd units and policy agree with each other and with the CLI."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from dockward.cli.app import app
from dockward.config import Config
from dockward.guard.policy import load_policy
from dockward.guard.profiles import PROFILES
from dockward.usecases.scan import scan_paths

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "guard-proxy" / "compose.yaml"
UNITS = ROOT / "deploy" / "systemd"


def test_the_proxy_example_scans_clean_and_has_no_socket_mount() -> None:
    result = scan_paths([str(EXAMPLE)], Config())
    assert result.files_scanned == 1 and result.models == 2
    assert [f.code for f in result.findings if not f.suppressed] == []
    assert "docker.sock" not in "".join(
        line for line in EXAMPLE.read_text().splitlines() if not line.lstrip().startswith("#"))


def test_example_mounts_the_directory_the_proxy_unit_listens_in() -> None:
    unit = (UNITS / "dockward-proxy@.service").read_text()
    listen = re.search(r"--listen unix:(\S+)", unit)
    assert listen is not None
    socket_dir = Path(listen.group(1).replace("%i", "traefik")).parent
    example = EXAMPLE.read_text()
    assert f"- {socket_dir}:/var/run/dockward:ro" in example
    assert "unix:///var/run/dockward/" + Path(listen.group(1)).name in example
    assert "RuntimeDirectoryPreserve=yes" in unit


def test_traefik_needs_only_read_only_routes() -> None:
    for route in ("ping", "ping-head", "version", "events", "container-list",
                  "container-inspect", "service-list", "task-list", "network-list"):
        assert PROFILES["read-only"].allows(route)


def test_units_use_options_the_cli_has() -> None:
    runner = CliRunner()
    for unit, command in (("dockward-guard.service", "plugin"),
                          ("dockward-proxy@.service", "proxy")):
        text = (UNITS / unit).read_text()
        help_text = runner.invoke(app, ["guard", command, "--help"],
                                  env={"COLUMNS": "200"}).output
        for option in set(re.findall(r"(--[a-z-]+)", text.split("ExecStart=", 1)[1])):
            assert option in help_text, f"{unit}: {option}"
    guard_unit = (UNITS / "dockward-guard.service").read_text()
    assert "Before=docker.service" in guard_unit and "Restart=always" in guard_unit
    drop_in = (UNITS / "docker.service.d" / "dockward.conf").read_text()
    assert "Requires=dockward-guard.service" in drop_in


def test_sample_policy_loads() -> None:
    policy = load_policy(str(ROOT / "deploy" / "guard.toml"))
    assert policy.route_denied("debug-vars") and len(policy.exceptions) == 4
