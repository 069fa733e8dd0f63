"""The ``dockward`` command.  Nothing heavy is imported here: ``--version`` stays instant."""

from __future__ import annotations

from typing import Annotated

import typer

from dockward import __version__
from dockward.cli import (
    audit_cmd,
    fix_cmd,
    guard_cmd,
    inside_cmd,
    plugin_cmd,
    report_cmd,
    rules_cmd,
    scan_cmd,
    tighten_cmd,
)

app = typer.Typer(
    name="dockward",
    help="Find, explain, fix and block Docker settings that let a container escape to its "
    "host or exhaust it.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dockward {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging on stderr.")
                       ] = False,
) -> None:
    """dockward: Docker hardening scanner, auditor and guard."""
    import logging

    from dockward.text import EscapingFormatter

    handler = logging.StreamHandler()
    handler.setFormatter(EscapingFormatter("dockward: %(levelname)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        handlers=[handler])


app.command("scan")(scan_cmd.scan)
app.command("fix")(fix_cmd.fix)
app.command("audit")(audit_cmd.audit)
app.command("rules")(rules_cmd.rules)
app.command("explain")(rules_cmd.explain)
app.command("inside")(inside_cmd.inside)
app.command("tighten")(tighten_cmd.tighten)
app.command("install-docker-plugin")(plugin_cmd.install_docker_plugin)
app.add_typer(report_cmd.report_app)
app.add_typer(guard_cmd.app, name="guard")


def main() -> None:
    """Run the CLI; an internal error exits 3 with a short message, never 1 (which means
    "findings"), so CI can tell a broken run from a failing one."""
    import sys

    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("dockward: interrupted\n")
        raise SystemExit(130) from None
    except Exception as exc:  # the last line of defence: anything a command did not catch
        import traceback

        from dockward.cli.common import EXIT_INTERNAL
        from dockward.text import visible

        detail = "".join(traceback.format_exception(exc)) if _debug() else ""
        sys.stderr.write(f"{detail}dockward: internal error: {visible(type(exc).__name__)}: "
                         f"{visible(str(exc))[:500]}\nThis is a bug in dockward; please "
                         "report it (run with DOCKWARD_DEBUG=1 for the traceback).\n")
        raise SystemExit(EXIT_INTERNAL) from None


def _debug() -> bool:
    import os

    return os.environ.get("DOCKWARD_DEBUG", "") not in ("", "0")
