"""DW402: a hard-coded secret is set as an environment variable."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Confidence, FixSafety, Hit, Severity
from dockward.models.build import Build, EnvSetting, Stage
from dockward.models.workload import Workload
from dockward.rules.dw401_secret_build_arg import arg_secret_reason
from dockward.rules.registry import RuleContext, rule
from dockward.secrets import classify_name, hardcoded_secret, redact_assignment

# How the value leaks and what to use instead, for Kubernetes (True) and Docker (False).
_REMEDY = {
    False: "shown by `docker inspect`; use a secrets file (`*_FILE` + `secrets:`) or take "
           "the value from the environment",
    True: "shown by `kubectl get -o yaml` to anyone who can read the workload; use a Secret "
          "(`valueFrom.secretKeyRef`, or a mounted Secret volume)",
}

_WHERE = {
    "compose-service": "the compose file",
    "run-line": "the command line (and the shell history)",
    "ci-container": "the CI file",
    "k8s": "the manifest",
}


@rule(
    code="DW402",
    name="secret-in-env",
    model=(Build, Workload),
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    confidence=Confidence.MEDIUM,
    refs=("CIS-4.10", "OWASP-D12", "ATTACK-T1552.001", "ATTACK-T1552.007"),
)
def check(model: Build | Workload, ctx: RuleContext) -> Iterator[Hit]:
    """A hard-coded secret is set as an environment variable.

    ## What it does
    Reports `ENV` in a Dockerfile, compose `environment`, `docker run -e` and CI container
    `env:` entries whose value is a secret written into the file: a value in a known token
    format (AWS, GitHub, GitLab, npm, Slack, Stripe, Google, a private key, a JWT, a
    password in a URL or in a connection string such as `Server=db;Password=...;`)
    whatever the name, or a literal value under a secret-like name (`DB_PASSWORD=hunter2`). An
    `ENV` that copies a secret build arg (`ENV NPM_TOKEN=$NPM_TOKEN`) into the image that
    is shipped is reported too. References (`${DB_PASSWORD}`, `${{ secrets.X }}`),
    pointers (`*_FILE`, `*_PATH`, `*_URL`), booleans and dummies are not.

    ## Why it matters
    An `ENV` is part of the image config: `docker inspect`, `docker history` and every
    process in every container built from the image see it, and it cannot be removed by a
    later layer. A secret in a compose file or a `docker run` line sits in version control
    and shell history, and in `docker inspect` of the container for anyone with access to
    the Docker API. Environment variables also leak through `/proc/*/environ`, crash
    reports and child processes.

    ## Bad
    ```dockerfile
    FROM node:22-alpine
    ENV NPM_TOKEN=npm_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f
    ```
    ```yaml
    services:
      db:
        image: postgres:17
        environment:
          POSTGRES_PASSWORD: hunter2-prod
    ```

    ## Good
    ```dockerfile
    FROM node:22-alpine
    RUN --mount=type=secret,id=npm,env=NPM_TOKEN npm ci
    ```
    ```yaml
    services:
      db:
        image: postgres:17
        environment:
          POSTGRES_PASSWORD_FILE: /run/secrets/db_password
        secrets: [db_password]
    secrets:
      db_password:
        file: ./db_password.txt
    ```

    ## Fix
    Automatic fix: none. where the secret should come from instead (a secrets manager, a
    Docker or Kubernetes secret, an env file kept out of the repository) is a decision only
    its owner can make, and the value must also be rotated.

    Build time: use a secret mount instead of `ENV`. Run time: use compose/swarm
    `secrets:` (a file under `/run/secrets`, with the `*_FILE` convention most images
    support), or at least take the value from the caller's environment (`${DB_PASSWORD}`,
    `-e DB_PASSWORD` without a value) so it stays out of the file. Rotate the secret.

    ## References
    - CIS Docker Benchmark v1.6, 4.10: secrets are not stored in Dockerfiles (`CIS-4.10`)
    - OWASP Docker Security Cheat Sheet, rule 12: use secrets management (`OWASP-D12`)
    - MITRE ATT&CK T1552.001 Credentials In Files, T1552.007 Container API
      (`ATTACK-T1552.001`, `ATTACK-T1552.007`)
    """
    if isinstance(model, Workload):
        yield from _workload_env(model)
    elif model.is_dockerfile:
        yield from _dockerfile_env(model)


def _workload_env(w: Workload) -> Iterator[Hit]:
    where = _WHERE.get(w.source_kind, "its definition")
    for env in w.env:
        # a live container inherits its image's ENV: DW502 reports those once, on the image
        if env.value is None or env.interpolated or env.from_image:
            continue
        why = hardcoded_secret(env.key, env.value)
        if why is None:
            continue
        yield Hit(
            env.origin,
            f"{w.describe()} sets {env.key} to a hard-coded secret ({why}): it is stored in "
            f"{where} and {_remedy(w)}",
            redact_assignment(env.key, env.value),
        )


def _remedy(w: Workload) -> str:
    if w.source_kind == "ci-container":
        return ("shown by `docker inspect` on the runner; take it from the CI's secret store "
                "(`${{ secrets.NAME }}`), which also masks it in logs")
    return _REMEDY[w.source_kind == "k8s"]


def _dockerfile_env(b: Build) -> Iterator[Hit]:
    final = b.final_stage
    shipped = {s.index for s in b.ancestry(final)} if final else set()
    for stage in b.stages:
        for env in stage.env:
            why = hardcoded_secret(env.key, env.value)
            if why is not None:
                yield Hit(
                    env.origin,
                    f"ENV {env.key} hard-codes a secret ({why}): it is stored in the "
                    "Dockerfile and in the image config, where `docker inspect` and every "
                    "container show it; use `RUN --mount=type=secret` at build time and "
                    "a runtime secret instead",
                    redact_assignment(env.key, env.value),
                )
                continue
            if stage.index in shipped:
                copied = _copied_secret_arg(b, stage, env)
                if copied:
                    yield Hit(
                        env.origin,
                        f"ENV {env.key} copies {copied} into the image config, where "
                        "`docker inspect` and every container show it; use "
                        "`RUN --mount=type=secret,env=...` only where it is needed",
                        redact_assignment(env.key, env.value),
                    )


def _copied_secret_arg(b: Build, stage: Stage, env: EnvSetting) -> str | None:
    """The secret build arg an ENV copies (``ENV TOKEN=$TOKEN``), described, or None."""
    args = {a.name: a for a in stage.args if a.origin.line < env.origin.line}
    for ref in env.refs:
        arg = args.get(ref)
        if arg is None:
            continue
        why = arg_secret_reason(b, arg)
        if why is not None:
            return f"the secret build arg {ref} (line {arg.origin.line}; {why})"
        if classify_name(env.key):
            return f"the build arg {ref} (line {arg.origin.line}) under a secret name"
    return None
