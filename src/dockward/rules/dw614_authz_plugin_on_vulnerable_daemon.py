"""DW614: an authorization plugin runs on a dockerd that can hide request bodies from it."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.daemon import Daemon
from dockward.models.engine_versions import parse_version, vulnerable_34040, vulnerable_41110
from dockward.rules._common import string_list
from dockward.rules.registry import RuleContext, rule


def authorization_plugins(d: Daemon) -> list[str]:
    """The authorization plugins a daemon reports or is configured with."""
    reported = (d.info.get("Plugins") or {}).get("Authorization") or []
    configured = [str(s.value) for s in d.settings("authorization-plugins")]
    return list(dict.fromkeys([*map(str, reported), *configured]))


@rule(
    code="DW614",
    name="authz-plugin-on-vulnerable-daemon",
    model=Daemon,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CWE-863", "CWE-444", "ATTACK-T1611"),
    options={"body_checking_plugins": ["dockward"]},
)
def check(d: Daemon, ctx: RuleContext) -> Iterator[Hit]:
    """An authorization plugin is configured on a dockerd that can hide request bodies from it.

    ## What it does
    Reports a live daemon with an authorization plugin whose version is affected by
    CVE-2024-41110 (chunked bodies not forwarded: 19.03 to 20.10, 23.0 before 23.0.15,
    24.0, 25.0 before 25.0.6, 26 before 26.1.5, 27 before 27.1.1) or CVE-2026-34040
    (bodies over 1 MiB not forwarded: every version before 29.3.1). A distribution
    package counts as fixed where its changelog says the fix was backported (Debian's
    `docker.io` 20.10.24+dfsg1-1+deb12u1 for CVE-2024-41110; none is known for
    CVE-2026-34040). When every configured plugin is one that refuses requests whose body
    it did not receive (option `body_checking_plugins`, `dockward` by default), the
    finding is lowered to low.

    ## Why it matters
    On these versions dockerd runs the whole request while its plugin sees no body, so a
    plugin that allows a body-less `POST /containers/create` lets `--privileged -v /:/host`
    through: a create padded past 1 MiB with a long label is enough. The plugin gives a
    feeling of control it cannot deliver unless it refuses what it could not read.

    ## Bad
    ```sh
    $ docker version --format '{{.Server.Version}}'
    20.10.24+dfsg1
    $ docker info --format '{{.Plugins.Authorization}}'
    [opa-docker-authz]
    ```

    ## Good
    ```sh
    $ docker version --format '{{.Server.Version}}'
    29.3.1
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's configuration or version:
    that needs the host owner.

    Update dockerd to 29.3.1 or later; until then, use an authorization plugin that
    denies any request whose body it did not receive (`dockward guard plugin` does: DW801).

    ## Options
    - `body_checking_plugins` (list, default `dockward`): plugin names known to deny
      requests whose body they did not receive; with only those configured the finding
      is low.

    ## References
    - CWE-863, Incorrect Authorization (`CWE-863`); CWE-444, Inconsistent Interpretation
      of HTTP Requests (`CWE-444`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    """
    if not d.is_live:
        return
    plugins = authorization_plugins(d)
    if not plugins:
        return
    raw = str(d.info.get("ServerVersion") or "")
    version = parse_version(raw)
    if version is None:
        return
    package = d.facts.get("package") or {}
    flaws = []
    if vulnerable_41110(version, str(package.get("name", "")),
                        str(package.get("version", ""))):
        flaws.append("CVE-2024-41110 (chunked bodies are not forwarded)")
    if vulnerable_34040(version):
        flaws.append("CVE-2026-34040 (bodies over 1 MiB are not forwarded)")
    if not flaws:
        return
    shown = f"{raw} ({package['name']} {package['version']})" if package else raw
    checking = {p.lower() for p in string_list(ctx.option("body_checking_plugins", []))}
    mitigated = all(p.split(":", 1)[0].lower() in checking for p in plugins)
    message = (f"dockerd {shown} runs authorization plugin(s) {', '.join(plugins)} but is "
               f"affected by {' and '.join(flaws)}: the daemon runs the full request while "
               "the plugin sees no body")
    if mitigated:
        message += ("; the configured plugin denies requests whose body it did not "
                    "receive, which closes this, but update the daemon anyway")
    yield Hit(d.anchor.child("info.ServerVersion"), message,
              f"ServerVersion {raw}, Authorization {plugins}",
              severity=Severity.LOW if mitigated else None)
