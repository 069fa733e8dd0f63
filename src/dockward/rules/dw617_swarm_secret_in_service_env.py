"""DW617: a swarm service gets a secret through its environment instead of a swarm secret."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.swarm import Swarm
from dockward.rules.registry import RuleContext, rule
from dockward.secrets import classify_name, hardcoded_secret, is_trivial


@rule(
    code="DW617",
    name="swarm-secret-in-service-env",
    model=Swarm,
    severity=Severity.MEDIUM,
    fix=FixSafety.NONE,
    refs=("CIS-7.5", "ATTACK-T1552.007"),
)
def check(s: Swarm, ctx: RuleContext) -> Iterator[Hit]:
    """A swarm service receives a secret through its environment rather than a swarm secret.

    ## What it does
    Reports environment variables of swarm services whose name marks a secret
    (`DB_PASSWORD`, `API_TOKEN`) and whose value comes from elsewhere: `${VAR}` interpolated
    by `docker stack deploy`, or `environment: [NAME]` taken from the deploying shell, in a
    stack file (a file with `deploy:` or overlay networks); and the same on a live swarm
    when the value is not a literal. A literal secret written into the file or the service
    is DW402's finding, not reported twice. Values that point at a secret (`/run/secrets/x`)
    and names such as `DB_PASSWORD_FILE` pass.

    ## Why it matters
    Whatever the environment of a service holds is stored in the cluster's service spec:
    `docker service inspect` shows it to everyone with API access, every task's
    `docker inspect` repeats it, crash dumps and `/proc/<pid>/environ` expose it, and it
    is often logged. Swarm secrets are encrypted in the raft log, sent only to the nodes
    that run the service, and mounted as a file in memory (`/run/secrets/NAME`).

    ## Bad
    ```yaml
    services:
      api:
        image: example/api
        environment:
          DB_PASSWORD: ${DB_PASSWORD}
        deploy:
          replicas: 2
    ```

    ## Good
    ```yaml
    services:
      api:
        image: example/api
        environment:
          DB_PASSWORD_FILE: /run/secrets/db_password
        secrets: [db_password]
        deploy:
          replicas: 2
    secrets:
      db_password:
        external: true
    ```

    ## Fix
    Automatic fix: none. The value must move into a swarm secret that the application reads
    from a file, which needs the application to change.

    Create the secret once (`printf %s "$DB_PASSWORD" | docker secret create db_password -`),
    give the service `secrets: [db_password]`, and let the application read
    `/run/secrets/db_password` (most official images accept a `*_FILE` variable for it).
    Unsafe: an application that only reads the variable needs that change too.

    ## References
    - CIS Docker Benchmark v1.6, 7.5: Docker's secret management commands are used for
      managing secrets in a swarm cluster (`CIS-7.5`)
    - MITRE ATT&CK T1552.007, unsecured credentials: container API (`ATTACK-T1552.007`)
    """
    for env in s.service_env:
        if not classify_name(env.name):
            continue
        value = env.value
        if value is not None:
            text = value.strip().strip("'\"")
            if not text or is_trivial(text) or text.startswith(("/", "./")):
                continue
            if hardcoded_secret(env.name, value) is not None:
                continue  # a literal secret: DW402 reports it
        source = ("from the deploying shell" if value is None else
                  f"from {value.strip()}" if "$" in value else "in clear")
        yield Hit(env.origin,
                  f"service {env.service!r} gets {env.name} through its environment "
                  f"({source}): the value is stored in the service spec for anyone who can "
                  f"inspect the service or its tasks; pass it as a swarm secret "
                  f"(secrets: [...], read from /run/secrets/)",
                  f"{env.service}: {env.name}")
