"""Which units link to each other, from their :class:`~dockward.linking.LinkKeys` alone.

Units are joined when one builds a Dockerfile another one is (or the same Dockerfile as
another invocation: both add to it), or runs an image another one tags.  Each group of
joined units is read again and linked as a whole; a unit joined to nothing keeps the
findings it got on its own.  The index is a few strings per file, whatever the tree's
size.
"""

from __future__ import annotations

from collections.abc import Sequence

from dockward.link_keys import LinkKeys


class _Joins:
    """Union-find over hashable nodes."""

    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def find(self, node: object) -> object:
        parent = self.parent.setdefault(node, node)
        while parent != node:
            grand = self.parent[parent]
            self.parent[node] = grand
            node, parent = parent, grand
        return node

    def join(self, a: object, b: object) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def linked_components(keys: Sequence[LinkKeys | None]) -> list[list[int]]:
    """Groups of unit indexes (each in order, groups ordered by their first unit) that must
    be linked together; units that link to nothing are in no group."""
    if not any(k is not None and k.needs_others for k in keys):
        return []
    from dockward.linking import real_path

    joins = _Joins()
    targets: set[str] = set()
    tags: set[str] = set()
    for i, k in enumerate(keys):
        if k is None or not k.needs_others:
            continue
        for path in k.targets:
            target = real_path(path)
            targets.add(target)
            joins.join(("unit", i), ("dockerfile", target))
        for tag in k.tags:
            tags.add(tag)
            joins.join(("unit", i), ("tag", tag))
    if not targets:
        return []
    for i, k in enumerate(keys):
        if k is None:
            continue
        for path in k.defines:
            target = real_path(path)
            if target in targets:
                joins.join(("unit", i), ("dockerfile", target))
        for image in k.images:
            if image in tags:
                joins.join(("unit", i), ("tag", image))
    groups: dict[object, list[int]] = {}
    for i in range(len(keys)):
        node = ("unit", i)
        if node in joins.parent:
            groups.setdefault(joins.find(node), []).append(i)
    return list(groups.values())
