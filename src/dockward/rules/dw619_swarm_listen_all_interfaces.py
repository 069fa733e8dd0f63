"""DW619: the swarm manager's cluster port listens on every interface."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.swarm import Swarm
from dockward.rules.registry import RuleContext, rule

ANY_ADDRESS = ("", "0.0.0.0", "::", "[::]")


@rule(
    code="DW619",
    name="swarm-listen-all-interfaces",
    model=Swarm,
    severity=Severity.MEDIUM,
    fix=FixSafety.NONE,
    refs=("CIS-7.3",),
)
def check(s: Swarm, ctx: RuleContext) -> Iterator[Hit]:
    """The swarm's cluster management port (2377) listens on every network interface.

    ## What it does
    Reports a live manager whose swarm listen address (`docker swarm init --listen-addr`,
    default `0.0.0.0:2377`) is a wildcard. The address is not in the Engine API: it is read
    from the manager's `swarm/docker-state.json`, so only managers audited on their own
    machine are judged.

    ## Why it matters
    Port 2377 accepts node joins and raft traffic. Listening on every interface exposes it
    on networks that should never reach it (a public interface, a container bridge), where
    anyone holding a leaked join token can add a node, and where every flaw of the raft
    endpoint is reachable.

    ## Bad
    ```sh
    docker swarm init --advertise-addr 10.0.0.5   # listens on 0.0.0.0:2377
    ```

    ## Good
    ```sh
    docker swarm init --advertise-addr 10.0.0.5 --listen-addr 10.0.0.5:2377
    ```

    ## Fix
    Automatic fix: none. The listen and advertise addresses are set when a node joins; changing
    them means re-joining the node.

    Give `--listen-addr` the management interface's address when the node creates or
    joins the swarm. It cannot be changed in place: the node leaves and joins again
    (managers one at a time, keeping quorum).

    ## References
    - CIS Docker Benchmark v1.6, 7.3: swarm services are bound to a specific host
      interface (`CIS-7.3`)
    """
    if not s.is_live or s.listen_addr is None:
        return
    host = s.listen_addr.rsplit(":", 1)[0] if ":" in s.listen_addr else s.listen_addr
    if host in ANY_ADDRESS:
        yield Hit(s.where("listen_addr"),
                  f"the swarm manager listens on every interface ({s.listen_addr}): node "
                  "joins and raft traffic are reachable from any network the host is on; "
                  "rejoin with --listen-addr set to the management interface",
                  f"ListenAddr: {s.listen_addr}")
