"""DW101: a privileged container is root on the host."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW101",
    name="privileged",
    model=Workload,
    severity=Severity.CRITICAL,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.5", "OWASP-D3", "ATTACK-T1611", "PSS-baseline-privileged-containers"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container runs privileged, which makes root in the container root on the host.

    ## What it does
    Reports a container started with `--privileged` (compose `privileged: true`,
    Kubernetes `securityContext.privileged: true`).

    ## Why it matters
    Privileged mode turns off almost every isolation mechanism at once: the container gets
    every capability (including `SYS_ADMIN` and `SYS_MODULE`), every host device node under
    `/dev`, no seccomp filter, no AppArmor or SELinux confinement, and writable `/sys` and
    `/proc/sys`. Root inside can `mount /dev/sda1 /mnt` and edit the host's files, load a
    kernel module, or write `/proc/sys/kernel/core_pattern` so that the host kernel runs a
    program of its choosing as root. People reach for it to make "permission denied" go
    away; what they get is a container that is, in practice, the host.

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
        privileged: true
    ```
    ```sh
    docker run --privileged alpine:3.20 sh
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
        cap_drop: [ALL]
        cap_add: [NET_BIND_SERVICE]
    ```
    ```sh
    docker run --cap-drop ALL --cap-add NET_BIND_SERVICE alpine:3.20 sh
    ```

    ## Fix
    Automatic fix: unsafe. `dockward fix --unsafe-fixes` removes `privileged: true`
    (`--privileged`, `securityContext.privileged`). Unsafe: whatever the container did with
    the devices and capabilities it loses may stop working; grant back only what it needs.

    Remove `privileged`. Find out what the workload actually needs (a capability, one
    device with `--device`, a sysctl) and grant only that. Containers that really manage the
    host (Docker-in-Docker, node agents) belong on dedicated, disposable hosts.

    ## References
    - CIS Docker Benchmark v1.6, 5.5: privileged containers are not used (`CIS-5.5`)
    - OWASP Docker Security Cheat Sheet, rule 3: limit capabilities, never `--privileged`
      (`OWASP-D3`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    - Kubernetes Pod Security Standards, baseline: Privileged Containers
      (`PSS-baseline-privileged-containers`)
    """
    if w.privileged:
        yield Hit(
            w.where("privileged"),
            "runs privileged: every capability, every host device, no seccomp and no "
            "AppArmor/SELinux confinement, so root in the container can mount the host's "
            "disk or load a kernel module and take over the host",
            "privileged",
            remedy=Remedy(Change.REMOVE, "privileged", True, w.where("privileged")),
        )
