"""``dockward report merge``: combine per-host JSON reports into one fleet report."""

from __future__ import annotations

from typing import Annotated

import typer

from dockward.cli.common import (
    EXIT_USAGE,
    ColorOpt,
    FailOnOpt,
    FormatOpt,
    OutputOpt,
    default_format,
    emit,
    fail_usage,
)

report_app = typer.Typer(
    name="report", no_args_is_help=True,
    help="Work with JSON reports: merge the audits of many hosts into one fleet report.")


@report_app.command("merge")
def merge(
    reports: Annotated[list[str], typer.Argument(
        help="JSON reports (dockward ... -f json) to merge, e.g. one audit per node.")],
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    color: ColorOpt = None,
) -> None:
    """Merge JSON reports into one (hosts told apart by engine id); any output format.

    Exit codes as for audit: 1 when a finding is at or above --fail-on, 2 when no report
    could be read.
    """
    from dockward.findings import Severity
    from dockward.rules.runner import gate
    from dockward.usecases.report_merge import MergeError, merge_reports

    try:
        threshold = Severity.parse(fail_on) if fail_on else Severity.LOW
    except ValueError as exc:
        raise fail_usage(str(exc)) from None
    try:
        outcome = merge_reports(reports, threshold)
    except MergeError as exc:
        raise fail_usage(str(exc)) from None
    emit(outcome.report, fmt or default_format(), output, color)
    if not outcome.merged_any:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(gate(outcome.report.findings, threshold))
