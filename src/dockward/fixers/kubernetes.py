"""The Kubernetes editor: ``securityContext`` and ``resources.limits`` of a container, and
the pod-level settings a finding points at.

What a Docker flag says, Kubernetes says in the container's ``securityContext``:
``allowPrivilegeEscalation: false`` for no-new-privileges, ``capabilities.drop: [ALL]``,
``runAsNonRoot``/``runAsUser``/``runAsGroup``, ``readOnlyRootFilesystem``, a
``RuntimeDefault`` seccomp/AppArmor profile instead of ``Unconfined``; limits go to
``resources.limits``.  A removed ``hostPath`` mount takes its pod volume with it when no
other container of the pod mounts it.
"""

from __future__ import annotations

from typing import Any

from dockward.findings import Change, Remedy
from dockward.fixers.base import SourceText, Unfixable, target_of
from dockward.fixers.edits import Edit
from dockward.fixers.yaml_text import Entry, YamlText, YNode
from dockward.kinds import K8S_POD_FIELDS, k8s_cpu, k8s_memory
from dockward.models.location import Location
from dockward.models.workload import normalize_capability

_POD_LEVEL = K8S_POD_FIELDS
_CONTAINER_GROUPS = ("containers", "initContainers", "ephemeralContainers")


class KubernetesEditor:
    """Edits the pod templates of one manifest (every document of it)."""

    settings = frozenset({
        "privileged", "cap_add", "cap_drop", *_POD_LEVEL, "userns_mode", "security_opts",
        "no_new_privileges", "user", "read_only", "memory", "cpus", "mounts",
        "mount_read_only", "mount_propagation", "port_host_ip"})

    def __init__(self, source: SourceText) -> None:
        self.source = source
        self.y = YamlText(source.text)

    def edits(self, part: Remedy, anchor: Location) -> list[Edit]:
        target = target_of(part, anchor)
        if part.setting in _POD_LEVEL:
            return [self._remove(self._entry(target, _POD_LEVEL[part.setting]))]
        handler = getattr(self, f"_{part.setting}")
        result: list[Edit] = handler(part, target)
        return result

    # -- lookups ---------------------------------------------------------------------------

    def _entry(self, target: Location, *keys: str) -> Entry:
        entry = self.y.entry_at(target.line, target.column)
        if entry is None or (keys and entry.key.value not in keys):
            raise Unfixable(f"no {' or '.join(keys) or 'setting'} at {target.describe()}")
        return entry

    def _item(self, target: Location) -> YNode:
        item = self.y.item_at(target.line, target.column)
        if item is None:
            raise Unfixable(f"no list item at {target.describe()}")
        return item

    def _container(self, target: Location) -> YNode:
        item = self._item(target).deref()
        if item.kind != "map":
            raise Unfixable(f"no container at {target.describe()}")
        return item

    def _remove(self, entry: Entry) -> Edit:
        """Remove an entry, and the mappings it leaves empty up to the container."""
        mapping = entry.mapping
        if self.y.remaining(mapping) == 1:
            owner = self.y.owner_entry(mapping)
            if owner is not None and owner.key.value not in _CONTAINER_GROUPS and \
                    owner.key.value not in ("spec", "template", "metadata"):
                return self._remove(owner)
        return self.y.remove_pair(mapping, entry.key)

    def _drop_item(self, item: YNode) -> Edit:
        sequence = item.parent
        if sequence is None:
            raise Unfixable("the item is not in a list")
        if self.y.remaining(sequence) == 1:
            owner = self.y.owner_entry(sequence)
            if owner is not None:
                return self._remove(owner)
        return self.y.remove_item(sequence, item)

    def _ensure(self, mapping: YNode, path: list[str], value: Any) -> list[Edit]:
        """``path`` set to ``value`` under ``mapping``, creating what is missing."""
        node = mapping
        for depth, key in enumerate(path):
            found = node.get(key)
            rest = path[depth + 1:]
            nested: Any = value
            for name in reversed(rest):
                nested = {name: nested}
            if found is None:
                return [self.y.insert_pair(node, key, nested)]
            child = found[1].deref()
            if not rest:
                if child.kind == "scalar" and not child.is_null:
                    return [self.y.replace_scalar(child, value)]
                if isinstance(value, list) and child.kind == "seq":
                    return [self.y.append_item(child, v) for v in value
                            if v not in [i.value for i in child.items]]
                return [self.y.set_empty_value(Entry(node, *found), value)]
            if child.is_null:
                return [self.y.set_empty_value(Entry(node, *found), nested)]
            if child.kind != "map":
                raise Unfixable(f"{key} is not a mapping")
            node = child
        return []

    # -- securityContext -------------------------------------------------------------------

    def _privileged(self, part: Remedy, target: Location) -> list[Edit]:
        return [self._remove(self._entry(target, "privileged"))]

    def _cap_add(self, part: Remedy, target: Location) -> list[Edit]:
        if part.change is Change.REMOVE:
            item = self._item(target)
            if normalize_capability(item.value) != normalize_capability(str(part.value)):
                raise Unfixable(f"the capability at {target.describe()} is {item.value!r}")
            return [self._drop_item(item)]
        return self._ensure(self._container(target), ["securityContext", "capabilities",
                                                      "add"], [str(part.value)])

    def _cap_drop(self, part: Remedy, target: Location) -> list[Edit]:
        return self._ensure(self._container(target), ["securityContext", "capabilities",
                                                      "drop"], [str(part.value)])

    def _userns_mode(self, part: Remedy, target: Location) -> list[Edit]:
        entry = self._entry(target, "hostUsers")
        return [self.y.replace_scalar(entry.value, False)]

    def _security_opts(self, part: Remedy, target: Location) -> list[Edit]:
        """An Unconfined profile becomes RuntimeDefault; an unconfined SELinux type goes;
        ``procMount: Unmasked`` becomes Default."""
        entry = self._entry(target)
        key = entry.key.value
        if key == "procMount":
            return [self.y.replace_scalar(entry.value, "Default")]
        if key == "type":
            owner = self.y.owner_entry(entry.mapping)
            if owner is not None and owner.key.value in ("seccompProfile", "appArmorProfile"):
                return [self.y.replace_scalar(entry.value, "RuntimeDefault")]
            if owner is not None and owner.key.value == "seLinuxOptions":
                return [self._remove(entry)]
        if "seccomp" in key or "apparmor" in key:  # the older annotations
            return [self.y.replace_scalar(entry.value, "runtime/default")]
        raise Unfixable(f"dockward does not rewrite {key}")

    def _no_new_privileges(self, part: Remedy, target: Location) -> list[Edit]:
        entry = self.y.entry_at(target.line, target.column)
        if entry is not None and entry.key.value == "allowPrivilegeEscalation":
            return [self.y.replace_scalar(entry.value, False)]
        return self._ensure(self._container(target),
                            ["securityContext", "allowPrivilegeEscalation"], False)

    def _user(self, part: Remedy, target: Location) -> list[Edit]:
        uid, _, gid = str(part.value).partition(":")
        if not uid.isdigit() or (gid and not gid.isdigit()):
            raise Unfixable(f"Kubernetes needs a numeric user, not {part.value!r}")
        entry = self.y.entry_at(target.line, target.column)
        if entry is not None and entry.key.value == "runAsUser":
            return [self.y.replace_scalar(entry.value, int(uid))]
        container = self._container(target)
        edits: list[Edit] = []
        wanted: list[tuple[str, Any]] = [("runAsNonRoot", True), ("runAsUser", int(uid))]
        if gid:
            wanted.append(("runAsGroup", int(gid)))
        context = container.value_of("securityContext")
        if context is None or context.kind != "map" or context.is_null:
            return self._ensure(container, ["securityContext"], dict(wanted))
        for key, value in wanted:
            if context.get(key) is None:
                edits.append(self.y.insert_pair(context, key, value, claim=""))
        return edits

    def _read_only(self, part: Remedy, target: Location) -> list[Edit]:
        entry = self.y.entry_at(target.line, target.column)
        if entry is not None and entry.key.value == "readOnlyRootFilesystem":
            return [self.y.replace_scalar(entry.value, True)]
        return self._ensure(self._container(target),
                            ["securityContext", "readOnlyRootFilesystem"], True)

    # -- resources -------------------------------------------------------------------------

    def _memory(self, part: Remedy, target: Location) -> list[Edit]:
        return self._limit(target, "memory", k8s_memory(int(part.value)))

    def _cpus(self, part: Remedy, target: Location) -> list[Edit]:
        return self._limit(target, "cpu", k8s_cpu(float(part.value)))

    def _limit(self, target: Location, key: str, value: str) -> list[Edit]:
        entry = self.y.entry_at(target.line, target.column)
        if entry is not None and entry.key.value == key:
            return [self.y.replace_scalar(entry.value, value)]
        return self._ensure(self._container(target), ["resources", "limits", key], value)

    # -- mounts and ports ------------------------------------------------------------------

    def _mounts(self, part: Remedy, target: Location) -> list[Edit]:
        """The volumeMount goes; its pod volume too when nothing else mounts it."""
        item = self._item(target)
        name_node = item.deref().value_of("name")
        edits = [self._drop_item(item)]
        pod = self._pod_spec(item)
        if name_node is None or pod is None:
            return edits
        name = name_node.value
        others = [m for m in self._mount_items(pod) if m is not item
                  and (m.deref().value_of("name") or YNode("scalar", 0, 0)).value == name]
        volumes = pod.value_of("volumes")
        if others or volumes is None or volumes.kind != "seq":
            return edits
        for volume in volumes.items:
            found = volume.deref().value_of("name")
            if found is not None and found.value == name:
                edits.append(self._drop_item(volume))
        return edits

    def _pod_spec(self, mount: YNode) -> YNode | None:
        """volumeMounts item -> its container -> the pod spec holding the container."""
        mounts = mount.parent
        container = mounts.parent if mounts is not None else None
        group = container.parent if container is not None else None
        spec = group.parent if group is not None else None
        return spec if spec is not None and spec.kind == "map" else None

    def _mount_items(self, pod: YNode) -> list[YNode]:
        found: list[YNode] = []
        for group in _CONTAINER_GROUPS:
            containers = pod.value_of(group)
            for container in containers.items if containers is not None and \
                    containers.kind == "seq" else []:
                mounts = container.deref().value_of("volumeMounts") \
                    if container.deref().kind == "map" else None
                if mounts is not None and mounts.kind == "seq":
                    found.extend(mounts.items)
        return found

    def _mount_read_only(self, part: Remedy, target: Location) -> list[Edit]:
        return self._ensure(self._item(target).deref(), ["readOnly"], True)

    def _mount_propagation(self, part: Remedy, target: Location) -> list[Edit]:
        item = self._item(target).deref()
        found = item.get("mountPropagation")
        if found is None:
            raise Unfixable("no mountPropagation on this mount")
        return [self._remove(Entry(item, *found))]

    def _port_host_ip(self, part: Remedy, target: Location) -> list[Edit]:
        return self._ensure(self._item(target).deref(), ["hostIP"], str(part.value))
