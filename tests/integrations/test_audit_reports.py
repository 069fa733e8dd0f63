"""Reports of a real audit: a private engine with more than 20 containers, audited through
the CLI, rendered as SARIF (schema-valid, logical locations) and as HTML (in Chromium)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.engine.harness import PrivateEngine
from tests.integrations.conftest import dockward
from tests.reporters.browser import Browser, find_chromium
from tests.reporters.conftest import SARIF_SCHEMA, skip_or_fail
from tests.reporters.test_sarif import github_problems

CONTAINERS = 22


@pytest.fixture
def busy_engine(engine: PrivateEngine) -> PrivateEngine:
    """Containers with a mix of risky settings the sandboxed engine can still start."""
    for i in range(CONTAINERS):
        args = ["--name", f"app-{i:02d}"]
        if i % 4 == 0:
            args.append("--pid=host")
        if i % 7 == 0:
            args += ["-v", "/var/run:/host-run:ro"]
        if i % 5 == 0:
            args += ["--restart", "always"]
        if i % 3 == 0:
            args += ["--memory", "64m", "--pids-limit", "50", "--cpus", "0.5"]
        engine.run_container(*args, "busybox:dw", "sleep", "600")
    return engine


def _audit(engine: PrivateEngine, fmt: str, out: Path) -> None:
    proc = dockward("audit", "-H", engine.base_url, "--format", fmt, "--output", str(out),
                    cwd=out.parent)
    assert proc.returncode == 1, proc.stderr  # the risky containers fail the audit


def test_audit_sarif_and_html(busy_engine: PrivateEngine, tmp_path: Path) -> None:
    sarif_path = tmp_path / "audit.sarif"
    _audit(busy_engine, "sarif", sarif_path)
    if not SARIF_SCHEMA.is_file():
        skip_or_fail(f"SARIF schema not found at {SARIF_SCHEMA}")
    log: dict[str, Any] = json.loads(sarif_path.read_text())
    schema = json.loads(SARIF_SCHEMA.read_text())
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(log))
    assert not errors, [e.message for e in errors[:5]]
    assert github_problems(log) == []
    results = log["runs"][0]["results"]
    subjects = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                for r in results if "logicalLocations" in r["locations"][0]}
    containers = {s.split("/", 1)[1] for s in subjects if "/app-" in s}
    assert len(containers) >= 20
    assert {r["ruleId"] for r in results} >= {"DW104", "DW201", "DW304"}

    html_path = tmp_path / "audit.html"
    _audit(busy_engine, "html", html_path)
    chromium = find_chromium()
    if chromium is None:
        skip_or_fail("chromium is not installed (apt-get install chromium)")
    profile = tmp_path / "profile"
    profile.mkdir()
    shot = tmp_path / "real-audit.png"
    with Browser(chromium, profile) as browser:  # type: ignore[arg-type]
        browser.open(html_path.as_uri())
        assert browser.evaluate(
            "document.querySelectorAll('details.group.object').length") >= 20
        assert browser.evaluate("performance.getEntriesByType('resource').length") == 0
        browser.evaluate("document.getElementById('expand').click()")
        browser.screenshot(shot)
        problems = browser.problems()
    assert problems == [], problems
    artifacts = os.environ.get("DOCKWARD_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy2(shot, Path(artifacts) / shot.name)
        shutil.copy2(html_path, Path(artifacts) / "real-audit.html")
