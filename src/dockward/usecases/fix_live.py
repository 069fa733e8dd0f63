"""``dockward fix --host H --container NAME``: fix a running container, as far as the Engine
allows without re-creating it.

The container is inspected and judged by the same rules as an audit.  Remedies the update
endpoint can apply (memory, CPU and PIDs limits, restart policy) are sent with ``--apply``
(the one write dockward makes to a live host, and only when asked) or printed as a
``docker update`` command; the rest are applied to the container's model and printed as the
``docker run`` command that re-creates it fixed.  Unsafe remedies need ``--unsafe-fixes``,
as for files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dockward.config import Config
from dockward.findings import Finding, FixSafety
from dockward.fixers.base import Unfixable
from dockward.fixers.engine import send_update, updatable, update_args, update_body
from dockward.fixers.workload_model import apply_to_workload, run_args
from dockward.models.environment import Environment
from dockward.models.workload import Workload
from dockward.readers.engine.inspect_to_workload import workload_from_inspect
from dockward.rules.runner import RuleRunner
from dockward.usecases.fix import UNSAFE_REASON, Leftover, manual_reason


class ContainerNotFound(LookupError):
    """No container of that name or id on the host."""


@dataclass
class LiveFix:
    """What was (or would be) done to one container."""

    name: str
    container_id: str
    findings: list[Finding] = field(default_factory=list)
    update: dict[str, Any] = field(default_factory=dict)  # the /update body
    update_command: list[str] = field(default_factory=list)
    updated: list[Finding] = field(default_factory=list)  # fixed by the update
    applied: bool = False
    warnings: list[str] = field(default_factory=list)
    recreate: list[Finding] = field(default_factory=list)  # fixed only by re-creating
    recreate_command: list[str] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)  # need a human
    after: list[Finding] = field(default_factory=list)  # findings after --apply


def judge(api: Any, ref: str, runner: RuleRunner) -> tuple[Workload, str, list[Finding]]:
    """The container ``ref`` as a Workload, and what the rules find in it."""
    import docker.errors

    try:
        data = api.inspect_container(ref)
    except docker.errors.NotFound:
        raise ContainerNotFound(ref) from None
    name = str(data.get("Name", "")).lstrip("/") or ref
    w = workload_from_inspect(data, name)
    env = Environment()
    image = str(data.get("Config", {}).get("Image") or "")
    try:
        user = api.inspect_image(data.get("Image") or image).get("Config", {}).get("User")
        env = Environment(image_users={image: str(user or "")}) if image else env
    except docker.errors.APIError:
        pass  # the image is gone: its user stays unknown
    return w, str(data.get("Id", "")), [f for f in runner.check(w, env) if not f.suppressed]


def fix_container(api: Any, ref: str, config: Config, *, unsafe: bool = False,
                  apply: bool = False) -> LiveFix:
    runner = RuleRunner(config)
    w, container_id, findings = judge(api, ref, runner)
    result = LiveFix(name=w.name, container_id=container_id, findings=findings)
    wanted: list[Finding] = []
    for f in findings:
        if f.remedy is None:
            result.leftovers.append(Leftover(f, f.manual or manual_reason(f.code)))
        elif f.fix_safety is FixSafety.UNSAFE and not unsafe:
            result.leftovers.append(Leftover(f, UNSAFE_REASON))
        else:
            wanted.append(f)
    result.updated = [f for f in wanted if f.remedy is not None and updatable(f.remedy)]
    result.update = update_body(f.remedy for f in result.updated if f.remedy is not None)
    if result.update:
        result.update_command = update_args(w.name, result.update)
    others = [f for f in wanted if f not in result.updated]
    remedies = [f.remedy for f in wanted if f.remedy is not None]
    for f in others:
        try:
            apply_to_workload(w, [f.remedy] if f.remedy is not None else [])
        except Unfixable as exc:
            result.leftovers.append(Leftover(f, str(exc)))
            remedies.remove(f.remedy)  # type: ignore[arg-type]
            continue
        result.recreate.append(f)
    if result.recreate:
        result.recreate_command = run_args(apply_to_workload(w, remedies), name=w.name)
    if apply and result.update:
        result.warnings = send_update(api, container_id, result.update)
        result.applied = True
        _, _, result.after = judge(api, container_id, runner)
    return result
