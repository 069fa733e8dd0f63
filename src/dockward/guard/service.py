"""Wiring for the two guard modes: policy + lookup + decision log + server, until a signal.

The CLI parses options into :class:`PluginOptions` / ``ProxyOptions`` and calls
:func:`run_plugin` / :func:`run_proxy`; everything that can fail before serving (a bad
policy, a log file that cannot be opened, a socket that cannot be bound) raises
:class:`ServiceError` so the command exits 2 without ever serving: a guard that cannot
enforce its policy must not run at all.
"""

from __future__ import annotations

import logging
import os
import signal
import ssl
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from dockward.findings import Severity
from dockward.guard.decision_log import DecisionLog
from dockward.guard.lookup import NoLookup, SocketLookup
from dockward.guard.policy import GuardPolicy, PolicyError, load_policy
from dockward.usecases.guard import Guard, GuardSettings

log = logging.getLogger(__name__)

DEFAULT_PLUGIN_SOCKET = "/run/docker/plugins/dockward.sock"
DEFAULT_ENGINE = "unix:///var/run/docker.sock"


class ServiceError(Exception):
    """The guard cannot start as configured."""


@dataclass
class PluginOptions:
    socket: str = DEFAULT_PLUGIN_SOCKET
    policy: str | None = None
    log: str | None = None
    engine: str | None = DEFAULT_ENGINE
    deadline: float = 5.0
    lookup_timeout: float | None = None  # default: 80% of the deadline
    names: tuple[str, ...] = ()
    log_wait: float = 5.0
    resolve_symlinks: bool = True
    ready: threading.Event | None = None  # set once serving (tests, benchmarks)
    extra_protected: tuple[str, ...] = field(default_factory=tuple)


def load_guard_policy(path: str | None) -> GuardPolicy:
    try:
        return load_policy(path)
    except PolicyError as exc:
        raise ServiceError(str(exc)) from None


def open_log(path: str | None, wait: float) -> DecisionLog:
    try:
        return DecisionLog(path, wait=wait)
    except OSError as exc:
        raise ServiceError(f"cannot open the decision log {path}: {exc.strerror or exc}"
                           ) from None


def build_guard(policy: GuardPolicy, *, mode: str, names: tuple[str, ...],
                protected: tuple[str, ...], engine: str | None, deadline: float,
                resolve_symlinks: bool, exec_table: object = None,
                lookup_timeout: float | None = None) -> Guard:
    timeout = lookup_timeout if lookup_timeout is not None else max(deadline * 0.8, 0.1)
    lookup = SocketLookup(engine, timeout=timeout) if engine else NoLookup()
    settings = GuardSettings(
        mode=mode, names=names, protected_paths=protected, lookup=lookup,
        resolve_symlinks=resolve_symlinks,
        environment=policy.deny_at <= Severity.MEDIUM,  # DW112/DW113 read the environment
    )
    table = getattr(exec_table, "get", None)
    return Guard(policy, settings, exec_table=table)


def _plugin_names(options: PluginOptions) -> tuple[str, ...]:
    if options.names:
        return options.names
    return (Path(options.socket).name.removesuffix(".sock") or "dockward",)


def run_plugin(options: PluginOptions) -> None:
    """Serve the authorization plugin until SIGTERM/SIGINT."""
    from dockward.guard.authz import (
        ACTIVATE,
        ALLOW,
        AUTHZ_RES,
        IMPLEMENTS,
        AuthzPlugin,
        ExecTable,
        deny,
    )
    from dockward.guard.plugin_server import PluginServer

    policy = load_guard_policy(options.policy)
    decision_log = open_log(options.log, options.log_wait)
    protected = tuple(p for p in (options.socket, options.policy, options.log,
                                  *options.extra_protected) if p and p != "-")
    execs = ExecTable()
    guard = build_guard(policy, mode="plugin", names=_plugin_names(options),
                        protected=protected, engine=options.engine,
                        deadline=options.deadline,
                        resolve_symlinks=options.resolve_symlinks, exec_table=execs,
                        lookup_timeout=options.lookup_timeout)
    plugin = AuthzPlugin(guard, decision_log, execs)

    def on_deadline(path: bytes) -> bytes:
        if path == AUTHZ_RES:
            return ALLOW
        if path == ACTIVATE:
            return IMPLEMENTS
        return deny(f"dockward did not reach a decision within {options.deadline:g}s; "
                    "denied (fail closed)")

    server = PluginServer(options.socket, plugin.handle, deadline=options.deadline,
                          on_deadline=on_deadline)
    _bind(server, options.socket, decision_log)
    _serve_until_signal(server.serve_forever, server.shutdown, options.ready,
                        f"dockward guard plugin listening on {options.socket} "
                        f"(policy: {policy.source or 'default'}, pid {os.getpid()})")
    decision_log.close()


