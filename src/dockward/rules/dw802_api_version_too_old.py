"""DW802: the request uses an Engine API version older than the guard judges (1.24)."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.request import ApiRequest
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW802",
    name="api-version-too-old",
    model=ApiRequest,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CWE-863", "CWE-1104"),
)
def check(r: ApiRequest, ctx: RuleContext) -> Iterator[Hit]:
    """The request uses an Engine API version below 1.24, whose semantics the guard does not judge.

    ## What it does
    Reports requests whose path starts with `/v1.23` or older (`/v1.11/containers/...`).
    Unversioned paths use the daemon's current version and are not reported.

    ## Why it matters
    Old API versions accept settings in places newer ones refuse: before 1.24,
    `POST /containers/{id}/start` takes a whole `HostConfig` in its body, so a container
    created harmless can be started privileged with `/` mounted, and endpoints such as
    `/containers/{id}/copy` still exist. A guard that judges create bodies only would miss
    them. No supported client needs a version that old (Docker 1.12, 2016).

    ## Bad
    ```sh
    curl --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' \
         -d '{"Privileged": true, "Binds": ["/:/host"]}' \
         http://docker/v1.23/containers/web/start
    ```

    ## Good
    ```sh
    curl --unix-socket /var/run/docker.sock -X POST http://docker/v1.41/containers/web/start
    ```

    ## Fix
    Automatic fix: none. This judges one API request as the guard receives it; there is no file
    to rewrite, and the client that sent it must change.

    Use a client that speaks API 1.24 or newer (every docker CLI since 1.12 does), and
    raise the daemon's minimum API version (`DOCKER_MIN_API_VERSION=1.24`).

    ## References
    - CWE-863, Incorrect Authorization (`CWE-863`)
    - CWE-1104, Use of Unmaintained Third Party Components (`CWE-1104`)
    """
    version = r.api_version_tuple
    if version is not None and version < (1, 24):
        yield Hit(
            r.anchor.child("RequestUri"),
            f"uses API version {r.api_version}, older than 1.24: old versions accept a "
            "HostConfig in the start body and other settings the guard does not judge",
            f"v{r.api_version}",
        )
