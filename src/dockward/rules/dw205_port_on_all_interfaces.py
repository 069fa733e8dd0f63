"""DW205: a port is published on every host interface."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules._common import port_spec
from dockward.rules.registry import RuleContext, rule

# Why the host firewall does not help, and the fix, for Kubernetes (True) and Docker (False).
_BYPASS = {
    False: "Docker's iptables rules bypass host firewalls such as ufw; bind it to 127.0.0.1 "
           "or a specific IP",
    True: "the hostPort is opened on the node itself, outside NetworkPolicy; set hostIP or "
          "use a Service instead",
}


@rule(
    code="DW205",
    name="port-on-all-interfaces",
    model=Workload,
    severity=Severity.LOW,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.14", "OWASP-D5a", "PSS-baseline-host-ports"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """A published port listens on every host interface rather than a chosen address.

    ## What it does
    Reports each published port (`ports:`, `-p`/`--publish`) that names no host IP, or
    names `0.0.0.0` or `::`. Ports only exposed to other containers (`expose:`) are not
    reported.

    ## Why it matters
    `-p 8080:80` binds the port on every address of the host, public interfaces included.
    Docker inserts its own iptables rules ahead of the host firewall's, so a port
    published this way is reachable even when `ufw` or `firewalld` says it is closed. An
    admin interface or a database meant for local use ends up on the internet.

    ## Bad
    ```yaml
    services:
      db:
        image: postgres:16
        ports:
          - "5432:5432"
    ```
    ```sh
    docker run -p 5432:5432 postgres:16
    ```

    ## Good
    ```yaml
    services:
      db:
        image: postgres:16
        ports:
          - "127.0.0.1:5432:5432"
    ```
    ```sh
    docker run -p 127.0.0.1:5432:5432 postgres:16
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` publishes the port on 127.0.0.1 only
    (`127.0.0.1:8080:80`, `host_ip`, Kubernetes `hostIP`). Unsafe: other machines can no
    longer reach it; put a reverse proxy in front of what must be public.

    Prefix the mapping with the address that should receive traffic:
    `127.0.0.1:5432:5432` for local use, the internal interface's IP for a private
    network, or put the service behind a reverse proxy and do not publish it at all.

    ## References
    - CIS Docker Benchmark v1.6, 5.14: incoming container traffic is bound to a specific
      host interface (`CIS-5.14`)
    - OWASP Docker Security Cheat Sheet, rule 5a: published ports bypass host firewalls
      (`OWASP-D5a`)
    - Kubernetes Pod Security Standards, baseline: Host Ports (`PSS-baseline-host-ports`)
    """
    for p in w.ports:
        if not p.on_all_interfaces:
            continue
        host = f"host port {p.host_port}" if p.host_port else "a random host port"
        addr = p.host_ip or "0.0.0.0"
        yield Hit(
            p.origin,
            f"publishes {host} -> {p.container_port}/{p.protocol} on every interface "
            f"({addr}): reachable from any network the host is on, and "
            f"{_BYPASS[w.source_kind == 'k8s']}",
            f"port {port_spec(p)}",
            remedy=Remedy(Change.SET, "port_host_ip", "127.0.0.1", p.origin),
        )
