"""DW704: what a container runs with differs from what its configuration says."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.observation import Drift
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW704",
    name="configured-observed-drift",
    model=Drift,
    severity=Severity.MEDIUM,
    fix=FixSafety.NONE,
    refs=("ATTACK-T1610",),
)
def check(d: Drift, ctx: RuleContext) -> Iterator[Hit]:
    """A running container's real isolation differs from its configuration.

    ## What it does
    Compares, for one container audited with `dockward audit --inside NAME`, each
    security-relevant setting as configured (`docker inspect`) with the same setting as
    observed from inside the container (`/proc/self/status`, mountinfo, cgroups,
    namespaces), and reports every setting where the two contradict each other.

    ## Why it matters
    Audits and policies judge the configuration; the kernel enforces what the process
    actually got. When they differ, something in between changed the outcome: a daemon
    default (`--userns-remap`, a default seccomp profile), a parent cgroup, an orchestrator
    or admission webhook mutating the container, `docker update` after start, `nsenter`
    into the container, or a runtime bug. Any of these can leave a container less isolated
    than every configuration-based check believes, or show that a reader misjudged it.

    ## Bad
    ```sh
    docker run -d --name app --pids-limit 50 alpine:3.20 sleep infinity
    docker update --pids-limit -1 app     # inspect and cgroup now disagree until restart
    dockward audit --inside app
    ```

    ## Good
    ```sh
    docker run -d --name app --pids-limit 50 alpine:3.20 sleep infinity
    dockward audit --inside app          # configured and observed agree
    ```

    ## Fix
    Automatic fix: none. this is what a container can see from the inside; fix the
    container's configuration (the related DW1xx/DW2xx findings) and re-create it.

    Find what changed the container after it was configured (daemon flags, orchestrator
    mutations, `docker update`, host tooling), make the configuration the single source of
    truth, and recreate the container from it.

    ## References
    - MITRE ATT&CK T1610, Deploy Container (`ATTACK-T1610`)
    """
    for row in d.rows:
        note = f" ({row.note})" if row.note else ""
        yield Hit(
            d.anchor.child(row.setting),
            f"{row.setting} is configured as {row.configured} but observed as "
            f"{row.observed} from inside{note}: the container's real isolation is not what "
            "its configuration says",
            f"{row.setting}: {row.configured} != {row.observed}",
        )
