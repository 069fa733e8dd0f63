"""DW605: every API client that reaches the daemon may do everything."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.daemon import Daemon
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW605",
    name="no-authorization-plugin",
    model=Daemon,
    severity=Severity.INFO,
    fix=FixSafety.NONE,
    refs=("CIS-2.12", "OWASP-D1"),
)
def check(d: Daemon, ctx: RuleContext) -> Iterator[Hit]:
    """The daemon has no authorization plugin, so API access is all-or-nothing.

    ## What it does
    Reports a live daemon that `docker info` shows without authorization plugins
    (`Plugins.Authorization` empty, no `--authorization-plugin`, no
    `authorization-plugins` in `daemon.json`). This is informational: many hosts rightly
    rely on keeping the socket private instead. Podman supports no authorization plugins:
    for it the finding points to a filtering proxy in front of its socket.

    ## Why it matters
    Without an authorization plugin, anyone who reaches the socket can do anything:
    create privileged containers, mount `/`, or exec into other containers. An
    authorization plugin (such as `dockward guard plugin`) sees every request and can deny
    the dangerous ones (privileged, host namespaces, socket mounts), and it logs who did
    what. That is the only way to give the `docker` group less than root.

    ## Bad
    ```sh
    $ docker info --format '{{.Plugins.Authorization}}'
    []
    ```

    ## Good
    ```json
    { "authorization-plugins": ["dockward"] }
    ```
    ```sh
    dockward guard plugin --log /var/log/dockward/decisions.jsonl
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's or a host's
    configuration: it needs a restart of the daemon or changes outside containers, which is
    the host owner's call.

    Install an authorization plugin and list it in `authorization-plugins` in
    `daemon.json` (or `--authorization-plugin`). `dockward guard plugin` is one: it
    serves `/run/docker/plugins/dockward.sock` and denies what `dockward scan` and
    `dockward audit` report as high or critical (the systemd unit
    `deploy/systemd/dockward-guard.service` starts it before dockerd). Test it on a
    staging daemon first: a plugin that fails closed stops all API calls when it is down.

    ## References
    - CIS Docker Benchmark v1.6, 2.12: authorization for Docker client commands is enabled
      (`CIS-2.12`)
    - OWASP Docker Security Cheat Sheet, rule 1: do not expose the Docker daemon socket
      (`OWASP-D1`)
    """
    if not d.is_live:
        return
    plugins = (d.info.get("Plugins") or {}).get("Authorization") or []
    if plugins or d.settings("authorization-plugins"):
        return
    if d.engine == "podman":
        yield Hit(
            d.anchor.child("info.Plugins.Authorization"),
            "no authorization: every client that reaches Podman's API socket can do "
            "everything (privileged containers, host mounts, exec) and Podman supports no "
            "authorization plugins; put a filtering proxy such as `dockward guard proxy` in "
            "front of the socket",
            "Plugins.Authorization: []",
        )
        return
    yield Hit(
        d.anchor.child("info.Plugins.Authorization"),
        "no authorization plugin: every client that reaches the API can do everything "
        "(privileged containers, host mounts, exec into any container) and nothing records "
        "who did it; consider an authorization plugin such as `dockward guard plugin`",
        "Plugins.Authorization: []",
    )
