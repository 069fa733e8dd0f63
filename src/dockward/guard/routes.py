"""The Engine API's routes, and how a request target is matched against them.

dockerd routes with gorilla/mux *before* any authorization: the path is percent-decoded
once, an optional ``/v{version}`` prefix is taken off, and the first route (in the order
the daemon registers them) whose pattern matches the whole path wins.  Patterns such as
``/containers/{name:.*}/exec`` are greedy, so ``/containers/x%2Fexec`` decodes to
``/containers/x/exec`` and *is* an exec create.  A guard that matched the raw URI, or
matched prefixes, would judge a different request than the one the daemon runs: this
module matches exactly as the daemon does, and records every way the target differs from
the canonical spelling (``//``, dot segments, encoded characters, absolute form, an odd
version) so that a rule can refuse it.

The table covers API versions 1.24 to 1.47 (dockerd 20.10 to 27): one :class:`Route` per
method and pattern, with what the guard needs to know about it (does it carry a JSON body
that decides what a container may do, does it upgrade the connection, does it stream).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit

_PARAM_REGEX = re.compile(r"\{(\w+):[^}]*\}")

# Body kinds: "json" (the guard reads it), "tar"/"raw" (an archive or stream the guard
# does not read), "" (none expected).
JSON, TAR, RAW, NONE = "json", "tar", "raw", ""


@dataclass(frozen=True, slots=True)
class Route:
    """One Engine API endpoint: ``method`` + ``pattern`` and how the guard treats it.

    ``name`` is a stable identifier used in policies and logs (``container-create``).
    ``body_required``: a request without a JSON body cannot be judged (the daemon would
    reject it anyway, or an old daemon dropped it before the plugin saw it).
    ``reads``: what the decision reads besides the route (``body``, ``container``,
    ``exec``: a lookup of the container or exec the request acts on).
    """

    method: str
    pattern: str
    name: str
    body: str = NONE
    body_required: bool = False
    hijack: bool = False
    stream: bool = False
    reads: tuple[str, ...] = ()
    debug: bool = False

    @property
    def template(self) -> str:
        """``POST /containers/{name}/exec``: the pattern without regexes."""
        return self.method + " " + _PARAM_REGEX.sub(r"{\1}", self.pattern)

    @property
    def regex(self) -> re.Pattern[str]:
        return _compile(self.pattern)


def _r(method: str, pattern: str, name: str, **kw: object) -> Route:
    return Route(method, pattern, name, **kw)  # type: ignore[arg-type]


_BODY = {"body": JSON, "body_required": True, "reads": ("body",)}

# In dockerd's registration order (the checkpoint router, then container, image, system,
# volume, build, session, swarm, plugin, distribution, network, grpc), which decides
# which greedy pattern wins.  Debug routes are served without a version prefix only.
ROUTES: tuple[Route, ...] = (
    # checkpoint router (registered first, so its DELETE is not masked)
    _r("GET", "/containers/{name:.*}/checkpoints", "checkpoint-list"),
    _r("POST", "/containers/{name:.*}/checkpoints", "checkpoint-create", body=JSON),
    _r("DELETE", "/containers/{name}/checkpoints/{checkpoint}", "checkpoint-delete"),
    # container router
    _r("HEAD", "/containers/{name:.*}/archive", "container-archive-head"),
    _r("GET", "/containers/json", "container-list"),
    _r("GET", "/containers/{name:.*}/export", "container-export", stream=True),
    _r("GET", "/containers/{name:.*}/changes", "container-changes"),
    _r("GET", "/containers/{name:.*}/json", "container-inspect"),
    _r("GET", "/containers/{name:.*}/top", "container-top"),
    _r("GET", "/containers/{name:.*}/logs", "container-logs", stream=True),
    _r("GET", "/containers/{name:.*}/stats", "container-stats", stream=True),
    _r("GET", "/containers/{name:.*}/attach/ws", "container-attach-ws", hijack=True),
    _r("GET", "/exec/{id:.*}/json", "exec-inspect"),
    _r("GET", "/containers/{name:.*}/archive", "container-archive-get", stream=True),
    _r("POST", "/containers/create", "container-create", **_BODY),
    _r("POST", "/containers/{name:.*}/kill", "container-kill"),
    _r("POST", "/containers/{name:.*}/pause", "container-pause"),
    _r("POST", "/containers/{name:.*}/unpause", "container-unpause"),
    _r("POST", "/containers/{name:.*}/restart", "container-restart"),
    _r("POST", "/containers/{name:.*}/start", "container-start", reads=("container",)),
    _r("POST", "/containers/{name:.*}/stop", "container-stop"),
    _r("POST", "/containers/{name:.*}/wait", "container-wait", stream=True),
    _r("POST", "/containers/{name:.*}/resize", "container-resize"),
    _r("POST", "/containers/{name:.*}/attach", "container-attach", hijack=True),
    _r("POST", "/containers/{name:.*}/copy", "container-copy"),
    _r("POST", "/containers/{name:.*}/exec", "exec-create", **_BODY),
    _r("POST", "/exec/{name:.*}/start", "exec-start", body=JSON, hijack=True,
       reads=("exec",)),
    _r("POST", "/exec/{name:.*}/resize", "exec-resize"),
    _r("POST", "/containers/{name:.*}/rename", "container-rename"),
    _r("POST", "/containers/{name:.*}/update", "container-update", **_BODY),
    _r("POST", "/containers/prune", "container-prune"),
    _r("PUT", "/containers/{name:.*}/archive", "container-archive-put", body=TAR),
    _r("DELETE", "/containers/{name:.*}", "container-delete"),
    # image router
    _r("GET", "/images/json", "image-list"),
    _r("GET", "/images/search", "image-search"),
    _r("GET", "/images/get", "image-save-many", stream=True),
    _r("GET", "/images/{name:.*}/get", "image-save", stream=True),
    _r("GET", "/images/{name:.*}/history", "image-history"),
    _r("GET", "/images/{name:.*}/json", "image-inspect"),
    _r("POST", "/commit", "container-commit", body=JSON, reads=("body",)),
    _r("POST", "/images/load", "image-load", body=TAR, stream=True),
    _r("POST", "/images/create", "image-create", body=TAR, stream=True),
    _r("POST", "/images/{name:.*}/push", "image-push", stream=True),
    _r("POST", "/images/{name:.*}/tag", "image-tag"),
    _r("POST", "/images/prune", "image-prune"),
    _r("DELETE", "/images/{name:.*}", "image-delete"),
    # system router
    _r("OPTIONS", "/{anyroute:.*}", "options"),
    _r("GET", "/_ping", "ping"),
    _r("HEAD", "/_ping", "ping-head"),
    _r("GET", "/events", "events", stream=True),
    _r("GET", "/info", "info"),
    _r("GET", "/version", "version"),
    _r("GET", "/system/df", "system-df"),
    _r("POST", "/auth", "auth", body=JSON),
    # volume router
    _r("GET", "/volumes", "volume-list"),
    _r("GET", "/volumes/{name:.*}", "volume-inspect"),
    _r("POST", "/volumes/create", "volume-create", **_BODY),
    _r("POST", "/volumes/prune", "volume-prune"),
    _r("PUT", "/volumes/{name:.*}", "volume-update", **_BODY),
    _r("DELETE", "/volumes/{name:.*}", "volume-delete"),
    # build router
    _r("POST", "/build", "build", body=TAR, stream=True, reads=("query",)),
    _r("POST", "/build/prune", "build-prune"),
    _r("POST", "/build/cancel", "build-cancel"),
    # session router (BuildKit)
    _r("POST", "/session", "session", hijack=True),
    # swarm router
    _r("GET", "/swarm", "swarm-inspect"),
    _r("GET", "/swarm/unlockkey", "swarm-unlockkey"),
    _r("POST", "/swarm/init", "swarm-init", **_BODY),
    _r("POST", "/swarm/join", "swarm-join", **_BODY),
    _r("POST", "/swarm/leave", "swarm-leave"),
    _r("POST", "/swarm/update", "swarm-update", **_BODY),
    _r("POST", "/swarm/unlock", "swarm-unlock", **_BODY),
    _r("GET", "/services", "service-list"),
    _r("GET", "/services/{id}", "service-inspect"),
    _r("POST", "/services/create", "service-create", **_BODY),
    _r("POST", "/services/{id}/update", "service-update", **_BODY),
    _r("DELETE", "/services/{id}", "service-delete"),
    _r("GET", "/services/{id}/logs", "service-logs", stream=True),
    _r("GET", "/nodes", "node-list"),
    _r("GET", "/nodes/{id}", "node-inspect"),
    _r("DELETE", "/nodes/{id}", "node-delete"),
    _r("POST", "/nodes/{id}/update", "node-update", **_BODY),
    _r("GET", "/tasks", "task-list"),
    _r("GET", "/tasks/{id}", "task-inspect"),
    _r("GET", "/tasks/{id}/logs", "task-logs", stream=True),
    _r("GET", "/secrets", "secret-list"),
    _r("POST", "/secrets/create", "secret-create", **_BODY),
    _r("DELETE", "/secrets/{id}", "secret-delete"),
    _r("GET", "/secrets/{id}", "secret-inspect"),
    _r("POST", "/secrets/{id}/update", "secret-update", **_BODY),
    _r("GET", "/configs", "config-list"),
    _r("POST", "/configs/create", "config-create", **_BODY),
    _r("DELETE", "/configs/{id}", "config-delete"),
    _r("GET", "/configs/{id}", "config-inspect"),
    _r("POST", "/configs/{id}/update", "config-update", **_BODY),
    # plugin router
    _r("GET", "/plugins/{name:.*}/json", "plugin-inspect"),
    _r("GET", "/plugins/privileges", "plugin-privileges"),
    _r("GET", "/plugins", "plugin-list"),
    _r("DELETE", "/plugins/{name:.*}", "plugin-delete"),
    _r("POST", "/plugins/{name:.*}/enable", "plugin-enable"),
    _r("POST", "/plugins/{name:.*}/disable", "plugin-disable"),
    _r("POST", "/plugins/pull", "plugin-pull", **_BODY),
    _r("POST", "/plugins/{name:.*}/push", "plugin-push", stream=True),
    _r("POST", "/plugins/{name:.*}/upgrade", "plugin-upgrade", **_BODY),
    _r("POST", "/plugins/{name:.*}/set", "plugin-set", **_BODY),
    _r("POST", "/plugins/create", "plugin-create", body=TAR),
    # distribution router
    _r("GET", "/distribution/{name:.*}/json", "distribution-inspect"),
    # network router
    _r("GET", "/networks", "network-list"),
    _r("GET", "/networks/", "network-list-slash"),
    _r("GET", "/networks/{id:.+}", "network-inspect"),
    _r("POST", "/networks/create", "network-create", **_BODY),
    _r("POST", "/networks/{id:.*}/connect", "network-connect", body=JSON),
    _r("POST", "/networks/{id:.*}/disconnect", "network-disconnect", body=JSON),
    _r("POST", "/networks/prune", "network-prune"),
    _r("DELETE", "/networks/{id:.*}", "network-delete"),
    # grpc router (BuildKit)
    _r("POST", "/grpc", "grpc", hijack=True),
)

# Served without the version prefix, outside the API router (pprof and expvar).
DEBUG_ROUTES: tuple[Route, ...] = tuple(
    _r(method, pattern, name, debug=True)
    for method, pattern, name in (
        ("GET", "/debug/vars", "debug-vars"),
        ("GET", "/debug/pprof/", "debug-pprof-index"),
        ("GET", "/debug/pprof/cmdline", "debug-pprof-cmdline"),
        ("GET", "/debug/pprof/profile", "debug-pprof-profile"),
        ("GET", "/debug/pprof/symbol", "debug-pprof-symbol"),
        ("POST", "/debug/pprof/symbol", "debug-pprof-symbol-post"),
        ("GET", "/debug/pprof/trace", "debug-pprof-trace"),
        ("GET", "/debug/pprof/{name}", "debug-pprof-named"),
    )
)

ROUTES_BY_NAME: dict[str, Route] = {r.name: r for r in (*ROUTES, *DEBUG_ROUTES)}
KNOWN_METHODS = frozenset(r.method for r in ROUTES_BY_NAME.values())
# Oldest API version whose semantics the guard judges (older ones accept a HostConfig in
# the start body and have endpoints such as /containers/{id}/copy).
MIN_API_VERSION = (1, 24)

_VERSION_PREFIX = re.compile(r"^/v([0-9.]+)(/.*)$")
_CANONICAL_VERSION = re.compile(r"^[0-9]+\.[0-9]+$")


@cache
def _compile(pattern: str) -> re.Pattern[str]:
    """gorilla/mux semantics: ``{name}`` is ``[^/]+``, ``{name:re}`` is ``re``, anchored."""
    out = []
    pos = 0
    for m in re.finditer(r"\{(\w+)(?::([^}]*))?\}", pattern):
        out.append(re.escape(pattern[pos:m.start()]))
        out.append(f"(?P<{m.group(1)}>{m.group(2) or '[^/]+'})")
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("".join(out) + r"\Z", re.DOTALL)


@dataclass(slots=True)
class Target:
    """A request target as the daemon understands it, and how it strays from canonical.

    ``path`` is decoded once and has no version prefix; ``route`` is None when no route
    matches (the daemon answers 404 without asking the plugin, or 301 for a path it
    cleans first).  ``query`` keeps the first value of each key, as Go's ``Form.Get``.
    """

    raw: str
    method: str
    path: str = ""
    version: str | None = None
    route: Route | None = None
    params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def route_name(self) -> str:
        return self.route.name if self.route else ""

    @property
    def template(self) -> str:
        return self.route.template if self.route else f"{self.method} {self.path or self.raw}"

    def version_tuple(self) -> tuple[int, ...] | None:
        if self.version is None or not _CANONICAL_VERSION.match(self.version):
            return None
        return tuple(int(p) for p in self.version.split("."))


def parse_target(method: str, raw: str) -> Target:
    """Match ``method`` + request target (``RequestUri`` as the daemon passes it)."""
    target = Target(raw=raw, method=method)
    text = raw
    if not text.startswith("/"):
        # absolute form (http://docker/v1.41/...) is accepted by Go's server and kept
        # in RequestUri; the route is taken from its path, as the daemon does.
        target.problems.append("absolute-form target (scheme and host before the path)")
        parts = urlsplit(text)
        text = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    raw_path, _, raw_query = text.partition("?")
    raw_path = raw_path.partition("#")[0]
    target.problems.extend(_path_problems(raw_path))
    try:
        decoded = unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError:
        decoded = unquote_to_bytes(raw_path).decode("utf-8", "replace")
        target.problems.append("percent-encoding that is not UTF-8")
    target.query = _first_values(raw_query)
    path = decoded
    m = _VERSION_PREFIX.match(decoded)
    if m and not _is_debug(decoded):
        target.version, path = m.group(1), m.group(2)
        if not _CANONICAL_VERSION.match(target.version):
            target.problems.append(f"malformed API version 'v{target.version}'")
    target.path = path
    if method not in KNOWN_METHODS or method != method.upper():
        target.problems.append(f"unknown method {method!r}")
        return target
    routes = DEBUG_ROUTES if target.version is None and _is_debug(path) else ROUTES
    for route in routes:
        if route.method != method:
            continue
        found = route.regex.match(path)
        if found:
            target.route = route
            target.params = {k: v for k, v in found.groupdict().items() if v is not None}
            break
    return target


def _is_debug(path: str) -> bool:
    return path == "/debug/vars" or path.startswith("/debug/pprof/")


def _path_problems(raw_path: str) -> list[str]:
    """Ways a raw path differs from the one spelling clients send (mux cleans, not us)."""
    problems: list[str] = []
    if "//" in raw_path:
        problems.append("empty path segment ('//')")
    segments = raw_path.split("/")
    if any(s in (".", "..") for s in segments):
        problems.append("dot segment ('/./' or '/../')")
    if "%" in raw_path:
        problems.append("percent-encoded characters in the path")
    if "\\" in raw_path:
        problems.append("backslash in the path")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in raw_path):
        problems.append("control or space character in the path")
    return problems


def _first_values(raw_query: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if not raw_query:
        return out
    for key, value in parse_qsl(raw_query, keep_blank_values=True, errors="replace"):
        out.setdefault(key, value)
    return out
