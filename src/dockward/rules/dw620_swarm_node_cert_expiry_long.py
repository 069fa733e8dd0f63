"""DW620: swarm node certificates live longer than the policy allows."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.swarm import Swarm
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW620",
    name="swarm-node-cert-expiry-long",
    model=Swarm,
    severity=Severity.LOW,
    fix=FixSafety.NONE,
    refs=("CIS-7.8",),
    options={"max_days": 90},
)
def check(s: Swarm, ctx: RuleContext) -> Iterator[Hit]:
    """Swarm node certificates are valid for longer than `max_days` (default 90).

    ## What it does
    Reports a live swarm whose `Spec.CAConfig.NodeCertExpiry` (`docker swarm update
    --cert-expiry`) is longer than the `max_days` option. Docker's default, 90 days,
    passes.

    ## Why it matters
    A node certificate is the node's identity in the cluster: whoever copies it from a
    node's disk can talk to the managers as that node until it expires. A short lifetime
    bounds how long a stolen certificate, or one of a decommissioned node, stays useful;
    swarm renews certificates automatically, so short lifetimes cost nothing.

    ## Bad
    ```sh
    docker swarm update --cert-expiry 8760h   # one year
    ```

    ## Good
    ```sh
    docker swarm update --cert-expiry 720h    # 30 days
    ```

    ## Fix
    Automatic fix: none. The certificate lifetime is a cluster setting (`docker swarm update
    --cert-expiry`); `dockward fix` does not change a live swarm.

    `docker swarm update --cert-expiry 720h` (or any lifetime within your policy);
    nodes pick up the shorter lifetime at their next renewal.

    ## Options
    - `max_days` (integer, default 90): the longest node certificate lifetime accepted.

    ## References
    - CIS Docker Benchmark v1.6, 7.8: node certificates are rotated as appropriate
      (`CIS-7.8`)
    """
    if not s.is_live or s.node_cert_expiry_seconds is None:
        return
    max_days = int(ctx.option("max_days", 90))
    days = s.node_cert_expiry_seconds / 86400
    if days > max_days:
        yield Hit(s.where("node_cert_expiry"),
                  f"swarm node certificates are valid for {days:g} days (more than "
                  f"{max_days}): a certificate copied from a node stays usable that long; "
                  f"run docker swarm update --cert-expiry {max_days * 24}h",
                  f"NodeCertExpiry: {s.node_cert_expiry_seconds // 3600}h")
