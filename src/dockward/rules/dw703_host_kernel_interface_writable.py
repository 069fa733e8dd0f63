"""DW703: a host-kernel knob (core_pattern, sysrq-trigger, ...) is writable from inside."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.observation import Observation
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW703",
    name="host-kernel-interface-writable",
    model=Observation,
    severity=Severity.CRITICAL,
    fix=FixSafety.NONE,
    refs=("CIS-5.5", "OWASP-D3", "ATTACK-T1611"),
)
def check(o: Observation, ctx: RuleContext) -> Iterator[Hit]:
    """A file that drives the host kernel is writable from inside the container.

    ## What it does
    Seen only by `dockward inside`. Checks, with `access(W_OK)` and without writing
    anything, whether this process could write `/proc/sys/kernel/core_pattern`,
    `/proc/sys/kernel/modprobe`, `/proc/sysrq-trigger`, `/sys/kernel/uevent_helper`, or
    the `release_agent` of a writable cgroup v1 mount. Docker normally mounts `/proc/sys`,
    `/proc/sysrq-trigger` and `/sys` read-only and cgroups read-only; `--privileged`,
    `--security-opt systempaths=unconfined` or a bind mount of the host's `/proc` or `/sys`
    undo that.

    ## Why it matters
    These files are not namespaced: they belong to the one kernel the host and every
    container share. A `core_pattern` of `|/path/to/payload` makes the host kernel run the
    payload as root, in the host's namespaces, the next time any process crashes;
    `modprobe` and `uevent_helper` work the same way; a cgroup v1 `release_agent` is the
    CVE-2022-0492 escape; `echo b > /proc/sysrq-trigger` reboots the host at once (and `c`
    crashes it), taking every other container down. (The kernel keyring is not reported
    here: the `keyctl` family is blocked by Docker's seccomp profile, see DW109.)

    ## Bad
    ```sh
    docker run --security-opt systempaths=unconfined alpine:3.20 sh
    # inside: dockward inside  ->  DW703 /proc/sys/kernel/core_pattern is writable
    ```

    ## Good
    ```sh
    docker run alpine:3.20 sh
    # /proc/sys, /proc/sysrq-trigger and /sys stay read-only
    ```

    ## Fix
    Automatic fix: none. this is what a container can see from the inside; fix the
    container's configuration (the related DW1xx/DW2xx findings) and re-create it.

    Drop `--privileged` and `systempaths=unconfined`, do not bind-mount the host's
    `/proc` or `/sys`, and set the few namespaced sysctls a workload needs with
    `--sysctl` instead.

    ## References
    - CIS Docker Benchmark v1.6, 5.5: privileged containers are not used (`CIS-5.5`)
    - OWASP Docker Security Cheat Sheet, rule 3: limit capabilities and kernel access
      (`OWASP-D3`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    """
    for k in o.kernel_interfaces:
        if k.writable:
            yield Hit(k.origin, f"{k.path} is writable from inside the container: {k.how}",
                      f"writable {k.path}")
