"""DW115: Docker's masking of sensitive /proc and /sys paths is turned off."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW115",
    name="systempaths-unconfined",
    model=Workload,
    severity=Severity.HIGH,
    fix=FixSafety.UNSAFE,
    refs=("ATTACK-T1611", "PSS-baseline-proc-mount"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container unmasks /proc and /sys paths that Docker normally hides or makes read-only.

    ## What it does
    Reports `security_opt: [systempaths=unconfined]`
    (`--security-opt systempaths=unconfined`; Kubernetes `procMount: Unmasked`).

    ## Why it matters
    Docker masks kernel interfaces a container has no business touching (`/proc/kcore`,
    `/proc/keys`, `/proc/timer_list`, `/sys/firmware`, ...) and mounts others read-only
    (`/proc/sys`, `/proc/sysrq-trigger`, `/proc/irq`, `/proc/bus`). With
    `systempaths=unconfined` they are all live. Root in the container can then write
    `/proc/sys/kernel/core_pattern` with a `|/path/to/program` pipe, and the host kernel
    runs that program as root the next time any process crashes; or write `b` to
    `/proc/sysrq-trigger` and reboot the host. Only an AppArmor or SELinux profile stands
    in the way.

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
        security_opt:
          - systempaths=unconfined
    ```
    ```sh
    docker run --security-opt systempaths=unconfined alpine:3.20 sh
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
    ```
    ```sh
    docker run alpine:3.20 sh
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` removes `systempaths=unconfined` (Kubernetes
    `procMount: Unmasked` becomes `Default`). Unsafe: tools that write `/proc/sys` fail.

    Remove `systempaths=unconfined`. Nested container runtimes that need an unmasked
    `/proc` should run rootless inside a user namespace, or on a dedicated host.

    ## References
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    - Kubernetes Pod Security Standards, baseline: /proc Mount Type
      (`PSS-baseline-proc-mount`)
    """
    opt = w.security_opt("systempaths")
    if opt is not None and opt.value.strip().lower() == "unconfined":
        yield Hit(
            opt.origin,
            "unmasks /proc and /sys (systempaths=unconfined): root in the container can "
            "write /proc/sys/kernel/core_pattern so the host kernel runs its program as "
            "root, or reboot the host through /proc/sysrq-trigger",
            "systempaths=unconfined",
            remedy=Remedy(Change.REMOVE, "security_opts", opt.raw or "systempaths=unconfined",
                          opt.origin),
        )
