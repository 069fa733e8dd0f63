"""DW110: the container runs without an AppArmor profile."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW110",
    name="apparmor-unconfined",
    model=Workload,
    severity=Severity.HIGH,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.2", "OWASP-D6", "ATTACK-T1611", "PSS-baseline-apparmor"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container disables AppArmor, removing the profile that blocks common escapes.

    ## What it does
    Reports `security_opt: [apparmor=unconfined]` (`--security-opt apparmor=unconfined`,
    also `apparmor:unconfined`; Kubernetes `appArmorProfile.type: Unconfined`).

    ## Why it matters
    On AppArmor hosts (Debian, Ubuntu, SUSE) every container runs under the
    `docker-default` profile, which denies `mount`, writes to `/proc/sys`,
    `/proc/sysrq-trigger` and `/sys`, and access to `/sys/kernel/security`. That profile
    is the safety net behind several escapes: the cgroup `release_agent` escape
    (CVE-2022-0492) and `core_pattern` tricks fail under it even when a capability or a
    mount would otherwise allow them. `apparmor=unconfined` removes the net.

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
        security_opt:
          - apparmor=unconfined
    ```
    ```sh
    docker run --security-opt apparmor=unconfined alpine:3.20 sh
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
        security_opt:
          - apparmor=docker-default
    ```
    ```sh
    docker run --security-opt apparmor=docker-default alpine:3.20 sh
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` removes `apparmor:unconfined` so the
    `docker-default` profile applies (Kubernetes: `RuntimeDefault`). Unsafe: mounts and
    `/proc` writes the program made are denied.

    Remove `apparmor=unconfined`. If the default profile blocks something the application
    needs, write a profile derived from `docker-default` that allows only that, load it
    with `apparmor_parser`, and select it with `apparmor=<profile>`.

    ## References
    - CIS Docker Benchmark v1.6, 5.2: an AppArmor profile is enabled, if applicable
      (`CIS-5.2`)
    - OWASP Docker Security Cheat Sheet, rule 6: keep seccomp, AppArmor, SELinux on
      (`OWASP-D6`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    - Kubernetes Pod Security Standards, baseline: AppArmor (`PSS-baseline-apparmor`)
    """
    opt = w.security_opt("apparmor")
    if opt is not None and opt.value.strip().lower() == "unconfined":
        yield Hit(
            opt.origin,
            "disables AppArmor (apparmor=unconfined): the docker-default profile no longer "
            "denies mount, writes to /proc/sys and /proc/sysrq-trigger, or /sys access, "
            "which stop known escapes such as the cgroup release_agent one (CVE-2022-0492)",
            "apparmor=unconfined",
            remedy=Remedy(Change.REMOVE, "security_opts", opt.raw or "apparmor=unconfined",
                          opt.origin),
        )
