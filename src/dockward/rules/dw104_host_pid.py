"""DW104: the container shares the host's PID namespace."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules._common import is_host_mode, spell
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW104",
    name="host-pid",
    model=Workload,
    severity=Severity.HIGH,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.16", "ATTACK-T1611", "ATTACK-T1057", "PSS-baseline-host-namespaces"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container shares the host's PID namespace and sees and signals host processes.

    ## What it does
    Reports `pid: host` (`--pid=host`, Kubernetes `hostPID: true`).

    ## Why it matters
    The PID namespace is what hides the host's processes from a container. With
    `--pid=host` a `ps aux` in the container lists every process on the host, with command
    lines that often carry passwords and tokens, as the seed's `sleep 25` demo shows. Root
    in the container can send signals to host processes (stop a security agent, kill the
    database), and together with `SYS_PTRACE` or `--privileged` it can attach to them or
    run `nsenter --target 1 --mount --uts --ipc --net --pid sh` to get a shell in the
    host's namespaces, which is a complete escape.

    ## Bad
    ```yaml
    services:
      debug:
        image: alpine:3.20
        pid: host
    ```
    ```sh
    docker run --pid=host alpine:3.20 ps aux
    ```

    ## Good
    ```yaml
    services:
      debug:
        image: alpine:3.20
    ```
    ```sh
    docker run alpine:3.20 ps aux
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` removes `pid: host` (`--pid=host`, `hostPID`).
    Unsafe: a monitoring or debugging tool that reads host processes stops seeing them.

    Remove `pid: host`. To let two containers see each other's processes, share a PID
    namespace between them (`pid: "service:other"`, `--pid=container:NAME`) instead of with
    the host. Host monitoring agents that need it belong on hosts where they are the only
    tenant.

    ## References
    - CIS Docker Benchmark v1.6, 5.16: the host's process namespace is not shared
      (`CIS-5.16`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`); T1057, Process Discovery
      (`ATTACK-T1057`)
    - Kubernetes Pod Security Standards, baseline: Host Namespaces
      (`PSS-baseline-host-namespaces`)
    """
    if is_host_mode(w.pid_mode):
        yield Hit(
            w.where("pid_mode"),
            f"shares the host's PID namespace ({spell(w, 'pid_host')}): the container sees "
            "every host process and its command line, can kill host processes as root, and with "
            "SYS_PTRACE can attach to them or nsenter into the host",
            "pid=host",
            remedy=Remedy(Change.REMOVE, "pid_mode", "host", w.where("pid_mode")),
        )
