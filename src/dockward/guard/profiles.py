"""Proxy profiles: which Engine API routes one kind of client may use at all.

A profile is an allowlist of route *names* from :mod:`dockward.guard.routes` (never path
prefixes, which is how socket proxies end up allowing ``/containers/{id}/attach/ws`` or
``/archive`` along with ``/containers/json``).  What passes the profile is then decided by
the same rules as in plugin mode.

* ``read-only``: what a reverse proxy or dashboard reads (Traefik, Homepage, Portainer's
  listing): ping, version, info, events, lists and inspects of containers, services,
  tasks, networks, nodes, images and volumes.  No logs, archives, exports, attach or exec,
  no upgrades, no swarm join tokens or unlock key; environment values in inspect
  results are redacted, since they are where secrets live.
* ``containers``: ``read-only`` plus managing containers (create with the workload rules
  applied to the body, start, stop, restart, kill, wait, remove, attach), pulling images
  and creating volumes: what CI runners and updaters such as Watchtower do.
* ``full``: every route; the rules and the policy alone decide.

``--allow ROUTE`` adds routes to a profile (``container-logs`` for a log shipper).
"""

from __future__ import annotations

from dataclasses import dataclass

from dockward.guard.routes import ROUTES_BY_NAME

READ_ONLY_ROUTES: frozenset[str] = frozenset({
    "ping", "ping-head", "version", "info", "events",
    "container-list", "container-inspect",
    "service-list", "service-inspect", "task-list", "task-inspect",
    "network-list", "network-list-slash", "network-inspect",
    "node-list", "node-inspect", "image-list", "image-inspect",
    "volume-list", "volume-inspect",
})

CONTAINER_ROUTES: frozenset[str] = READ_ONLY_ROUTES | frozenset({
    "container-create", "container-start", "container-stop", "container-restart",
    "container-kill", "container-wait", "container-delete", "container-rename",
    "container-pause", "container-unpause", "container-attach", "container-resize",
    "container-logs", "image-create", "image-tag", "volume-create", "volume-delete",
})

# Routes whose JSON answers carry environment variables (``KEY=value`` lists under "Env").
REDACTED_ROUTES: frozenset[str] = frozenset({
    "container-inspect", "service-list", "service-inspect", "task-list", "task-inspect",
    "image-inspect",
})


@dataclass(frozen=True)
class Profile:
    name: str
    routes: frozenset[str]
    redact_env: bool

    def allows(self, route: str) -> bool:
        return route in self.routes


PROFILES: dict[str, Profile] = {
    "read-only": Profile("read-only", READ_ONLY_ROUTES, redact_env=True),
    "containers": Profile("containers", CONTAINER_ROUTES, redact_env=False),
    "full": Profile("full", frozenset(ROUTES_BY_NAME), redact_env=False),
}


class ProfileError(ValueError):
    """An unknown profile or route name."""


def make_profile(name: str, extra_routes: tuple[str, ...] = ()) -> Profile:
    base = PROFILES.get(name)
    if base is None:
        raise ProfileError(f"unknown profile {name!r} (known: {', '.join(PROFILES)})")
    unknown = [r for r in extra_routes if r not in ROUTES_BY_NAME]
    if unknown:
        raise ProfileError(f"unknown route name(s) {', '.join(unknown)} (see "
                           "dockward.guard.routes; e.g. container-logs)")
    if not extra_routes:
        return base
    return Profile(base.name, base.routes | frozenset(extra_routes), base.redact_env)


def redact_env(value: object) -> tuple[object, int]:
    """Replace the value of every ``KEY=value`` in lists under an ``Env`` key.

    Returns the new document and how many values were redacted.
    """
    count = 0

    def walk(node: object) -> object:
        nonlocal count
        if isinstance(node, dict):
            out: dict[object, object] = {}
            for key, child in node.items():
                if key == "Env" and isinstance(child, list):
                    redacted: list[object] = []
                    for item in child:
                        if isinstance(item, str) and "=" in item:
                            redacted.append(item.split("=", 1)[0] + "=<redacted>")
                            count += 1
                        else:
                            redacted.append(item)
                    out[key] = redacted
                else:
                    out[key] = walk(child)
            return out
        if isinstance(node, list):
            return [walk(child) for child in node]
        return node

    return walk(value), count
