"""Scanning the whole real-world corpus: no traceback, parse problems become DW000."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dockward.config import Config
from dockward.usecases.scan import scan_paths

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "realworld"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
def test_whole_corpus_scans_without_internal_errors() -> None:
    result = scan_paths([str(CORPUS)], Config())
    kinds = result.files_by_kind
    assert kinds.get("dockerfile", 0) == 427
    assert kinds.get("compose", 0) >= 200
    assert result.files_scanned >= 800
    internal = [f for f in result.findings if "internal error" in f.message]
    assert internal == [], [f"{f.location.describe()}: {f.message}" for f in internal[:5]]
    codes = Counter(f.code for f in result.findings)
    # the corpus is full of real escape risks: each family must show up
    for code in ("DW101", "DW105", "DW201", "DW203", "DW301", "DW303", "DW113"):
        assert codes[code] > 0, code
    # every DW000 names its file and a line, with the reader's own message
    for f in result.findings:
        if f.code == "DW000":
            assert f.location.file and f.location.line >= 1 and f.message
