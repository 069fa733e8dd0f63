"""DW618: swarm managers also run service tasks."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.swarm import Swarm
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW618",
    name="swarm-manager-runs-workloads",
    model=Swarm,
    severity=Severity.LOW,
    fix=FixSafety.NONE,
    refs=("ATTACK-T1611",),
)
def check(s: Swarm, ctx: RuleContext) -> Iterator[Hit]:
    """A swarm manager accepts service tasks although the swarm has worker nodes.

    ## What it does
    Reports each manager node whose availability is `active` in a live swarm that also has
    worker nodes. A swarm of managers only (a single-node swarm included) is not reported:
    its managers have to run the tasks.

    ## Why it matters
    A manager holds the raft store with every swarm secret and the CA key. A container that
    escapes on a manager gets all of it, and with it the whole cluster; on a worker it gets
    only what that node runs. A busy workload can also starve the manager of CPU or memory
    until it misses raft heartbeats and the cluster loses its quorum.

    ## Bad
    ```sh
    $ docker node ls --format '{{.Hostname}} {{.ManagerStatus}} {{.Availability}}'
    mgr1 Leader Active
    worker1  Active
    ```

    ## Good
    ```sh
    docker node update --availability drain mgr1
    ```

    ## Fix
    Automatic fix: none. Draining a manager moves its tasks to workers that must have room for
    them, a capacity decision for the operator.

    Drain the managers (`docker node update --availability drain NODE`): their tasks move
    to workers and no new ones are scheduled there. Unsafe: the workers need the capacity
    the managers gave.

    ## References
    - MITRE ATT&CK T1611, escape to host: an escape on a manager is an escape into the
      cluster's control plane (`ATTACK-T1611`)
    """
    if not s.is_live or not s.workers():
        return
    for node in s.managers():
        if node.availability == "active":
            yield Hit(node.origin,
                      f"manager {node.hostname or node.id} also runs service tasks although "
                      f"the swarm has {len(s.workers())} worker node(s): a container escape "
                      "there reaches the raft store, the CA key and every secret; drain it "
                      f"with docker node update --availability drain {node.hostname or node.id}",
                      f"node {node.id}: role manager, availability active")
