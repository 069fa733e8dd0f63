"""One job or many, cold or from the cache: a scan reports exactly the same findings.

The scan streams files through a process pool and a cache, and re-reads the files that
link to each other; none of that may show in what it reports, down to the order of the
findings, their fix text and their suppression.  Every comparison here is against the
single-process scan without a cache, which the golden files (tests/golden) pin down.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dockward.scanning import parallel
from tests.scanning.helpers import CORPUS, EXAMPLES, LINKED, rows, scan, summary


@pytest.fixture
def small_pools(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use the pool even for a handful of files (normally they stay in one process)."""
    monkeypatch.setattr(parallel, "MIN_TASKS_PER_POOL", 1)


@pytest.mark.parametrize("folder", [EXAMPLES, LINKED], ids=["examples", "linked"])
@pytest.mark.usefixtures("small_pools")
def test_jobs_and_cache_change_nothing(folder: Path, tmp_path: Path) -> None:
    one = scan(folder)
    assert one.findings
    for jobs in (2, 3):
        many = scan(folder, jobs=jobs)
        assert rows(many) == rows(one), f"{jobs} jobs"
        assert summary(many) == summary(one)
    cache = tmp_path / "cache"
    cold = scan(folder, jobs=2, cache_dir=cache)
    warm = scan(folder, jobs=2, cache_dir=cache)
    warm_one = scan(folder, jobs=1, cache_dir=cache)
    assert cold.from_cache == 0
    assert warm.from_cache > 0 and warm_one.from_cache == warm.from_cache
    for result in (cold, warm, warm_one):
        assert rows(result) == rows(one)
        assert summary(result) == summary(one)


def test_files_that_link_are_linked_in_every_mode(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The cross-file facts the linked tree holds, checked in each mode."""
    monkeypatch.setattr(parallel, "MIN_TASKS_PER_POOL", 1)
    cache = tmp_path / "cache"
    for result in (scan(LINKED), scan(LINKED, jobs=2), scan(LINKED, jobs=2, cache_dir=cache),
                   scan(LINKED, jobs=2, cache_dir=cache)):
        found = {(f.location.file, f.location.line, f.code) for f in result.findings}
        # build.sh passes TOKEN to the Dockerfile's ARG TOKEN: reported at the build line
        assert ("p2/build.sh", 2, "DW401") in found
        # run.sh runs the image build.sh tags: its USER 1001 is known, so no DW113 ...
        assert ("p2/run.sh", 2, "DW113") not in found
        # ... but other:1.0 comes from a Dockerfile without USER
        assert ("p2/run.sh", 3, "DW113") in found
        # compose build.args DB_PASSWORD reaches api/Dockerfile's ARG used by a RUN
        assert ("p1/compose.yaml", 6, "DW401") in found
        assert ("p1/api/Dockerfile", 2, "DW401") in found
        # the api service's image sets USER app: no DW113 for it; web's does not
        assert ("p1/compose.yaml", 3, "DW113") not in found
        # the inline Dockerfile sets USER 1000
        assert ("p1/compose.yaml", 11, "DW113") not in found
        # the waiver in common.yaml (read through extends) still applies
        waived = [f for f in result.findings if f.location.file == "p1/common.yaml"
                  and f.code == "DW101"]
        assert waived and all(f.suppressed for f in waived)


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
def test_corpus_same_findings_with_jobs_and_cache(tmp_path: Path) -> None:
    one = scan(CORPUS)
    many = scan(CORPUS, jobs=2)
    assert rows(many) == rows(one)
    cache = tmp_path / "cache"
    cold = scan(CORPUS, jobs=2, cache_dir=cache)
    warm = scan(CORPUS, jobs=2, cache_dir=cache)
    assert warm.from_cache == warm.files_scanned
    for result in (cold, warm):
        assert rows(result) == rows(one)
        assert summary(result) == summary(one)


@pytest.mark.usefixtures("small_pools")
def test_the_time_budget_holds_per_file_in_every_worker(tmp_path: Path) -> None:
    """A file over ``file-time-budget`` becomes the same DW000 whether it is read here or in
    a worker, and the files around it are reported as usual."""
    from dockward.config import Config
    from tests.hostile.worst_cases import WORST_CASES

    shutil.copytree(EXAMPLES, tmp_path / "tree")
    name, content = WORST_CASES["huge_run_line"](400_000)  # seconds of CPU without a budget
    (tmp_path / "tree" / "slow").mkdir()
    (tmp_path / "tree" / "slow" / name).write_text(content)
    config = Config(file_time_budget=0.5)
    results = [scan(tmp_path / "tree", jobs=jobs, config=config) for jobs in (1, 2)]
    results.append(scan(tmp_path / "tree", jobs=2, config=config, cache_dir=tmp_path / "c"))
    over = [(f.location.file, f.message) for f in results[0].findings
            if f.code == "DW000" and "file-time-budget" in f.message]
    assert over == [(f"slow/{name}", "took more than 0.5 s of CPU time to read "
                     "(file-time-budget); skipped, nothing in it was checked")]
    assert ("seed-demo/run.sh", "DW101") in {(f.location.file, f.code)
                                             for f in results[0].findings}
    for other in results[1:]:
        assert rows(other) == rows(results[0])
