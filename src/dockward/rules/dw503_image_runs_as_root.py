"""DW503: an image runs as root unless each container overrides its user."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.image import Image
from dockward.models.knowledge import is_root_user
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW503",
    name="image-runs-as-root",
    model=Image,
    severity=Severity.MEDIUM,
    fix=FixSafety.NONE,
    refs=("CIS-4.1", "OWASP-D2", "ATTACK-T1611"),
)
def check(image: Image, ctx: RuleContext) -> Iterator[Hit]:
    """The image's default user is root.

    ## What it does
    Reads `Config.User` of images on the host and reports an empty user (no `USER` in the
    Dockerfile), `root`, `0` or `0:0`. By default the audit looks only at images that the
    audited containers use; `--images all` checks every image and `--images none` skips
    images. Each container that runs as root is reported on its own as well (DW113); this
    finding is about the image, so one fix covers every container built from it.

    ## Why it matters
    A container runs as the image's user unless it is started with `--user`. Without
    user-namespace remapping, UID 0 in the container is UID 0 on the host. Only the dropped
    capabilities and the LSM profile stand between that root and the host, and every file
    it reaches through a mount or a breakout it reaches as root. Setting the user in the
    image makes every way of running it safer at once.

    ## Bad
    ```dockerfile
    FROM alpine:3.20.0
    COPY app /app
    CMD ["/app"]
    ```

    ## Good
    ```dockerfile
    FROM alpine:3.20.0
    RUN adduser -D -u 10001 app
    COPY --chown=app app /app
    USER 10001
    CMD ["/app"]
    ```

    ## Fix
    Automatic fix: none. the image must be rebuilt with a `USER` (DW404 fixes the
    Dockerfile); a running container can only be re-created with `--user`.

    Create an unprivileged user in the image and end the Dockerfile with `USER <uid>`
    (numeric, so that Kubernetes `runAsNonRoot` can check it). Give it only the files it
    must write. Until the image is rebuilt, start its containers with `--user`.

    ## References
    - CIS Docker Benchmark v1.6, 4.1: a user for the container has been created
      (`CIS-4.1`)
    - OWASP Docker Security Cheat Sheet, rule 2: set a user (`OWASP-D2`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    """
    if image.user is None or not is_root_user(image.user):
        return
    shown = image.user.strip() or "none set"
    users = ""
    if image.used_by:
        names = ", ".join(u.split("/", 1)[-1] for u in image.used_by[:5])
        more = f" and {len(image.used_by) - 5} more" if len(image.used_by) > 5 else ""
        users = f"; used by {names}{more}"
    yield Hit(
        image.where("user"),
        f"{image.describe()} runs as root by default (USER {shown}): every container "
        f"started from it without --user is UID 0, which is root on the host unless the "
        f"daemon remaps user namespaces{users}; add a non-root USER",
        f"user={image.user.strip() or '(empty)'}",
    )
