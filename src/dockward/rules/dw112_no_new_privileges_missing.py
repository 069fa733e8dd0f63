"""DW112: processes in the container may gain privileges through setuid binaries."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules._common import spell, unknown_any
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW112",
    name="no-new-privileges-missing",
    model=Workload,
    severity=Severity.MEDIUM,
    fix=FixSafety.SAFE,
    refs=("CIS-5.26", "OWASP-D4", "ATTACK-T1548.001",
          "PSS-restricted-privilege-escalation"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container does not set no-new-privileges, so setuid binaries can raise privileges.

    ## What it does
    Reports a container without `security_opt: [no-new-privileges:true]`
    (`--security-opt no-new-privileges`; Kubernetes `allowPrivilegeEscalation: false`), at
    the service or `docker run` word, and an explicit `no-new-privileges=false` at its line.
    Where the daemon is known to apply no-new-privileges to every container (the live audit
    and the guard read its configuration), a container that does not turn it off is not
    reported.

    ## Why it matters
    Dropping to a non-root user only helps if that user cannot become root again. Without
    the `no_new_privs` flag, `execve` of a setuid or setgid binary (`su`, `sudo`, `passwd`,
    `mount`, or a setuid shell an attacker planted in a writable volume) or of a file with
    file capabilities grants the privileges the file carries. With the flag set, the kernel
    never lets a process gain privileges it did not already have, which also closes many
    privilege-escalation chains inside a compromised container. Setting it rarely breaks an
    application. A daemon-wide `"no-new-privileges": true` in `daemon.json` covers every
    container, but is invisible to a file scan.

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
    ```
    ```sh
    docker run alpine:3.20 sh
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
        security_opt:
          - no-new-privileges:true
    ```
    ```sh
    docker run --security-opt no-new-privileges alpine:3.20 sh
    ```

    ## Fix
    Automatic fix: safe. `dockward fix` adds `no-new-privileges:true` to `security_opt`
    (`--security-opt no-new-privileges`, `allowPrivilegeEscalation: false`), or flips an
    explicit `false`. Safe: a well-behaved service does not become root through setuid
    programs.

    Add `no-new-privileges:true` to `security_opt` (`--security-opt no-new-privileges`).
    Only workloads that must switch users through setuid programs (rare in containers) are
    affected.

    ## References
    - CIS Docker Benchmark v1.6, 5.26: the container is restricted from acquiring
      additional privileges (`CIS-5.26`)
    - OWASP Docker Security Cheat Sheet, rule 4: prevent in-container privilege escalation
      (`OWASP-D4`)
    - MITRE ATT&CK T1548.001, Abuse Elevation Control Mechanism: Setuid and Setgid
      (`ATTACK-T1548.001`)
    - Kubernetes Pod Security Standards, restricted: Privilege Escalation
      (`PSS-restricted-privilege-escalation`)
    """
    opt = w.security_opt("no-new-privileges")
    if opt is not None:
        if opt.value.strip().lower() in ("", "true", "1", "yes"):
            return
        yield Hit(
            opt.origin,
            f"explicitly allows privilege escalation (no-new-privileges={opt.value.strip()}): "
            "setuid/setgid binaries and file capabilities can raise a process to root; "
            "set no-new-privileges:true",
            "no-new-privileges=false",
            remedy=Remedy(Change.SET, "no_new_privileges", True, opt.origin),
        )
        return
    if unknown_any(w, "security_opts", "no_new_privileges"):
        return
    if w.allow_privilege_escalation is False:
        return
    if ctx.env.daemon is not None and ctx.env.daemon.no_new_privileges:
        return  # the daemon applies it to every container that does not turn it off
    yield Hit(
        w.anchor,
        "does not set no-new-privileges: a process in the container can gain privileges "
        "by running a setuid/setgid binary (su, sudo, a planted setuid shell) or a file "
        f"with capabilities; add {spell(w, 'no_new_privileges')}",
        "no-new-privileges missing",
        remedy=Remedy(Change.SET, "no_new_privileges", True, w.anchor),
    )
