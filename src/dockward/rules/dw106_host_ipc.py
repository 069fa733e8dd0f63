"""DW106: the container shares the host's IPC namespace."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules._common import is_host_mode, spell
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW106",
    name="host-ipc",
    model=Workload,
    severity=Severity.MEDIUM,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.17", "ATTACK-T1611", "PSS-baseline-host-namespaces"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container shares the host's IPC namespace and its shared memory.

    ## What it does
    Reports `ipc: host` (`--ipc=host`, Kubernetes `hostIPC: true`).

    ## Why it matters
    The IPC namespace isolates System V shared memory, semaphores and POSIX message
    queues, and gives the container its own `/dev/shm`. Sharing the host's lets the
    container list, read and overwrite shared-memory segments of host processes (databases,
    X11/Wayland clients, monitoring agents), which leaks their data and can corrupt or
    steer them, and lets it fill the host's `/dev/shm`.

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
        ipc: host
    ```
    ```sh
    docker run --ipc=host alpine:3.20 ipcs
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
        shm_size: 256m
    ```
    ```sh
    docker run --shm-size 256m alpine:3.20 ipcs
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` removes `ipc: host` (`--ipc host`, `hostIPC`).
    Unsafe: shared memory with host processes stops working.

    Remove `ipc: host`. If the container needs a bigger `/dev/shm`, set `shm_size`; if two
    containers must share memory, make one `ipc: shareable` and the other
    `ipc: "service:first"` (or `container:NAME`).

    ## References
    - CIS Docker Benchmark v1.6, 5.17: the host's IPC namespace is not shared (`CIS-5.17`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    - Kubernetes Pod Security Standards, baseline: Host Namespaces
      (`PSS-baseline-host-namespaces`)
    """
    if is_host_mode(w.ipc_mode):
        yield Hit(
            w.where("ipc_mode"),
            f"shares the host's IPC namespace ({spell(w, 'ipc_host')}): the container can read and "
            "overwrite shared memory, semaphores and message queues of host processes",
            "ipc=host",
            remedy=Remedy(Change.REMOVE, "ipc_mode", "host", w.where("ipc_mode")),
        )
