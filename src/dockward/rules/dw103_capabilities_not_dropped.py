"""DW103: the container keeps Docker's default capabilities."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.knowledge import DEFAULT_CAPABILITIES
from dockward.models.workload import Workload, normalize_capability
from dockward.rules._common import join_names, spell
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW103",
    name="capabilities-not-dropped",
    model=Workload,
    severity=Severity.MEDIUM,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.4", "OWASP-D3", "ATTACK-T1611", "PSS-restricted-capabilities"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container does not drop ALL capabilities, so it keeps Docker's default set.

    ## What it does
    Reports a container whose `cap_drop` (`--cap-drop`, Kubernetes `capabilities.drop`)
    does not contain `ALL`. Privileged containers are left to DW101. The finding sits on
    the service, `docker run` word or container, since what is wrong is something missing.

    ## Why it matters
    Even without `--cap-add`, root in a container holds 14 capabilities: `CHOWN`,
    `DAC_OVERRIDE`, `FOWNER`, `FSETID`, `KILL`, `MKNOD`, `NET_RAW`, `NET_BIND_SERVICE`,
    `SETUID`, `SETGID`, `SETFCAP`, `SETPCAP`, `SYS_CHROOT` and `AUDIT_WRITE`. Most services
    need none or one of them. They matter once something else is weak: `NET_RAW` sends
    spoofed packets and sniffs traffic on shared networks, `DAC_OVERRIDE` ignores file
    permissions on every mounted volume, `MKNOD` and `SETUID`/`SETFCAP` are steps in known
    escapes and in privilege escalation inside the container. Dropping everything and
    adding back what is needed keeps the blast radius of a compromise small.

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
        cap_drop: [ALL]
        cap_add: [CHOWN, SETUID, SETGID, NET_BIND_SERVICE]
    ```
    ```sh
    docker run --cap-drop ALL --cap-add NET_BIND_SERVICE nginx:1.27
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` adds `cap_drop: [ALL]` (`--cap-drop ALL`,
    `capabilities.drop: [ALL]`) plus the capabilities listed in the config's `[fix] cap-add`
    (none by default). Unsafe: a process that relied on a default capability (binding port
    80, `chown`) fails until it is added back.

    Add `cap_drop: [ALL]` (`--cap-drop ALL`), start the container, and add back with
    `cap_add` only the capabilities it fails without (`capsh --print` or the error it logs
    tells which). An application that runs as a non-root user on a port above 1024 usually
    needs none.

    ## References
    - CIS Docker Benchmark v1.6, 5.4: Linux kernel capabilities are restricted (`CIS-5.4`)
    - OWASP Docker Security Cheat Sheet, rule 3: drop all capabilities, add only those
      needed (`OWASP-D3`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    - Kubernetes Pod Security Standards, restricted: Capabilities must drop ALL
      (`PSS-restricted-capabilities`)
    """
    if w.privileged or w.is_unknown("cap_drop"):
        return
    dropped = {normalize_capability(c.name) for c in w.cap_drop}
    if "ALL" in dropped:
        return
    kept = DEFAULT_CAPABILITIES - dropped
    if not kept:  # every default capability dropped one by one: as good as ALL
        return
    remedy = drop_all_remedy(w, ctx)
    if not dropped:
        yield Hit(
            w.anchor,
            f"does not drop capabilities: root in the container keeps the runtime's "
            f"{len(DEFAULT_CAPABILITIES)} default capabilities ({join_names(kept)}); "
            f"add {spell(w, 'cap_drop_all')}",
            "cap_drop missing",
            remedy=remedy,
        )
        return
    yield Hit(
        w.anchor,
        f"drops {join_names(dropped)} but not ALL: still keeps {join_names(kept)}; "
        f"use {spell(w, 'cap_drop_all')}",
        "cap_drop without ALL",
        remedy=remedy,
    )


def drop_all_remedy(w: Workload, ctx: RuleContext) -> Remedy:
    """``cap_drop: [ALL]``, with the capabilities the config adds back (``[fix] cap-add``)
    that the workload does not add already."""
    added = {normalize_capability(c.name) for c in w.cap_add}
    back = tuple(Remedy(Change.ADD, "cap_add", cap, w.anchor)
                 for cap in (normalize_capability(c) for c in ctx.fix.cap_add)
                 if cap not in added)
    return Remedy(Change.ADD, "cap_drop", "ALL", w.anchor, also=back)
