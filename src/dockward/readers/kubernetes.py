"""Kubernetes manifests -> Workloads, one per container, with the line of every setting.

A pod spec says the same things a ``docker run`` line says, in other words: ``hostPID``
is ``--pid=host``, a ``hostPath`` volume mounted by a container is a bind mount,
``allowPrivilegeEscalation: false`` is ``no-new-privileges``.  This reader maps each
container of each pod template (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
ReplicationController, Job, CronJob, PodTemplate, and anything else with
``spec.template.spec.containers`` such as operators' custom resources or Argo Rollouts)
onto a :class:`Workload` with the Engine API's meaning, so that the one rule engine judges
Kubernetes exactly as it judges compose files and command lines.

Where Kubernetes and Docker differ, the Workload says what Kubernetes does:

- Security context fields are merged the way the kubelet merges them: the container's
  value wins over the pod's, field by field (``seLinuxOptions``, ``seccompProfile`` and
  ``appArmorProfile`` as a whole).
- ``hostNetwork: true`` also puts the pod in the host's UTS namespace (containerd and
  CRI-O drop both namespaces together), so it sets ``uts_mode`` too.
- Pods share the host's user namespace unless ``hostUsers: false``; that default is not
  reported (every pod would be), only an explicit ``hostUsers: true``.
- A pod without ``seccompProfile`` runs *Unconfined* unless the kubelet runs with
  ``--seccomp-default``; that cannot be seen from the manifest, so only an explicit
  ``Unconfined`` becomes ``seccomp=unconfined`` (``facts["seccomp_profile"]`` keeps the
  effective type, None when unset, for a policy that wants it set).
- A pids limit and a restart policy cannot be expressed per container (the kubelet's
  ``podPidsLimit``; ``restartPolicy`` with exponential back-off), so both are *unknown*,
  never "missing".
- A container without an ``image`` is a fragment (a kustomize patch is merged onto a base
  that sets the rest): what it does not set is unknown, what it sets is still judged.

Every location carries the workload name as its ``subject``: several documents of one file
have the same paths (``spec.template.spec.containers[0]``), and findings of different
objects must not share a fingerprint.

Documents (multi-document streams, unrendered Helm templates) come from
:mod:`dockward.readers.kubernetes_documents`, resource quantities from
:mod:`dockward.readers.kubernetes_quantities`.  The reader never raises on bad content: a
wrong type becomes a :class:`ParseProblem` at its line, and one broken document of a bundle
does not hide the others.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dockward.models.location import Location
from dockward.models.workload import (
    Capability,
    EnvVar,
    Mount,
    Port,
    SecurityOpt,
    Workload,
    normalize_capability,
)
from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.kubernetes_documents import HELM_ADVICE, documents, helm_line
from dockward.readers.kubernetes_quantities import cpu_cores, memory_bytes, parse_quantity
from dockward.readers.yamlsource import (
    YamlDoc,
    YamlPath,
    render_path,
    scalar_text,
    type_name,
)
from dockward.text import split_lines

# Where a pod spec sits in objects other than a Pod, tried in this order.
_POD_SPEC_PATHS: tuple[YamlPath, ...] = (
    ("spec", "template", "spec"),  # Deployment, StatefulSet, DaemonSet, Job, RC, Rollout, ...
    ("spec", "jobTemplate", "spec", "template", "spec"),  # CronJob
    ("template", "spec"),  # PodTemplate
)
_CONTAINER_GROUPS = ("containers", "initContainers", "ephemeralContainers")
_MAX_LIST_DEPTH = 8

_PROPAGATION = {"Bidirectional": "rshared", "HostToContainer": "rslave", "None": "rprivate"}
_LABEL_KEYS = ("user", "role", "type", "level")
_SECCOMP_ANNOTATION_POD = "seccomp.security.alpha.kubernetes.io/pod"
_SECCOMP_ANNOTATION_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/"
_APPARMOR_ANNOTATION_CONTAINER = "container.apparmor.security.beta.kubernetes.io/"

_PLACEHOLDER = re.compile(r"\$\{?\w|\$\(|\{\{")

_FRAGMENT_REASON = (
    "not set in this partial manifest (a container without an image, as in a kustomize "
    "patch): the base it is merged onto decides"
)
_PIDS_REASON = "not expressible in a Kubernetes pod spec (set by the kubelet's podPidsLimit)"
_RESTART_REASON = (
    "restartPolicy is pod-level in Kubernetes and restarts back off exponentially "
    "(up to 5 minutes), so there is no per-container restart policy to bound"
)
_EPHEMERAL_REASON = "ephemeral containers cannot set resources; the pod's limits apply"


__all__ = ["cpu_cores", "memory_bytes", "parse_quantity", "read_kubernetes"]


# --------------------------------------------------------------------------- public API


def read_kubernetes(src: SourceFile) -> Iterator[Workload | ParseProblem]:
    """One Workload per container, init container and ephemeral container of every pod
    template in ``src`` (all documents, ``kind: List`` items included), plus a ParseProblem
    for each part that could not be read."""
    lines = split_lines(src.text)
    templated = "{{" in src.text  # once per file: once per document made streams quadratic
    for doc, end_line in documents(src, lines):
        if isinstance(doc, ParseProblem):
            yield doc
            continue
        yield from _read_document(src, lines, doc, end_line, templated)


# --------------------------------------------------------------------------- objects


@dataclass(frozen=True, slots=True)
class _At:
    """A value inside a document and the path that leads to it."""

    value: Any
    path: YamlPath

    def get(self, key: str) -> _At | None:
        """Child ``key`` of a mapping; None when absent, null, or this is not a mapping."""
        if not isinstance(self.value, dict):
            return None
        child = self.value.get(key)
        return None if child is None else _At(child, (*self.path, key))

    def at(self, *keys: str) -> _At | None:
        node: _At | None = self
        for key in keys:
            node = node.get(key) if node is not None else None
        return node

    def items(self) -> list[_At]:
        if not isinstance(self.value, list):
            return []
        return [_At(item, (*self.path, index)) for index, item in enumerate(self.value)]


def _read_document(
    src: SourceFile, lines: list[str], doc: YamlDoc, end_line: int, templated: bool
) -> Iterator[Workload | ParseProblem]:
    start_line = doc.marks.get((), (1, 1))[0]
    check_helm = templated  # and only if it can matter
    for obj in _objects(_At(doc.value, ()), 0):
        kind = obj.value.get("kind")
        kind_text = kind if isinstance(kind, str) and kind else "Object"
        spec = _pod_spec(obj, kind_text)
        if spec is None:
            continue
        if check_helm:
            check_helm = False
            helm = helm_line(lines, start_line, end_line)
            if helm is not None:
                where = Location(file=src.display, line=helm[0], column=helm[1])
                yield ParseProblem(where, f"Helm template expression: {HELM_ADVICE}")
                return
        yield from _PodReader(src, doc, obj, kind_text, spec).read()


def _objects(node: _At, depth: int) -> Iterator[_At]:
    """The object itself, or the items of a ``kind: List`` (``PodList``, ...)."""
    if not isinstance(node.value, dict):
        return
    kind = node.value.get("kind")
    items = node.get("items")
    if isinstance(kind, str) and kind.endswith("List") and items is not None:
        if depth >= _MAX_LIST_DEPTH:
            return
        for item in items.items():
            yield from _objects(item, depth + 1)
        return
    yield node


def _pod_spec(obj: _At, kind: str) -> _At | None:
    """Where the pod spec of ``obj`` is, if it has one with containers."""
    if kind == "Pod":
        spec = obj.get("spec")
        return spec if spec is not None and isinstance(spec.value, dict) else None
    for path in _POD_SPEC_PATHS:
        spec = obj.at(*path)
        if spec is not None and isinstance(spec.value, dict) and any(
            group in spec.value for group in _CONTAINER_GROUPS
        ):
            return spec
    return None


def _kind_of(value: Any) -> str:
    return type_name(value, quote_strings=True)


# --------------------------------------------------------------------------- pod reader


class _PodReader:
    """Reads one pod spec: the settings every container of the pod shares."""

    def __init__(self, src: SourceFile, doc: YamlDoc, obj: _At, kind: str, spec: _At) -> None:
        self.src = src
        self.doc = doc
        self.kind = kind
        self.spec = spec
        self.problems: list[ParseProblem] = []
        metadata = obj.get("metadata")
        name = metadata.get("name") if metadata is not None else None
        generate = metadata.get("generateName") if metadata is not None else None
        namespace = metadata.get("namespace") if metadata is not None else None
        if name is not None and not isinstance(name.value, dict | list):
            self.name = scalar_text(name.value)
        elif generate is not None and not isinstance(generate.value, dict | list):
            self.name = f"{scalar_text(generate.value)}*"
        else:
            self.name = "(unnamed)"
        self.namespace = (
            scalar_text(namespace.value)
            if namespace is not None and not isinstance(namespace.value, dict | list)
            else None
        )
        # the pod's annotations: a Pod's own, or those of the template beside the spec
        template_meta = self._node((*spec.path[:-1], "metadata"))
        annotations = template_meta.get("annotations") if template_meta is not None else None
        self.annotations = (
            annotations if annotations is not None and isinstance(annotations.value, dict) else None
        )
        self.volumes = self._volumes()

    def _node(self, path: YamlPath) -> _At | None:
        value: Any = self.doc.value
        for key in path:
            in_list = isinstance(key, int) and isinstance(value, list) and 0 <= key < len(value)
            if not (in_list or (isinstance(value, dict) and key in value)):
                return None
            value = value[key]
        return None if value is None else _At(value, path)

    def problem(self, node: _At, message: str) -> None:
        where = self.doc.location(self.src.display, node.path)
        self.problems.append(ParseProblem(where, f"{render_path(node.path)}: {message}"))

    def read(self) -> Iterator[Workload | ParseProblem]:
        for group in _CONTAINER_GROUPS:
            node = self.spec.get(group)
            if node is None:
                continue
            if not isinstance(node.value, list):
                self.problem(node, f"expected a list of containers, got {_kind_of(node.value)}")
                continue
            for item in node.items():
                if not isinstance(item.value, dict):
                    self.problem(item, f"expected a container, got {_kind_of(item.value)}")
                    continue
                yield _ContainerReader(self, group, item).read()
        # pod-level problems are met once per container: report each once, in file order
        unique = {(p.location.line, p.location.column, p.message): p for p in self.problems}
        yield from (unique[key] for key in sorted(unique))

    def _volumes(self) -> dict[str, _At]:
        """The pod's volumes by name, for the containers' ``volumeMounts`` to look up."""
        node = self.spec.get("volumes")
        if node is None:
            return {}
        if not isinstance(node.value, list):
            self.problem(node, f"expected a list of volumes, got {_kind_of(node.value)}")
            return {}
        out: dict[str, _At] = {}
        for item in node.items():
            name = item.get("name")
            if name is not None and isinstance(item.value, dict):
                out[scalar_text(name.value)] = item
        return out

    def annotation(self, key: str) -> _At | None:
        return self.annotations.get(key) if self.annotations is not None else None


# --------------------------------------------------------------------------- container reader


class _ContainerReader:
    """Maps one container (with its pod's settings) onto a Workload."""

    def __init__(self, pod: _PodReader, group: str, node: _At) -> None:
        self.pod = pod
        self.group = group
        self.node = node
        name_node = node.get("name")
        index = node.path[-1]
        self.container_name = (
            scalar_text(name_node.value)
            if name_node is not None and not isinstance(name_node.value, dict | list)
            else f"#{index}"
        )
        self.subject = f"{pod.kind}/{pod.name}/{self.container_name}"
        self.w = Workload(name=self.subject, source_kind="k8s", anchor=self.loc(node))
        self.security = node.get("securityContext")
        if self.security is not None and not isinstance(self.security.value, dict):
            self.pod.problem(
                self.security, f"expected a mapping, got {_kind_of(self.security.value)}"
            )
            self.security = None
        self.pod_security = pod.spec.get("securityContext")
        if self.pod_security is not None and not isinstance(self.pod_security.value, dict):
            self.pod.problem(
                self.pod_security, f"expected a mapping, got {_kind_of(self.pod_security.value)}"
            )
            self.pod_security = None

    def loc(self, node: _At) -> Location:
        line, column = self.pod.doc.line_of(node.path)
        return Location(
            file=self.pod.src.display, line=line, column=column,
            path=render_path(node.path), subject=self.subject,
        )

    def read(self) -> Workload:
        w = self.w
        w.facts["k8s"] = {
            "kind": self.pod.kind, "name": self.pod.name, "namespace": self.pod.namespace,
            "container": self.container_name, "group": self.group,
        }
        self._image()
        self._command()
        self._namespaces()
        self._security_context()
        self._mounts()
        self._resources()
        self._ports()
        self._env()
        w.mark_unknown("pids_limit", _PIDS_REASON)
        w.mark_unknown("restart", _RESTART_REASON)
        if w.image is None and "image" not in w.unknown:
            self._fragment()
        return w

    # -- typed access

    def _bool(self, node: _At | None, field: str) -> bool | None:
        """A boolean setting; a string (``"true"``) is a problem, since the API server
        rejects it, unless it is an unrendered placeholder, which makes ``field`` unknown."""
        if node is None:
            return None
        if isinstance(node.value, bool):
            return node.value
        if isinstance(node.value, str) and _PLACEHOLDER.search(node.value):
            self.w.mark_unknown(field, f"unresolved placeholder {node.value!r}")
            return None
        self.pod.problem(node, f"expected true or false, got {_kind_of(node.value)}")
        return None

    def _int(self, node: _At | None, field: str) -> int | None:
        if node is None:
            return None
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return node.value
        if isinstance(node.value, str) and _PLACEHOLDER.search(node.value):
            self.w.mark_unknown(field, f"unresolved placeholder {node.value!r}")
            return None
        self.pod.problem(node, f"expected an integer, got {_kind_of(node.value)}")
        return None

    def _text(self, node: _At | None) -> str | None:
        if node is None:
            return None
        if isinstance(node.value, dict | list):
            self.pod.problem(node, f"expected a string, got {_kind_of(node.value)}")
            return None
        return scalar_text(node.value)

    def _mapping(self, node: _At | None) -> _At | None:
        if node is None:
            return None
        if not isinstance(node.value, dict):
            self.pod.problem(node, f"expected a mapping, got {_kind_of(node.value)}")
            return None
        return node

    def _list(self, node: _At | None) -> list[_At]:
        if node is None:
            return []
        if not isinstance(node.value, list):
            self.pod.problem(node, f"expected a list, got {_kind_of(node.value)}")
            return []
        return node.items()

    def _effective(self, key: str) -> _At | None:
        """A security context field as the kubelet resolves it: container over pod."""
        own = self.security.get(key) if self.security is not None else None
        if own is not None:
            return own
        return self.pod_security.get(key) if self.pod_security is not None else None

    # -- fields

    def _image(self) -> None:
        node = self.node.get("image")
        text = self._text(node)
        if node is not None and text is not None and text.strip():
            self.w.set("image", text, self.loc(node))
            if _PLACEHOLDER.search(text):
                self.w.mark_unknown("image", f"unresolved placeholder {text!r}")

    def _command(self) -> None:
        words: list[str] = []
        for key in ("command", "args"):
            for item in self._list(self.node.get(key)):
                text = self._text(item)
                if text is not None:
                    words.append(text)
        if words:
            where = self.node.get("command") or self.node.get("args")
            assert where is not None
            self.w.set("command", words, self.loc(where))

    def _namespaces(self) -> None:
        """``hostPID``/``hostNetwork``/``hostIPC`` join the host's namespaces; host networking
        also shares the host's UTS namespace (hostname) in every CRI runtime."""
        spec = self.pod.spec
        for key, field in (("hostPID", "pid_mode"), ("hostIPC", "ipc_mode"),
                           ("hostNetwork", "network_mode")):
            node = spec.get(key)
            if self._bool(node, field) and node is not None:
                self.w.set(field, "host", self.loc(node))
                if key == "hostNetwork":
                    self.w.set("uts_mode", "host", self.loc(node))
        users = spec.get("hostUsers")
        host_users = self._bool(users, "userns_mode")
        if users is not None and host_users is not None:
            # podman's name for a private user namespace; Docker has no other value than host
            self.w.set("userns_mode", "host" if host_users else "private", self.loc(users))
            self.w.facts["host_users"] = host_users

    def _security_context(self) -> None:
        w = self.w
        sc = self.security
        privileged_node = sc.get("privileged") if sc is not None else None
        privileged = self._bool(privileged_node, "privileged")
        if privileged is not None and privileged_node is not None:
            w.set("privileged", privileged, self.loc(privileged_node))
        self._capabilities(self._mapping(sc.get("capabilities")) if sc is not None else None)
        read_only = sc.get("readOnlyRootFilesystem") if sc is not None else None
        value = self._bool(read_only, "read_only")
        if value is not None and read_only is not None:
            w.set("read_only", value, self.loc(read_only))
        self._privilege_escalation(sc.get("allowPrivilegeEscalation") if sc is not None else None)
        self._user()
        self._seccomp()
        self._apparmor()
        self._selinux()
        proc_mount = sc.get("procMount") if sc is not None else None
        if proc_mount is not None and proc_mount.value == "Unmasked":
            w.security_opts.append(SecurityOpt(
                "systempaths", "unconfined", self.loc(proc_mount), raw="procMount: Unmasked"))

    def _capabilities(self, caps: _At | None) -> None:
        if caps is None:
            return
        for key, field in (("add", "cap_add"), ("drop", "cap_drop")):
            node = caps.get(key)
            if node is None:
                continue
            found: list[Capability] = []
            for item in self._list(node):
                text = self._text(item)
                if text is not None and text.strip():
                    found.append(Capability(normalize_capability(text), self.loc(item)))
            self.w.set(field, found, self.loc(node))

    def _privilege_escalation(self, node: _At | None) -> None:
        """``allowPrivilegeEscalation: false`` is the kubelet's ``no_new_privs``.

        Privileged containers and containers that add SYS_ADMIN always may escalate (the
        API server refuses the combination with ``false``), so ``false`` does not count
        for them.  Unset means true, the Kubernetes default.
        """
        w = self.w
        value = self._bool(node, "no_new_privileges")
        forced = w.privileged or any(c.name == "SYS_ADMIN" for c in w.cap_add)
        w.allow_privilege_escalation = True if value is None or forced else value
        if node is None or value is None:
            return
        if value is False and not forced:
            w.security_opts.append(SecurityOpt(
                "no-new-privileges", "true", self.loc(node),
                raw="allowPrivilegeEscalation: false"))
        elif value is True:
            w.security_opts.append(SecurityOpt(
                "no-new-privileges", "false", self.loc(node),
                raw="allowPrivilegeEscalation: true"))

    def _user(self) -> None:
        """``runAsUser``[:``runAsGroup``] as Docker's ``--user``; ``runAsNonRoot`` as a fact
        the root rule trusts (the kubelet refuses to start such a container as root)."""
        uid_node = self._effective("runAsUser")
        gid_node = self._effective("runAsGroup")
        uid = self._int(uid_node, "user")
        gid = self._int(gid_node, "user")
        if uid is not None and uid_node is not None:
            user = f"{uid}:{gid}" if gid is not None else str(uid)
            self.w.set("user", user, self.loc(uid_node))
        elif gid is not None:
            self.w.facts["run_as_group"] = gid
        non_root_node = self._effective("runAsNonRoot")
        non_root = self._bool(non_root_node, "user")
        if non_root is not None:
            self.w.run_as_non_root = non_root

    def _profile(self, key: str, annotation_keys: tuple[str, ...]) -> tuple[str, _At] | None:
        """The effective profile type of ``seccompProfile``/``appArmorProfile``: the
        container's field, its annotation, the pod's field, the pod's annotation."""
        candidates: list[_At | None] = [
            self.security.get(key) if self.security is not None else None,
            self.pod.annotation(annotation_keys[0]),
            self.pod_security.get(key) if self.pod_security is not None else None,
        ]
        if len(annotation_keys) > 1:
            candidates.append(self.pod.annotation(annotation_keys[1]))
        for node in candidates:
            if node is None:
                continue
            if isinstance(node.value, dict):
                kind = node.get("type")
                if kind is None or isinstance(kind.value, dict | list):
                    self.pod.problem(node, "a profile needs a 'type'")
                    return None
                return scalar_text(kind.value), kind
            value = scalar_text(node.value).strip().lower()
            if value == "unconfined":
                return "Unconfined", node
            if value.startswith("localhost/"):
                return "Localhost", node
            return "RuntimeDefault", node
        return None

    def _seccomp(self) -> None:
        found = self._profile("seccompProfile", (
            _SECCOMP_ANNOTATION_CONTAINER + self.container_name, _SECCOMP_ANNOTATION_POD))
        self.w.facts["seccomp_profile"] = found[0] if found is not None else None
        if found is not None and found[0] == "Unconfined":
            self.w.security_opts.append(SecurityOpt(
                "seccomp", "unconfined", self.loc(found[1]), raw="seccomp: Unconfined"))

    def _apparmor(self) -> None:
        found = self._profile(
            "appArmorProfile", (_APPARMOR_ANNOTATION_CONTAINER + self.container_name,))
        if found is not None and found[0] == "Unconfined":
            self.w.security_opts.append(SecurityOpt(
                "apparmor", "unconfined", self.loc(found[1]), raw="apparmor: Unconfined"))

    def _selinux(self) -> None:
        node = self._mapping(self._effective("seLinuxOptions"))
        if node is None:
            return
        for key in _LABEL_KEYS:
            part = node.get(key)
            text = self._text(part)
            if part is not None and text:
                self.w.security_opts.append(SecurityOpt(
                    "label", f"{key}:{text}", self.loc(part), raw=f"seLinuxOptions.{key}"))

    def _mounts(self) -> None:
        mounts_node = self.node.get("volumeMounts")
        for item in self._list(mounts_node):
            mount = self._mount(item)
            if mount is not None:
                self.w.mounts.append(mount)
        if mounts_node is not None:
            self.w.origins["mounts"] = self.loc(mounts_node)

    def _mount(self, item: _At) -> Mount | None:
        """A ``volumeMounts`` entry, resolved through the pod's volume of that name."""
        name_node, path_node = item.get("name"), item.get("mountPath")
        name, target = self._text(name_node), self._text(path_node)
        if name is None or target is None:
            self.pod.problem(item, "a volume mount needs a 'name' and a 'mountPath'")
            return None
        read_only = bool(self._bool(item.get("readOnly"), "mounts"))
        propagation_node = item.get("mountPropagation")
        propagation = (
            _PROPAGATION.get(scalar_text(propagation_node.value))
            if propagation_node is not None else None
        )
        sub_path = self._text(item.get("subPath"))
        sub_expr = self._text(item.get("subPathExpr"))
        volume = self.pod.volumes.get(name)
        host_path = volume.at("hostPath", "path") if volume is not None else None
        origin = self.loc(item)
        if host_path is not None:
            source = self._text(host_path) or ""
            unresolved = False
            if sub_path:
                source = posixpath.join(source, sub_path)
            elif sub_expr:
                source = posixpath.join(source, sub_expr)
                unresolved = True  # $(VAR) expanded from the container's environment
            return Mount(type="bind", source=source, target=target, origin=origin,
                         read_only=read_only, propagation=propagation, unresolved=unresolved)
        medium = volume.at("emptyDir", "medium") if volume is not None else None
        if medium is not None and medium.value == "Memory":
            return Mount(type="tmpfs", source=None, target=target, origin=origin,
                         read_only=read_only, propagation=propagation)
        return Mount(type="volume", source=name, target=target, origin=origin,
                     read_only=read_only, propagation=propagation)

    def _resources(self) -> None:
        """``resources.limits`` of the container, else the pod-level ``resources.limits``."""
        if self.group == "ephemeralContainers":
            self.w.mark_unknown("memory", _EPHEMERAL_REASON)
            self.w.mark_unknown("cpus", _EPHEMERAL_REASON)
            return
        own = self.node.at("resources", "limits")
        pod = self.pod.spec.at("resources", "limits")
        for key, field in (("memory", "memory"), ("cpu", "cpus")):
            node = (own.get(key) if own is not None else None) or (
                pod.get(key) if pod is not None else None)
            if node is None:
                continue
            if isinstance(node.value, str) and _PLACEHOLDER.search(node.value):
                self.w.mark_unknown(field, f"unresolved placeholder {node.value!r}")
                continue
            amount = memory_bytes(node.value) if key == "memory" else cpu_cores(node.value)
            if amount is None:
                self.pod.problem(node, f"{_kind_of(node.value)} is not a resource quantity "
                                 "(such as 512Mi, 1Gi, 500m or 2)")
                self.w.mark_unknown(field, "invalid quantity")
                continue
            self.w.set(field, amount, self.loc(node))

    def _ports(self) -> None:
        """Only a ``hostPort`` publishes a port on the node; a ``containerPort`` alone is
        reachable inside the cluster network, like an unpublished Docker port.

        With ``hostNetwork`` the API server defaults every ``hostPort`` to its
        ``containerPort``; those are not invented here, the host network is reported as such.
        """
        ports_node = self.node.get("ports")
        for item in self._list(ports_node):
            if not isinstance(item.value, dict):
                self.pod.problem(item, f"expected a port, got {_kind_of(item.value)}")
                continue
            container = self._int(item.get("containerPort"), "ports")
            if container is None:
                if item.get("containerPort") is None:
                    self.pod.problem(item, "a port needs a 'containerPort'")
                continue
            host = self._int(item.get("hostPort"), "ports")
            host_ip = self._text(item.get("hostIP")) or ""
            protocol = self._text(item.get("protocol")) or "TCP"
            self.w.ports.append(Port(
                container_port=str(container), origin=self.loc(item),
                host_port=str(host) if host else None, host_ip=host_ip,
                protocol=protocol.lower()))
        if ports_node is not None:
            self.w.origins["ports"] = self.loc(ports_node)

    def _env(self) -> None:
        env_node = self.node.get("env")
        for item in self._list(env_node):
            name = item.get("name")
            if not isinstance(item.value, dict) or name is None:
                self.pod.problem(item, "an environment variable needs a 'name'")
                continue
            value = item.get("value")
            text = None if value is None or "valueFrom" in item.value else self._text(value)
            self.w.env.append(EnvVar(key=scalar_text(name.value), value=text,
                                     origin=self.loc(item)))
        if env_node is not None:
            self.w.origins["env"] = self.loc(env_node)

    def _fragment(self) -> None:
        """A container without an image is a patch: what it leaves out, its base decides."""
        w = self.w
        w.facts["fragment"] = True
        for field in ("cap_drop", "user", "read_only", "memory", "cpus"):
            if field not in w.origins and field not in w.unknown:
                w.mark_unknown(field, _FRAGMENT_REASON)
        if w.security_opt("no-new-privileges") is None:
            w.mark_unknown("no_new_privileges", _FRAGMENT_REASON)
