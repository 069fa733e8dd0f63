"""Fixture files per rule, hadolint/ruff style: scan each file with only that rule selected.

``tests/rules/fixtures/DW101/fail_*.compose.yaml`` (also ``.k8s.yaml``, ``.sh`` and ``.md``)
must yield exactly the findings its ``# expect: DW101`` comments announce, on those lines;
``pass_*`` files must yield none.  DW000 is selected too, so a fixture that a reader cannot
parse fails loudly instead of passing by finding nothing.

Each rule folder's ``expected.txt`` pins every finding of its ``fail_*`` files with line,
column and message (``file:line:col: message``), so a change in wording or position shows up
in review.  After an intended change, rewrite them with ``DW_UPDATE_FIXTURES=1 pytest
tests/rules/test_fixtures.py`` and read the diff.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from dockward.config import Config
from dockward.findings import Finding
from dockward.kinds import kind_of_fixture
from dockward.usecases.scan import scan_paths

FIXTURES = Path(__file__).parent / "fixtures"
EXPECT = re.compile(r"#\s*expect(?P<next>-next)?:\s*(?P<codes>DW\d{3}(?:\s*,\s*DW\d{3})*)")

FILES = sorted(p for p in FIXTURES.glob("DW*/*")
               if p.is_file() and p.name.startswith(("pass_", "fail_")))
FOLDERS = sorted(p for p in FIXTURES.glob("DW*") if p.is_dir())


def expectations(path: Path) -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        found = EXPECT.search(line)
        if found:
            # `# expect-next:` is for Dockerfiles, where a trailing comment is not a comment
            target = number + 1 if found.group("next") else number
            out.update((code.strip(), target) for code in found.group("codes").split(","))
    return out


def _show(findings: list[Finding]) -> str:
    return "\n".join(f"  {f.location.line}: {f.code} {f.message}" for f in findings) or "  none"


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_fixture(path: Path) -> None:
    code = path.parent.name
    expected = expectations(path)
    if path.name.startswith("pass_"):
        assert not expected, "pass_ fixtures must not carry expect comments"
    else:
        assert path.name.startswith("fail_"), "fixtures are named fail_* or pass_*"
        assert expected, "fail_ fixtures need at least one '# expect:' comment"
    assert {c for c, _ in expected} <= {code}, "expect only this directory's rule"

    result = scan_paths([str(path)], Config(select=[code, "DW000"]))

    assert result.files_scanned == 1, f"{path.name} was not picked up as a scannable file"
    kind = kind_of_fixture(path.name)
    assert result.files_by_kind.get(kind) == 1, f"read as {result.files_by_kind}, not {kind}"
    assert result.models >= 1, "the reader found no workload/daemon in this fixture"
    live = [f for f in result.findings if not f.suppressed]
    got = {(f.code, f.location.line) for f in live}
    assert got == expected, (
        f"\nexpected: {sorted(expected)}\ngot:\n{_show(live)}"
    )


def pinned(folder: Path) -> list[str]:
    """Every finding of the folder's fail_ fixtures as ``file:line:col: message``."""
    out: list[str] = []
    for path in sorted(folder.glob("fail_*")):
        result = scan_paths([str(path)], Config(select=[folder.name]))
        out.extend(f"{path.name}:{f.location.line}:{f.location.column}: {f.message}"
                   for f in result.findings if not f.suppressed)
    return out


@pytest.mark.parametrize("folder", FOLDERS, ids=[p.name for p in FOLDERS])
def test_fixture_messages_and_columns(folder: Path) -> None:
    got = pinned(folder)
    expected_file = folder / "expected.txt"
    if os.environ.get("DW_UPDATE_FIXTURES"):
        expected_file.write_text("\n".join(got) + "\n", encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8").splitlines()
    assert got == expected
