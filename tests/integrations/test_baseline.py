"""Baselines: only new findings are shown and gate the exit code, whatever moved."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from dockward.baseline import BaselineError, apply_baseline, load_fingerprints, split_new
from dockward.findings import Finding, Severity
from dockward.models.location import Location
from dockward.report import Report
from tests.integrations.conftest import dockward

SCRIPT = """#!/bin/sh
# start the agent
docker run -d --privileged --name agent alpine:3.20.0 sleep infinity
"""


def _finding(line: int, path: str = "argv[2]", code: str = "DW101") -> Finding:
    return Finding(code=code, name="privileged", severity=Severity.CRITICAL, message="m",
                   location=Location(file="run.sh", line=line, path=path), evidence="e")


def test_matching_ignores_lines_and_counts_occurrences() -> None:
    known = Counter({_finding(3).fingerprint: 2})
    current = [_finding(10), _finding(20), _finding(30), _finding(5, path="argv[3]")]
    new, matched = split_new(current, known)
    assert matched == current[:2]
    assert new == current[2:]


def test_write_then_apply_keeps_only_new(tmp_path: Path) -> None:
    base = tmp_path / "sub" / "baseline.json"
    first = Report(command="scan", findings=[_finding(3)])
    apply_baseline(first, None, str(base))
    assert json.loads(base.read_text())["schema"] == "dockward-report/1"
    later = Report(command="scan", findings=[_finding(9), _finding(12, path="argv[4]")])
    apply_baseline(later, str(base))
    assert [f.location.path for f in later.findings] == ["argv[4]"]
    assert later.stats["baseline_matched"] == 1


def test_unreadable_baselines_are_errors(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="not found"):
        load_fingerprints(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{]")
    with pytest.raises(BaselineError, match="cannot read"):
        load_fingerprints(bad)
    other = tmp_path / "other.json"
    other.write_text('{"version": "2.1.0", "runs": []}')
    with pytest.raises(BaselineError, match="not a dockward JSON report"):
        load_fingerprints(other)


def _codes(proc_stdout: str) -> list[tuple[str, int]]:
    data = json.loads(proc_stdout)
    return [(f["code"], f["line"]) for f in data["findings"]]


def test_baseline_flow_through_the_cli(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text(SCRIPT)
    # 1. record the current state
    first = dockward("scan", "run.sh", "--write-baseline", "baseline.json", "-f", "json",
                     cwd=tmp_path)
    assert first.returncode == 1, first.stderr
    recorded = _codes(first.stdout)
    assert ("DW101", 3) in recorded
    assert json.loads((tmp_path / "baseline.json").read_text())["findings"]

    # 2. shift every line: nothing is new, exit 0
    script.write_text("#!/bin/sh\n# a header\n# that moves\n\n" + SCRIPT.split("\n", 1)[1])
    shifted = dockward("scan", "run.sh", "--baseline", "baseline.json", "-f", "json",
                       cwd=tmp_path)
    assert shifted.returncode == 0, shifted.stdout + shifted.stderr
    data = json.loads(shifted.stdout)
    assert data["findings"] == []
    assert data["summary"]["baseline_matched"] == len(recorded)
    assert dockward("scan", "run.sh", "--baseline", "baseline.json",
                    cwd=tmp_path).returncode == 0

    # 3. a new problem: only it is reported, and it fails the run
    with script.open("a") as fh:
        fh.write("docker run --rm --pid=host alpine:3.20.0 ps\n")
    new_line = len(script.read_text().splitlines())
    added = dockward("scan", "run.sh", "--baseline", "baseline.json", "-f", "json",
                     cwd=tmp_path)
    assert added.returncode == 1
    reported = _codes(added.stdout)
    assert ("DW104", new_line) in reported
    assert {line for _, line in reported} == {new_line}
    text = dockward("scan", "run.sh", "--baseline", "baseline.json", cwd=tmp_path)
    assert "DW104" in text.stdout and "DW101" not in text.stdout


def test_baseline_from_config_is_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text(SCRIPT)
    (tmp_path / ".dockward.toml").write_text('baseline = "ci/dockward-baseline.json"\n')
    missing = dockward("scan", "run.sh", cwd=tmp_path)
    assert missing.returncode == 2 and "baseline file not found" in missing.stderr
    written = dockward("scan", "run.sh", "--write-baseline", "ci/dockward-baseline.json",
                       cwd=tmp_path)
    assert written.returncode == 0  # the file just written is the baseline: nothing new
    sub = tmp_path / "nested"
    sub.mkdir()
    (sub / "run.sh").write_text(SCRIPT)
    # scanning from elsewhere still finds ci/ beside the config, not beside the cwd
    elsewhere = dockward("scan", "../run.sh", cwd=sub)
    assert elsewhere.returncode == 1  # paths are relative to the cwd, so fingerprints differ
    again = dockward("scan", "run.sh", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr


def test_bad_baseline_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text(SCRIPT)
    (tmp_path / "b.json").write_text("not json")
    proc = dockward("scan", "run.sh", "--baseline", "b.json", cwd=tmp_path)
    assert proc.returncode == 2 and "cannot read baseline" in proc.stderr
