"""A tightened Workload as a ``docker run`` line, a JSON document, a compose service
fragment or a Kubernetes container fragment; and the text report with the evidence.

The run line is complete (image, command, mounts, environment, ports...) so it can be run
as printed; environment values that look like secrets are masked in every format, as
everywhere in dockward (``--format json`` too), so such a line needs them put back.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from typing import Any

from dockward.engine_body import security_opt_text
from dockward.models.workload import Mount, Workload
from dockward.secrets import hardcoded_secret, redact_assignment
from dockward.tighten.limits import MIB, format_bytes
from dockward.tighten.result import TightenResult

SCHEMA = "dockward-tighten/1"


# --------------------------------------------------------------------------- run line


def run_argv(w: Workload, mask_secrets: bool = True) -> list[str]:
    """``docker run ...`` that creates the container ``w`` describes."""
    argv = ["docker", "run"]
    for fact, flag in (("detach", "-d"), ("interactive", "-i"), ("tty", "-t")):
        if w.facts.get(fact):
            argv.append(flag)
    if w.source_kind == "run-line" and "name" in w.origins:
        argv += ["--name", w.name]
    for attr, flag in (("network_mode", "--network"), ("pid_mode", "--pid"),
                       ("ipc_mode", "--ipc"), ("uts_mode", "--uts"),
                       ("userns_mode", "--userns"), ("cgroupns_mode", "--cgroupns")):
        value = getattr(w, attr)
        if value and not _engine_default(w, attr, value):
            argv += [flag, value]
    if w.privileged:
        argv.append("--privileged")
    if w.user is not None:
        argv += ["--user", w.user]
    for cap in w.cap_drop:
        argv += ["--cap-drop", cap.name]
    for cap in w.cap_add:
        argv += ["--cap-add", cap.name]
    if w.read_only:
        argv.append("--read-only")
    for mount in w.mounts:
        argv += (["--tmpfs", mount.target] if mount.type == "tmpfs"
                 else ["--mount", _mount_spec(mount)])
    for device in w.devices:
        argv += ["--device", f"{device.host_path}:{device.container_path}:{device.permissions}"]
    for opt in w.security_opts:
        argv += ["--security-opt", security_opt_text(opt.key, opt.value)]
    if w.memory:
        argv += ["--memory", format_bytes(int(w.memory))]
    if w.pids_limit:
        argv += ["--pids-limit", str(w.pids_limit)]
    if w.cpus:
        argv += ["--cpus", f"{w.cpus:g}"]
    if w.restart is not None and w.restart.name != "no":
        retries = f":{w.restart.max_retries}" if w.restart.max_retries else ""
        argv += ["--restart", f"{w.restart.name}{retries}"]
    for port in w.ports:
        if port.published:
            host = f"{port.host_ip}:" if port.host_ip else ""
            host += f"{port.host_port}:" if port.host_port else ""
            argv += ["-p", f"{host}{port.container_port}/{port.protocol}"]
    for env in w.env:
        shown = env.key if env.value is None else f"{env.key}={env.value}"
        if mask_secrets and env.value is not None and hardcoded_secret(env.key, env.value):
            shown = redact_assignment(env.key, env.value)
        argv += ["-e", shown]
    argv += _process_flags(w)
    entrypoint, command = _entrypoint_and_command(w)
    if entrypoint is not None:
        argv += ["--entrypoint", entrypoint]
    argv.append(w.image or "IMAGE")
    argv += command
    return argv


def _engine_default(w: Workload, attr: str, value: str) -> bool:
    """Values an inspect reports for settings nobody chose (the daemon's defaults)."""
    if attr == "network_mode":
        return value == "default"
    if attr == "ipc_mode":
        return value in ("private", "shareable")
    # the cgroup namespace mode of a live container is the daemon's default for its
    # cgroup version unless someone chose it; a create request says what was chosen
    return attr == "cgroupns_mode" and w.source_kind == "container" \
        and not w.facts.get("create_request")


def _mount_spec(m: Mount) -> str:
    parts = [f"type={m.type}"]
    if m.source:
        parts.append(f"source={m.source}")
    parts.append(f"target={m.target}")
    if m.read_only:
        parts.append("readonly")
    if m.propagation and m.type == "bind":
        parts.append(f"bind-propagation={m.propagation}")
    return ",".join(parts)


def _process_flags(w: Workload) -> list[str]:
    """Flags that shape the process (working dir, healthcheck, sysctls, ulimits...)."""
    out: list[str] = []
    facts = w.facts
    if facts.get("workdir"):
        out += ["-w", str(facts["workdir"])]
    out += _health_flags(facts.get("healthcheck"))
    for key, value in (facts.get("sysctls") or {}).items():
        out += ["--sysctl", f"{key}={value}"]
    for raw in facts.get("ulimits") or []:
        if isinstance(raw, Mapping):
            raw = f"{raw.get('Name')}={raw.get('Soft')}:{raw.get('Hard')}"
        out += ["--ulimit", str(raw)]
    for group in facts.get("group_add") or []:
        out += ["--group-add", str(group)]
    if facts.get("init") is True:
        out.append("--init")
    return out


def _health_flags(check: object) -> list[str]:
    if not isinstance(check, Mapping) or not check:
        return []
    test = list(check.get("Test") or [])
    if test[:1] == ["NONE"]:
        return ["--no-healthcheck"]
    out: list[str] = []
    if test[:1] == ["CMD-SHELL"] and len(test) > 1:
        out += ["--health-cmd", str(test[1])]
    elif test[:1] == ["CMD"]:
        out += ["--health-cmd", shlex.join(str(t) for t in test[1:])]
    for key, flag in (("Interval", "--health-interval"), ("Timeout", "--health-timeout"),
                      ("StartPeriod", "--health-start-period")):
        if check.get(key):
            out += [flag, f"{int(check[key]) / 1e9:g}s"]
    if check.get("Retries"):
        out += ["--health-retries", str(check["Retries"])]
    return out


def _entrypoint_and_command(w: Workload) -> tuple[str | None, list[str]]:
    """``--entrypoint`` takes one word: the rest of a longer entrypoint goes before the
    command, which runs the same process."""
    raw = w.facts.get("entrypoint")
    command = list(w.facts["cmd"] or []) if "cmd" in w.facts else list(w.command)
    if isinstance(raw, str):
        return raw, command
    if isinstance(raw, list):
        if not raw:
            return "", command
        return str(raw[0]), [str(r) for r in raw[1:]] + command
    return None, command


def shell_line(argv: list[str], wrap: bool = False) -> str:
    """The argv as one shell line; ``wrap`` puts each option on its own line."""
    if not wrap:
        return shlex.join(argv)
    lines: list[str] = [shlex.join(argv[:2])]
    i = 2
    while i < len(argv):
        word = argv[i]
        if word.startswith("-") and i + 1 < len(argv) and not argv[i + 1].startswith("-") \
                and word not in ("-d", "-i", "-t", "--read-only", "--privileged", "--init",
                                 "--no-healthcheck"):
            lines.append(shlex.join(argv[i:i + 2]))
            i += 2
        elif word.startswith("-"):
            lines.append(shlex.quote(word))
            i += 1
        else:
            lines.append(shlex.join(argv[i:]))
            break
    return " \\\n    ".join(lines)


# --------------------------------------------------------------------------- fragments


def compose_settings(result: TightenResult) -> dict[str, Any]:
    """The service keys tighten sets, in compose spelling (what a fix writes back)."""
    w = result.to_workload()
    out: dict[str, Any] = {}
    if w.user is not None:
        out["user"] = w.user
    out["cap_drop"] = [c.name for c in w.cap_drop]
    if w.cap_add:
        out["cap_add"] = [c.name for c in w.cap_add]
    if w.read_only:
        out["read_only"] = True
    tmpfs = [m.target for m in w.mounts if m.type == "tmpfs"]
    if tmpfs:
        out["tmpfs"] = tmpfs
    if w.security_opts:
        out["security_opt"] = [_compose_security_opt(o.key, o.value) for o in w.security_opts]
    if w.memory:
        out["mem_limit"] = format_bytes(int(w.memory))
    if w.pids_limit:
        out["pids_limit"] = w.pids_limit
    if w.cpus:
        out["cpus"] = w.cpus
    if w.restart is not None:
        out["restart"] = f"{w.restart.name}:{w.restart.max_retries}" \
            if w.restart.max_retries else w.restart.name
    return out


def _compose_security_opt(key: str, value: str) -> str:
    if key == "no-new-privileges":
        return "no-new-privileges:true"
    return f"{key}:{value}" if key in ("seccomp", "apparmor", "label") else f"{key}={value}"


def compose_fragment(result: TightenResult) -> str:
    import yaml

    name = result.original.name if result.original.source_kind == "compose-service" \
        else _k8s_name(result.original.name)
    head = f"# dockward tighten: proven by trial #{result.proof}; merge into the service\n"
    return head + yaml.safe_dump({"services": {name: compose_settings(result)}},
                                 sort_keys=False, default_flow_style=False)


def k8s_fragment(result: TightenResult) -> str:
    """The container's ``securityContext``/``resources`` and the tmpfs volumes."""
    import yaml

    w = result.to_workload()
    security: dict[str, Any] = {}
    uid, _, gid = (w.user or "").partition(":")
    if uid.isdigit():
        security["runAsUser"] = int(uid)
        if gid.isdigit():
            security["runAsGroup"] = int(gid)
    if uid and uid not in ("0", "root"):
        security["runAsNonRoot"] = True
    security["allowPrivilegeEscalation"] = not w.no_new_privileges
    if w.read_only:
        security["readOnlyRootFilesystem"] = True
    caps: dict[str, Any] = {"drop": [c.name for c in w.cap_drop]}
    if w.cap_add:
        caps["add"] = [c.name for c in w.cap_add]
    security["capabilities"] = caps
    seccomp = w.security_opt("seccomp")
    unconfined = seccomp is not None and seccomp.value.lower() == "unconfined"
    security["seccompProfile"] = {"type": "Unconfined" if unconfined else "RuntimeDefault"}
    container: dict[str, Any] = {"name": _k8s_name(w.name), "securityContext": security}
    limits: dict[str, str] = {}
    if w.memory:
        limits["memory"] = f"{-(-int(w.memory) // MIB)}Mi"
    if w.cpus:
        limits["cpu"] = f"{round(w.cpus * 1000)}m"
    if limits:
        container["resources"] = {"limits": limits}
    tmpfs = [m.target for m in w.mounts if m.type == "tmpfs"]
    volumes = []
    if tmpfs:
        container["volumeMounts"] = []
        for target in tmpfs:
            name = "tmpfs-" + (_k8s_name(target) or "root")
            container["volumeMounts"].append({"name": name, "mountPath": target})
            volumes.append({"name": name, "emptyDir": {"medium": "Memory"}})
    doc: dict[str, Any] = {"containers": [container]}
    if volumes:
        doc["volumes"] = volumes
    head = (f"# dockward tighten: proven by trial #{result.proof}; merge into the pod "
            "template's spec\n")
    if w.pids_limit:
        head += (f"# PIDs: a pod spec cannot limit them per container; set the kubelet's "
                 f"podPidsLimit (the trials suggest {w.pids_limit})\n")
    return head + yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)


