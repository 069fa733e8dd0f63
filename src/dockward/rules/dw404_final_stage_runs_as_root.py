"""DW404: the image's final stage runs as root."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.build import Build
from dockward.models.knowledge import is_root_user
from dockward.rules.registry import RuleContext, rule

# Base images documented to run as a non-root user by default.
_NON_ROOT_BASE = re.compile(r"[:@-]nonroot\b|:rootless\b|-rootless\b", re.IGNORECASE)
_WINDOWS_ROOT = frozenset({"containeradministrator", "administrator"})


def is_root(user: str) -> bool:
    """Root on Linux (``root``, ``0``, ``0:0``) or the Windows container administrator."""
    return is_root_user(user) or user.strip().split(":", 1)[0].lower() in _WINDOWS_ROOT


@rule(
    code="DW404",
    name="final-stage-runs-as-root",
    model=Build,
    severity=Severity.MEDIUM,
    fix=FixSafety.UNSAFE,
    refs=("CIS-4.1", "OWASP-D2", "ATTACK-T1611"),
)
def check(b: Build, ctx: RuleContext) -> Iterator[Hit]:
    """The image's final stage runs as root.

    ## What it does
    Looks at the final stage of a Dockerfile (the last `FROM`, following `FROM <stage>`
    to the stages it builds on) and reports it when no `USER` is set, at the `FROM` line,
    or when the last `USER` is `root`/`0`, at that `USER` line. Builder stages are not
    judged: only the final stage becomes the image. A `USER` that depends on a build arg
    without a default is not judged either, and neither is a base image whose tag says it
    runs as non-root (`:nonroot`).

    ## Why it matters
    The image's `USER` is what every `docker run`, compose service and Kubernetes pod gets
    unless it overrides the user. Root in the container is root on the host kernel,
    held back only by capabilities and LSM profiles; with a writable mount or a kernel
    bug, it is root on the host. A non-root default turns most escapes into
    "permission denied".

    ## Bad
    ```dockerfile
    FROM python:3.13-slim
    COPY app /app
    CMD ["python", "/app/main.py"]
    ```

    ## Good
    ```dockerfile
    FROM python:3.13-slim
    RUN useradd --uid 10001 --no-create-home app
    COPY --chown=10001:10001 app /app
    USER 10001
    CMD ["python", "/app/main.py"]
    ```

    ## Fix
    Create an unprivileged user in the final stage and switch to it with `USER` (a
    numeric UID works with Kubernetes `runAsNonRoot`). Give it ownership of what it
    writes; bind ports above 1024. Keep root-only steps (package installs) before `USER`.

    ## References
    - CIS Docker Benchmark v1.6, 4.1: a user for the container has been created (`CIS-4.1`)
    - OWASP Docker Security Cheat Sheet, rule 2: set a user (`OWASP-D2`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    """
    if not b.is_dockerfile:
        return
    final = b.final_stage
    if final is None:
        return
    setting = b.effective_user(final)
    if setting is None:
        root_base = b.ancestry(final)[-1]
        if _NON_ROOT_BASE.search(root_base.base_resolved or root_base.base):
            return
        yield Hit(
            final.origin,
            f"the final stage (FROM {final.base}) never sets USER: the image runs as root "
            "unless its base image chose another user; add `USER <non-root uid>`",
            "USER missing",
        )
        return
    if setting.resolved is None:
        return  # depends on a build arg
    if is_root(setting.resolved):
        yield Hit(
            setting.origin,
            f"the final stage's last USER is {setting.resolved}: the image runs as root; "
            "switch to a non-root user after the steps that need root",
            f"USER {setting.resolved}",
        )
