"""DW113: the container's processes run as root."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.knowledge import is_root_user
from dockward.models.workload import Workload
from dockward.rules._common import spell
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW113",
    name="runs-as-root",
    model=Workload,
    severity=Severity.MEDIUM,
    fix=FixSafety.UNSAFE,
    refs=("CIS-4.1", "OWASP-D2", "ATTACK-T1611", "PSS-restricted-running-as-non-root"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """The container runs as root, either explicitly or by not choosing a user.

    ## What it does
    Reports `user: root`, `user: "0"`, `user: "0:0"` (`--user`/`-u`, Kubernetes
    `runAsUser: 0`) at the line that sets it, and a container with no user at all at the
    service or `docker run` word. When no user is set but the image (its `USER`, or the
    Dockerfile that builds it, or the image the guard inspected for a create request) is
    known to use a non-root user, nothing is reported; when the surface cannot express a
    user, nothing is reported either.

    ## Why it matters
    Without user-namespace remapping, UID 0 in a container is UID 0 on the host, held back
    only by the dropped capabilities and the LSM profile. As the seed's `sleep 25` demo
    shows, a container process is visible on the host as `root`. Every file it can reach
    through a bind mount, a socket or a kernel bug, it reaches as root, and inside the
    container it can install tools and rewrite the application. A non-root user turns most
    of those into "permission denied".

    ## Bad
    ```yaml
    services:
      app:
        image: alpine:3.20
        user: root
    ```
    ```sh
    docker run -u 0 alpine:3.20 id
    ```

    ## Good
    ```yaml
    services:
      app:
        image: alpine:3.20
        user: "10001:10001"
    ```
    ```sh
    docker run --user 10001:10001 alpine:3.20 id
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` sets `user` to the config's `[fix] user`
    (default `10001:10001`; Kubernetes `runAsNonRoot`, `runAsUser`, `runAsGroup`), replacing
    an explicit root. Unsafe: files and ports that need root stop working.

    Set a numeric non-root `user:` (`--user 10001:10001`), or add `USER 10001` to the
    Dockerfile so every way of running the image gets it. Give that user ownership of the
    directories it writes to; bind ports above 1024.

    ## References
    - CIS Docker Benchmark v1.6, 4.1: a user for the container has been created (`CIS-4.1`)
    - OWASP Docker Security Cheat Sheet, rule 2: set a user (`OWASP-D2`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    - Kubernetes Pod Security Standards, restricted: Running as Non-root
      (`PSS-restricted-running-as-non-root`)
    """
    if w.is_unknown("user"):
        return
    if w.user is not None and str(w.user).strip():
        if is_root_user(w.user):
            yield Hit(
                w.where("user"),
                f"runs explicitly as root (user {str(w.user).strip()}): UID 0 in the "
                "container is UID 0 on the host unless the daemon remaps user namespaces",
                f"user={str(w.user).strip()}",
                remedy=Remedy(Change.SET, "user", ctx.fix.user, w.where("user")),
            )
        return
    if w.run_as_non_root is True:
        return  # Kubernetes refuses to start the container as root
    image_user = w.image_user if w.image_user is not None else ctx.env.image_user(w.image)
    if image_user is not None:
        if not is_root_user(image_user):
            return
        yield Hit(
            w.anchor,
            f"no user set and the image's USER is {image_user.strip() or 'root'}: runs as "
            "root, which is UID 0 on the host unless the daemon remaps user namespaces",
            "user missing, image user root",
            remedy=Remedy(Change.SET, "user", ctx.fix.user, w.anchor),
        )
        return
    yield Hit(
        w.anchor,
        "no user set: runs as the image's default user, root unless the image says "
        f"otherwise; set {spell(w, 'user')}",
        "user missing",
        remedy=Remedy(Change.SET, "user", ctx.fix.user, w.anchor),
    )
