"""DW610: restarting or upgrading dockerd stops every container."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.daemon import Daemon
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW610",
    name="live-restore-disabled",
    model=Daemon,
    severity=Severity.LOW,
    fix=FixSafety.NONE,
    refs=("CIS-2.15",),
)
def check(d: Daemon, ctx: RuleContext) -> Iterator[Hit]:
    """Live restore is off, so a daemon restart takes every container down with it.

    ## What it does
    Reports a live daemon whose `docker info` shows `LiveRestoreEnabled: false`, and
    `--live-restore=false` / `"live-restore": false` written anywhere. Swarm managers and
    workers are not reported, because live restore does not apply to swarm services, nor
    is Podman: it has no daemon, and its containers run under their own `conmon` process
    whatever happens to the API service.

    ## Why it matters
    Without live restore, stopping dockerd stops all containers. That makes security
    updates of the engine expensive, so they get postponed, and it lets anyone who can
    crash or restart the daemon take every service on the host down at once. With live
    restore, containers keep running while the daemon is restarted or upgraded.

    ## Bad
    ```sh
    $ docker info --format '{{.LiveRestoreEnabled}}'
    false
    ```

    ## Good
    ```json
    { "live-restore": true }
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's or a host's
    configuration: it needs a restart of the daemon or changes outside containers, which is
    the host owner's call.

    Add `"live-restore": true` to `/etc/docker/daemon.json` and reload dockerd
    (`systemctl reload docker`: the setting can be applied without a restart).

    ## References
    - CIS Docker Benchmark v1.6, 2.15: live restore is enabled (`CIS-2.15`)
    """
    explicit = d.setting("live-restore")
    if explicit is not None and d.enabled("live-restore") is False:
        yield Hit(explicit.origin, "live-restore is explicitly off: restarting or upgrading "
                  "dockerd stops every container", "live-restore=false")
        return
    if not d.is_live or d.info.get("LiveRestoreEnabled") is not False or d.engine == "podman":
        return  # Podman has no daemon: its containers run under conmon and outlive the API
    swarm = d.info.get("Swarm") or {}
    if swarm.get("LocalNodeState") == "active":
        return
    yield Hit(
        d.anchor.child("info.LiveRestoreEnabled"),
        "live restore is off: restarting or upgrading dockerd stops every container, which "
        "makes engine security updates costly and lets a daemon crash take all services "
        "down; add \"live-restore\": true to daemon.json",
        "LiveRestoreEnabled: false",
    )
