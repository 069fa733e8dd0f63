"""DW302: the container has no CPU limit."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules._common import spell
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW302",
    name="no-cpu-limit",
    model=Workload,
    severity=Severity.LOW,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.12", "OWASP-D7", "ATTACK-T1496", "ATTACK-T1499"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container has no CPU limit and can take every core of the host.

    ## What it does
    Reports a container without a CPU limit (`cpus`, `deploy.resources.limits.cpus`,
    `--cpus`, Kubernetes `resources.limits.cpu`), at the service or `docker run` word.
    Surfaces that cannot express a limit are not reported.

    ## Why it matters
    By default a container may use every core. The seed's fork bomb pins every core of the
    host at once; a compromised container mining cryptocurrency does the same for weeks.
    Other containers and host services (sshd, the Docker daemon you need in order to stop
    the container) slow to a crawl. A CPU limit keeps one container's load to its share.

    ## Bad
    ```yaml
    services:
      worker:
        image: python:3.12
    ```
    ```sh
    docker run python:3.12
    ```

    ## Good
    ```yaml
    services:
      worker:
        image: python:3.12
        cpus: 2
    ```
    ```sh
    docker run --cpus 2 python:3.12
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` sets the config's `[fix] cpus` (default 1) as
    `cpus` (`--cpus`, `resources.limits.cpu`), under `deploy.resources.limits` when the file
    keeps its limits there. Unsafe: a busy service gets slower.

    Set `cpus: 2` (`deploy.resources.limits.cpus: "2"`, `--cpus 2`) to what the service
    needs at peak.

    ## References
    - CIS Docker Benchmark v1.6, 5.12: CPU priority is set appropriately on containers
      (`CIS-5.12`)
    - OWASP Docker Security Cheat Sheet, rule 7: limit resources (`OWASP-D7`)
    - MITRE ATT&CK T1496, Resource Hijacking (`ATTACK-T1496`); T1499, Endpoint Denial of
      Service (`ATTACK-T1499`)
    """
    if w.is_unknown("cpus"):
        return
    if w.cpus is None or w.cpus <= 0:
        yield Hit(
            w.anchor,
            "has no CPU limit: one container can keep every host core busy (a fork bomb, a "
            f"cryptominer) and starve host services and other containers; set {spell(w, 'cpus')}",
            "cpus unlimited",
            remedy=Remedy(Change.SET, "cpus", ctx.fix.cpus, w.where("cpus")),
        )
