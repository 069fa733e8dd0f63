"""DW621: the swarm's root CA has not been rotated for a long time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.swarm import Swarm
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW621",
    name="swarm-ca-not-rotated",
    model=Swarm,
    severity=Severity.LOW,
    fix=FixSafety.NONE,
    refs=("CIS-7.9",),
    options={"max_age_days": 365},
)
def check(s: Swarm, ctx: RuleContext) -> Iterator[Hit]:
    """The swarm's root CA certificate is older than `max_age_days` (default 365).

    ## What it does
    Reads the `notBefore` date of the swarm's root CA certificate (`GET /swarm`,
    `TLSInfo.TrustRoot`) and reports a live swarm whose CA was created or last rotated
    longer ago than the `max_age_days` option. A rotation in progress is not reported.

    ## Why it matters
    The root CA signs every node certificate. Its key lives on every manager, so it leaks
    with any manager's disk or backup, and whoever holds it can mint certificates for new
    managers. Rotating the CA (`docker swarm ca --rotate`) replaces the key and the trust
    root on every node and makes certificates signed by the old key worthless.

    ## Bad
    ```sh
    $ docker info --format '{{.Swarm.Cluster.CreatedAt}}'   # never rotated since
    2021-03-02 09:14:11 +0000 UTC
    ```

    ## Good
    ```sh
    docker swarm ca --rotate
    ```

    ## Fix
    Automatic fix: none. Rotating the root CA (`docker swarm ca --rotate`) re-issues every
    node's certificate, an operation to plan and watch.

    Run `docker swarm ca --rotate` on a manager (or `--ca-cert`/`--ca-key` with an
    external CA) on a schedule; swarm re-issues every node certificate and then drops the
    old trust root.

    ## Options
    - `max_age_days` (integer, default 365): the oldest root CA accepted.

    ## References
    - CIS Docker Benchmark v1.6, 7.9: CA certificates are rotated as appropriate
      (`CIS-7.9`)
    """
    if not s.is_live or s.ca_not_before is None or s.root_rotation_in_progress:
        return
    max_age = int(ctx.option("max_age_days", 365))
    age = (datetime.now(UTC) - s.ca_not_before).days
    if age > max_age:
        yield Hit(s.where("ca"),
                  f"the swarm root CA is {age} days old (more than {max_age}): its key, "
                  "kept on every manager, can still mint node certificates; rotate it with "
                  "docker swarm ca --rotate",
                  f"root CA notBefore {s.ca_not_before.date().isoformat()}")
