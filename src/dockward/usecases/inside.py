"""``dockward inside`` and ``audit --inside``: judge what a container sees from within.

The probe (:mod:`dockward.inside.probe`, or :func:`dockward.inside.remote.observe_container`
through ``docker exec``) only collects observations; this module turns them into the observed
Workload and Observation, runs the rules over them, and sets the observed view beside the
configured one (DW704 for every contradiction).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dockward.config import Config
from dockward.findings import Finding
from dockward.inside.compare import Row, compare
from dockward.inside.shape import conform
from dockward.inside.to_workload import build_observed, summary
from dockward.models.location import Location
from dockward.models.observation import Drift, DriftRow, Observation
from dockward.models.workload import Workload
from dockward.report import Report
from dockward.rules.runner import RuleRunner


def inside_report(obs: dict[str, Any], config: Config, name: str | None = None) -> Report:
    """The report of ``dockward inside`` for observations made in (or read from) a container."""
    obs = conform(obs)
    subject = name or "observed"
    workload, observation = build_observed(obs, subject=subject, name=name)
    findings = RuleRunner(config).run([workload, observation])
    findings.sort(key=lambda f: (-int(f.severity), f.code, f.location.path))
    return Report(
        command="inside",
        findings=findings,
        root=subject,
        stats={"seconds": obs.get("seconds", 0.0),
               "unreadable": [f"{e['path']}: {e['error']}" for e in obs.get("errors") or []]},
        fail_on=config.fail_on,
        subjects=[summary(obs)],
    )


@dataclass
class InsideAudit:
    """Both views of one container: what ``audit --inside`` reports for it."""

    findings: list[Finding]  # on the observed Workload, the Observation, and the drift (DW704)
    rows: list[Row]  # every compared setting (the side-by-side table)
    observed: Workload
    observation: Observation
    observations: dict[str, Any]  # the probe's raw JSON

    @property
    def disagreements(self) -> list[Row]:
        return [r for r in self.rows if not r.agree]

    def subject(self) -> dict[str, Any]:
        """A ``Report.subjects`` entry: the side-by-side table and the inside summary."""
        return {"kind": "inside", "name": self.observed.name,
                "observed": summary(self.observations),
                "side_by_side": [r.to_dict() for r in self.rows],
                "disagreements": len(self.disagreements)}


def judge_inside(obs: dict[str, Any], configured: Workload, config: Config | None = None,
                 runner: RuleRunner | None = None) -> InsideAudit:
    """Set observations made inside a container beside its configured Workload.

    Findings carry the subject ``<configured subject>/observed`` (``host/name`` in a live
    audit), so reporters group them with the container's configured findings.
    """
    obs = conform(obs)  # the probe ran in a container that may lie, or break its JSON
    runner = runner or RuleRunner(config or Config())
    name = configured.name or str(obs.get("container_id") or "")[:12]
    base = configured.anchor.subject or name
    observed, observation = build_observed(obs, subject=f"{base}/observed", name=name)
    rows = compare(configured, observed)
    drift = Drift(
        name=configured.name,
        anchor=Location(subject=f"{configured.anchor.subject}/observed", path="inside"),
        rows=[DriftRow(r.setting, r.configured or "", r.observed or "", r.note)
              for r in rows if not r.agree],
    )
    findings = runner.run([observed, observation]) + runner.check(drift)
    return InsideAudit(findings=findings, rows=rows, observed=observed,
                       observation=observation, observations=obs)


def look_inside_container(client: Any, container: str, configured: Workload,
                          config: Config | None = None, probe_sockets: bool = True,
                          runner: RuleRunner | None = None) -> InsideAudit:
    """Run the read-only probe in a running container and judge what it saw.

    Raises :class:`dockward.inside.remote.InsideUnavailable` when the container is not running
    or has no Python to run the probe with.
    """
    from dockward.inside.remote import observe_container

    obs = observe_container(client, container, probe_sockets=probe_sockets)
    return judge_inside(obs, configured, config, runner)
