"""Fix fixtures: an input and the exact output ``dockward fix --unsafe-fixes`` must write.

``fixtures/DWxxx/<case>.<suffix>`` is fixed with only that rule selected and compared byte for
byte with ``<case>.fixed.<suffix>``; a folder ``fixtures/DWxxx/<case>/`` holds several files
(``input/`` and ``expected/``: a Dockerfile with the script that builds it, a compose file with
its override).  Every case then checks what the issue asks of a fix: no finding of the rule
is left (``manual_`` cases: nothing changes and each finding keeps a reason), the output still
parses (no DW000 with every rule enabled), and a second run changes nothing.

After an intended change, rewrite the expected files with ``DW_UPDATE_FIXTURES=1 pytest
tests/fixers/test_fixtures.py`` and read the diff.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from dockward.config import Config
from dockward.usecases.fix import FixResult, fix_paths, write_changes
from dockward.usecases.scan import scan_paths

FIXTURES = Path(__file__).parent / "fixtures"
UPDATE = os.environ.get("DW_UPDATE_FIXTURES") == "1"

FILE_CASES = sorted(p for p in FIXTURES.glob("DW*/*") if p.is_file() and ".fixed." not in p.name)
DIR_CASES = sorted(p for p in FIXTURES.glob("DW*/*") if p.is_dir())


def fixed_name(name: str) -> str:
    """``service.compose.yaml`` -> ``service.fixed.compose.yaml``."""
    stem, dot, rest = name.partition(".")
    return f"{stem}.fixed.{rest}" if dot else f"{name}.fixed"


def _fix(target: Path, code: str) -> FixResult:
    result = fix_paths([str(target)], Config(select=[code]), unsafe=True)
    write_changes(result)
    return result


def _check_result(result: FixResult, code: str, manual: bool) -> None:
    left = [x for x in result.leftovers if x.finding.code == code]
    if manual:
        assert not result.changed, "a manual_ case must not be changed"
        assert left, "a manual_ case keeps its findings"
        assert all(x.reason and "please report" not in x.reason for x in left)
        return
    assert result.fixed, "nothing was fixed"
    assert not left, "\n".join(f"{x.finding.location.describe()} {x.finding.code}: {x.reason}"
                               for x in left)


def _check_after(target: Path, code: str) -> None:
    parsed = scan_paths([str(target)], Config())
    problems = [f for f in parsed.findings if f.code == "DW000"]
    assert not problems, [f"{f.location.describe()} {f.message}" for f in problems]
    again = fix_paths([str(target)], Config(select=[code]), unsafe=True)
    assert not again.changed, f"a second run changed:\n{again.diff()}"


@pytest.mark.parametrize("path", FILE_CASES,
                         ids=[f"{p.parent.name}/{p.name}" for p in FILE_CASES])
def test_file_case(path: Path, tmp_path: Path) -> None:
    code = path.parent.name
    work = tmp_path / path.name
    shutil.copyfile(path, work)
    result = _fix(work, code)
    expected = path.with_name(fixed_name(path.name))
    if UPDATE:
        if work.read_text() != path.read_text():
            expected.write_text(work.read_text())
        elif expected.exists():
            expected.unlink()
    manual = path.name.startswith("manual_")
    if manual:
        assert not expected.exists(), "manual_ cases have no .fixed file"
    else:
        assert expected.exists(), f"missing {expected.name} (DW_UPDATE_FIXTURES=1 writes it)"
        assert work.read_text() == expected.read_text()
    _check_result(result, code, manual)
    _check_after(work, code)


@pytest.mark.parametrize("case", DIR_CASES, ids=[f"{p.parent.name}/{p.name}" for p in DIR_CASES])
def test_folder_case(case: Path, tmp_path: Path) -> None:
    code = case.parent.name
    work = tmp_path / case.name
    shutil.copytree(case / "input", work)
    result = _fix(work, code)
    expected_dir = case / "expected"
    if UPDATE:
        shutil.rmtree(expected_dir, ignore_errors=True)
        for file in sorted(work.rglob("*")):
            original = case / "input" / file.relative_to(work)
            if file.is_file() and file.read_text() != original.read_text():
                out = expected_dir / file.relative_to(work)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(file.read_text())
    manual = case.name.startswith("manual_")
    for file in sorted(work.rglob("*")):
        if not file.is_file():
            continue
        relative = file.relative_to(work)
        wanted = expected_dir / relative
        if not wanted.exists():
            wanted = case / "input" / relative
        assert file.read_text() == wanted.read_text(), f"{relative} differs from {wanted}"
    _check_result(result, code, manual)
    _check_after(work, code)
