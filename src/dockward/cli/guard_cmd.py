"""``dockward guard plugin|proxy|check-policy``: block escapes at the daemon or the socket.

Only argument parsing lives here; the guard's modules are imported when a command runs,
so ``dockward --version`` stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from dockward.cli.common import fail_usage

app = typer.Typer(
    name="guard",
    help="Block dangerous Docker API requests: as the daemon's authorization plugin, or as "
    "a filtering proxy in front of the socket. Both apply the same rules as scan and audit.",
    no_args_is_help=True,
)

PolicyOpt = Annotated[str | None, typer.Option(
    "--policy", help="Policy file (TOML): select/ignore/severity, deny-at, deny-routes, "
    "[[exceptions]]. Default: deny findings of severity high or above.")]
LogOpt = Annotated[str | None, typer.Option(
    "--log", help="Decision log: one JSON line per decision ('-' for stdout).")]
EngineOpt = Annotated[str, typer.Option(
    "--engine", help="Engine socket for lookups (the container a start acts on, "
    "--volumes-from, named volumes); 'none' to disable them (such requests are denied).")]
DeadlineOpt = Annotated[float, typer.Option(
    "--deadline", min=0.05, help="Seconds a decision may take before it is denied.")]
LookupTimeoutOpt = Annotated[float | None, typer.Option(
    "--lookup-timeout", min=0.05, help="Seconds an engine lookup may take (default: 80% "
    "of the deadline).")]


@app.command("plugin")
def plugin(
    socket: Annotated[str, typer.Option(
        "--socket", help="Unix socket dockerd finds the plugin at "
        "(--authorization-plugin=NAME looks for /run/docker/plugins/NAME.sock).")
    ] = "/run/docker/plugins/dockward.sock",
    policy: PolicyOpt = None,
    log: LogOpt = None,
    engine: EngineOpt = "unix:///var/run/docker.sock",
    deadline: DeadlineOpt = 5.0,
    lookup_timeout: LookupTimeoutOpt = None,
    name: Annotated[list[str] | None, typer.Option(
        "--name", help="Plugin name(s) dockerd knows the guard by (default: the socket's "
        "file name); requests that disable or replace it are denied.")] = None,
    no_resolve_symlinks: Annotated[bool, typer.Option(
        "--no-resolve-symlinks", help="Judge bind sources as written, without following "
        "symlinks on this host (use when the guard does not run on the daemon's host).")
    ] = False,
) -> None:
    """Serve the Docker authorization-plugin protocol (start it before dockerd)."""
    from dockward.guard.service import PluginOptions, ServiceError, run_plugin

    options = PluginOptions(
        socket=socket, policy=policy, log=log,
        engine=None if engine.lower() == "none" else engine,
        deadline=deadline, lookup_timeout=lookup_timeout, names=tuple(name or ()),
        resolve_symlinks=not no_resolve_symlinks,
    )
    try:
        run_plugin(options)
    except ServiceError as exc:
        raise fail_usage(str(exc)) from None


@app.command("proxy")
def proxy(
    listen: Annotated[str, typer.Option(
        "--listen", help="unix:PATH, or tcp://HOST:PORT (needs --tls-cert/--tls-key/--tls-ca: "
        "clients authenticate with certificates).")],
    upstream: Annotated[str, typer.Option(
        "--upstream", help="The engine's socket.")] = "unix:/var/run/docker.sock",
    profile: Annotated[str, typer.Option(
        "--profile", help="Route allowlist: read-only, containers or full.")] = "read-only",
    allow: Annotated[list[str] | None, typer.Option(
        "--allow", help="Add a route to the profile by name (e.g. container-logs).")] = None,
    policy: PolicyOpt = None,
    log: LogOpt = None,
    deadline: DeadlineOpt = 5.0,
    max_body: Annotated[int, typer.Option(
        "--max-body", min=1024, help="Largest request body accepted, in bytes.")
    ] = 4 * 1024 * 1024,
    tls_cert: Annotated[str | None, typer.Option("--tls-cert", help="Server certificate.")
                        ] = None,
    tls_key: Annotated[str | None, typer.Option("--tls-key", help="Server key.")] = None,
    tls_ca: Annotated[str | None, typer.Option(
        "--tls-ca", help="CA that signs client certificates (required on TCP).")] = None,
    socket_mode: Annotated[str, typer.Option(
        "--socket-mode", help="Permissions of a unix listener (octal).")] = "660",
) -> None:
    """Filter the Engine API for one client (Traefik, a CI runner): never mount the socket."""
    from dockward.guard.service import ProxyOptions, ServiceError, run_proxy

    try:
        mode = int(socket_mode, 8)
    except ValueError:
        raise fail_usage(f"--socket-mode {socket_mode!r} is not an octal mode") from None
    options = ProxyOptions(
        listen=listen, upstream=upstream, profile=profile, allow=tuple(allow or ()),
        policy=policy, log=log, deadline=deadline, max_body=max_body, tls_cert=tls_cert,
        tls_key=tls_key, tls_ca=tls_ca, socket_mode=mode,
    )
    try:
        run_proxy(options)
    except ServiceError as exc:
        raise fail_usage(str(exc)) from None


@app.command("check-policy")
def check_policy(
    policy: Annotated[str, typer.Argument(help="The policy file to validate.")],
) -> None:
    """Validate a guard policy file (exit 2 when it would not load)."""
    from dockward.guard.service import ServiceError, load_guard_policy

    try:
        loaded = load_guard_policy(policy)
    except ServiceError as exc:
        raise fail_usage(str(exc)) from None
    typer.echo(f"{policy}: ok (deny at {loaded.deny_at.label} and above, "
               f"{len(loaded.deny_routes)} denied route pattern(s), "
               f"{len(loaded.exceptions)} exception(s))")
