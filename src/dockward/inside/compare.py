"""Configured vs observed: the two views of one container, side by side.

``audit`` reads what a container was *told* (``inspect``); ``inside`` reads what it *got*
(``/proc``).  They disagree when something between the two changed the outcome: a daemon
default (``--userns-remap``, a custom default seccomp profile, ``--default-ulimit``), a
parent cgroup, an orchestrator's mutation, a container changed after it started
(``nsenter``, a runtime update), or a reader bug.  Each row compares one security-relevant
setting in the same vocabulary; ``None`` on either side means "cannot be told" and never
counts as a disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dockward.inside.probe_parsers import cap_name
from dockward.models.knowledge import DEFAULT_CAPABILITIES, is_root_user, normalize_host_path
from dockward.models.workload import Workload, normalize_capability

# Relative difference tolerated for limits (cgroup rounding: cpu quota in microseconds,
# memory in pages).
_TOLERANCE = 0.02


@dataclass(frozen=True)
class Row:
    """One setting as configured and as observed (rendered as text)."""

    setting: str
    configured: str | None
    observed: str | None
    agree: bool
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"setting": self.setting, "configured": self.configured,
                "observed": self.observed, "agree": self.agree, "note": self.note}



def _fmt_bool(value: bool | None) -> str | None:
    return None if value is None else ("yes" if value else "no")


def _row(setting: str, configured: Any, observed: Any, note: str = "") -> Row:
    agree = configured is None or observed is None or configured == observed
    c = _fmt_bool(configured) if isinstance(configured, bool) else configured
    o = _fmt_bool(observed) if isinstance(observed, bool) else observed
    return Row(setting, None if c is None else str(c), None if o is None else str(o),
               agree, "" if agree else note)


def configured_capabilities(w: Workload, all_caps: set[str] | None = None) -> set[str] | None:
    """The bounding set a configuration produces: defaults, minus drops, plus adds."""
    if w.is_unknown("cap_add") or w.is_unknown("cap_drop"):
        return None
    universe = all_caps or set()
    if w.privileged:
        return set(universe) if universe else None
    dropped = {normalize_capability(c.name) for c in w.cap_drop}
    added = {normalize_capability(c.name) for c in w.cap_add}
    caps = set() if "ALL" in dropped else set(DEFAULT_CAPABILITIES) - dropped
    if "ALL" in added:
        return set(universe) if universe else None
    return caps | added


def _observed_caps(observed: Workload) -> tuple[set[str] | None, set[str]]:
    bounding = observed.facts.get("bounding_capabilities")
    if bounding is None:
        return None, set()
    names = {normalize_capability(c) for c in bounding}
    last = observed.facts.get("cap_last_cap")
    if last is None:
        return names, names | set(DEFAULT_CAPABILITIES)
    return names, {normalize_capability(cap_name(bit)) for bit in range(int(last) + 1)}


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if a == b:
        return True
    return abs(a - b) <= _TOLERANCE * max(abs(a), abs(b))


def _limit_row(setting: str, configured: float | None, observed: float | None,
               unknown: bool) -> Row:
    if unknown:
        return Row(setting, None if configured is None else str(configured),
                   None, True, "")
    c = None if configured is None or configured <= 0 else configured
    o = None if observed is None or observed <= 0 else observed
    agree = _close(c, o)
    return Row(setting, "unlimited" if c is None else str(c),
               "unlimited" if o is None else str(o), agree,
               "" if agree else "the limit in force differs from the configured one")


def _host(mode: str | None) -> bool | None:
    return None if mode is None else mode.strip().lower() == "host"


def _nnp(w: Workload) -> bool | None:
    if w.is_unknown("no_new_privileges") or w.is_unknown("security_opts"):
        return None
    return w.no_new_privileges


def _seccomp_unconfined(w: Workload) -> bool | None:
    if w.is_unknown("security_opts"):
        return None
    if w.privileged:
        return True
    opt = w.security_opt("seccomp")
    return opt is not None and opt.value.strip().lower() == "unconfined"


def _uid(user: str | None) -> str | None:
    if user is None:
        return None
    name = str(user).strip().split(":", 1)[0]
    if name.isdigit():
        return name
    return "0" if is_root_user(name) else None


def _mount_targets(w: Workload) -> set[str]:
    return {normalize_host_path(m.target) for m in w.mounts if m.target}


def compare(configured: Workload, observed: Workload) -> list[Row]:
    """Every compared setting, agreeing or not (the side-by-side view)."""
    rows: list[Row] = []
    obs_caps, universe = _observed_caps(observed)
    conf_caps = configured_capabilities(configured, universe or None)
    rows.append(_row("privileged", configured.privileged, observed.privileged,
                     "privileged in one view only"))
    if conf_caps is not None and obs_caps is not None:
        missing = sorted(conf_caps - obs_caps)
        extra = sorted(obs_caps - conf_caps)
        note = "; ".join(p for p in (
            f"configured but not granted: {', '.join(missing)}" if missing else "",
            f"granted but not configured: {', '.join(extra)}" if extra else "") if p)
        rows.append(Row("capabilities", ",".join(sorted(conf_caps)) or "(none)",
                        ",".join(sorted(obs_caps)) or "(none)", not note, note))
    for setting, field_name in (("pid namespace host", "pid_mode"),
                                ("network namespace host", "network_mode"),
                                ("ipc namespace host", "ipc_mode"),
                                ("uts namespace host", "uts_mode")):
        conf = _host(getattr(configured, field_name)) or False
        obs = None if observed.is_unknown(field_name) else bool(_host(
            getattr(observed, field_name)))
        if field_name == "uts_mode" and conf and not obs:
            # the UTS namespace is recognised only by the initial namespace's inode
            obs = None
        rows.append(_row(setting, conf, obs, "namespace shared in one view only"))
    remapped = observed.facts.get("userns_remapped")
    if remapped is not None:
        conf_host = _host(configured.userns_mode)
        note = ("configured userns=host but root is remapped" if conf_host and remapped
                else "")
        rows.append(Row("root remapped (userns)", "host" if conf_host else "daemon default",
                        "yes" if remapped else "no", not note, note))
    rows.append(_row("read-only rootfs",
                     None if configured.is_unknown("read_only") else configured.read_only,
                     None if observed.is_unknown("read_only") else observed.read_only,
                     "the root filesystem's writability differs"))
    rows.append(_limit_row("memory (bytes)", configured.memory, observed.memory,
                           observed.is_unknown("memory") or configured.is_unknown("memory")))
    rows.append(_limit_row("cpus", configured.cpus, observed.cpus,
                           observed.is_unknown("cpus") or configured.is_unknown("cpus")))
    rows.append(_limit_row("pids limit",
                           None if configured.pids_limit is None else float(
                               configured.pids_limit),
                           None if observed.pids_limit is None else float(observed.pids_limit),
                           observed.is_unknown("pids_limit")
                           or configured.is_unknown("pids_limit")))
    rows.append(_row("no-new-privileges", _nnp(configured), _nnp(observed),
                     "no-new-privileges differs"))
    rows.append(_row("seccomp unconfined", _seccomp_unconfined(configured),
                     _seccomp_unconfined(observed), "seccomp confinement differs"))
    rows.append(_row("uid", _uid(configured.user or configured.image_user),
                     _uid(observed.user), "the process runs as another user"))
    conf_mounts = _mount_targets(configured)
    obs_mounts = _mount_targets(observed)
    if not configured.is_unknown("mounts") and not observed.is_unknown("mounts"):
        only_conf = sorted(conf_mounts - obs_mounts)
        only_obs = sorted(obs_mounts - conf_mounts)
        note = "; ".join(p for p in (
            f"configured but not mounted: {', '.join(only_conf)}" if only_conf else "",
            f"mounted but not configured: {', '.join(only_obs)}" if only_obs else "") if p)
        rows.append(Row("mounts", ",".join(sorted(conf_mounts)) or "(none)",
                        ",".join(sorted(obs_mounts)) or "(none)", not note, note))
    if not configured.privileged and not observed.privileged:
        conf_dev = {d.container_path or d.host_path for d in configured.devices}
        obs_dev = {d.container_path or d.host_path for d in observed.devices}
        extra = sorted(obs_dev - conf_dev)
        rows.append(Row("devices", ",".join(sorted(conf_dev)) or "(none)",
                        ",".join(sorted(obs_dev)) or "(none)", not extra,
                        f"device nodes not configured: {', '.join(extra)}" if extra else ""))
    return rows


def disagreements(configured: Workload, observed: Workload) -> list[Row]:
    """Only the rows where the two views contradict each other."""
    return [r for r in compare(configured, observed) if not r.agree]
