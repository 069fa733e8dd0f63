"""Inputs ``scripts/fuzz.py`` found, minimised: each used to crash a reader or stall it until
the time budget stopped it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockward.config import Config
from dockward.usecases.scan import scan_paths


def _rows(path: Path) -> list[tuple[str, str]]:
    result = scan_paths([str(path)], Config(select=["DW000", "DW101", "DW406"]))
    return [(f.code, f.message) for f in result.findings]


@pytest.mark.parametrize("line", ["docker run --privileged $é x\n", "docker run -e A=$ł x\n"])
def test_a_dollar_before_a_non_ascii_letter_is_literal(tmp_path: Path, line: str) -> None:
    """``$é`` is not a variable in the shell (names are ASCII); it used to fail an assert
    in the variable expander."""
    (tmp_path / "run.sh").write_text(line)
    assert all("internal error" not in m for _c, m in _rows(tmp_path / "run.sh"))


def test_bashlex_is_not_given_an_unclosed_parameter_expansion(tmp_path: Path) -> None:
    """bashlex loops forever on ``'...${l...'``; a RUN piping a download into a shell (the
    one place bashlex is used) with such text stalled until the time budget ran out."""
    (tmp_path / "Dockerfile").write_text(
        "FROM alpine\nRUN deps=' \\\n\tcur${l \\\n\t' \\\n"
        "\t&& curl -sSL https://example.com/x.sh | sh\n")
    rows = _scan_with_budget(tmp_path / "Dockerfile")
    assert [code for code, _m in rows] == ["DW406"]


def _scan_with_budget(path: Path) -> list[tuple[str, str]]:
    result = scan_paths([str(path)], Config(select=["DW000", "DW406"], file_time_budget=5))
    return [(f.code, f.message) for f in result.findings]
