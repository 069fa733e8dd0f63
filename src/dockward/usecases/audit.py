"""``dockward audit``: what is insecure on live Docker hosts right now.

Collection (:mod:`dockward.readers.engine.collect`) reads every endpoint into models; this
use case runs the rules over them, tags each finding with its host and object, optionally
looks from inside chosen containers (``--inside``), and builds the report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from dockward.config import Config
from dockward.findings import Finding
from dockward.models.environment import DaemonDefaults, Environment
from dockward.models.image import Image
from dockward.models.swarm import Swarm
from dockward.models.workload import Workload
from dockward.readers.engine.collect import AuditOptions, AuditResult, HostAudit, collect
from dockward.readers.engine.connect import Endpoint
from dockward.report import Report
from dockward.rules.runner import RuleRunner

ProgressFn = Callable[[int, int], None]


@dataclass
class AuditOutcome:
    """The report, and whether any host could be audited at all (exit 2 when none)."""

    report: Report
    result: AuditResult
    audited_any: bool = False
    inside: list[dict[str, Any]] = field(default_factory=list)


def audit_hosts(endpoints: list[Endpoint], options: AuditOptions, config: Config,
                inside: Iterable[str] = (), progress: ProgressFn | None = None
                ) -> AuditOutcome:
    """Collect every endpoint, judge every model, and look inside the named containers."""
    result = collect(endpoints, options, progress=progress)
    runner = RuleRunner(config)
    findings = judge_collected(result, runner)
    general_errors: list[str] = []
    subjects: list[dict[str, Any]] = []
    for ref in inside:
        found, subject = _look_inside(result, ref, config, runner, options.timeout,
                                      general_errors)
        findings.extend(found)
        if subject:
            subjects.append(subject)
    calls = result.api_calls()
    report = Report(
        command="audit",
        findings=findings,
        root=",".join(ep.label for ep in endpoints),
        stats={
            "hosts": len(result.hosts),
            "hosts_audited": sum(1 for h in result.hosts if h.reachable),
            "containers": sum(len(h.containers) for h in result.hosts),
            "images": sum(len(h.images) for h in result.hosts),
            "services": sum(len(h.services) for h in result.hosts),
            "api_calls": sum(calls.values()),
            "seconds": round(result.seconds, 3),
        },
        errors=result.errors + general_errors,
        fail_on=config.fail_on,
        subjects=[h.subject() for h in result.hosts] + subjects,
    )
    return AuditOutcome(report=report, result=result, audited_any=result.audited_any,
                        inside=subjects)


def judge_collected(result: AuditResult, runner: RuleRunner) -> list[Finding]:
    """Run the rules over every collected model and tag findings with host and object.

    The tags (``extra``: host, container, container_id, image, image_id) let reports name
    the container by name, id and image without parsing subjects.
    """
    findings: list[Finding] = []
    for host in result.hosts:
        env = Environment(daemon=DaemonDefaults.of(host.daemon)) if host.daemon else None
        for model in host.models():
            tags = {**_tags(host.endpoint.label, model), "engine_id": host.engine_id}
            for finding in runner.check(model, env):
                finding.extra = {**tags, **(finding.extra or {})}
                findings.append(finding)
    findings.sort(key=Finding.sort_key)
    return findings


def _tags(label: str, model: object) -> dict[str, Any]:
    if isinstance(model, Workload):
        kind = "service" if model.source_kind == "swarm-service" else "container"
        return {"host": label, kind: model.name,
                f"{kind}_id": str(model.facts.get("id", ""))[:12], "image": model.image}
    if isinstance(model, Image):
        return {"host": label, "image": model.ref, "image_id": model.short_id}
    if isinstance(model, Swarm):
        return {"host": label, "swarm": model.cluster_id[:12]}
    return {"host": label}


def _find_container(result: AuditResult, ref: str) -> tuple[HostAudit, Workload] | None:
    """The audited container named ``ref`` (name, ``/name`` or id prefix), on any host."""
    for host in result.hosts:
        for w in host.containers:
            cid = str(w.facts.get("id", ""))
            if w.name in (ref, ref.lstrip("/")) or (ref and cid.startswith(ref)):
                return host, w
    return None


def _look_inside(result: AuditResult, ref: str, config: Config, runner: RuleRunner,
                 timeout: float, general_errors: list[str]
                 ) -> tuple[list[Finding], dict[str, Any] | None]:
    """Run the read-only probe in the audited container ``ref``.

    Errors are filed under the host the container runs on; a name that matches no audited
    container is an error of the audit as a whole.
    """
    from dockward.inside.remote import InsideUnavailable
    from dockward.readers.engine.connect import make_api_client
    from dockward.usecases.inside import look_inside_container

    found = _find_container(result, ref)
    if found is None:
        general_errors.append(f"--inside {ref}: no such container among those audited")
        return [], None
    host, w = found
    try:
        client = make_api_client(host.endpoint, timeout=timeout)
        res = look_inside_container(client, str(w.facts.get("id", "")), w, config,
                                    runner=runner)
    except InsideUnavailable as exc:
        host.errors.append(f"{host.endpoint.label}: --inside {ref}: {exc}")
        return [], None
    except Exception as exc:  # an unreachable exec must not lose the audit
        host.errors.append(f"{host.endpoint.label}: --inside {ref}: "
                           f"{type(exc).__name__}: {exc}")
        return [], None
    subject = res.subject()
    subject["host"] = host.endpoint.label
    return res.findings, subject
