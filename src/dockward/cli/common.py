"""Options and output plumbing shared by scan, audit and inside."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from dockward.config import Config, ConfigError, load_config
from dockward.findings import Severity

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def fail_usage(message: str) -> typer.Exit:
    """Print a usage error (escaped: it may quote a file name or a config value) and give
    the exit to raise."""
    from dockward.text import visible

    typer.echo(f"dockward: error: {visible(message, keep_newlines=True)}", err=True)
    return typer.Exit(EXIT_USAGE)


def split_list(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(p.strip() for p in v.split(",") if p.strip())
    return out


def build_config(
    config_path: str | None,
    start: Path,
    select: list[str] | None,
    ignore: list[str] | None,
    extend_select: list[str] | None = None,
    fail_on: str | None = None,
    no_inline_ignores: bool = False,
) -> Config:
    """File config, then command-line options on top (the command line wins)."""
    from dockward.rules.runner import check_selectors, validate_rule_options

    try:
        cfg = load_config(config_path, start)
        validate_rule_options(cfg)  # errors name the config file
        if select is not None:
            cfg.select = check_selectors("--select", split_list(select), allow_empty=False)
        if extend_select:
            cfg.select = cfg.select + check_selectors("--extend-select",
                                                      split_list(extend_select))
        if ignore:
            cfg.ignore = cfg.ignore + check_selectors("--ignore", split_list(ignore))
        if fail_on:
            cfg.fail_on = Severity.parse(fail_on)
        if no_inline_ignores:
            cfg.allow_inline_ignores = False
    except (ConfigError, ValueError) as exc:
        raise fail_usage(str(exc)) from None
    return cfg


def default_format() -> str:
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from dockward.reporters import FORMATS

        if "github" in FORMATS:
            return "github"
    return "text"


def use_color(out: TextIO, flag: bool | None) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return out.isatty()


def emit(report: object, fmt: str, output: str | None, color: bool | None) -> None:
    """Render ``report`` in ``fmt`` to ``output`` (a file) or stdout."""
    from dockward.reporters import get_renderer

    try:
        renderer = get_renderer(fmt)
    except ValueError as exc:
        raise fail_usage(str(exc)) from None
    if output:
        from dockward.output import WriteRefused, write_atomically

        try:
            write_atomically(output, lambda fh: renderer(report, fh, color=False),  # type: ignore[arg-type]
                             protected=getattr(report, "inputs", ()))
        except WriteRefused as exc:
            raise fail_usage(str(exc)) from None
    else:
        from dockward.output import ENCODING_ERRORS

        if hasattr(sys.stdout, "reconfigure"):  # non-UTF-8 file names must not crash it
            sys.stdout.reconfigure(errors=ENCODING_ERRORS)
        renderer(report, sys.stdout, color=use_color(sys.stdout, color))  # type: ignore[arg-type]


# Options every reporting command (scan, audit, inside) takes, declared once.
FormatOpt = Annotated[str | None, typer.Option(
    "--format", "-f",
    help="Output format: text, json, sarif, github, junit, markdown, csv, html.")]
OutputOpt = Annotated[str | None, typer.Option(
    "--output", "-o", help="Write the report to this file instead of stdout.")]
ConfigOpt = Annotated[str | None, typer.Option(
    "--config",
    help="Config file (default: .dockward.toml or pyproject.toml found walking up).")]
SelectOpt = Annotated[list[str] | None, typer.Option(
    "--select",
    help="Only these rules (codes, prefixes such as DW2, or names); comma-separated.")]
ExtendSelectOpt = Annotated[list[str] | None, typer.Option(
    "--extend-select", help="Add rules to the selection.")]
IgnoreOpt = Annotated[list[str] | None, typer.Option(
    "--ignore", help="Skip these rules (codes, prefixes or names); comma-separated.")]
FailOnOpt = Annotated[str | None, typer.Option(
    "--fail-on", help="Exit 1 when a finding at or above this severity remains "
                      "(info, low, medium, high, critical). Default: low.")]
BaselineOpt = Annotated[str | None, typer.Option(
    "--baseline", help="Report and fail only on findings not in this earlier JSON report "
                       "(matched by fingerprint, so edits that shift lines keep matching). "
                       "Config: baseline.")]
WriteBaselineOpt = Annotated[str | None, typer.Option(
    "--write-baseline",
    help="Write the JSON report of all current findings to this file (a baseline).")]
ExitZeroOpt = Annotated[bool, typer.Option(
    "--exit-zero", help="Always exit 0 unless dockward itself failed.")]
ColorOpt = Annotated[bool | None, typer.Option(
    "--color/--no-color",
    help="Force or disable colour (default: when stdout is a terminal and NO_COLOR is unset).")]


def apply_baseline_option(report: Any, cfg: Config, baseline: str | None,
                          write_baseline: str | None) -> None:
    """``--baseline`` / ``--write-baseline`` (or the config's ``baseline``) on a report."""
    from dockward.baseline import BaselineError, apply_baseline, configured_path

    try:
        apply_baseline(report, baseline or configured_path(cfg), write_baseline)
    except BaselineError as exc:
        raise fail_usage(str(exc)) from None


def exit_code(report: Any, cfg: Config, exit_zero: bool) -> int:
    """0, or 1 when an unsuppressed finding is at or above ``fail-on`` (unless --exit-zero)."""
    from dockward.rules.runner import gate

    return EXIT_OK if exit_zero else gate(report.findings, cfg.fail_on)
