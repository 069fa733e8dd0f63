"""DW702: host files are visible (or writable) through a mount, seen from inside."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.observation import HostFilesystemView, Observation
from dockward.rules.registry import RuleContext, rule


def _message(h: HostFilesystemView) -> str:
    what = "; ".join(h.reasons) or "host files"
    if h.writable and h.os_root:
        how = ("writable from here: a file dropped into its etc/cron.d, a systemd unit or "
               "root/.ssh/authorized_keys makes the host run attacker code as root")
    elif h.writable:
        how = "writable from here: what the container changes there, the host uses"
    else:
        how = ("readable from here: host secrets (etc/shadow, SSH and TLS keys, other "
               "containers' data) are one `cat` away")
    sample = f" (contains {', '.join(h.sample[:6])})" if h.sample else ""
    below = ""
    if h.submounts:
        below = f"; {h.submounts} host mount{'s' if h.submounts != 1 else ''} below it came " \
                "along with the recursive bind"
        if h.writable_submounts:
            below += f", read-write ones included ({', '.join(h.writable_submounts[:5])})"
    return f"{what} is visible at {h.mount_point}{sample}, {how}{below}"


@rule(
    code="DW702",
    name="host-filesystem-visible",
    model=Observation,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CIS-5.6", "OWASP-D3", "ATTACK-T1611", "ATTACK-T1005"),
)
def check(o: Observation, ctx: RuleContext) -> Iterator[Hit]:
    """Host files are visible from inside the container through a mount.

    ## What it does
    Seen only by `dockward inside`. Looks at the mounts the user added (not the ones the
    runtime makes) and reports those that show the host: a directory that looks like an
    operating system's root (`etc`, `usr`, `var`...), a mount whose `etc/hostname` names
    another machine, a whole host filesystem, or a sensitive host directory (`/etc`,
    `/root`, `/home`, `/var/lib/docker`, `/proc`, `/sys`, `/dev`...). The message says
    whether the files are only readable or also writable from here.

    ## Why it matters
    This is the end state of the seed's socket demo, `docker run -v /:/psm`: once the
    host's root filesystem is visible, `cat /psm/etc/shadow` reads the host's password
    hashes, and when it is writable, a line in `/psm/etc/cron.d` or
    `/psm/root/.ssh/authorized_keys` is root on the host. DW202 reports the configured
    mount; this reports that host content is really reachable, also when the
    configuration is not at hand (a container started by someone else, a mount added by
    an orchestrator).

    ## Bad
    ```sh
    docker run -v /:/psm ubuntu:24.04 sh
    # inside: dockward inside  ->  DW702 the host's root filesystem is visible at /psm
    ```

    ## Good
    ```sh
    docker run -v app-data:/data ubuntu:24.04 sh
    ```

    ## Fix
    Automatic fix: none. this is what a container can see from the inside; fix the
    container's configuration (the related DW1xx/DW2xx findings) and re-create it.

    Mount only the application's own directory (or a named volume), read-only when
    possible. Never mount `/`, `/etc`, `/root`, `/home`, `/var/lib/docker`, `/proc`,
    `/sys` or `/dev` of the host.

    ## References
    - CIS Docker Benchmark v1.6, 5.6: sensitive host system directories are not mounted
      on containers (`CIS-5.6`)
    - OWASP Docker Security Cheat Sheet, rule 3: limit what the container can reach
      (`OWASP-D3`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`); T1005, Data from Local System
      (`ATTACK-T1005`)
    """
    for h in o.host_filesystems:
        yield Hit(h.origin, _message(h), f"host files at {h.mount_point}",
                  severity=Severity.CRITICAL if h.writable else None)
