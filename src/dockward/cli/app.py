"""The ``dockward`` command.  Nothing heavy is imported here: ``--version`` stays instant,
and each command's module is imported only when that command runs (:mod:`.lazy`)."""

from __future__ import annotations

from typing import Annotated

import typer

from dockward import __version__
from dockward.cli.lazy import LazyCommand, LazyGroup


class DockwardGroup(LazyGroup):
    """The root group: every command, in the order ``--help`` lists them."""

    lazy_commands = [
        LazyCommand("scan", "dockward.cli.scan_cmd:scan"),
        LazyCommand("fix", "dockward.cli.fix_cmd:fix"),
        LazyCommand("audit", "dockward.cli.audit_cmd:audit"),
        LazyCommand("rules", "dockward.cli.rules_cmd:rules"),
        LazyCommand("explain", "dockward.cli.rules_cmd:explain"),
        LazyCommand("inside", "dockward.cli.inside_cmd:inside"),
        LazyCommand("tighten", "dockward.cli.tighten_cmd:tighten"),
        LazyCommand("install-docker-plugin", "dockward.cli.plugin_cmd:install_docker_plugin"),
        LazyCommand("report", "dockward.cli.report_cmd:report_app", group=True),
        LazyCommand("guard", "dockward.cli.guard_cmd:app", group=True),
    ]


app = typer.Typer(
    cls=DockwardGroup,
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
