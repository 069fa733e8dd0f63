"""DW616: service traffic between swarm nodes crosses the network in clear."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.swarm import Swarm
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW616",
    name="swarm-overlay-unencrypted",
    model=Swarm,
    severity=Severity.MEDIUM,
    fix=FixSafety.NONE,
    refs=("CIS-7.4", "ATTACK-T1040"),
)
def check(s: Swarm, ctx: RuleContext) -> Iterator[Hit]:
    """An overlay network that services use is not encrypted between nodes.

    ## What it does
    Reports overlay networks without the `encrypted` driver option: on a live swarm those
    that at least one service attaches to (the `ingress` routing mesh is left out), and in
    a stack file every network declared with `driver: overlay`.

    ## Why it matters
    Swarm encrypts its control plane, but not the application traffic of overlay networks
    unless asked to. Between nodes that traffic travels as plain VXLAN over UDP 4789: anyone
    on the path between two nodes (another tenant of the network, a compromised switch, a
    container with the host's network) reads and can inject into the services' connections.

    ## Bad
    ```yaml
    services:
      api:
        image: example/api
        networks: [backend]
    networks:
      backend:
        driver: overlay
    ```

    ## Good
    ```yaml
    services:
      api:
        image: example/api
        networks: [backend]
    networks:
      backend:
        driver: overlay
        driver_opts:
          encrypted: "true"
    ```

    ## Fix
    Automatic fix: none. Encrypting an existing overlay network means recreating it and every
    service on it; `dockward fix` does not edit stack files' networks or a live swarm.

    Create the network with `docker network create -d overlay --opt encrypted NAME`, or add
    `driver_opts: {encrypted: "true"}` to it in the stack file. An existing network cannot
    be changed: create the encrypted one, move the services, remove the old one. IPsec
    costs some throughput; the nodes must allow ESP (IP protocol 50) between them.

    ## References
    - CIS Docker Benchmark v1.6, 7.4: data exchanged between containers on different
      nodes of the overlay network is encrypted (`CIS-7.4`)
    - MITRE ATT&CK T1040, network sniffing (`ATTACK-T1040`)
    """
    for net in s.networks:
        if net.encrypted or net.ingress or net.driver != "overlay":
            continue
        if s.is_live and not net.services:
            continue
        users = ", ".join(net.services)
        carried = f" (services: {users})" if users else ""
        spelling = ("add driver_opts: {encrypted: \"true\"}" if not s.is_live else
                    "recreate it with docker network create -d overlay --opt encrypted")
        yield Hit(net.origin,
                  f"overlay network {net.name!r}{carried} is not encrypted: traffic between "
                  f"nodes on it crosses the network as clear VXLAN; {spelling}",
                  f"network {net.name}: driver overlay, no encrypted option")
