"""The guard's policy file: which findings deny a request, and the exceptions.

A TOML file with the selectors of ``.dockward.toml`` (``select``, ``ignore``,
``extend-select``, ``severity``, ``[rules.CODE]`` options) plus:

```toml
deny-at = "high"                  # a finding at or above this severity denies
deny-routes = ["build", "debug-*"]  # route names (globs) refused whatever the body

[[exceptions]]
name = "traefik reads labels through its proxy socket"
rules = ["DW201"]                 # codes, prefixes or rule names this waives
container = "traefik"             # glob on the container name (?name=)
image = "traefik:*"               # glob on the image reference
labels = { role = "proxy" }
mount-sources = ["/run/dockward/proxy/*"]  # the findings must be about these mounts
read-only = true                  # ... mounted read-only
user = "ci"                       # TLS client CN (plugin), or proxy peer "uid=1000"
uid = 1000                        # proxy: the unix peer's uid (SO_PEERCRED)
mode = "plugin"                   # plugin | proxy
routes = ["build"]                # deny-routes this exception lifts
```

Every key is checked: a typo is an error, because a policy that silently ignores a line
fails open.  Container names, images and labels are chosen by whoever sends the request,
so an exception that names only them trusts every client; combine them with ``user`` or
``uid`` where clients differ.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dockward.config import Config, ConfigError, config_from_mapping
from dockward.findings import Severity

_SELECTOR_KEYS = {"select", "ignore", "extend-select", "severity", "rules"}
_GUARD_KEYS = {"deny-at", "deny-routes", "exceptions"}
_EXCEPTION_KEYS = {"name", "rules", "routes", "container", "image", "labels",
                   "mount-sources", "read-only", "user", "uid", "gid", "mode"}


# The guard's default denies every escape class the issue lists, so two settings that
# ``scan`` rates medium are raised to high here: sharing the host's IPC namespace (its
# shared memory and semaphores) and turning SELinux labelling off.  A policy's own
# ``[severity]`` table wins.
GUARD_SEVERITY_DEFAULTS: dict[str, Severity] = {
    "DW106": Severity.HIGH,
    "DW111": Severity.HIGH,
}


def _guard_config(config: Config) -> Config:
    config.severity_overrides = {**GUARD_SEVERITY_DEFAULTS, **config.severity_overrides}
    return config


class PolicyError(ConfigError):
    """A policy that cannot be used: the guard refuses to start (never fails open)."""


@dataclass(frozen=True)
class PolicyException:
    """One ``[[exceptions]]`` entry; every condition given must hold for it to apply."""

    name: str
    rules: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    container: str | None = None
    image: str | None = None
    labels: tuple[tuple[str, str], ...] = ()
    mount_sources: tuple[str, ...] = ()
    read_only: bool | None = None
    user: str | None = None
    uid: int | None = None
    gid: int | None = None
    mode: str | None = None

    def covers_rule(self, code: str, name: str) -> bool:
        for sel in self.rules:
            key = sel.strip()
            if key.lower() == name or code.startswith(key.upper()):
                return True
        return False

    def covers_route(self, route: str) -> bool:
        return any(fnmatch.fnmatchcase(route, pattern) for pattern in self.routes)


@dataclass
class GuardPolicy:
    """What the guard enforces; ``source`` is the file it came from ('' for defaults)."""

    config: Config = field(default_factory=lambda: _guard_config(Config()))
    deny_at: Severity = Severity.HIGH
    deny_routes: tuple[str, ...] = ()
    exceptions: tuple[PolicyException, ...] = ()
    source: str = ""

    def route_denied(self, route: str) -> bool:
        return any(fnmatch.fnmatchcase(route, p) for p in self.deny_routes)


def load_policy(path: str | None) -> GuardPolicy:
    """The policy in ``path``, or the default one when ``path`` is None."""
    if path is None:
        return GuardPolicy()
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(f"policy file not found: {path}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"cannot read policy {path}: {exc}") from None
    policy = policy_from_mapping(data, path)
    policy.source = path
    return policy


def policy_from_mapping(data: dict[str, Any], where: str = "policy") -> GuardPolicy:
    unknown = set(data) - _SELECTOR_KEYS - _GUARD_KEYS
    if unknown:
        raise PolicyError(f"{where}: unknown key(s): {', '.join(sorted(unknown))}")
    try:
        config = config_from_mapping({k: v for k, v in data.items() if k in _SELECTOR_KEYS},
                                     where)
    except ConfigError as exc:
        raise PolicyError(str(exc)) from None
    from dockward.rules.runner import validate_rule_options

    try:
        validate_rule_options(config)
    except ConfigError as exc:
        raise PolicyError(f"{where}: {exc}") from None
    policy = GuardPolicy(config=_guard_config(config))
    if "deny-at" in data:
        try:
            policy.deny_at = Severity.parse(str(data["deny-at"]))
        except ValueError as exc:
            raise PolicyError(f"{where}: deny-at: {exc}") from None
    policy.deny_routes = _strings(data.get("deny-routes", []), "deny-routes", where)
    raw_exceptions = data.get("exceptions", [])
    if not isinstance(raw_exceptions, list):
        raise PolicyError(f"{where}: exceptions must be an array of tables ([[exceptions]])")
    policy.exceptions = tuple(_exception(e, i, where) for i, e in enumerate(raw_exceptions))
    return policy


def _exception(raw: Any, index: int, where: str) -> PolicyException:
    label = f"{where}: exceptions[{index}]"
    if not isinstance(raw, dict):
        raise PolicyError(f"{label} must be a table")
    unknown = set(raw) - _EXCEPTION_KEYS
    if unknown:
        raise PolicyError(f"{label}: unknown key(s): {', '.join(sorted(unknown))}")
    rules = _strings(raw.get("rules", []), "rules", label)
    routes = _strings(raw.get("routes", []), "routes", label)
    if not rules and not routes:
        raise PolicyError(f"{label}: says neither which rules nor which routes it allows")
    if "mount-sources" in raw and not rules:
        raise PolicyError(f"{label}: mount-sources needs rules")
    labels = raw.get("labels", {})
    if not isinstance(labels, dict):
        raise PolicyError(f"{label}: labels must be a table of name = value")
    mode = raw.get("mode")
    if mode is not None and mode not in ("plugin", "proxy"):
        raise PolicyError(f"{label}: mode must be 'plugin' or 'proxy'")
    for key in ("uid", "gid"):
        if key in raw and (not isinstance(raw[key], int) or isinstance(raw[key], bool)):
            raise PolicyError(f"{label}: {key} must be a number")
    read_only = raw.get("read-only")
    if read_only is not None and not isinstance(read_only, bool):
        raise PolicyError(f"{label}: read-only must be true or false")
    for key in ("name", "container", "image", "user"):
        if key in raw and not isinstance(raw[key], str):
            raise PolicyError(f"{label}: {key} must be a string")
    return PolicyException(
        name=str(raw.get("name") or f"exceptions[{index}]"),
        rules=rules,
        routes=routes,
        container=raw.get("container"),
        image=raw.get("image"),
        labels=tuple((str(k), str(v)) for k, v in labels.items()),
        mount_sources=_strings(raw.get("mount-sources", []), "mount-sources", label),
        read_only=read_only,
        user=raw.get("user"),
        uid=raw.get("uid"),
        gid=raw.get("gid"),
        mode=mode,
    )


def _strings(value: Any, key: str, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise PolicyError(f"{where}: {key} must be a list of strings")
