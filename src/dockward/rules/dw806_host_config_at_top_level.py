"""DW806: a create body puts HostConfig fields at its top level."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.request import ApiRequest
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW806",
    name="host-config-at-top-level",
    model=ApiRequest,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CWE-436", "CWE-863"),
)
def check(r: ApiRequest, ctx: RuleContext) -> Iterator[Hit]:
    """A container create body sets HostConfig fields (`Privileged`, `Binds`) outside `HostConfig`.

    ## What it does
    Reports `POST /containers/create` bodies with a `HostConfig` field (`Privileged`,
    `Binds`, `CapAdd`, `PidMode`, ...) at the top level instead of inside `HostConfig`.

    ## Why it matters
    For compatibility with API versions from 2014, dockerd up to version 26 still decodes
    an embedded HostConfig from the top level of the create body, and uses it when
    `HostConfig` is absent. A check that reads only `HostConfig.Privileged` misses
    `{"Image": "alpine", "Privileged": true}`, which dockerd 20.10 runs privileged. No
    current client writes the old layout.

    ## Bad
    ```json
    {"Image": "alpine", "Privileged": true, "Binds": ["/:/host"]}
    ```

    ## Good
    ```json
    {"Image": "alpine", "HostConfig": {"Binds": ["/srv/app:/data:ro"]}}
    ```

    ## Fix
    Automatic fix: none. This judges one API request as the guard receives it; there is no file
    to rewrite, and the client that sent it must change.

    Put every HostConfig field inside the `HostConfig` object.

    ## References
    - CWE-436, Interpretation Conflict (`CWE-436`)
    - CWE-863, Incorrect Authorization (`CWE-863`)
    """
    if r.top_level_host_config:
        names = ", ".join(r.top_level_host_config[:6])
        yield Hit(
            r.anchor.child(f"body.{r.top_level_host_config[0]}"),
            f"the create body sets {names} at its top level, outside HostConfig: dockerd "
            "< 27 still applies them, most checks never look there",
            f"top-level {names}",
        )
