"""``dockward tighten``: parse the arguments, call the use case, print the proposal.

The docker SDK, the readers and the trial machinery are imported inside the command, so
``dockward --version`` never pays for them.
"""

from __future__ import annotations

import shlex
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dockward.cli.common import EXIT_FINDINGS, fail_usage

if TYPE_CHECKING:
    from dockward.models.workload import Workload
    from dockward.readers.engine.connect import Endpoint

TIGHTEN_FORMATS = ("text", "json", "compose", "k8s")
RUN_PROGRAMS = ("docker", "podman", "nerdctl")
EXIT_INTERRUPTED = 130


def tighten(
    args: Annotated[list[str] | None, typer.Argument(
        metavar="[COMPOSE_FILE] | -- docker run [ARGS] IMAGE [CMD...]",
        help="A compose file (with --service), or after '--' a docker run command.",
        show_default=False)] = None,
    service: Annotated[str | None, typer.Option("--service", "-s",
        help="The compose service to tighten.")] = None,
    container: Annotated[str | None, typer.Option("--container",
        help="Tighten a copy of this running container's configuration (it is only "
             "inspected, never touched).")] = None,
    host: Annotated[str | None, typer.Option("--host", "-H",
        help="Engine that runs the trials (unix:///path, tcp://host:port, ssh://user@host). "
             "Default: DOCKER_HOST, the current context, or the local socket.")] = None,
    context: Annotated[str | None, typer.Option("--context",
        help="Docker CLI context of the engine that runs the trials.")] = None,
    check: Annotated[str | None, typer.Option("--check",
        help="A command run inside each trial with exec after it settled (split like a "
             "shell line; use \"sh -c '...'\" for shell syntax); exit 0 passes.")] = None,
    settle: Annotated[float, typer.Option("--settle", min=0.1,
        help="Seconds a trial must keep running before it is judged.")] = 5.0,
    fmt: Annotated[str, typer.Option("--format", "-f",
        help="text (the run line and why), json, compose (service fragment) or k8s "
             "(container fragment).")] = "text",
    output: Annotated[str | None, typer.Option("--output", "-o",
        help="Write the result to this file instead of stdout.")] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, max=32,
        help="Trials run at once (default: twice the engine's CPUs, at most 8).")] = None,
    share_binds: Annotated[bool, typer.Option("--share-binds",
        help="Let trials write to the original's writable bind mounts (default: mounted "
             "read-only in trials).")] = False,
    timeout: Annotated[float, typer.Option("--timeout", min=1.0,
        help="Seconds to wait for each Engine API call (and the --check command).")] = 60.0,
    progress: Annotated[bool | None, typer.Option("--progress/--no-progress",
        help="Progress bar on stderr (default: when stderr is a terminal).")] = None,
    write: Annotated[bool, typer.Option("--write",
        help="Write the proven settings into the compose service (with --service), keeping "
             "comments and formatting, as dockward fix does.")] = False,
) -> None:
    """Learn the least privilege a container needs by running throwaway trial copies.

    Examples:

      dockward tighten --check "wget -q -O /dev/null http://127.0.0.1/" -- docker run nginx

      dockward tighten compose.yaml --service web

      dockward tighten --container web --format compose
    """
    from dockward.cli.progress import progress_bar
    from dockward.readers.engine.connect import EndpointError, resolve_endpoints
    from dockward.tighten import render
    from dockward.usecases.tighten import (
        TightenError,
        TightenInputError,
        TightenRequest,
        write_back_to_compose,
    )
    from dockward.usecases.tighten import (
        tighten as run_tighten,
    )

    if write and (service is None or not args):
        raise fail_usage("--write goes with a compose file and --service")
    if fmt not in TIGHTEN_FORMATS:
        raise fail_usage(f"--format must be one of: {', '.join(TIGHTEN_FORMATS)}")
    try:
        check_argv = tuple(shlex.split(check)) if check else ()
    except ValueError as exc:
        raise fail_usage(f"--check: {exc}") from None
    try:
        endpoints = resolve_endpoints([host] if host else [], context)
    except EndpointError as exc:
        raise fail_usage(str(exc)) from None
    endpoint = endpoints[0]
    try:
        workload, base_dir = _read_workload(list(args or []), service, container, endpoint,
                                            timeout)
        request = TightenRequest(workload=workload, endpoint=endpoint, check=check_argv,
                                 settle=settle, jobs=jobs, share_binds=share_binds,
                                 timeout=timeout, base_dir=base_dir)
        show = sys.stderr.isatty() if progress is None else progress
        started = time.monotonic()
        with progress_bar(show, "tighten: trials") as tick, _terminate_as_interrupt():
            result = run_tighten(request, progress=tick)
        seconds = time.monotonic() - started
    except TightenInputError as exc:
        raise fail_usage(str(exc)) from None
    except TightenError as exc:
        typer.echo(f"dockward tighten: {exc}", err=True)
        raise typer.Exit(EXIT_FINDINGS) from None
    except KeyboardInterrupt:
        typer.echo("dockward tighten: interrupted; every trial container was removed",
                   err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    text = {
        "text": lambda: render.result_text(result, seconds),
        "json": lambda: render.result_json(result),
        "compose": lambda: render.compose_fragment(result),
        "k8s": lambda: render.k8s_fragment(result),
    }[fmt]()
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if write and service is not None and args:
        try:
            write_back_to_compose(result, args[0], service)
        except TightenInputError as exc:
            raise fail_usage(str(exc)) from None
        typer.echo(f"dockward tighten: wrote the proven settings into service {service!r} "
                   f"of {args[0]}", err=True)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI timeout, ``kill``) cleans up like Ctrl-C instead of leaving trial
    containers behind."""
    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _read_workload(args: list[str], service: str | None, container: str | None,
                   endpoint: Endpoint, timeout: float) -> tuple[Workload, str]:
    """The Workload to tighten and the folder its relative paths are relative to."""
    from dockward.usecases.tighten import (
        TightenInputError,
        workload_from_compose_service,
        workload_from_container,
        workload_from_run_argv,
    )

    given = sum(bool(x) for x in (args, container))
    if given != 1:
        raise TightenInputError("give one of: '-- docker run ...', a compose file with "
                                "--service, or --container NAME")
    if container:
        return workload_from_container(endpoint, container, timeout), "."
    if args[0] in RUN_PROGRAMS or Path(args[0]).name in RUN_PROGRAMS:
        if service:
            raise TightenInputError("--service goes with a compose file, not a run command")
        return workload_from_run_argv(args), "."
    if len(args) != 1:
        raise TightenInputError(f"expected one compose file, or '-- docker run ...' "
                                f"(got {' '.join(args[:3])}...)")
    if not service:
        raise TightenInputError(f"which service of {args[0]}? (--service NAME)")
    return workload_from_compose_service(args[0], service), str(Path(args[0]).parent)
