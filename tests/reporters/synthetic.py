"""Synthetic reports for reporter tests: a live audit of many containers and a file scan.

Built directly from Findings (no engine, no readers) so that every reporter can be checked
on the shapes it must handle: audit findings have no file, only a ``host/object`` subject;
scan findings have files, lines and source paths.  Hostile strings are included on purpose.
"""

from __future__ import annotations

from dockward.findings import Confidence, Finding, Severity
from dockward.models.location import Location
from dockward.report import Report

XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'

# (code, name, severity, message, source path) for container findings
_CONTAINER_RULES = [
    ("DW101", "privileged", Severity.CRITICAL, "runs privileged", "HostConfig.Privileged"),
    ("DW201", "runtime-socket-mounted", Severity.CRITICAL,
     "mounts the runtime socket /var/run/docker.sock", "HostConfig.Binds[0]"),
    ("DW104", "host-pid", Severity.HIGH, "shares the host's PID namespace",
     "HostConfig.PidMode"),
    ("DW103", "capabilities-not-dropped", Severity.MEDIUM, "does not drop ALL capabilities",
     "HostConfig.CapDrop"),
    ("DW303", "no-pids-limit", Severity.MEDIUM, "has no pids limit (a fork bomb starves the "
     "host)", "HostConfig.PidsLimit"),
    ("DW304", "restart-unbounded", Severity.LOW, "restarts forever (restart policy always)",
     "HostConfig.RestartPolicy"),
    ("DW107", "host-uts", Severity.LOW, "shares the host's UTS namespace", "HostConfig.UTSMode"),
]


def audit_report(containers: int = 24, hosts: tuple[str, ...] = ("prod-1", "prod-2"),
                 hostile: bool = True) -> Report:
    """An audit of ``containers`` containers spread over ``hosts``; some are clean."""
    findings: list[Finding] = []
    subjects: list[dict[str, object]] = [{"host": h, "containers": [], "images": []}
                                         for h in hosts]
    for i in range(containers):
        host_index = i % len(hosts)
        host = hosts[host_index]
        name = f"app-{i:02d}"
        subjects[host_index]["containers"].append(name)  # type: ignore[attr-defined]
        if i % 6 == 5:
            continue  # a clean container
        for j, (code, rname, sev, message, path) in enumerate(_CONTAINER_RULES):
            if (i + j) % 3 == 0 or (code == "DW303" and i % 2 == 0):
                findings.append(Finding(
                    code=code, name=rname, severity=sev, message=message,
                    location=Location(path=path, subject=f"{host}/{name}"),
                    evidence=path.split(".")[-1],
                    fix="set a limit" if code == "DW303" else "",
                ))
    image = "registry.example.com/team/api:1.4"
    subjects[0]["images"].append(image)  # type: ignore[attr-defined]
    findings.append(Finding(
        code="DW113", name="runs-as-root", severity=Severity.MEDIUM,
        message="image runs as root (no USER)", location=Location(
            path="Config.User", subject=f"{hosts[0]}/{image}"),
        confidence=Confidence.MEDIUM))
    findings.append(Finding(
        code="DW601", name="daemon-tcp-without-tls", severity=Severity.CRITICAL,
        message="the daemon listens on tcp://0.0.0.0:2375 without TLS",
        location=Location(path="daemon.hosts[1]", subject=hosts[-1]),
        evidence="tcp://0.0.0.0:2375"))
    if hostile:
        name = f"evil{XSS}"
        subjects[0]["containers"].append(name)  # type: ignore[attr-defined]
        findings.append(Finding(
            code="DW101", name="privileged", severity=Severity.CRITICAL,
            message=f"runs privileged {XSS}", location=Location(
                path="HostConfig.Privileged", subject=f"{hosts[0]}/{name}"),
            evidence=XSS, fix=XSS))
    findings.append(Finding(
        code="DW304", name="restart-unbounded", severity=Severity.LOW,
        message="restarts forever", location=Location(
            path="HostConfig.RestartPolicy", subject=f"{hosts[0]}/app-00"),
        suppressed=True, suppression_reason="accepted for the demo"))
    return Report(command="audit", findings=findings, root="", subjects=subjects,
                  stats={"containers": containers, "seconds": 0.42})


def scan_report(hostile: bool = True) -> Report:
    """A scan of a few files with line-anchored findings."""
    findings = [
        Finding(code="DW201", name="runtime-socket-mounted", severity=Severity.CRITICAL,
                message="mounts the runtime socket /var/run/docker.sock",
                location=Location(file="deploy/compose.yaml", line=7, column=9,
                                  path="services.web.volumes[0]", subject="web"),
                evidence="/var/run/docker.sock:/var/run/docker.sock"),
        Finding(code="DW303", name="no-pids-limit", severity=Severity.MEDIUM,
                message="has no pids limit", location=Location(
                    file="deploy/compose.yaml", line=3, column=3, path="services.web",
                    subject="web"), fix="add pids_limit: 200"),
        Finding(code="DW101", name="privileged", severity=Severity.CRITICAL,
                message="runs privileged", location=Location(
                    file="scripts/run.sh", line=12, column=1, path="argv[3]")),
        Finding(code="DW000", name="unreadable-input", severity=Severity.HIGH,
                message="cannot parse: unexpected ':'", location=Location(
                    file="broken/compose.yaml", line=2, column=5)),
    ]
    if hostile:
        findings.append(Finding(
            code="DW104", name="host-pid", severity=Severity.HIGH,
            message=f"shares the host PID namespace {XSS}\nsecond line, with: colon",
            location=Location(file=f"odd/{XSS}%,:.sh", line=1, column=1, path="argv[2]"),
            evidence=XSS))
    return Report(command="scan", findings=findings, root=".",
                  stats={"files_scanned": 5, "seconds": 0.01})