def _bind(server: object, where: str, decision_log: DecisionLog) -> None:
    try:
        server.bind()  # type: ignore[attr-defined]
    except OSError as exc:
        decision_log.close()
        raise ServiceError(f"cannot listen on {where}: {exc.strerror or exc}") from None


def _serve_until_signal(serve: object, stop: object, ready: threading.Event | None,
                        banner: str) -> None:
    def handle(signum: int, frame: object) -> None:
        stop()  # type: ignore[operator]

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)
    print(banner, file=sys.stderr, flush=True)
    if ready is not None:
        ready.set()
    serve()  # type: ignore[operator]


@dataclass
class ProxyOptions:
    listen: str = ""
    upstream: str = DEFAULT_ENGINE
    profile: str = "read-only"
    allow: tuple[str, ...] = ()
    policy: str | None = None
    log: str | None = None
    deadline: float = 5.0
    max_body: int = 4 * 1024 * 1024
    tls_cert: str | None = None
    tls_key: str | None = None
    tls_ca: str | None = None
    socket_mode: int = 0o660
    resolve_symlinks: bool = True
    log_wait: float = 5.0
    ready: threading.Event | None = None
    server: list[object] = field(default_factory=list)  # the running ProxyServer (tests)


def _tls_context(options: ProxyOptions) -> ssl.SSLContext | None:
    if options.listen.startswith("unix:"):
        if options.tls_cert or options.tls_key or options.tls_ca:
            raise ServiceError("--tls-* options apply to tcp:// listeners only")
        return None
    if not (options.tls_cert and options.tls_key and options.tls_ca):
        raise ServiceError("a tcp:// listener needs mutual TLS: --tls-cert, --tls-key and "
                           "--tls-ca (clients must present a certificate signed by that CA)")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.verify_mode = ssl.CERT_REQUIRED
    try:
        context.load_cert_chain(options.tls_cert, options.tls_key)
        context.load_verify_locations(options.tls_ca)
    except (OSError, ssl.SSLError) as exc:
        raise ServiceError(f"cannot load the TLS files: {exc}") from None
    return context


def run_proxy(options: ProxyOptions) -> None:
    """Serve the filtering proxy until SIGTERM/SIGINT."""
    from dockward.guard.profiles import ProfileError, make_profile
    from dockward.guard.proxy_server import ProxyServer

    if not (options.listen.startswith("unix:") or options.listen.startswith("tcp://")):
        raise ServiceError("--listen must be unix:PATH or tcp://HOST:PORT")
    if not options.upstream.startswith(("unix:", "/")):
        raise ServiceError("--upstream must be the engine's unix socket (unix:PATH)")
    try:
        profile = make_profile(options.profile, options.allow)
    except ProfileError as exc:
        raise ServiceError(str(exc)) from None
    tls = _tls_context(options)
    policy = load_guard_policy(options.policy)
    decision_log = open_log(options.log, options.log_wait)
    upstream = options.upstream if options.upstream.startswith("unix:") else \
        f"unix:{options.upstream}"
    protected = tuple(p for p in (options.policy, options.log) if p and p != "-")
    guard = build_guard(policy, mode="proxy", names=("dockward",), protected=protected,
                        engine="unix://" + upstream.removeprefix("unix:").removeprefix("//"),
                        deadline=options.deadline,
                        resolve_symlinks=options.resolve_symlinks)
    server = ProxyServer(listen=options.listen, upstream=upstream, guard=guard,
                         profile=profile, decision_log=decision_log,
                         max_body=options.max_body, tls=tls,
                         socket_mode=options.socket_mode)
    _bind(server, options.listen, decision_log)
    options.server.append(server)
    _serve_until_signal(server.serve_forever, server.shutdown, options.ready,
                        f"dockward guard proxy on {options.listen} -> {upstream} "
                        f"(profile {profile.name}, policy: {policy.source or 'default'}, "
                        f"pid {os.getpid()})")
    decision_log.close()
