"""DW204: a mount uses shared propagation with the host."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules._common import mount_spec
from dockward.rules.registry import RuleContext, rule

SHARED = frozenset({"shared", "rshared"})


@rule(
    code="DW204",
    name="shared-mount-propagation",
    model=Workload,
    severity=Severity.MEDIUM,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.20", "ATTACK-T1611"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """A bind mount propagates mounts between the container and the host (shared/rshared).

    ## What it does
    Reports mounts with `shared` or `rshared` propagation (`-v /src:/dst:rshared`,
    `--mount type=bind,...,bind-propagation=shared`, compose `bind.propagation: shared`).

    ## Why it matters
    Docker's default propagation is `rprivate`: what is mounted inside the container stays
    inside. With `shared`, mounts made under that path in the container appear on the host
    as well, and the reverse. A container that can mount (with `SYS_ADMIN`, or privileged)
    can then lay a filesystem it controls over a host directory, such as one the host
    executes programs or reads configuration from, and the host sees the attacker's files
    there. It also lets one container's mounts leak into every other container sharing
    the same host path.

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
        volumes:
          - type: bind
            source: /mnt/data
            target: /data
            bind:
              propagation: rshared
    ```
    ```sh
    docker run -v /mnt/data:/data:rshared alpine:3.20 sh
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
        volumes:
          - /mnt/data:/data
    ```
    ```sh
    docker run -v /mnt/data:/data alpine:3.20 sh
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` drops the `shared`/`rshared` option
    (`bind.propagation`, `bind-propagation`, Kubernetes `mountPropagation`), so the default
    `rprivate` applies. Unsafe: mounts made inside the container no longer reach the host.

    Remove the propagation option (the default is `rprivate`). If the container must see
    mounts the host makes later, use `rslave`, which propagates from the host into the
    container but never back.

    ## References
    - CIS Docker Benchmark v1.6, 5.20: the mount propagation mode is not set to shared
      (`CIS-5.20`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    """
    for m in w.mounts:
        if m.propagation and m.propagation.strip().lower() in SHARED:
            yield Hit(
                m.origin,
                f"mounts {m.source or '(volume)'} at {m.target} with {m.propagation.strip()} "
                "propagation: mounts made inside the container under that path appear on "
                "the host (and in other containers); use the default rprivate, or rslave",
                f"mount {mount_spec(m)}",
                remedy=Remedy(Change.REMOVE, "mount_propagation", m.propagation.strip(),
                              m.origin),
            )
