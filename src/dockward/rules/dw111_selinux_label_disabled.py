"""DW111: SELinux separation is turned off for the container."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules.registry import RuleContext, rule

# SELinux types that are not confined like container_t.
UNCONFINED_TYPES = frozenset({"spc_t", "unconfined_t"})


@rule(
    code="DW111",
    name="selinux-label-disabled",
    model=Workload,
    severity=Severity.MEDIUM,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.3", "OWASP-D6", "ATTACK-T1611", "PSS-baseline-selinux"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container turns off SELinux labelling or runs with an unconfined SELinux type.

    ## What it does
    Reports `security_opt: [label=disable]` (`--security-opt label=disable`, also
    `label:disable`) and labels that select an unconfined type, `label=type:spc_t` or
    `label=type:unconfined_t`.

    ## Why it matters
    On SELinux hosts (Fedora, RHEL, CentOS) each container process runs as `container_t`
    with its own MCS category, and host files are labelled so that `container_t` cannot
    touch them. This is what stops a process that escapes its namespaces, or a bind mount
    of a host directory, from reading `/etc/shadow` or other containers' files.
    `label=disable` (or the "super privileged container" type `spc_t`) removes that layer:
    a breakout then has root's full reach.

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
        security_opt:
          - label=disable
    ```
    ```sh
    docker run --security-opt label=disable alpine:3.20 sh
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
        volumes:
          - ./data:/data:Z
    ```
    ```sh
    docker run -v "$PWD/data:/data:Z" alpine:3.20 sh
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` removes `label:disable` or the unconfined
    SELinux type (Kubernetes `seLinuxOptions.type`). Unsafe: host files without a container
    label become unreadable to the container.

    Remove `label=disable`. When the container needs a host directory, relabel it for the
    container with the `:z` (shared) or `:Z` (private) volume option instead of turning
    SELinux off; for other denials write a policy module (`udica` generates one from a
    container's settings).

    ## References
    - CIS Docker Benchmark v1.6, 5.3: SELinux security options are set, if applicable
      (`CIS-5.3`)
    - OWASP Docker Security Cheat Sheet, rule 6: keep seccomp, AppArmor, SELinux on
      (`OWASP-D6`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    - Kubernetes Pod Security Standards, baseline: SELinux (`PSS-baseline-selinux`)
    """
    for opt in w.security_opts:
        if opt.key != "label":
            continue
        value = opt.value.strip().lower()
        if value == "disable":
            yield Hit(
                opt.origin,
                "turns off SELinux separation (label=disable): the container process is no "
                "longer confined to container_t, so a breakout or a host bind mount has "
                "root's full reach over host files and other containers",
                "label=disable",
                remedy=Remedy(Change.REMOVE, "security_opts", opt.raw or "label=disable",
                              opt.origin),
            )
            continue
        kind, _, selinux_type = value.partition(":")
        if kind == "type" and selinux_type.strip() in UNCONFINED_TYPES:
            yield Hit(
                opt.origin,
                f"runs with the unconfined SELinux type {selinux_type.strip()} "
                f"(label={opt.value.strip()}): SELinux does not confine the container, as "
                "if labelling were disabled",
                f"label=type:{selinux_type.strip()}",
                remedy=Remedy(Change.REMOVE, "security_opts", opt.raw or f"label={value}",
                              opt.origin),
            )
