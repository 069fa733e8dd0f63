"""DW606: the daemon runs every container without a seccomp filter by default."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.daemon import Daemon
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW606",
    name="default-seccomp-disabled",
    model=Daemon,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CIS-2.17", "CIS-5.22", "OWASP-D6", "ATTACK-T1611"),
)
def check(d: Daemon, ctx: RuleContext) -> Iterator[Hit]:
    """The daemon's default seccomp profile is unconfined, or seccomp is unavailable.

    ## What it does
    Reports `--seccomp-profile unconfined` (or `"seccomp-profile": "unconfined"` in
    `daemon.json`) wherever the daemon's configuration is seen: on a dockerd command line
    or on a live daemon. It also reports a live Linux daemon whose `docker info` security
    options show `profile=unconfined` or no seccomp at all, which happens with a kernel or
    build without seccomp support.

    ## Why it matters
    Docker's default seccomp profile blocks about 50 system calls that containers do not
    need and that kernel exploits rely on: `unshare`, `mount`, `keyctl`, `bpf`,
    `open_by_handle_at`, `kexec_load`, `ptrace` on older kernels. Turning it off
    daemon-wide does what `--security-opt seccomp=unconfined` does, for every container,
    without anyone writing it in a compose file or a `docker run` line.

    ## Bad
    ```sh
    dockerd --seccomp-profile unconfined
    ```

    ## Good
    ```sh
    dockerd                                   # the built-in default profile
    dockerd --seccomp-profile /etc/docker/seccomp-strict.json
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's or a host's
    configuration: it needs a restart of the daemon or changes outside containers, which is
    the host owner's call.

    Remove `seccomp-profile: unconfined`, or point it at a profile that is stricter than
    the default. Give the few containers that need more syscalls their own profile with
    `--security-opt seccomp=profile.json` instead of disabling it for all.

    ## References
    - CIS Docker Benchmark v1.6, 2.17: a daemon-wide custom seccomp profile is applied if
      appropriate (`CIS-2.17`); 5.22: the default seccomp profile is not disabled
      (`CIS-5.22`)
    - OWASP Docker Security Cheat Sheet, rule 6: use Linux security modules (`OWASP-D6`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    """
    explicit = d.setting("seccomp-profile")
    if explicit is not None and str(explicit.value).strip().lower() == "unconfined":
        yield Hit(explicit.origin,
                  "the daemon's default seccomp profile is unconfined: every container runs "
                  "without a system-call filter, so the calls kernel exploits start with "
                  "(unshare, mount, keyctl, bpf, open_by_handle_at) reach the host kernel",
                  "seccomp-profile=unconfined")
        return
    if not d.is_live or str(d.info.get("OSType") or "linux").lower() != "linux":
        return
    seccomp = d.security_options().get("seccomp")
    where = d.anchor.child("info.SecurityOptions")
    if seccomp is None:
        yield Hit(where, "the daemon reports no seccomp support (kernel or dockerd built "
                  "without it): every container runs without a system-call filter",
                  "SecurityOptions without seccomp")
    elif seccomp.get("profile", "").lower() == "unconfined":
        yield Hit(where, "the daemon's default seccomp profile is unconfined: every "
                  "container runs without a system-call filter, so the calls kernel "
                  "exploits start with reach the host kernel", "name=seccomp,profile=unconfined")
