"""A scan freezes start-up's objects for the garbage collector, once per process."""

from __future__ import annotations

import gc
from pathlib import Path

from dockward.config import Config
from dockward.usecases.scan import scan_paths


def test_a_scan_freezes_start_up_objects_once(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM busybox\nRUN echo hi\n")
    first = scan_paths([str(tmp_path)], Config())
    frozen = gc.get_freeze_count()
    assert frozen > 0
    garbage: list[object] = []
    garbage.append(garbage)  # a cycle made after the freeze stays collectable
    del garbage
    second = scan_paths([str(tmp_path)], Config())
    assert gc.get_freeze_count() == frozen  # the second scan froze nothing more
    assert gc.collect() >= 1
    assert [f.code for f in second.findings] == [f.code for f in first.findings]
    assert "DW404" in [f.code for f in first.findings]
