"""``dockward fix --unsafe-fixes`` over the real-world corpus (../shared/corpus/realworld),
on a copy: every output still parses, a re-scan reports none of the fixed findings, a
second run changes nothing, and every comment line of every input is still there."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from dockward.config import Config
from dockward.usecases.fix import fix_paths, write_changes
from dockward.usecases.scan import scan_paths

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "realworld"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")]


def _comments(text: str) -> Counter[str]:
    return Counter(line.strip() for line in text.splitlines() if line.strip().startswith("#"))


def test_fix_the_whole_corpus(tmp_path: Path) -> None:
    work = tmp_path / "corpus"
    shutil.copytree(CORPUS, work)
    unreadable_before = {f.location.file.rsplit("/", 1)[-1] for f in
                         scan_paths([str(work)], Config(select=["DW000"])).findings}

    result = fix_paths([str(work)], Config(), unsafe=True)
    write_changes(result)
    assert len(result.changed) > 500 and len(result.fixed) > 5000  # it did fix the corpus

    stuck = [f"{x.finding.location.describe()} {x.finding.code}" for x in result.leftovers
             if "please report" in x.reason]
    assert not stuck
    fixed = {f.fingerprint for f in result.fixed}
    assert result.final is not None
    assert not [f for f in result.final.findings if f.fingerprint in fixed]

    rescan = scan_paths([str(work)], Config())
    unreadable = {f.location.file.rsplit("/", 1)[-1] for f in rescan.findings
                  if f.code == "DW000"}
    assert unreadable <= unreadable_before, unreadable - unreadable_before

    lost: dict[str, list[str]] = {}
    for original in CORPUS.rglob("*"):
        if not original.is_file():
            continue
        copy = work / original.relative_to(CORPUS)
        before = original.read_text(encoding="utf-8", errors="replace")
        after = copy.read_text(encoding="utf-8", errors="replace")
        missing = _comments(before) - _comments(after)
        if missing:
            lost[str(copy)] = sorted(missing)[:3]
    assert not lost

    again = fix_paths([str(work)], Config(), unsafe=True)
    assert not again.changed, again.diff()[:2000]
