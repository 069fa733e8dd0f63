"""What the scanning tests share: a scan run from a folder, and findings as comparable rows."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dockward.config import Config
from dockward.findings import Finding
from dockward.scanning.cache import ScanCache
from dockward.usecases.scan import ScanResult, scan_paths

HERE = Path(__file__).resolve().parent
LINKED = HERE / "linked_tree"
ROOT = HERE.parents[1]
EXAMPLES = ROOT / "examples"
CORPUS = ROOT.parent / "shared" / "corpus" / "realworld"


@contextmanager
def inside(folder: Path) -> Iterator[None]:
    here = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)


def scan(folder: Path, *, jobs: int = 1, cache_dir: Path | None = None,
         config: Config | None = None) -> ScanResult:
    """``dockward scan .`` in ``folder``: with ``jobs`` processes, with a cache when
    ``cache_dir`` is given."""
    config = config or Config()
    cache = ScanCache.open(config, str(cache_dir)) if cache_dir is not None else None
    if cache_dir is not None:
        assert cache is not None, "no cache secret could be kept"
    with inside(folder):
        return scan_paths(["."], config, jobs=jobs, cache=cache)


def row(f: Finding) -> tuple[Any, ...]:
    """Everything a finding carries, in a comparable form."""
    return (f.code, f.name, f.severity, f.message, f.location, f.evidence, f.confidence, f.fix,
            repr(f.extra), f.suppressed, f.suppression_reason, repr(f.remedy), f.fix_safety,
            f.manual, f.fingerprint)


def rows(result: ScanResult) -> list[tuple[Any, ...]]:
    """The findings in the order the scan returns them (order is part of the result)."""
    return [row(f) for f in result.findings]


def summary(result: ScanResult) -> tuple[Any, ...]:
    return (result.files_scanned, result.files_by_kind, result.models, result.sources)
