"""From what a writable trial wrote (``docker diff``) to ``--read-only`` plus tmpfs mounts.

Every path the trial added, changed or deleted must stay writable.  The smallest mount that
keeps it writable is a tmpfs on the folder it was written in, lifted to the topmost folder
the trial created itself (``mkdir -p /data/x && touch /data/x/f`` gives one tmpfs on
``/data``: the engine creates the mount point, so ``mkdir -p`` still succeeds).  Nested
targets collapse into the outer one.

A tmpfs hides what the image has in that folder, so a folder the image fills is not
proposed (the app would start on an empty ``/etc/nginx/conf.d`` and perhaps pass the trial
and fail later); nor is ``/``, which cannot be a tmpfs.  Such paths are returned as
*blockers*: the root file system then stays writable, and the report says why.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from dockward.tighten.trial import Change


@dataclass(frozen=True)
class TmpfsPlan:
    """Where tmpfs mounts go, which paths each one serves, and what blocks the plan."""

    targets: tuple[str, ...]
    written: dict[str, tuple[str, ...]]  # target -> written paths under it
    blockers: tuple[str, ...]  # human reasons; empty when the plan can work


def plan_tmpfs(changes: Iterable[Change], mounted: Sequence[str],
               image_entries: Callable[[str], int | None]) -> TmpfsPlan:
    """The tmpfs targets that make ``changes`` writable on a read-only root.

    ``mounted`` are the targets of the workload's own mounts (writes there do not touch
    the root file system); ``image_entries(folder)`` says how many entries the image has in
    a folder (None: the image does not have it).
    """
    relevant = [c for c in changes if not _under_any(c.path, mounted)]
    added = {c.path for c in relevant if c.kind == "A"}
    paths = {c.path for c in relevant}
    parents = {_parent(p) for p in paths}
    targets: dict[str, list[str]] = {}
    for change in relevant:
        if change.path in parents:
            continue  # a folder with written entries: its entries say where to mount
        if change.kind == "A" and change.is_dir:
            folder = change.path
        else:
            folder = _parent(change.path)
        target = _topmost_added(folder, added)
        targets.setdefault(target, []).append(change.path)
    collapsed = _collapse(targets)
    blockers: list[str] = []
    for target, written in sorted(collapsed.items()):
        example = written[0]
        if target == "/":
            blockers.append(f"{example} is written in / itself, which cannot be a tmpfs")
            continue
        if target in added:
            continue  # created by the workload: the image has nothing there to hide
        count = image_entries(target)
        if count:
            blockers.append(f"{example} is written in {target}, which the image fills "
                            "(a tmpfs would hide its files; use a volume there)")
    return TmpfsPlan(targets=tuple(sorted(collapsed)),
                     written={t: tuple(sorted(w)) for t, w in collapsed.items()},
                     blockers=tuple(blockers))


def _parent(path: str) -> str:
    return posixpath.dirname(path.rstrip("/")) or "/"


def _topmost_added(folder: str, added: set[str]) -> str:
    """The outermost folder above (or at) ``folder`` that the trial created."""
    top = folder
    current = folder
    while current != "/":
        if current in added:
            top = current
        current = _parent(current)
    return top


def _under_any(path: str, roots: Sequence[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots if r)


def _collapse(targets: dict[str, list[str]]) -> dict[str, list[str]]:
    """Drop targets inside other targets, merging what they serve into the outer one."""
    out: dict[str, list[str]] = {}
    for target in sorted(targets, key=len):
        outer = next((o for o in out if o != "/" and target.startswith(o + "/")), None)
        if outer is None:
            out[target] = list(targets[target])
        else:
            out[outer].extend(targets[target])
    return out
