"""``dockward fix --host H --container NAME [--apply]``: print, or apply, a live fix."""

from __future__ import annotations

import typer

from dockward.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, fail_usage
from dockward.config import Config


def fix_live(host: str | None, container: str, config: Config, *, apply: bool,
             unsafe: bool) -> int:
    from dockward.fixers.workload_model import command_line
    from dockward.readers.engine.collect import reason
    from dockward.readers.engine.connect import EndpointError, make_api_client, resolve_endpoints
    from dockward.usecases.fix_live import ContainerNotFound, fix_container

    try:
        endpoint = resolve_endpoints([host] if host else [])[0]
    except EndpointError as exc:
        raise fail_usage(str(exc)) from None
    try:
        api = make_api_client(endpoint)
        result = fix_container(api, container, config, unsafe=unsafe, apply=apply)
    except ContainerNotFound:
        raise fail_usage(f"no container {container!r} on {endpoint.label}") from None
    except Exception as exc:  # an unreachable engine or a refused update: say why, exit 2
        typer.echo(f"dockward: error: {endpoint.label}: {reason(exc)}", err=True)
        return EXIT_USAGE
    say = typer.echo
    say(f"container {result.name} ({result.container_id[:12]}) on {endpoint.label}: "
        f"{len(result.findings)} finding{'s' if len(result.findings) != 1 else ''}")
    if result.update_command:
        verb = "updated" if result.applied else "to apply in place, run"
        say(f"\n{verb}: {command_line(result.update_command)}")
        for f in result.updated:
            say(f"  {f.code} {f.fix}")
        for warning in result.warnings:
            say(f"  engine warning: {warning}")
    if result.recreate_command:
        say("\nthe rest needs the container re-created; review, then run:")
        say(f"  docker rm -f {result.name}")
        say(f"  {command_line(result.recreate_command)}")
        say("  (it carries the settings dockward reads: security options, mounts, ports, "
            "limits, environment, image and command; add labels, networks and logging "
            "options the container also uses)")
        for f in result.recreate:
            say(f"  {f.code} {f.fix}")
    if result.leftovers:
        say(f"\n{len(result.leftovers)} left:")
        for left in result.leftovers:
            say(f"  {left.finding.code} {left.finding.name}: {left.reason}")
    if result.applied:
        say(f"\nafter the update: {len(result.after)} finding"
            f"{'s' if len(result.after) != 1 else ''} remain")
        return EXIT_FINDINGS if any(f.severity >= config.fail_on for f in result.after) \
            else EXIT_OK
    pending = result.update_command or result.recreate_command or any(
        f.severity >= config.fail_on for f in (x.finding for x in result.leftovers))
    return EXIT_FINDINGS if pending else EXIT_OK
