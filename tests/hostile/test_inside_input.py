"""``inside --from-json`` (and ``audit --inside``) read JSON from outside dockward: any
field of any type, any depth, any size must give a clear result, never a traceback
(issue 17, "Crashes")."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockward.config import Config
from dockward.inside import probe
from dockward.inside.shape import conform
from dockward.inside.to_workload import summary
from dockward.usecases.inside import inside_report
from tests.hostile.helpers import run_cli, text
from tests.inside.helpers import FIXTURES, tree_roots


def _observations(tree: str = "v1-limited") -> dict[str, Any]:
    return probe.observe(**tree_roots(FIXTURES / tree), probe_sockets=False, environ={})


@pytest.mark.parametrize("tree", ["v1-limited", "v1-unlimited", "v2-limited", "v2-unlimited"])
def test_the_probe_output_fits_the_shape_without_a_drop(tree: str) -> None:
    """The shape is written from what the probe emits: nothing real may be dropped."""
    obs = _observations(tree)
    fitted = conform(copy.deepcopy(obs))
    assert [e for e in fitted["errors"] if e["error"].startswith("ignored")] == []
    assert fitted == obs


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*path, key))
    elif isinstance(value, list) and value:
        out += _paths(value[0], (*path, 0))
    return out


VARIANTS: list[Any] = [None, 0, -1, 1.5, "", "x", True, [], [1], ["x"], {}, {"a": 1},
                       [{"a": 1}], [None], [[1]]]


def test_every_field_of_every_type_gives_a_report() -> None:
    """The issue's measure: each field of a real observation replaced by each variant
    (115 of 639 used to crash); every one now gives a report, and a dropped field is named
    in the report's unreadable list."""
    base = _observations("v2-limited")
    base["runtime_sockets"] = [{"address": "unix:///run/docker.sock", "path": "/run/docker.sock",
                                "runtime": "docker", "protocol": "http", "connectable": True,
                                "answers": True, "error": None}]
    count = 0
    for path in _paths(base)[1:]:
        for variant in VARIANTS:
            obs = copy.deepcopy(base)
            target = obs
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = variant
            report = inside_report(obs, Config())
            summary(conform(obs))
            assert not [f for f in report.findings if f.name == "internal-error"], path
            count += 1
    assert count > 1000


def test_a_wrong_type_is_named_in_the_report(tmp_path: Path) -> None:
    obs = _observations()
    obs["capabilities"]["bounding"] = 7
    source = tmp_path / "obs.json"
    source.write_text(json.dumps(obs))
    proc = run_cli("inside", "--from-json", str(source), "-f", "json")
    assert proc.returncode in (0, 1), text(proc)
    unreadable = json.loads(proc.stdout)["summary"]["unreadable"]
    assert "capabilities.bounding: ignored: expected a list, got int" in unreadable


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
                    | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(
                        ["capabilities", "bounding", "mounts", "cgroup", "memory", "limit",
                         "namespaces", "pid", "host", "devices", "present", "path", "user",
                         "uid", "security", "seccomp", "mode", "runtime_sockets", "x"]),
                        inner, max_size=4), max_leaves=20))
@settings(max_examples=300, deadline=None)
def test_generated_observations_never_crash(junk: Any) -> None:
    obs = {"schema": probe.SCHEMA, **(junk if isinstance(junk, dict) else {"x": junk})}
    report = inside_report(obs, Config())
    assert not [f for f in report.findings if f.name == "internal-error"]


def test_deep_json_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "deep.json"
    source.write_text('{"schema": "x", "a": ' + "[" * 100_000 + "]" * 100_000 + "}")
    proc = run_cli("inside", "--from-json", str(source))
    assert proc.returncode == 2, text(proc)
    assert b"nested too deeply" in proc.stderr and b"Traceback" not in proc.stderr


def test_oversized_observations_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "big.json"
    with open(source, "wb") as fh:
        fh.write(b'{"schema": "dockward-inside/1", "pad": "')
        fh.truncate(33 * 1024 * 1024)
    proc = run_cli("inside", "--from-json", str(source))
    assert proc.returncode == 2, text(proc)
    assert b"over the 32 MB limit" in proc.stderr
    piped = run_cli("inside", "--from-json", "-", stdin=b" " * (33 * 1024 * 1024))
    assert piped.returncode == 2 and b"over the 32 MB limit" in piped.stderr
