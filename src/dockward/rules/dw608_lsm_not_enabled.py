"""DW608: neither AppArmor nor SELinux confines the daemon's containers."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.daemon import Daemon
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW608",
    name="lsm-not-enabled",
    model=Daemon,
    severity=Severity.MEDIUM,
    fix=FixSafety.NONE,
    refs=("CIS-5.2", "CIS-5.3", "OWASP-D6", "ATTACK-T1611"),
)
def check(d: Daemon, ctx: RuleContext) -> Iterator[Hit]:
    """Containers run without an AppArmor or SELinux profile, because neither is active.

    ## What it does
    Reports a live Linux daemon whose `docker info` security options list neither
    `apparmor` nor `selinux`. It also reports `--selinux-enabled=false` written on a
    command line or in `daemon.json` when AppArmor is not known to be active.

    ## Why it matters
    The `docker-default` AppArmor profile, or SELinux's `container_t` type, is the layer
    that still holds when root in a container has a capability it should not have. It
    denies mounts, writes to `/proc/sys` and `/proc/sysrq-trigger`, and access to host
    files outside the container's labels. Known escapes such as the cgroup
    `release_agent` one (CVE-2022-0492) and several runc breakouts were blocked by it.
    The seed's advice, "harden the host OS, use SELinux or similar", comes down to this.

    ## Bad
    ```sh
    $ docker info --format '{{.SecurityOptions}}'
    [name=seccomp,profile=default]
    ```

    ## Good
    ```sh
    $ docker info --format '{{.SecurityOptions}}'
    [name=apparmor name=seccomp,profile=default]
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's or a host's
    configuration: it needs a restart of the daemon or changes outside containers, which is
    the host owner's call.

    Enable AppArmor (Debian, Ubuntu, SUSE: `apparmor=1 security=apparmor` on the kernel
    command line, the `apparmor` package, then restart dockerd). On RHEL-like systems,
    set SELinux to enforcing and start dockerd with `--selinux-enabled`
    (`"selinux-enabled": true`).

    ## References
    - CIS Docker Benchmark v1.6, 5.2: an AppArmor profile is enabled, if applicable
      (`CIS-5.2`); 5.3: SELinux security options are set, if applicable (`CIS-5.3`)
    - OWASP Docker Security Cheat Sheet, rule 6: use Linux security modules (`OWASP-D6`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    """
    options = d.security_options()
    if d.is_live:
        if str(d.info.get("OSType") or "linux").lower() != "linux":
            return
        if "apparmor" in options or "selinux" in options:
            return
        yield Hit(
            d.anchor.child("info.SecurityOptions"),
            "neither AppArmor nor SELinux is active for containers: no mandatory access "
            "control profile stops root in a container from mounting, writing /proc/sys or "
            "reaching host files when another layer fails; enable AppArmor or SELinux",
            "SecurityOptions without apparmor/selinux",
        )
        return
    explicit = d.setting("selinux-enabled")
    if explicit is not None and d.enabled("selinux-enabled") is False:
        yield Hit(explicit.origin, "dockerd turns SELinux support off "
                  "(--selinux-enabled=false): on an SELinux host, containers then run without "
                  "their container_t confinement", "selinux-enabled=false")
