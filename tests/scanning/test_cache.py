"""The scan cache: reused only while the file, what it looked at, the policy and dockward
itself are unchanged; safe against corrupt entries, concurrent scans and foreign caches."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dockward.config import Config
from dockward.findings import Severity
from dockward.scanning import cache as cache_module
from tests.scanning.helpers import EXAMPLES, LINKED, rows, scan, summary


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the linked tree that tests may edit."""
    target = tmp_path / "tree"
    shutil.copytree(LINKED, target)
    return target


def entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob("v*/*/*.json"))


def test_a_warm_scan_reads_every_file_from_the_cache(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fresh = scan(tree)
    cold = scan(tree, cache_dir=cache)
    warm = scan(tree, cache_dir=cache)
    assert cold.from_cache == 0
    # every file but those that link to others (read again with them, never cached)
    linked = {"p1/compose.yaml", "p2/build.sh", "p2/README.md", "p3/docker-compose.yml",
              "p3/sub/build.sh"}
    assert warm.from_cache == fresh.files_scanned - len(linked)
    assert len(entries(cache)) == warm.from_cache
    assert rows(warm) == rows(cold) == rows(fresh)
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172")
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_policy_change_is_a_miss(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    scan(tree, cache_dir=cache)
    for config in (Config(select=["DW1", "DW4"]),
                   Config(severity_overrides={"DW103": Severity.CRITICAL}),
                   Config(rule_options={"DW205": {"allowed_host_ips": ["10.0.0.1"]}}),
                   Config(max_file_size=1024)):
        changed = scan(tree, cache_dir=cache, config=config)
        assert changed.from_cache == 0, config
        assert rows(changed) == rows(scan(tree, config=config))
    again = scan(tree, cache_dir=cache, config=Config(select=["DW1", "DW4"]))
    assert again.from_cache > 0


def test_a_new_dockward_version_is_a_miss_and_drops_the_old_entries(
        tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    scan(tree, cache_dir=cache)
    old = {p.parent.parent for p in entries(cache)}
    monkeypatch.setattr(cache_module, "__version__", "999.0.0")
    upgraded = scan(tree, cache_dir=cache)
    assert upgraded.from_cache == 0
    assert rows(upgraded) == rows(scan(tree))
    assert entries(cache) and {p.parent.parent for p in entries(cache)}.isdisjoint(old)
    assert not any(folder.exists() for folder in old)
    assert scan(tree, cache_dir=cache).from_cache == upgraded.files_scanned - 5


def test_an_edited_file_is_read_again(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    before = scan(tree, cache_dir=cache)
    dockerfile = tree / "p4" / "Containerfile"
    dockerfile.write_text("FROM alpine\nUSER 1000\n")
    after = scan(tree, cache_dir=cache)
    assert after.from_cache == scan(tree, cache_dir=cache).from_cache - 1
    assert ("p4/Containerfile", "DW404") in {(f.location.file, f.code) for f in before.findings}
    assert ("p4/Containerfile", "DW404") not in {(f.location.file, f.code)
                                                 for f in after.findings}
    assert rows(after) == rows(scan(tree))


def test_what_a_file_looked_at_is_checked_again(tree: Path, tmp_path: Path) -> None:
    """A compose file's override and .env, a build line's Dockerfile: not the file's own
    bytes, yet its findings depend on them."""
    cache = tmp_path / "cache"
    scan(tree, cache_dir=cache)
    project = tree / "p5"
    project.mkdir()
    (project / "compose.yaml").write_text(
        "services:\n  app:\n    image: ${IMAGE}\n    build: ./app\n")
    (project / "build.sh").write_text("docker build -t p5 ./app\n")
    scan(tree, cache_dir=cache)
    # an override appears next to the compose file: it is merged in
    (project / "compose.override.yaml").write_text("services:\n  app:\n    privileged: true\n")
    found = scan(tree, cache_dir=cache)
    assert ("p5/compose.override.yaml", "DW101") in {(f.location.file, f.code)
                                                     for f in found.findings}
    # the build context's Dockerfile appears: compose and build.sh now link to it
    (project / "app").mkdir()
    (project / "app" / "Dockerfile").write_text("FROM alpine\nARG API_TOKEN\nRUN use $API_TOKEN\n")
    (project / "build.sh").write_text("docker build -t p5 --build-arg API_TOKEN=abc123xyz ./app\n")
    linked = scan(tree, cache_dir=cache)
    assert ("p5/build.sh", "DW401") in {(f.location.file, f.code) for f in linked.findings}
    for result in (found, linked):
        assert rows(result) != []
    assert rows(linked) == rows(scan(tree))


def test_corrupt_entries_are_misses_and_are_rewritten(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fresh = scan(tree)
    scan(tree, cache_dir=cache)
    broken = entries(cache)
    broken[0].write_bytes(b"\x00not json")
    broken[1].write_text(json.dumps({"key": "another", "looked_at": [], "result": {}}))
    broken[2].write_bytes(broken[2].read_bytes()[:40])
    entry = json.loads(broken[3].read_text())
    entry["result"]["reads"] = [["x", None, [], [["bogus"]]]]
    broken[3].write_text(json.dumps(entry))
    again = scan(tree, cache_dir=cache)
    assert again.from_cache == len(broken) - 4
    assert rows(again) == rows(fresh)
    assert scan(tree, cache_dir=cache).from_cache == len(broken)


def test_a_cache_made_with_another_secret_is_never_read(tree: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``.dockward_cache`` committed to a repository (made elsewhere) cannot feed a scan:
    its keys depend on the scanning user's secret."""
    cache = tmp_path / "cache"
    scan(tree, cache_dir=cache)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-home"))
    assert scan(tree, cache_dir=cache).from_cache == 0


def test_concurrent_scans_share_a_cache(tree: Path, tmp_path: Path) -> None:
    """Scans that run at the same time write the same entries; none sees half of one."""
    cache = tmp_path / "cache"
    argv = [sys.executable, "-m", "dockward", "scan", "-f", "json", "--exit-zero",
            "--cache-dir", str(cache), "."]
    expected = subprocess.run([*argv[:-3], "--no-cache", "."], cwd=tree, capture_output=True,
                              text=True, check=True).stdout
    for _ in range(3):
        procs = [subprocess.Popen(argv, cwd=tree, stdout=subprocess.PIPE, text=True)
                 for _ in range(4)]
        outputs = [p.communicate()[0] for p in procs]
        assert all(p.returncode == 0 for p in procs)
        for out in outputs:
            assert _without_timing(out) == _without_timing(expected)


def _without_timing(report: str) -> object:
    data = json.loads(report)
    data["summary"].pop("seconds")
    return data


def test_the_cli_uses_the_cache_folder_it_is_given(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("XDG_CACHE_HOME", None)
    env["DOCKWARD_CACHE_DIR"] = str(tmp_path / "from-env")
    base = [sys.executable, "-m", "dockward", "scan", "-f", "json", "--exit-zero", str(EXAMPLES)]
    env["HOME"] = str(tmp_path / "home")
    subprocess.run(base, cwd=tmp_path, env=env, capture_output=True, check=True)
    assert entries(tmp_path / "from-env")
    subprocess.run([*base, "--cache-dir", str(tmp_path / "option")], cwd=tmp_path, env=env,
                   capture_output=True, check=True)
    assert entries(tmp_path / "option")
    del env["DOCKWARD_CACHE_DIR"]
    subprocess.run([*base, "--no-cache"], cwd=tmp_path, env=env, capture_output=True, check=True)
    assert not (tmp_path / ".dockward_cache").exists()
    subprocess.run(base, cwd=tmp_path, env=env, capture_output=True, check=True)
    assert entries(tmp_path / ".dockward_cache")
    # the secret lives in the user's cache folder, never in the project's
    assert (tmp_path / "home" / ".cache" / "dockward" / "cache-secret").is_file()
    assert not list((tmp_path / ".dockward_cache").rglob("cache-secret"))


def test_summary_is_the_same_from_the_cache(tree: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert summary(scan(tree, cache_dir=cache)) == summary(scan(tree, cache_dir=cache)) == \
        summary(scan(tree))
