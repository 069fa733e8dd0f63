"""``dockward guard``: decide whether one Engine API request may run.

The decision is the rule engine's: the request is read into an
:class:`~dockward.models.request.ApiRequest` (judged by the protocol rules, DW8xx) and
into the models its body describes (judged by the same Workload, Build and Image rules
``scan`` and ``audit`` run).  A finding at or above the policy's ``deny-at`` severity
denies, unless a policy exception waives it for this client and object; a route listed
in ``deny-routes`` is refused whatever its body.  Anything that stops the guard from
reading the request completely (a lookup that fails, an internal error) denies too.

Both guard modes (authorization plugin and socket proxy) call :meth:`Guard.decide`.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dockward.findings import Finding
from dockward.guard.lookup import EngineLookup, LookupFailed, image_path
from dockward.guard.policy import GuardPolicy, PolicyException
from dockward.guard.request_reader import RawRequest, ReadOptions, body_models, read_request
from dockward.models.daemon import Daemon
from dockward.models.environment import DaemonDefaults, Environment
from dockward.models.location import Location
from dockward.models.request import ApiRequest
from dockward.models.workload import Workload
from dockward.rules.registry import lookup as lookup_rule
from dockward.rules.runner import RuleRunner

log = logging.getLogger(__name__)

_CACHE_LIMIT = 4096


@dataclass
class Decision:
    """The verdict on one request, with what decided it."""

    allow: bool
    message: str
    request: ApiRequest | None
    rules: list[str] = field(default_factory=list)  # codes that denied
    findings: list[Finding] = field(default_factory=list)  # at or above deny-at
    waived: list[str] = field(default_factory=list)  # "DW201 by <exception>"
    route: str = ""
    error: str = ""


@dataclass
class GuardSettings:
    """How the guard runs, besides its policy."""

    mode: str = "plugin"  # plugin | proxy
    names: tuple[str, ...] = ("dockward",)  # plugin names the guard answers to
    protected_paths: tuple[str, ...] = ()  # its socket, policy and log
    lookup: EngineLookup | None = None
    resolve_symlinks: bool = True
    # look up the daemon's defaults and the image's USER, so that rules judge what will
    # run (only rules below high need them: DW112, DW113)
    environment: bool = False


class Guard:
    """Decides requests with one rule runner built from the policy."""

    def __init__(self, policy: GuardPolicy, settings: GuardSettings | None = None,
                 exec_table: Callable[[str], Mapping[str, Any] | None] | None = None) -> None:
        self.policy = policy
        self.settings = settings or GuardSettings()
        config = policy.config
        guard_opts = dict(config.rule_options.get("DW809", {}))
        names = list(dict.fromkeys([*guard_opts.get("names", ["dockward"]),
                                    *self.settings.names]))
        from dockward.rules.dw809_request_against_guard import DEFAULT_PATHS

        paths = list(dict.fromkeys([*guard_opts.get("paths", list(DEFAULT_PATHS)),
                                    *self.settings.protected_paths]))
        config.rule_options["DW809"] = {**guard_opts, "names": names, "paths": paths}
        self.runner = RuleRunner(config)
        self.read_options = ReadOptions(
            lookup=self.settings.lookup,
            resolve_symlinks=self.settings.resolve_symlinks,
            exec_table=exec_table,
        )
        self._cache: dict[tuple[Any, ...], Decision] = {}
        self._daemon: tuple[float, DaemonDefaults | None] = (0.0, None)

    # ------------------------------------------------------------------ deciding

    def decide(self, raw: RawRequest) -> Decision:
        """Allow or deny ``raw``; never raises (an internal error denies)."""
        key = self._cache_key(raw)
        if key is not None:
            cached = self._cache.get(key)
            if cached is not None:
                return cached
        try:
            decision = self._decide(raw)
        except LookupFailed as exc:
            decision = Decision(False, f"could not check {raw.method} {raw.uri[:80]}: "
                                f"{exc}; denied rather than allowed unchecked",
                                None, error=str(exc))
        except Exception as exc:  # a bug must deny, not crash the guard or allow
            log.exception("guard decision failed")
            decision = Decision(False, f"internal error while checking the request "
                                f"({type(exc).__name__}); denied", None, error=repr(exc))
        if key is not None and decision.error == "":
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[key] = decision
        return decision

    def _cache_key(self, raw: RawRequest) -> tuple[Any, ...] | None:
        """Requests without a body whose route needs no lookup decide the same every time."""
        if raw.body or raw.method not in ("GET", "HEAD"):
            return None
        headers = tuple(sorted((k.lower(), v) for k, v in raw.headers.items()
                               if k.lower() in ("content-type", "content-length")))
        return (raw.method, raw.uri, raw.user, raw.peer_uid, raw.peer_gid, headers)

    def _decide(self, raw: RawRequest) -> Decision:
        req, value = read_request(raw)
        models: list[object] = [req]
        findings, denying, waived = self._judge(models, raw, req)
        if not denying:
            # the request itself is sound: now what its body (or target) would do
            models.extend(body_models(req, value, self.read_options))
            findings, denying, waived = self._judge(models, raw, req,
                                                    self._environment(models))
        route_block = self._route_block(raw, req)
        if not denying and route_block is None:
            return Decision(True, "", req, findings=findings, waived=waived,
                            route=req.route)
        if denying:
            message = deny_message(denying)
        else:
            assert route_block is not None
            message = route_block
        return Decision(False, message, req, rules=sorted({f.code for f in denying}),
                        findings=findings, waived=waived, route=req.route)

    def _judge(self, models: list[object], raw: RawRequest, req: ApiRequest,
               env: Environment | None = None
               ) -> tuple[list[Finding], list[Finding], list[str]]:
        """Findings at or above deny-at, those that deny, and those an exception waived."""
        findings = [f for f in self.runner.run(models, env)
                    if f.severity >= self.policy.deny_at]
        denying: list[Finding] = []
        waived: list[str] = []
        for finding in findings:
            exception = self._waiver(finding, raw, req, models)
            if exception is None:
                denying.append(finding)
            else:
                waived.append(f"{finding.code} by {exception.name!r}")
        return findings, denying, waived

    def _route_block(self, raw: RawRequest, req: ApiRequest) -> str | None:
        if not req.route or not self.policy.route_denied(req.route):
            return None
        for exception in self.policy.exceptions:
            if exception.covers_route(req.route) and _client_matches(exception, raw):
                return None
        where = f" ({self.policy.source})" if self.policy.source else ""
        return (f"{req.route_template} (route {req.route}) is refused by the "
                f"guard's policy{where}: deny-routes")

    def _waiver(self, finding: Finding, raw: RawRequest, req: ApiRequest,
                models: list[object]) -> PolicyException | None:
        for exception in self.policy.exceptions:
            if not exception.covers_rule(finding.code, finding.name):
                continue
            if not _client_matches(exception, raw):
                continue
            workload = next((m for m in models if isinstance(m, Workload)), None)
            if not _object_matches(exception, workload):
                continue
            if exception.mount_sources and not _mount_matches(exception, finding, models):
                continue
            return exception
        return None

    def _environment(self, models: list[object]) -> Environment | None:
        """The daemon's defaults and the USER of the images the request runs, from the
        engine (when the policy denies at medium or below, where rules read them)."""
        lookup = self.settings.lookup
        if not self.settings.environment or lookup is None:
            return None
        users: dict[str, str] = {}
        for model in models:
            image = getattr(model, "image", None) if isinstance(model, Workload) else None
            path = image_path(image) if image else None
            if image and path and image not in users:
                found = lookup.get(path)
                if isinstance(found, Mapping):
                    users[image] = str((found.get("Config") or {}).get("User") or "")
        return Environment(daemon=self._daemon_defaults(lookup), image_users=users)

    def _daemon_defaults(self, lookup: EngineLookup) -> DaemonDefaults | None:
        """From ``GET /info``, asked at most once a minute."""
        checked, defaults = self._daemon
        if time.monotonic() - checked < 60 and checked:
            return defaults
        info = lookup.get("/info")
        defaults = DaemonDefaults.of(Daemon(name="guarded", anchor=Location(),
                                            info=dict(info), source_kind="live")
                                     ) if isinstance(info, Mapping) else None
        self._daemon = (time.monotonic(), defaults)
        return defaults


def _client_matches(exception: PolicyException, raw: RawRequest) -> bool:
    if exception.mode is not None and exception.mode != raw.mode:
        return False
    if exception.user is not None and not fnmatch.fnmatchcase(raw.who, exception.user):
        return False
    if exception.uid is not None and raw.peer_uid != exception.uid:
        return False
    return exception.gid is None or raw.peer_gid == exception.gid


def _object_matches(exception: PolicyException, w: Workload | None) -> bool:
    if exception.container is None and exception.image is None and not exception.labels:
        return True
    if w is None:
        return False
    if exception.container is not None and not fnmatch.fnmatchcase(w.name or "",
                                                                   exception.container):
        return False
    if exception.image is not None and not fnmatch.fnmatchcase(w.image or "",
                                                               exception.image):
        return False
    labels = w.facts.get("labels") or {}
    return all(str(labels.get(k)) == v for k, v in exception.labels)


def _mount_matches(exception: PolicyException, finding: Finding,
                   models: list[object]) -> bool:
    """The finding is about a mount whose source the exception names (and mode)."""
    concerned = [mount for model in models for mount in getattr(model, "mounts", [])
                 if mount.origin == finding.location]
    if not concerned:
        return False
    # every mount read from that place must qualify (a symlinked source is judged twice:
    # as written and as resolved on the host)
    for mount in concerned:
        if exception.read_only is True and not mount.read_only:
            return False
        if not any(fnmatch.fnmatchcase(mount.source or "", pattern)
                   for pattern in exception.mount_sources):
            return False
    return True


# ---------------------------------------------------------------------- messages

_FIX_CACHE: dict[str, str] = {}


def fix_summary(code: str) -> str:
    """The first sentence of a rule's ``## Fix`` section, for deny messages."""
    if code in _FIX_CACHE:
        return _FIX_CACHE[code]
    found = lookup_rule(code)
    text = ""
    if found is not None:
        section = re.split(r"^## Fix\s*$", found.doc, maxsplit=1, flags=re.M)
        if len(section) == 2:
            body = section[1].split("\n## ", 1)[0]
            # the advice, not the "Automatic fix:" line that says what dockward fix does
            paragraphs = [p for p in body.strip().split("\n\n")
                          if not p.lstrip().startswith("Automatic fix:")]
            paragraph = " ".join(paragraphs[0].split()) if paragraphs else ""
            sentence = re.split(r"(?<=[.!?])\s", paragraph, maxsplit=1)[0]
            text = sentence.replace("`", "")
    _FIX_CACHE[code] = text
    return text


def deny_message(findings: list[Finding], limit: int = 900) -> str:
    """``DW202 <what the rule found>. Fix: <how>`` for the worst finding, then the rest."""
    ordered = sorted(findings, key=lambda f: (-int(f.severity), f.code))
    first = ordered[0]
    text = f"{first.code} {first.message}"
    fix = fix_summary(first.code)
    if fix:
        text += f". Fix: {fix}"
    others = sorted({f.code for f in ordered[1:]} - {first.code})
    if others:
        text += f" (also {', '.join(others)}; see dockward explain CODE)"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def body_digest(body: bytes | None) -> str:
    """What the decision log keeps of a body: its SHA-256, never its content."""
    if not body:
        return ""
    return "sha256:" + hashlib.sha256(body).hexdigest()
