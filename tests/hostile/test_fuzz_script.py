"""``scripts/fuzz.py`` runs (a few hundred inputs here; long runs are done by hand and their
figures go into the closing notes) and finds what it should."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _fuzz() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz", ROOT / "scripts" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_short_run_has_no_internal_error(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    fuzz = _fuzz()
    assert fuzz.main(["--inputs", "400", "--workers", "1", "--seed", "3",
                      "--out", str(tmp_path / "failures")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["inputs"] >= 400 and summary["internal_errors"] == 0
    assert len(summary["by_kind"]) >= 5


def test_a_reader_bug_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    import dockward.readers.compose as compose
    from dockward.config import Config
    from dockward.rules.runner import RuleRunner

    fuzz = _fuzz()
    runner = RuleRunner(Config())
    text = "services:\n  web: {image: x, privileged: true}\n"
    assert fuzz.check_one("compose", text, runner, 5.0) is None

    def broken(*args: object, **kwargs: object) -> object:
        raise KeyError("simulated")

    monkeypatch.setattr(compose, "read_compose", broken)
    assert fuzz.check_one("compose", text, runner, 5.0).startswith(
        "internal error: internal error while reading (KeyError")
