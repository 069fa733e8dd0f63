"""DW604: the daemon does not remap container root to an unprivileged host user."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.daemon import Daemon
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW604",
    name="userns-remap-disabled",
    model=Daemon,
    severity=Severity.MEDIUM,
    fix=FixSafety.NONE,
    refs=("CIS-2.9", "OWASP-D2", "OWASP-D11", "ATTACK-T1611"),
)
def check(d: Daemon, ctx: RuleContext) -> Iterator[Hit]:
    """The daemon runs containers without user-namespace remapping, so root inside is root outside.

    ## What it does
    Reports a live daemon whose `docker info` security options contain neither `userns`
    (`--userns-remap`) nor `rootless`. That is the daemon's own statement, so it covers
    `daemon.json`, flags and defaults alike. It also reports `--userns-remap` set to an
    empty value on a command line. A dockerd command line without the flag is not
    reported, because `daemon.json` may set it. Podman's Docker-compatible API is judged
    the same way: rootless Podman (its `/info` says `Rootless: true`) passes, rootful Podman
    is reported with Podman's remedies (rootless, or `--userns=auto`).

    ## Why it matters
    Without remapping, UID 0 in every container is UID 0 on the host. The seed's
    `sleep 25` demo shows a container process in the host's `ps` as `root`. Any escape,
    a bind mount of a host path or a mounted socket then acts as real root. With
    `userns-remap`, container root maps to a high, unprivileged host UID, so the same
    breakout lands as "nobody". Rootless Docker gives the same protection for the daemon
    itself.

    ## Bad
    ```sh
    $ docker info --format '{{.SecurityOptions}}'
    [name=seccomp,profile=default]
    ```

    ## Good
    ```json
    { "userns-remap": "default" }
    ```
    ```sh
    $ docker info --format '{{.SecurityOptions}}'
    [name=seccomp,profile=default name=userns]
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's or a host's
    configuration: it needs a restart of the daemon or changes outside containers, which is
    the host owner's call.

    Set `"userns-remap": "default"` in `/etc/docker/daemon.json` and restart dockerd.
    Docker creates the `dockremap` user and `/etc/subuid` ranges. Existing images and
    volumes are stored per mapping, so plan for a re-pull. Containers that need the host's
    user namespace can opt out with `--userns=host`, which DW108 reports. Rootless Docker
    is an alternative.

    ## References
    - CIS Docker Benchmark v1.6, 2.9: user namespace support is enabled (`CIS-2.9`)
    - OWASP Docker Security Cheat Sheet, rule 2: set a user (`OWASP-D2`); rule 11: run
      Docker in rootless mode (`OWASP-D11`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    """
    explicit = d.setting("userns-remap")
    if explicit is not None and not str(explicit.value).strip():
        yield Hit(explicit.origin, "dockerd is started with an empty --userns-remap: root in "
                  "every container is root on the host", "userns-remap=''")
        return
    if not d.is_live:
        return
    options = d.security_options()
    if "userns" in options or d.rootless:
        return
    if d.engine == "podman":
        yield Hit(
            d.anchor.child("info.Rootless"),
            "Podman runs rootful without a user namespace: UID 0 in every container is UID 0 "
            "on the host, so any breakout or host-path write acts as real root; run Podman "
            "rootless, or give containers --userns=auto",
            "Rootless: false",
        )
        return
    shown = ", ".join(str(o) for o in d.info.get("SecurityOptions") or []) or "none"
    yield Hit(
        d.anchor.child("info.SecurityOptions"),
        "the daemon does not remap user namespaces (no userns-remap, not rootless): UID 0 "
        "in every container is UID 0 on the host, so any breakout or host-path write acts "
        "as real root; set \"userns-remap\": \"default\" in daemon.json or run rootless",
        f"SecurityOptions: {shown}",
    )
