"""DW301: the container has no memory limit."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.values import parse_bytes
from dockward.models.workload import Workload
from dockward.rules._common import spell
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW301",
    name="no-memory-limit",
    model=Workload,
    severity=Severity.MEDIUM,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.11", "OWASP-D7", "ATTACK-T1499"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container has no memory limit and can exhaust the host's memory.

    ## What it does
    Reports a container without a memory limit (`mem_limit`,
    `deploy.resources.limits.memory`, `--memory`/`-m`, Kubernetes
    `resources.limits.memory`), at the service or `docker run` word. Surfaces that cannot
    express a limit are not reported.

    ## Why it matters
    Containers share the host's memory. Without a cgroup limit, one leaking or attacked
    container can take all of it: the host starts swapping, then the kernel's OOM killer
    picks victims among host services and other containers, not just the culprit. The
    seed's point is that an attacker in one container must not be able to ruin the host's
    "quality of life"; a memory limit confines the damage to the container itself, which
    is then killed and restarted alone.

    ## Bad
    ```yaml
    services:
      app:
        image: node:22
    ```
    ```sh
    docker run node:22
    ```

    ## Good
    ```yaml
    services:
      app:
        image: node:22
        mem_limit: 512m
    ```
    ```sh
    docker run --memory 512m node:22
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` sets the config's `[fix] memory` (default
    `512m`) as `mem_limit` (`--memory`, `resources.limits.memory`), or under
    `deploy.resources.limits` when the file keeps its limits there. Unsafe: a service that
    needs more is killed by the OOM killer; raise the value in `[fix]`.

    Set a limit a little above the container's observed peak (`docker stats` shows it):
    `mem_limit: 512m` or `deploy.resources.limits.memory: 512M` in compose,
    `--memory 512m` on the command line.

    ## References
    - CIS Docker Benchmark v1.6, 5.11: the memory usage for containers is limited
      (`CIS-5.11`)
    - OWASP Docker Security Cheat Sheet, rule 7: limit resources (`OWASP-D7`)
    - MITRE ATT&CK T1499, Endpoint Denial of Service (`ATTACK-T1499`)
    """
    if w.is_unknown("memory"):
        return
    if w.memory is None or w.memory <= 0:
        yield Hit(
            w.anchor,
            "has no memory limit: one container can use all of the host's memory, and the "
            "kernel's OOM killer then kills host services and other containers; set "
            f"{spell(w, 'memory')}",
            "memory unlimited",
            remedy=Remedy(Change.SET, "memory", parse_bytes(ctx.fix.memory), w.where("memory")),
        )
