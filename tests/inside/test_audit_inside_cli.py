"""``dockward audit --inside NAME``: both views of a container, and DW704 when they differ."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dockward.cli.app import app
from dockward.config import Config
from dockward.models.location import Location
from dockward.models.observation import Drift, DriftRow
from dockward.rules.runner import RuleRunner
from tests.engine.harness import PrivateEngine
from tests.inside import helpers

runner = CliRunner()


def test_dw704_reports_each_disagreement() -> None:
    drift = Drift("web", Location(subject="h/web/observed", path="inside"),
                  [DriftRow("pids limit", "50", "80", "cgroup changed after start")])
    [f] = RuleRunner(Config(select=["DW704"])).run([drift])
    assert (f.code, f.location.subject, f.location.path) == (
        "DW704", "h/web/observed", "inside.pids limit")
    assert f.message.startswith("pids limit is configured as 50 but observed as 80 from inside")


def test_dw704_silent_when_views_agree() -> None:
    drift = Drift("web", Location(subject="h/web/observed"), [])
    assert RuleRunner(Config(select=["DW704"])).run([drift]) == []


@pytest.fixture
def py_engine(engine: PrivateEngine) -> Iterator[PrivateEngine]:
    if helpers.find_python() is None:
        pytest.skip("no host Python to build the test image from")
    helpers.import_python_image(engine)
    yield engine


def _audit(eng: PrivateEngine, *args: str) -> dict[str, Any]:
    res = runner.invoke(app, ["audit", "-H", eng.base_url, "--images", "none", "-f", "json",
                              "--select", "DW303,DW201,DW701,DW704", *args])
    assert res.exit_code in (0, 1), res.output
    return json.loads(res.output)  # type: ignore[no-any-return]


def _codes(report: dict[str, Any], subject_suffix: str) -> set[str]:
    return {f["code"] for f in report["findings"]
            if (f["subject"] or "").endswith(subject_suffix)}


def test_inside_side_by_side_without_drift(py_engine: PrivateEngine) -> None:
    helpers.start(py_engine, "--name", "dw-in", "--pids-limit", "50",
                  "-v", f"{py_engine.socket_path}:/var/run/docker.sock")
    report = _audit(py_engine, "--inside", "dw-in")
    assert _codes(report, "/dw-in") == {"DW201"}
    assert _codes(report, "/dw-in/observed") == {"DW201", "DW701"}
    [inside] = [s for s in report["subjects"] if s.get("kind") == "inside"]
    assert inside["name"] == "dw-in" and inside["disagreements"] == 0
    assert report["errors"] == []


def test_inside_flags_drift_made_behind_the_engines_back(py_engine: PrivateEngine) -> None:
    cid = helpers.start(py_engine, "--name", "dw-drift", "--pids-limit", "50")
    pids_max = next(Path("/sys/fs/cgroup/pids").rglob(f"{cid}/pids.max"), None)
    if pids_max is None:
        pytest.skip("no cgroup v1 pids controller for the container on this host")
    pids_max.write_text("80\n")  # host tooling changes the limit; inspect still says 50
    report = _audit(py_engine, "--inside", "dw-drift")
    drift = [f for f in report["findings"] if f["code"] == "DW704"]
    assert [(f["subject"].split("/", 1)[1], f["path"]) for f in drift] == [
        ("dw-drift/observed", "inside.pids limit")]
    assert "configured as 50" in drift[0]["message"] and "observed as 80" in drift[0]["message"]


def test_inside_unknown_container_is_an_error_not_a_crash(py_engine: PrivateEngine) -> None:
    report = _audit(py_engine, "--inside", "nope")
    assert report["errors"] == ["--inside nope: no such container among those audited"]
