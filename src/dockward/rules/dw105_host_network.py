"""DW105: the container shares the host's network namespace."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules._common import is_host_mode, spell
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW105",
    name="host-network",
    model=Workload,
    severity=Severity.HIGH,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.10", "OWASP-D5", "ATTACK-T1611", "ATTACK-T1040",
          "PSS-baseline-host-namespaces"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container uses the host's network stack instead of its own.

    ## What it does
    Reports `network_mode: host` (`--network=host`/`--net=host`, Kubernetes
    `hostNetwork: true`).

    ## Why it matters
    With host networking the container is on the host's interfaces, as the seed shows with
    LAN devices becoming visible. It can reach every service that listens only on the
    host's `127.0.0.1` (a Docker API on `tcp://127.0.0.1:2375`, databases, admin
    consoles), connect to the host's abstract UNIX sockets (CVE-2020-15257 used
    containerd-shim's abstract socket to get root on the host), bind any host port, and,
    with `NET_RAW` (in Docker's default set), sniff and spoof the host's traffic. Published
    ports and the inter-container firewall no longer apply.

    ## Bad
    ```yaml
    services:
      app:
        image: nginx:1.27
        network_mode: host
    ```
    ```sh
    docker run --network=host nginx:1.27
    ```

    ## Good
    ```yaml
    services:
      app:
        image: nginx:1.27
        ports:
          - "127.0.0.1:8080:80"
    ```
    ```sh
    docker run -p 127.0.0.1:8080:80 nginx:1.27
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` removes `network_mode: host` (`--network host`,
    `hostNetwork`). Unsafe: the container gets its own network, so what it serves must then
    be published with `ports` to stay reachable.

    Remove `network_mode: host` and publish the ports the service needs, bound to the
    interface that should reach them. For performance-sensitive or discovery protocols,
    prefer a macvlan/ipvlan network to sharing the host stack.

    ## References
    - CIS Docker Benchmark v1.6, 5.10: the host's network namespace is not shared
      (`CIS-5.10`)
    - OWASP Docker Security Cheat Sheet, rule 5: inter-container connectivity (`OWASP-D5`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`); T1040, Network Sniffing
      (`ATTACK-T1040`)
    - Kubernetes Pod Security Standards, baseline: Host Namespaces
      (`PSS-baseline-host-namespaces`)
    """
    if is_host_mode(w.network_mode):
        yield Hit(
            w.where("network_mode"),
            f"uses the host's network namespace ({spell(w, 'network_host')}): "
            "the container reaches "
            "services bound to the host's 127.0.0.1 (such as a Docker API on port 2375), "
            "the host's abstract UNIX sockets, and can sniff host traffic with NET_RAW",
            "network=host",
            remedy=Remedy(Change.REMOVE, "network_mode", "host", w.where("network_mode")),
        )
