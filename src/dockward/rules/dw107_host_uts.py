"""DW107: the container shares the host's UTS namespace."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules._common import is_host_mode, spell
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW107",
    name="host-uts",
    model=Workload,
    severity=Severity.LOW,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.21",),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container shares the host's UTS namespace (hostname and domain name).

    ## What it does
    Reports `uts: host` (`--uts=host`).

    ## Why it matters
    The UTS namespace holds the hostname and NIS domain name. Sharing it tells the
    container the host's real name, and root with `SYS_ADMIN` in the container can rename
    the host, which breaks or fools anything that trusts the hostname: logs, monitoring,
    Kerberos and TLS client identities, cluster membership. It is one more wall removed
    for no benefit to most workloads.

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
        uts: host
    ```
    ```sh
    docker run --uts=host alpine:3.20 hostname
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
        hostname: app
    ```
    ```sh
    docker run --hostname app alpine:3.20 hostname
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` removes `uts: host` (`--uts=host`; in Kubernetes
    it is `hostNetwork`, removed by the same fix). Unsafe: the container sees its own
    hostname instead of the host's.

    Remove `uts: host`; set `hostname:` (`--hostname`) if the application needs a
    particular name.

    ## References
    - CIS Docker Benchmark v1.6, 5.21: the host's UTS namespace is not shared (`CIS-5.21`)
    """
    if is_host_mode(w.uts_mode):
        yield Hit(
            w.where("uts_mode"),
            f"shares the host's UTS namespace ({spell(w, 'uts_host')}): "
            "the container sees the host's "
            "hostname and, with SYS_ADMIN, can change it for the whole host",
            "uts=host",
            remedy=Remedy(Change.REMOVE, "uts_mode", "host", w.where("uts_mode")),
        )
