"""Worst-case inputs under the size limit (issue 16 item 2, issue 17 "Hangs and memory").

Each generated worst case is scanned with the default per-file time budget: a reader that
is not linear would use it up (the quadratic paths took from 12 s to "never finishes" at
these sizes) and the file would come back as a "took more than ... s of CPU time" DW000.
The budget mechanism itself is tested with a tiny budget and with a reader that never
returns.  No wall-clock figure is asserted anywhere.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dockward.budget import FileBudget, OverBudget
from dockward.config import Config
from dockward.readers.buildkit import MAX_INSTRUCTION_LINES, longest_instruction
from dockward.usecases.scan import scan_paths
from tests.hostile.helpers import run_cli, text
from tests.hostile.worst_cases import WORST_CASES

SIZE = 400_000  # big enough that a quadratic path blows the budget, small enough for CI


def _scan(tmp_path: Path, name: str, content: str, budget: float = 10.0
          ) -> list[tuple[str, int, str]]:
    path = tmp_path / name
    path.write_text(content)
    result = scan_paths([str(path)], Config(file_time_budget=budget))
    return [(f.code, f.location.line, f.message) for f in result.findings]


def _over_budget(rows: list[tuple[str, int, str]]) -> list[str]:
    return [m for code, _line, m in rows if code == "DW000" and "file-time-budget" in m]


@pytest.mark.parametrize("case", sorted(WORST_CASES))
def test_worst_cases_scan_within_the_default_budget(tmp_path: Path, case: str) -> None:
    name, content = WORST_CASES[case](SIZE)
    rows = _scan(tmp_path, name, content)
    assert _over_budget(rows) == [], case


def test_the_issue_sizes_finish_too(tmp_path: Path) -> None:
    """The exact sizes the issues measured: a 1.4 MB Dockerfile with one 200,000-line
    heredoc (more than 60 s before), a 160k-line continued RUN (15 s), a 100 KB line of
    letters (12 s for its secret detection), the 35 KB compose file whose 200 secrets alias
    one 30 KB string (never finished)."""
    cases = [WORST_CASES["long_heredoc"](1_400_000), WORST_CASES["continued_run"](1_440_000),
             ("Dockerfile", "FROM alpine\nRUN echo " + "ab12" * 25_000 + "\n"),
             WORST_CASES["aliased_secrets"]()]
    for index, (name, content) in enumerate(cases):
        folder = tmp_path / str(index)
        folder.mkdir()
        rows = _scan(folder, name, content)
        assert _over_budget(rows) == [], name
    heredoc = _scan(tmp_path / "0", *WORST_CASES["long_heredoc"](1_400_000))
    assert [(c, line) for c, line, _m in heredoc] == [("DW000", 2)]
    assert "spans 200,002 lines" in heredoc[0][2]


def test_instruction_line_budget_counts_heredocs_and_continuations() -> None:
    assert longest_instruction("FROM a\nRUN <<EOF\na\nb\nEOF\nRUN x \\\n y\n") == (2, 4)
    assert longest_instruction("FROM a\nRUN <<-EOF\n\ta\n\tEOF\n") == (2, 3)
    assert longest_instruction("# escape=`\nFROM a\nRUN x `\n y `\n z\n") == (3, 3)
    assert longest_instruction("FROM a\nRUN x \\\n# c\n y\n") == (2, 3)
    lines = MAX_INSTRUCTION_LINES + 1
    ok = "FROM a\nRUN <<EOF\n" + "a\n" * (MAX_INSTRUCTION_LINES - 2) + "EOF\n"
    assert longest_instruction(ok)[1] == MAX_INSTRUCTION_LINES
    assert longest_instruction("FROM a\nRUN a \\\n" + " b \\\n" * lines + " c\n")[1] > lines


def test_a_tiny_budget_makes_dw000_and_the_scan_goes_on(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(WORST_CASES["many_heredocs"](200_000)[1])
    (tmp_path / ".dockward.toml").write_text("file-time-budget = 0.000001\n")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / ".dockward.toml").write_text("")
    proc = run_cli("scan", str(tmp_path), "--select", "DW000,DW101")
    out = text(proc)
    assert proc.returncode == 1, out
    assert ("DW000 unreadable-input  took more than 1e-06 s of CPU time to read "
            "(file-time-budget); skipped, nothing in it was checked") in out


def test_the_timer_stops_a_reader_that_never_returns(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The second line of defence for loops nobody knows of yet: a reader stuck in Python
    is interrupted by the CPU-time timer, its file becomes DW000, the rest is scanned."""
    import dockward.readers.build_lines as build_lines

    def stuck(src: object) -> object:
        while True:
            pass

    monkeypatch.setattr(build_lines, "read_build_lines", stuck)
    (tmp_path / "run.sh").write_text("docker run --privileged x\n")
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: x\n"
                                           "    privileged: true\n")
    rows = _scan(tmp_path, "Dockerfile", "FROM alpine\n", budget=0.3)
    result = scan_paths([str(tmp_path)], Config(file_time_budget=0.3,
                                                select=["DW000", "DW101"]))
    found = sorted((Path(f.location.file).name, f.code) for f in result.findings)
    assert found == [("Dockerfile", "DW000"), ("compose.yaml", "DW101"), ("run.sh", "DW000")]
    assert len(rows) == 1 and "file-time-budget" in rows[0][2]


def test_budget_charges_each_file_separately() -> None:
    budget = FileBudget(0.5)
    with budget.charge("a"):
        pass
    with pytest.raises(OverBudget), budget.charge("b"):
        while True:
            pass
    with budget.charge("a"):  # a's budget is its own
        pass
    with pytest.raises(OverBudget), budget.charge("b"):  # b has nothing left
        pass
    assert set(budget.spent) == {"a", "b"}
