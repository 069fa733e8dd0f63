"""Golden findings: refactors keep every finding on the corpus and the examples unchanged.

An intended change in findings is recorded with ``python scripts/golden_findings.py --update``
and explained in its commit; an unintended one fails here with the differing lines.
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("golden", ROOT / "scripts" / "golden_findings.py")
assert _spec and _spec.loader
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


def _compare(name: str, folder: Path) -> None:
    now = golden.finding_lines(folder)
    expected = golden.read_golden(name)
    diff = list(difflib.unified_diff(expected, now, "golden", "now", n=0, lineterm=""))
    assert not diff, "findings changed:\n" + "\n".join(diff[:60])


def test_examples_findings_unchanged() -> None:
    _compare("examples", golden.EXAMPLES)


@pytest.mark.slow
@pytest.mark.skipif(not golden.CORPUS.is_dir(), reason=f"corpus not found at {golden.CORPUS}")
def test_corpus_findings_unchanged() -> None:
    _compare("corpus", golden.CORPUS)
