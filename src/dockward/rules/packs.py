"""Which installed distributions declare rule packs, found without ``importlib.metadata``.

The scan cache keys its entries on them, and the registry imports only the rule modules a
model needs unless a pack is installed (a pack may add rules for any model).
"""

from __future__ import annotations

import functools
import os
import sys


@functools.cache  # asked by the cache's key and by the registry: the walk is done once
def declared_rule_packs() -> tuple[str, ...]:
    """The installed distributions that declare rule packs (entry-point group
    ``dockward.rules``): their metadata folder's name (name and version) and entry points.

    Read straight from the ``*.dist-info/entry_points.txt`` files on ``sys.path`` rather
    than through ``importlib.metadata``, whose import alone costs more than a cached scan
    of one file.  (A rule pack edited in place without a new version is not noticed by the
    cache: use ``--no-cache`` while developing one.)
    """
    found: list[str] = []
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            try:
                with open(os.path.join(entry or ".", name, "entry_points.txt"),
                          encoding="utf-8", errors="replace") as fh:
                    text = fh.read()
            except OSError:
                continue
            if "[dockward.rules]" in text:
                found.append(f"{name}\0{text}")
    return tuple(sorted(found))