def _k8s_name(text: str) -> str:
    name = re.sub(r"[^a-z0-9-]+", "-", text.lower()).strip("-")
    return name[:63].strip("-") or "app"


# --------------------------------------------------------------------------- reports


def result_dict(result: TightenResult) -> dict[str, Any]:
    """The JSON document (``--format json``)."""
    w = result.to_workload()
    argv = run_argv(w)
    return {
        "schema": SCHEMA,
        "workload": result.original.describe(),
        "image": w.image,
        "run": shlex.join(argv),
        "argv": argv,
        "cap_add": [c.name for c in w.cap_add],
        "cap_drop": [c.name for c in w.cap_drop],
        "user": w.user,
        "read_only": w.read_only,
        "tmpfs": [m.target for m in w.mounts if m.type == "tmpfs"],
        "memory": w.memory,
        "pids_limit": w.pids_limit,
        "cpus": w.cpus,
        "security_opt": [security_opt_text(o.key, o.value) for o in w.security_opts],
        "restart": compose_settings(result).get("restart"),
        "proof": result.proof,
        "peak": result.peak.as_dict(),
        "limits_peak": (result.limits_peak or result.peak).as_dict(),
        "decisions": [d.as_dict() for d in result.decisions],
        "trials": [t.as_dict() for t in result.trials],
        "notes": list(result.notes),
    }


def result_json(result: TightenResult) -> str:
    return json.dumps(result_dict(result), indent=2) + "\n"


def result_text(result: TightenResult, seconds: float | None = None) -> str:
    """The tightened run line, then each decision with the trials behind it."""
    w = result.to_workload()
    ran = [t for t in result.trials if t.number]
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    abandoned = sum(1 for t in ran if t.abandoned)
    stopped = f" ({abandoned} stopped early, once another had decided)" if abandoned else ""
    lines = [f"dockward tighten: {result.original.describe()} ({w.image}): "
             f"{len(ran)} trials{took}{stopped}", "", shell_line(run_argv(w), wrap=True), ""]
    width = max(len(d.setting) for d in result.decisions) if result.decisions else 0
    for decision in result.decisions:
        lines.append(f"{decision.setting.ljust(width)}  {decision.value}")
        lines.extend(f"{' ' * width}    {line}" for line in decision.evidence)
    lines.append("")
    lines.append(f"Proven by trial #{result.proof}: every setting above except the restart "
                 "policy, together.")
    for note in result.notes:
        lines.append(f"Note: {note}")
    return "\n".join(lines) + "\n"
