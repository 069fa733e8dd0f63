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
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

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
        image_user=policy.deny_at <= 2,  # DW113 (medium) needs the image's USER
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
    try:
        server.bind()
    except OSError as exc:
        decision_log.close()
        raise ServiceError(f"cannot listen on {options.socket}: {exc.strerror or exc}"
                           ) from None
    _serve_until_signal(server.serve_forever, server.shutdown, options.ready,
                        f"dockward guard plugin listening on {options.socket} "
                        f"(policy: {policy.source or 'default'}, pid {os.getpid()})")
    decision_log.close()


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
