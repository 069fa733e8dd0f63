"""DW304: the restart policy restarts the container without bound."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.workload import Workload
from dockward.rules._common import spell
from dockward.rules.registry import Option, RuleContext, rule


@rule(
    code="DW304",
    name="restart-unbounded",
    model=Workload,
    severity=Severity.LOW,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.15", "OWASP-D7", "ATTACK-T1499"),
    options={"max_retries": Option(5, minimum=1, maximum=1000)},
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The restart policy restarts a failing container forever (or too many times).

    ## What it does
    Reports `restart: always`, `restart: unless-stopped`, `on-failure` without a maximum
    (`on-failure`, `on-failure:0`), and `on-failure:N` with N above `max_retries`
    (default 5), at the restart setting. `no` and no policy at all are not reported.

    ## Why it matters
    A container that crashes over and over is a signal: a bug, resource exhaustion, or
    someone attacking it. With an unbounded policy the daemon restarts it forever, so an
    attacker who can crash the service (or a fork bomb that gets it killed) gets a fresh
    attempt every time, the host keeps paying for the restarts, and nobody is told. The
    seed recommends `--restart on-failure:5`: five attempts cover transient failures, and
    a container that still fails stays down, where monitoring can notice it.

    ## Bad
    ```yaml
    services:
      app:
        image: nginx:1.27
        restart: always
    ```
    ```sh
    docker run --restart always nginx:1.27
    ```

    ## Good
    ```yaml
    services:
      app:
        image: nginx:1.27
        restart: on-failure:5
    ```
    ```sh
    docker run --restart on-failure:5 nginx:1.27
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` sets `on-failure` with the config's `[fix]
    restart-retries` (default 5, at most `max_retries`), in `restart`, `--restart` or
    `deploy.restart_policy`. Unsafe: unlike `always`, `on-failure` does not start the
    container again after a daemon restart or a clean exit.

    Use `on-failure:5` (`deploy.restart_policy` with `condition: on-failure` and
    `max_attempts: 5` in swarm) and alert when a container stays down.

    ## Options
    - `max_retries` (integer from 1 to 1000, default 5): the largest `on-failure` retry count
      accepted (0 would mean "forever" to Docker, so it is not allowed).

    ## References
    - CIS Docker Benchmark v1.6, 5.15: the on-failure container restart policy is set
      to 5 (`CIS-5.15`)
    - OWASP Docker Security Cheat Sheet, rule 7: limit resources, including the restart
      count (`OWASP-D7`)
    - MITRE ATT&CK T1499, Endpoint Denial of Service (`ATTACK-T1499`)
    """
    policy = w.restart
    if policy is None or w.is_unknown("restart"):
        return
    name = policy.name.strip().lower()
    try:
        limit = int(ctx.option("max_retries", 5))
    except (TypeError, ValueError):
        limit = 5
    retries_fix = max(1, min(ctx.fix.restart_retries, limit))
    remedy = Remedy(Change.SET, "restart", ("on-failure", retries_fix),
                    policy.origin)
    if name in ("always", "unless-stopped"):
        yield Hit(
            policy.origin,
            f"restart policy {name} restarts the container forever, however often it "
            f"crashes or is killed; use {spell(w, 'restart', n=limit)}",
            f"restart={name}",
            remedy=remedy,
        )
    elif name == "on-failure":
        retries = policy.max_retries
        if retries is None or retries <= 0:
            yield Hit(
                policy.origin,
                "restart policy on-failure without a maximum retry count restarts the "
                f"container forever; use {spell(w, 'restart', n=limit)}",
                "restart=on-failure",
                remedy=remedy,
            )
        elif retries > limit:
            yield Hit(
                policy.origin,
                f"restart policy on-failure:{retries} allows more than {limit} restarts "
                f"(option max_retries); use {spell(w, 'restart', n=limit)}",
                f"restart=on-failure:{retries}",
                remedy=remedy,
            )
