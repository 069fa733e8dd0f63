"""DW609: containers on the default bridge can all talk to each other."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.daemon import Daemon
from dockward.rules.registry import RuleContext, rule

ICC_OPTION = "com.docker.network.bridge.enable_icc"


@rule(
    code="DW609",
    name="icc-enabled",
    model=Daemon,
    severity=Severity.LOW,
    fix=FixSafety.NONE,
    refs=("CIS-2.2", "OWASP-D5"),
)
def check(d: Daemon, ctx: RuleContext) -> Iterator[Hit]:
    """Inter-container communication is allowed on the default bridge network.

    ## What it does
    Reports `--icc=true` / `"icc": true` wherever it is written. On a live daemon it reads
    the default `bridge` network's `com.docker.network.bridge.enable_icc` option. When that
    network cannot be read, it reports an `icc` setting that is absent while the daemon's
    command line and `daemon.json` are both known. Daemons without a default bridge
    (`--bridge=none`) are not reported, nor is Podman, which has no `icc` setting (it
    isolates containers by network).

    ## Why it matters
    On the default bridge every container can open connections to every other container's
    ports, published or not. One compromised container can then reach the database, the
    admin port or the metrics endpoint of its neighbours, which were never meant to be
    reachable. With `icc` off, containers talk only through published ports or explicit
    user-defined networks.

    ## Bad
    ```json
    { "icc": true }
    ```

    ## Good
    ```json
    { "icc": false }
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's or a host's
    configuration: it needs a restart of the daemon or changes outside containers, which is
    the host owner's call.

    Set `"icc": false` in `daemon.json` and restart dockerd. Put containers that must talk
    to each other on a user-defined network (`docker network create app`), which isolates
    them from everything else. Legacy `--link` needs `icc` on the default bridge.

    ## References
    - CIS Docker Benchmark v1.6, 2.2: network traffic is restricted between containers on
      the default bridge (`CIS-2.2`)
    - OWASP Docker Security Cheat Sheet, rule 5: be mindful of inter-container connectivity
      (`OWASP-D5`)
    """
    explicit = d.setting("icc")
    if explicit is not None:
        if d.enabled("icc"):
            yield Hit(explicit.origin, "icc is explicitly on: every container on the default "
                      "bridge can connect to every other container's ports; set icc to false",
                      "icc=true")
        return
    bridge = d.setting("bridge")
    if bridge is not None and str(bridge.value).strip().lower() == "none":
        return
    if d.engine == "podman":
        return  # no icc setting: Podman isolates by network, not by a bridge option
    options = d.bridge_options
    if options is not None:
        if str(options.get(ICC_OPTION, "true")).lower() == "true":
            yield Hit(d.anchor.child(f"networks.bridge.Options.{ICC_OPTION}"),
                      "inter-container communication is on for the default bridge: every "
                      "container there can connect to every other container's ports; set "
                      "\"icc\": false in daemon.json", f"{ICC_OPTION}=true")
        return
    if d.complete and not d.bridge_checked:
        yield Hit(d.anchor.child("daemon.json.icc"),
                  "icc is not set, so it defaults to on: every container on the default bridge "
                  "can connect to every other container's ports; set \"icc\": false",
                  "icc unset")
