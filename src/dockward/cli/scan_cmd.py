"""``dockward scan PATH...``"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from dockward.cli.common import (
    BaselineOpt,
    ColorOpt,
    ConfigOpt,
    ExitZeroOpt,
    ExtendSelectOpt,
    FailOnOpt,
    FormatOpt,
    IgnoreOpt,
    OutputOpt,
    SelectOpt,
    WriteBaselineOpt,
    apply_baseline_option,
    build_config,
    default_format,
    emit,
    exit_code,
    fail_usage,
    split_list,
)
from dockward.cli.fix_cmd import UnsafeOpt, run_fix
from dockward.text import visible


def _lexists(path: str) -> bool:
    """Whether ``path`` may exist: a name we may not even look up (EACCES on a folder above)
    is reported by the scan as unreadable, not as missing."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return True


def scan(
    paths: Annotated[list[str] | None, typer.Argument(
        help="Files or folders to scan ('-' reads stdin). Default: the current folder.")] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    select: SelectOpt = None,
    extend_select: ExtendSelectOpt = None,
    ignore: IgnoreOpt = None,
    fail_on: FailOnOpt = None,
    compose_file: Annotated[list[str] | None, typer.Option("--compose-file", "-c",
        help="Compose files merged in order like 'docker compose -f a -f b': give them "
             "comma-separated in one option; repeat the option for separate projects.")] = None,
    stdin_type: Annotated[str | None, typer.Option("--stdin-type",
        help="Kind of the input read from '-': compose, dockerfile, shell, makefile, "
             "markdown, ci-yaml, systemd.")] = None,
    stdin_filename: Annotated[str, typer.Option("--stdin-filename",
        help="Name shown for stdin input.")] = "<stdin>",
    show_suppressed: Annotated[bool, typer.Option("--show-suppressed",
        help="Also list findings silenced by inline ignores.")] = False,
    no_inline_ignores: Annotated[bool, typer.Option("--no-inline-ignores",
        help="Disregard '# dockward: ignore[...]' comments (central policy).")] = False,
    baseline: BaselineOpt = None,
    write_baseline: WriteBaselineOpt = None,
    exit_zero: ExitZeroOpt = False,
    color: ColorOpt = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1,
        help="Processes to read files with. Default: the number of cores (small inputs "
             "are read in one process).")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache",
        help="Neither read nor write the scan cache.")] = False,
    cache_dir: Annotated[str | None, typer.Option("--cache-dir",
        help="Where the scan cache lives. Default: $DOCKWARD_CACHE_DIR, else "
             "$XDG_CACHE_HOME/dockward when set, else .dockward_cache.")] = None,
    fix: Annotated[bool, typer.Option("--fix",
        help="Fix what can be fixed, in place (the same as 'dockward fix').")] = False,
    unsafe_fixes: UnsafeOpt = False,
) -> None:
    """Scan Dockerfiles, compose files, scripts, Markdown and CI YAML for escape risks."""
    from dockward.kinds import STDIN_KINDS
    from dockward.scanning.cache import ScanCache
    from dockward.scanning.parallel import default_jobs
    from dockward.usecases.scan import scan_report

    if fix or unsafe_fixes:
        if not fix:
            raise fail_usage("--unsafe-fixes goes with --fix")
        run_fix(paths, unsafe_fixes=unsafe_fixes, diff=False, config=config, select=select,
                ignore=ignore, compose_file=compose_file)

    targets = list(paths or [])
    groups = [split_list([g]) for g in compose_file or []]
    if not targets and not groups:
        targets = ["."]
    for p in targets:
        if p != "-" and not _lexists(p):
            raise fail_usage(f"no such file or folder: {visible(p)}")
    for g in groups:
        for p in g:
            if not _lexists(p):
                raise fail_usage(f"compose file not found: {visible(p)}")
    if "-" in targets:
        if stdin_type is None:
            raise fail_usage("reading stdin needs --stdin-type "
                             f"({', '.join(STDIN_KINDS)})")
        if stdin_type not in STDIN_KINDS:
            raise fail_usage(f"unknown --stdin-type {stdin_type!r} "
                             f"(choose from: {', '.join(STDIN_KINDS)})")
    start = Path(targets[0] if targets and targets[0] != "-" else ".")
    cfg = build_config(config, start, select, ignore, extend_select, fail_on, no_inline_ignores)
    report = scan_report(targets, cfg, root=str(start), compose_groups=groups,
                         stdin_kind=stdin_type, stdin_name=stdin_filename,
                         show_suppressed=show_suppressed, jobs=jobs or default_jobs(),
                         cache=None if no_cache else ScanCache.open(cfg, cache_dir))
    apply_baseline_option(report, cfg, baseline, write_baseline)
    emit(report, fmt or default_format(), output, color)
    raise typer.Exit(exit_code(report, cfg, exit_zero))
