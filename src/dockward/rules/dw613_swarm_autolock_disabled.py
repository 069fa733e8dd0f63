"""DW613: the swarm's raft keys sit unencrypted on every manager's disk."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.swarm import Swarm
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW613",
    name="swarm-autolock-disabled",
    model=Swarm,
    severity=Severity.MEDIUM,
    fix=FixSafety.NONE,
    refs=("CIS-7.6", "ATTACK-T1552.004"),
)
def check(s: Swarm, ctx: RuleContext) -> Iterator[Hit]:
    """The swarm does not lock its managers, so the raft keys sit unencrypted on their disks.

    ## What it does
    Reports a live swarm, read from a manager (`GET /swarm`), whose
    `Spec.EncryptionConfig.AutoLockManagers` is false.

    ## Why it matters
    The raft log holds the whole cluster state, swarm secrets included, and it is encrypted
    with keys that every manager keeps under `/var/lib/docker/swarm`. Without autolock those
    keys are stored in clear next to the log, so a copied disk, a backup or a container that
    can read the host's `/var/lib/docker` yields every secret of the swarm and the TLS keys
    to join it as a manager. With autolock, a restarted manager waits for the unlock key
    (`docker swarm unlock`), which is kept outside the cluster.

    ## Bad
    ```sh
    $ docker info --format '{{.Swarm.Cluster.Spec.EncryptionConfig.AutoLockManagers}}'
    false
    ```

    ## Good
    ```sh
    docker swarm update --autolock=true   # store the printed unlock key in a vault
    ```

    ## Fix
    Automatic fix: none. Turning on autolock changes how every manager restarts (someone must
    unlock it), a cluster decision `dockward fix` leaves to its operator.

    Run `docker swarm update --autolock=true` (or `docker swarm init --autolock`), keep the
    unlock key in a password manager or vault, and unlock restarted managers with
    `docker swarm unlock`. Unsafe: a manager that restarts stays locked, and out of the
    cluster, until someone unlocks it.

    ## References
    - CIS Docker Benchmark v1.6, 7.6: the swarm manager runs in auto-lock mode (`CIS-7.6`)
    - MITRE ATT&CK T1552.004, unsecured credentials: private keys (`ATTACK-T1552.004`)
    """
    if s.is_live and s.autolock is False:
        yield Hit(s.where("autolock"),
                  "swarm autolock is off: the raft keys that decrypt the cluster state and "
                  "every swarm secret are stored in clear on each manager's disk; run "
                  "docker swarm update --autolock=true and keep the unlock key outside the "
                  "cluster", "AutoLockManagers: false")
