"""DW809: the request would disable, replace or reach into the guard itself."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.knowledge import normalize_host_path
from dockward.models.request import ApiRequest
from dockward.rules._common import string_list
from dockward.rules.registry import RuleContext, rule

DEFAULT_NAMES = ("dockward",)
# Where dockerd finds authorization plugins, and where dockward keeps its own files.
DEFAULT_PATHS = (
    "/run/docker/plugins", "/etc/docker/plugins", "/usr/lib/docker/plugins",
    "/etc/dockward", "/var/log/dockward",
)
_PLUGIN_CHANGES = {"plugin-disable", "plugin-enable", "plugin-set", "plugin-upgrade",
                   "plugin-delete", "plugin-push"}


def _plugin_name(text: str) -> str:
    """``dockward:latest`` / ``docker.io/library/dockward`` -> ``dockward``."""
    name = text.strip().lower().rsplit("/", 1)[-1]
    return name.split("@", 1)[0].split(":", 1)[0]


def _related(source: str, protected: str) -> bool:
    """Mounting ``source`` exposes ``protected``: the same path, inside it, or a parent
    (except ``/`` itself, which DW202 reports as the whole host)."""
    if source == protected or source.startswith(protected.rstrip("/") + "/"):
        return True
    return source != "/" and protected.startswith(source.rstrip("/") + "/")


@rule(
    code="DW809",
    name="request-against-guard",
    model=ApiRequest,
    severity=Severity.CRITICAL,
    fix=FixSafety.NONE,
    refs=("CWE-284", "ATTACK-T1562.001"),
    options={"names": list(DEFAULT_NAMES), "paths": list(DEFAULT_PATHS)},
)
def check(r: ApiRequest, ctx: RuleContext) -> Iterator[Hit]:
    """The request would disable, replace or reconfigure the guard, or mount its files.

    ## What it does
    Reports requests that turn the guard off or around: disabling, removing, upgrading,
    reconfiguring or pushing a managed plugin with the guard's name; pulling or creating
    a plugin under that name (which dockerd would prefer over the guard's socket after a
    restart); and containers, volumes or plugins that mount writable the plugin
    directories (`/run/docker/plugins`, `/etc/docker/plugins`, `/usr/lib/docker/plugins`),
    the guard's socket, policy or decision log, or a directory that contains them (other
    than `/`, which DW202 reports). Read-only mounts are not reported: reading them
    changes nothing.

    ## Why it matters
    An authorization plugin that can be switched off through the API it guards protects
    nothing: dockerd silently drops a disabled managed plugin from the chain, and a
    container that can write the guard's policy or replace its socket decides for
    itself. Self-protection has to be part of the policy, not an afterthought.

    ## Bad
    ```sh
    docker plugin disable dockward
    docker run -v /run/docker/plugins:/p alpine:3.20 rm /p/dockward.sock
    ```

    ## Good
    ```sh
    docker run -v app-data:/data alpine:3.20 true
    ```

    ## Fix
    Automatic fix: none. This judges one API request as the guard receives it; there is no file
    to rewrite, and the client that sent it must change.

    Manage the guard on the host (its systemd unit and its policy file), never through
    the Docker API, and do not mount its directories into containers.

    ## Options
    - `names` (list, default `dockward`): plugin names the guard answers to.
    - `paths` (list): host paths of the guard (plugin directories, socket, policy, log);
      the running guard adds its own socket, policy and log file.

    ## References
    - CWE-284, Improper Access Control (`CWE-284`)
    - MITRE ATT&CK T1562.001, Impair Defenses: Disable or Modify Tools
      (`ATTACK-T1562.001`)
    """
    names = {_plugin_name(n) for n in string_list(ctx.option("names", list(DEFAULT_NAMES)))}
    if r.route in _PLUGIN_CHANGES and _plugin_name(r.params.get("name", "")) in names:
        yield Hit(r.anchor.child("RequestUri"),
                  f"{r.method} {r.path} changes the guard's own plugin: a disabled or "
                  "replaced authorization plugin stops checking every request",
                  f"{r.route} {r.params.get('name', '')}")
    if r.route in ("plugin-pull", "plugin-create"):
        wanted = r.query.get("name") or r.query.get("remote") or ""
        if wanted and _plugin_name(wanted) in names:
            yield Hit(r.anchor.child("RequestUri"),
                      f"installs a plugin named {wanted!r}, the guard's name: dockerd "
                      "prefers a managed plugin of that name over the guard's socket",
                      f"{r.route} {wanted}")
    paths = [normalize_host_path(p) for p in string_list(ctx.option("paths", []))]
    for m in r.mounts:
        if m.read_only:
            continue
        source = normalize_host_path(m.source or "")
        hit = next((p for p in paths if p and source and _related(source, p)), None)
        if hit is not None:
            yield Hit(m.origin,
                      f"mounts {m.source}, which {'is' if source == hit else 'exposes'} "
                      f"the guard's {hit}: a container there can replace the guard's "
                      "socket or rewrite its policy",
                      f"mount {m.source}")
