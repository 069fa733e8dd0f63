"""DW502: an image's config bakes a secret into its environment."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Confidence, FixSafety, Hit, Severity
from dockward.models.image import Image
from dockward.rules.registry import RuleContext, rule
from dockward.secrets import hardcoded_secret, redact_assignment


@rule(
    code="DW502",
    name="secret-in-image-env",
    model=Image,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    confidence=Confidence.MEDIUM,
    refs=("CIS-4.10", "OWASP-D12", "ATTACK-T1552.001", "ATTACK-T1552.007"),
)
def check(image: Image, ctx: RuleContext) -> Iterator[Hit]:
    """An image's config sets an environment variable to a hard-coded secret.

    ## What it does
    Reads `Config.Env` of images on the host (`docker image inspect`). It reports each
    variable whose value is in a known credential format (a cloud key, a GitHub or npm
    token, a private key, a JWT, a password in a URL) whatever its name. It also reports a
    literal value under a secret-like name (`DB_PASSWORD=hunter2`). References, pointers
    (`*_FILE`, `*_PATH`), booleans and dummy values are not reported. The value is
    redacted in every output.

    ## Why it matters
    `ENV` in a Dockerfile writes the value into the image config. `docker inspect` shows
    it, every container started from the image inherits it, and every registry that stores
    the image keeps it. It cannot be removed by a later layer. Inside the container it is
    readable from `/proc/1/environ` and it is inherited by child processes. Crash reports
    often include it too.

    ## Bad
    ```dockerfile
    FROM postgres:17
    ENV POSTGRES_PASSWORD=hunter2-prod
    ```

    ## Good
    ```dockerfile
    FROM postgres:17
    ENV POSTGRES_PASSWORD_FILE=/run/secrets/db_password
    ```
    ```sh
    docker run --secret ... # or compose/swarm `secrets:` mounted under /run/secrets
    ```

    ## Fix
    Automatic fix: none. the image must be rebuilt without the value and the secret rotated.

    Rotate the secret, remove the `ENV` and rebuild. Pass the secret at run time instead,
    as a secret file (`*_FILE` with compose or swarm `secrets:`), or at build time with
    `RUN --mount=type=secret`. Remove the old image from every registry.

    ## References
    - CIS Docker Benchmark v1.6, 4.10: secrets are not stored in Dockerfiles (`CIS-4.10`)
    - OWASP Docker Security Cheat Sheet, rule 12: use secrets management (`OWASP-D12`)
    - MITRE ATT&CK T1552.001 Credentials In Files, T1552.007 Container API
      (`ATTACK-T1552.001`, `ATTACK-T1552.007`)
    """
    for env in image.env:
        why = hardcoded_secret(env.key, env.value)
        if why is None:
            continue
        users = f"; used by {len(image.used_by)} container(s)" if image.used_by else ""
        yield Hit(
            env.origin,
            f"{image.describe()} sets {env.key} to a hard-coded secret in its config "
            f"({why}): `docker inspect` and every container started from it show the "
            f"value{users}; rotate it and pass it at run time as a secret file",
            redact_assignment(env.key, env.value),
        )
