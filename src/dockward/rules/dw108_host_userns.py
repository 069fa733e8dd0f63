"""DW108: the container opts out of the daemon's user-namespace remapping."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules._common import is_host_mode, spell
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW108",
    name="host-userns",
    model=Workload,
    severity=Severity.MEDIUM,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.31", "OWASP-D2", "ATTACK-T1611"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container runs in the host's user namespace, opting out of userns-remap.

    ## What it does
    Reports `userns_mode: host` (`--userns=host`).

    ## Why it matters
    When the daemon runs with `userns-remap`, root in a container is mapped to an
    unprivileged range of host UIDs: a process that breaks out of its namespaces, or a
    file it writes through a bind mount, belongs to a nobody on the host. That is the
    seed's advice to "limit chance of escalation" with namespace remapping.
    `userns_mode: host` switches this off for one container, so its root is UID 0 on the
    host again and every other weakness (a mounted host path, a kernel bug, a capability)
    is worth full root.

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
        userns_mode: host
    ```
    ```sh
    docker run --userns=host alpine:3.20 id
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
        user: "10001:10001"
    ```
    ```sh
    docker run --user 10001:10001 alpine:3.20 id
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` removes `userns_mode: host` (`--userns host`)
    and sets Kubernetes `hostUsers: false`. Unsafe: files the container writes to host
    mounts are owned by remapped IDs.

    Remove `userns_mode: host`. If the container writes to bind mounts, give those
    directories to the remapped UID range (see `/etc/subuid`) instead of leaving the
    remapping.

    ## References
    - CIS Docker Benchmark v1.6, 5.31: the host's user namespaces are not shared
      (`CIS-5.31`)
    - OWASP Docker Security Cheat Sheet, rule 2: run as an unprivileged user, enable
      user-namespace remapping (`OWASP-D2`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    """
    if is_host_mode(w.userns_mode):
        yield Hit(
            w.where("userns_mode"),
            f"uses the host's user namespace ({spell(w, 'userns_host')}): "
            "it opts out of the daemon's "
            "userns-remap, so root in the container is UID 0 on the host and any breakout "
            "or host-path write lands as real root",
            "userns=host",
            remedy=Remedy(Change.REMOVE, "userns_mode", "host", w.where("userns_mode")),
        )
