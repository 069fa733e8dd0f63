"""DW303: the container has no limit on the number of processes."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules._common import spell
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW303",
    name="no-pids-limit",
    model=Workload,
    severity=Severity.MEDIUM,
    fix=FixSafety.SAFE,
    refs=("CIS-5.29", "OWASP-D7", "ATTACK-T1499"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container has no PIDs limit, so a fork bomb can exhaust the host's process table.

    ## What it does
    Reports a container without a positive PIDs limit (`pids_limit`,
    `deploy.resources.limits.pids`, `--pids-limit`), at the service or `docker run` word.
    A limit of 0 or -1 means unlimited and is reported. Surfaces that cannot express one
    (a Kubernetes pod spec, where the kubelet's `podPidsLimit` applies) are not reported.

    ## Why it matters
    The seed's fork bomb, `:(){ :|:& };:` (or `bomb(){ bomb|bomb& };bomb`), starts
    processes until something stops it. Process IDs are a host-wide resource: once the
    kernel's PID or thread limit is reached, nothing new can start anywhere on the host,
    not even the shell or `docker kill` you need to stop it. Memory and CPU limits alone do
    not stop a fork bomb: they slow it down, but each process is small, so thousands fit in
    a modest memory limit. Only the pids cgroup caps the number of processes.

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
        mem_limit: 256m
        cpus: 4
    ```
    ```sh
    docker run --memory 256m --cpus 4 alpine:3.20 sh
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
        mem_limit: 256m
        cpus: 4
        pids_limit: 200
    ```
    ```sh
    docker run --memory 256m --cpus 4 --pids-limit 200 alpine:3.20 sh
    ```

    ## Fix
    Automatic fix: safe. `dockward fix` sets the config's `[fix] pids` (default 200) as
    `pids_limit` (`--pids-limit`), under `deploy.resources.limits` when the file keeps its
    limits there. Safe: 200 processes and threads is far above what a typical service runs,
    and a limit changes nothing until it is reached.

    Add `pids_limit: 200` (`--pids-limit 200`), or a value comfortably above the
    container's normal process and thread count (`docker stats` shows `PIDS`).

    ## References
    - CIS Docker Benchmark v1.6, 5.29: the PIDs cgroup limit is used (`CIS-5.29`)
    - OWASP Docker Security Cheat Sheet, rule 7: limit resources, including the number of
      processes (`OWASP-D7`)
    - MITRE ATT&CK T1499, Endpoint Denial of Service (`ATTACK-T1499`)
    """
    if w.is_unknown("pids_limit"):
        return
    if w.pids_limit is None or w.pids_limit <= 0:
        limited = [name for name, value in (("memory", w.memory), ("CPU", w.cpus))
                   if value is not None and value > 0]
        note = (
            f" (its {' and '.join(limited)} limit{'s do' if len(limited) > 1 else ' does'} "
            "not cap the number of processes)"
            if limited
            else "; memory and CPU limits alone would not stop it"
        )
        yield Hit(
            w.anchor,
            "has no PIDs limit: a fork bomb (:(){ :|:& };:) can fill the host's process "
            f"table so nothing else can start on the host{note}; set {spell(w, 'pids')}",
            "pids unlimited",
            remedy=Remedy(Change.SET, "pids_limit", ctx.fix.pids, w.where("pids_limit")),
        )
