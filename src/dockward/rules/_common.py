"""Small helpers shared by the Workload rules (formatting and option parsing)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dockward.models.workload import Mount, Port, Workload


def is_host_mode(mode: str | None) -> bool:
    """True for a namespace mode that joins the host's namespace (``host``)."""
    return mode is not None and mode.strip().lower() == "host"


def mount_spec(m: Mount) -> str:
    """A mount in ``source:target[:ro]`` form, as a user would have written it."""
    source = m.source or "(anonymous)"
    text = f"{source}:{m.target}"
    if m.read_only:
        text += ":ro"
    if m.propagation:
        text += f" ({m.propagation})"
    return text


def port_spec(p: Port) -> str:
    """A published port as ``[ip:]host:container/proto``."""
    host = p.host_port if p.host_port else "(random)"
    prefix = f"{p.host_ip}:" if p.host_ip else ""
    return f"{prefix}{host}:{p.container_port}/{p.protocol}"


def port_numbers(spec: str | None) -> range:
    """The port numbers a spec such as ``2375``, ``2375/tcp`` or ``2370-2380`` covers."""
    if not spec:
        return range(0)
    text = spec.split("/", 1)[0].strip()
    low, _, high = text.partition("-")
    try:
        first = int(low)
        last = int(high) if high else first
    except ValueError:
        return range(0)
    if last < first:
        return range(0)
    return range(first, last + 1)


def string_list(value: Any) -> list[str]:
    """An option that should be a list of strings (a single string is accepted too)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return [str(value)]


def unknown_any(w: Workload, *fields: str) -> bool:
    """True when any of ``fields`` cannot be known from the surface that described ``w``."""
    return any(w.is_unknown(f) for f in fields)


def join_names(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def severity_hint(label: str) -> dict[str, Any]:
    """Per-finding severity suggestion (``extra['severity']``) for engines that honour it."""
    return {"severity": label}


# How each setting is written on each surface, so messages speak the user's own syntax.
_SPELLINGS: dict[str, dict[str, str]] = {
    "no_new_privileges": {
        "compose": "security_opt: [no-new-privileges:true]",
        "run": "--security-opt no-new-privileges",
        "k8s": "securityContext.allowPrivilegeEscalation: false",
    },
    "read_only": {
        "compose": "read_only: true (with tmpfs for paths it must write)",
        "run": "--read-only (with --tmpfs for paths it must write)",
        "k8s": "securityContext.readOnlyRootFilesystem: true (with emptyDir for paths it "
               "must write)",
    },
    "cap_drop_all": {
        "compose": "cap_drop: [ALL] and add back only what the service needs with cap_add",
        "run": "--cap-drop=ALL and add back only what it needs with --cap-add",
        "k8s": "securityContext.capabilities.drop: [ALL] and add back only what it needs",
    },
    "user": {
        "compose": 'user: "10001:10001" (or a USER in the image)',
        "run": "--user 10001:10001 (or a USER in the image)",
        "k8s": "securityContext.runAsNonRoot: true with a runAsUser",
    },
    "memory": {
        "compose": "mem_limit (or deploy.resources.limits.memory)",
        "run": "--memory",
        "k8s": "resources.limits.memory",
    },
    "cpus": {
        "compose": "cpus (or deploy.resources.limits.cpus)",
        "run": "--cpus",
        "k8s": "resources.limits.cpu",
    },
    "pids": {
        "compose": "pids_limit (or deploy.resources.limits.pids)",
        "run": "--pids-limit",
        "k8s": "the kubelet's podPidsLimit",
    },
    "restart": {
        "compose": "restart: on-failure:{n}",
        "run": "--restart on-failure:{n}",
        "k8s": "restartPolicy (Kubernetes backs off on its own)",
    },
    "pid_host": {"compose": "pid: host", "run": "--pid=host", "k8s": "hostPID: true"},
    "network_host": {"compose": "network_mode: host", "run": "--network=host",
                     "k8s": "hostNetwork: true"},
    "ipc_host": {"compose": "ipc: host", "run": "--ipc=host", "k8s": "hostIPC: true"},
    "uts_host": {"compose": "uts: host", "run": "--uts=host", "k8s": "hostNetwork: true"},
    "userns_host": {"compose": "userns_mode: host", "run": "--userns=host",
                    "k8s": "hostUsers: true"},
}


def surface(w: Workload) -> str:
    """``compose``, ``k8s`` or ``run`` (docker CLI flags, also right for live containers)."""
    if w.source_kind == "compose-service":
        return "compose"
    if w.source_kind == "k8s":
        return "k8s"
    return "run"


def spell(w: Workload, setting: str, **values: object) -> str:
    """The way ``setting`` is written on the surface that described ``w``."""
    text = _SPELLINGS[setting][surface(w)]
    return text.format(**values) if values else text
