"""DW607: containers may gain privileges unless each one opts out."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.daemon import Daemon
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW607",
    name="no-new-privileges-not-default",
    model=Daemon,
    severity=Severity.LOW,
    fix=FixSafety.NONE,
    refs=("CIS-2.14", "OWASP-D4"),
)
def check(d: Daemon, ctx: RuleContext) -> Iterator[Hit]:
    """The daemon does not apply no-new-privileges to every container by default.

    ## What it does
    Reports `--no-new-privileges=false` / `"no-new-privileges": false` wherever it is
    written. On a live local daemon whose command line and `daemon.json` were both read,
    it also reports the setting being absent. `docker info` does not show this setting, so
    remote daemons are not reported.

    ## Why it matters
    `no-new-privileges` stops a process from gaining privileges through setuid/setgid
    binaries or file capabilities (`su`, `sudo`, `ping` on old images, a planted setuid
    shell). Each container can ask for it (DW112), but a daemon-wide default protects the
    containers whose authors forgot, and costs nothing for almost all workloads.

    ## Bad
    ```json
    { "no-new-privileges": false }
    ```

    ## Good
    ```json
    { "no-new-privileges": true }
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's or a host's
    configuration: it needs a restart of the daemon or changes outside containers, which is
    the host owner's call.

    Add `"no-new-privileges": true` to `/etc/docker/daemon.json` (or start dockerd with
    `--no-new-privileges`) and restart the daemon. It applies to containers created
    afterwards. The rare image that needs setuid at run time can be fixed in its image,
    for example with file capabilities granted at build time.

    ## References
    - CIS Docker Benchmark v1.6, 2.14: containers are restricted from acquiring new
      privileges (`CIS-2.14`)
    - OWASP Docker Security Cheat Sheet, rule 4: prevent in-container privilege
      escalation (`OWASP-D4`)
    """
    explicit = d.setting("no-new-privileges")
    if explicit is not None:
        if d.enabled("no-new-privileges") is False:
            yield Hit(explicit.origin, "no-new-privileges is explicitly off for the daemon: "
                      "setuid/setgid binaries can raise a container process to root unless "
                      "each container sets it", "no-new-privileges=false")
        return
    if not d.complete:
        return
    yield Hit(
        d.anchor.child("daemon.json.no-new-privileges"),
        "the daemon does not set no-new-privileges by default: in every container that does "
        "not ask for it, setuid/setgid binaries can raise a process to root; add "
        "\"no-new-privileges\": true to daemon.json",
        "no-new-privileges unset",
    )
