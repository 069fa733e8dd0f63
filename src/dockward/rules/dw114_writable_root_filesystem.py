"""DW114: the container's root filesystem is writable."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules._common import spell
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW114",
    name="writable-root-filesystem",
    model=Workload,
    severity=Severity.LOW,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.13", "OWASP-D8", "ATTACK-T1611"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container's root filesystem is writable.

    ## What it does
    Reports a container without `read_only: true` (`--read-only`, Kubernetes
    `readOnlyRootFilesystem: true`), at the service or `docker run` word.

    ## Why it matters
    An attacker who gets code execution in a container with a writable root filesystem can
    download tools and exploits, replace the application's binaries or libraries, add
    setuid files, and plant persistence that survives process restarts. A read-only root
    makes the image immutable at runtime: exploits have to live in memory or in the few
    writable paths you chose, which also makes tampering easy to spot.

    ## Bad
    ```yaml
    services:
      app:
        image: nginx:1.27
    ```
    ```sh
    docker run nginx:1.27
    ```

    ## Good
    ```yaml
    services:
      app:
        image: nginx:1.27
        read_only: true
        tmpfs:
          - /var/cache/nginx
          - /var/run
    ```
    ```sh
    docker run --read-only --tmpfs /var/cache/nginx --tmpfs /var/run nginx:1.27
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` sets `read_only: true` (`--read-only`,
    `readOnlyRootFilesystem: true`) and, in compose and run lines, mounts a tmpfs at `/tmp`
    unless something is mounted there. Unsafe: writes elsewhere fail.

    Add `read_only: true` (`--read-only`) and give the application `tmpfs` mounts or
    volumes for the paths it must write (caches, PID files, uploads).

    ## References
    - CIS Docker Benchmark v1.6, 5.13: the container's root filesystem is mounted as read
      only (`CIS-5.13`)
    - OWASP Docker Security Cheat Sheet, rule 8: read-only filesystem and volumes
      (`OWASP-D8`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    """
    if w.read_only or w.is_unknown("read_only"):
        return
    yield Hit(
        w.anchor,
        "root filesystem is writable: an attacker can drop tools, replace the application's "
        f"binaries and persist; set {spell(w, 'read_only')}",
        "read_only missing",
        remedy=read_only_remedy(w),
    )


def read_only_remedy(w: Workload) -> Remedy:
    """``read_only: true``, with a tmpfs at /tmp (where most programs write scratch files)
    unless something is mounted there; Kubernetes manifests get the flag alone."""
    scratch = () if w.source_kind == "k8s" or any(
        m.target.rstrip("/") == "/tmp" for m in w.mounts) else (
        Remedy(Change.ADD, "tmpfs", "/tmp", w.anchor),)
    return Remedy(Change.SET, "read_only", True, w.where("read_only"), also=scratch)
