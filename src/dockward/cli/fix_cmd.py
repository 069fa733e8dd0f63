"""``dockward fix [PATH...]`` (and ``dockward scan --fix``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dockward.cli.common import (
    EXIT_FINDINGS,
    EXIT_OK,
    ConfigOpt,
    IgnoreOpt,
    SelectOpt,
    build_config,
    fail_usage,
    split_list,
)

if TYPE_CHECKING:
    from dockward.usecases.fix import FixResult

UnsafeOpt = Annotated[bool, typer.Option(
    "--unsafe-fixes", help="Also apply fixes that may change what a workload does (drop "
    "capabilities, a non-root user, a read-only root, ports on 127.0.0.1, ...).")]
DiffOpt = Annotated[bool, typer.Option(
    "--diff", help="Print a unified diff and write nothing; exit 1 when there would be "
    "changes.")]


def fix(
    paths: Annotated[list[str] | None, typer.Argument(
        help="Files or folders to fix. Default: the current folder.")] = None,
    unsafe_fixes: UnsafeOpt = False,
    diff: DiffOpt = False,
    config: ConfigOpt = None,
    select: SelectOpt = None,
    ignore: IgnoreOpt = None,
    compose_file: Annotated[list[str] | None, typer.Option("--compose-file", "-c",
        help="Compose files merged in order like 'docker compose -f a -f b' "
             "(comma-separated).")] = None,
    host: Annotated[str | None, typer.Option("--host", "-H",
        help="Fix a live container on this engine instead of files (with --container).")
                    ] = None,
    container: Annotated[str | None, typer.Option("--container",
        help="The live container to fix (name or id).")] = None,
    apply: Annotated[bool, typer.Option("--apply",
        help="Live: change the container through 'docker update' (otherwise the commands "
             "are only printed).")] = False,
) -> None:
    """Rewrite files so that what scan finds is fixed, keeping everything else as it is."""
    if container is not None or host is not None or apply:
        if paths or compose_file or diff:
            raise fail_usage("--host/--container fix a live container; give no paths")
        if container is None:
            raise fail_usage("--host and --apply need --container NAME")
        from dockward.cli.fix_live import fix_live

        start = Path(".")
        cfg = build_config(config, start, select, ignore)
        raise typer.Exit(fix_live(host, container, cfg, apply=apply, unsafe=unsafe_fixes))
    run_fix(paths, unsafe_fixes=unsafe_fixes, diff=diff, config=config, select=select,
            ignore=ignore, compose_file=compose_file)


def run_fix(paths: list[str] | None, *, unsafe_fixes: bool, diff: bool, config: str | None,
            select: list[str] | None, ignore: list[str] | None,
            compose_file: list[str] | None = None) -> None:
    """The file side of ``fix``, shared with ``scan --fix``."""
    from dockward.usecases.fix import fix_paths, write_changes

    targets = list(paths or [])
    groups = [split_list([g]) for g in compose_file or []]
    if not targets and not groups:
        targets = ["."]
    for p in targets:
        if p == "-":
            raise fail_usage("fix edits files in place; it cannot read stdin")
        if not Path(p).exists():
            raise fail_usage(f"no such file or folder: {p}")
    for g in groups:
        for p in g:
            if not Path(p).is_file():
                raise fail_usage(f"compose file not found: {p}")
    start = Path(targets[0] if targets else groups[0][0])
    cfg = build_config(config, start, select, ignore)
    result = fix_paths(targets, cfg, unsafe=unsafe_fixes, compose_groups=groups)
    if diff:
        text = result.diff()
        if text:
            typer.echo(text, nl=False)
        _summary(result, err=True, would=True)
        raise typer.Exit(EXIT_FINDINGS if result.changed else EXIT_OK)
    try:
        write_changes(result)
    except OSError as exc:
        raise fail_usage(f"cannot write {exc.filename}: {exc.strerror}") from None
    _summary(result, err=False, would=False)
    remaining = [x for x in result.leftovers if x.finding.severity >= cfg.fail_on]
    raise typer.Exit(EXIT_FINDINGS if remaining else EXIT_OK)


def _summary(result: FixResult, *, err: bool, would: bool) -> None:
    def say(text: str = "") -> None:
        typer.echo(text, err=err)

    verb = "Would fix" if would else "Fixed"
    files = sorted(result.changed)
    say(f"{verb} {len(result.fixed)} finding{'s' if len(result.fixed) != 1 else ''} in "
        f"{len(files)} file{'s' if len(files) != 1 else ''}.")
    for finding in sorted(result.fixed, key=lambda f: f.sort_key()):
        loc = finding.location
        say(f"  {loc.describe()} {finding.code} {finding.fix}")
    if not result.leftovers:
        return
    say()
    say(f"{len(result.leftovers)} finding{'s' if len(result.leftovers) != 1 else ''} left:")
    for left in sorted(result.leftovers, key=lambda x: x.finding.sort_key()):
        f = left.finding
        say(f"  {f.location.describe()} {f.code} {f.name}: {left.reason}")
