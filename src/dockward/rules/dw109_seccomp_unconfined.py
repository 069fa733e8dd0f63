"""DW109: the container runs without a seccomp filter."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW109",
    name="seccomp-unconfined",
    model=Workload,
    severity=Severity.HIGH,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.22", "OWASP-D6", "ATTACK-T1611", "ATTACK-T1068",
          "PSS-baseline-seccomp"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container disables seccomp, exposing every system call of the host kernel.

    ## What it does
    Reports `security_opt: [seccomp=unconfined]` (`--security-opt seccomp=unconfined`,
    also the legacy `seccomp:unconfined`; Kubernetes `seccompProfile.type: Unconfined`).

    ## Why it matters
    Containers share the host kernel, so the kernel's system-call interface is the
    container boundary. Docker's default seccomp profile blocks the calls containers
    rarely need and kernel exploits often do: `unshare` and `clone` of new namespaces,
    `mount`, `keyctl`, `bpf`, `userfaultfd`, `kexec_load`, `open_by_handle_at`,
    `init_module`, and others. Turning it off widens the kernel attack surface: for
    example the CVE-2022-0185 escape needs `unshare` to get `CAP_SYS_ADMIN` in a new user
    namespace, which the default profile denies.

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
        security_opt:
          - seccomp=unconfined
    ```
    ```sh
    docker run --security-opt seccomp=unconfined alpine:3.20 sh
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
        security_opt:
          - seccomp=./seccomp/app.json
    ```
    ```sh
    docker run --security-opt seccomp=./seccomp/app.json alpine:3.20 sh
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` removes `seccomp:unconfined` so Docker's default
    profile applies, and turns a Kubernetes `Unconfined` profile into `RuntimeDefault`.
    Unsafe: a program that needs a blocked system call fails.

    Remove `seccomp=unconfined` so the default profile applies. If one system call is
    missing, copy Docker's default profile, allow just that call, and pass the file with
    `seccomp=<path>`.

    ## References
    - CIS Docker Benchmark v1.6, 5.22: the default seccomp profile is not disabled
      (`CIS-5.22`)
    - OWASP Docker Security Cheat Sheet, rule 6: keep seccomp, AppArmor, SELinux on
      (`OWASP-D6`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`); T1068, Exploitation for
      Privilege Escalation (`ATTACK-T1068`)
    - Kubernetes Pod Security Standards, baseline: Seccomp (`PSS-baseline-seccomp`)
    """
    opt = w.security_opt("seccomp")
    if opt is not None and opt.value.strip().lower() == "unconfined":
        yield Hit(
            opt.origin,
            "disables seccomp (seccomp=unconfined): system calls Docker's default profile "
            "blocks (unshare, mount, keyctl, bpf, open_by_handle_at, kexec_load, ...) reach "
            "the host kernel, which is how most kernel-exploit escapes start",
            "seccomp=unconfined",
            remedy=Remedy(Change.REMOVE, "security_opts", opt.raw or "seccomp=unconfined",
                          opt.origin),
        )
