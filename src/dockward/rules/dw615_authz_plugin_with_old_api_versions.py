"""DW615: an authorization plugin is configured while dockerd still accepts API < 1.24."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.daemon import Daemon
from dockward.models.engine_versions import MIN_API_FLOOR_RAISED, parse_version
from dockward.rules.dw614_authz_plugin_on_vulnerable_daemon import authorization_plugins
from dockward.rules.registry import RuleContext, rule


def minimum_api_version(d: Daemon) -> tuple[str, str] | None:
    """The oldest API version the daemon accepts, and how that is known."""
    reported = d.facts.get("min_api_version")
    if reported:
        return str(reported), "DOCKER_MIN_API_VERSION in dockerd's environment"
    version = parse_version(str(d.info.get("ServerVersion") or ""))
    if version is None:
        return None
    if version < MIN_API_FLOOR_RAISED:
        return "1.12", f"dockerd {d.info.get('ServerVersion')} accepts API 1.12 and newer"
    return "1.24", "the default of dockerd 25 and newer"


def _older(a: str, b: str) -> bool:
    try:
        return tuple(int(p) for p in a.split(".")) < tuple(int(p) for p in b.split("."))
    except ValueError:
        return False


@rule(
    code="DW615",
    name="authz-plugin-with-old-api-versions",
    model=Daemon,
    severity=Severity.MEDIUM,
    fix=FixSafety.NONE,
    refs=("CWE-863", "CWE-1104"),
)
def check(d: Daemon, ctx: RuleContext) -> Iterator[Hit]:
    """An authorization plugin is configured while dockerd still accepts API versions below 1.24.

    ## What it does
    Reports a live daemon with an authorization plugin whose minimum API version is below
    1.24: every dockerd before 25.0 (its floor is 1.12), or a newer one started with
    `DOCKER_MIN_API_VERSION` set lower.

    ## Why it matters
    Before API 1.24, `POST /containers/{id}/start` accepts a whole `HostConfig` in its
    body: a container created harmless is started privileged with `/` mounted, and a
    plugin that judges create bodies never sees it. Old endpoints such as
    `/containers/{id}/copy` still answer too. A plugin has to refuse old versions
    itself (`dockward guard` does: DW802) unless the daemon refuses them first.

    ## Bad
    ```sh
    $ docker version --format '{{.Server.MinAPIVersion}}'
    1.12
    ```

    ## Good
    ```sh
    $ docker version --format '{{.Server.MinAPIVersion}}'
    1.24
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's configuration or version:
    that needs the host owner.

    Update dockerd to 25.0 or later and do not lower `DOCKER_MIN_API_VERSION` below 1.24;
    meanwhile use an authorization plugin that denies API versions below 1.24.

    ## References
    - CWE-863, Incorrect Authorization (`CWE-863`)
    - CWE-1104, Use of Unmaintained Third Party Components (`CWE-1104`)
    """
    if not d.is_live:
        return
    plugins = authorization_plugins(d)
    if not plugins:
        return
    found = minimum_api_version(d)
    if found is None:
        return
    minimum, why = found
    if _older(minimum, "1.24"):
        yield Hit(d.anchor.child("info.ServerVersion"),
                  f"authorization plugin(s) {', '.join(plugins)} guard a daemon that accepts "
                  f"API version {minimum} ({why}): before 1.24 a start request can carry a "
                  "whole HostConfig that the plugin never judged at create time",
                  f"MinAPIVersion {minimum}")
