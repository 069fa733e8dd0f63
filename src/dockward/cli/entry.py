"""The ``dockward`` executable: answers ``--version`` before importing anything else.

Importing the command line (typer, click, every command's options) costs several times a
bare interpreter's start-up; ``dockward --version`` (what scripts and package managers run
to check an install) needs none of it.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from dockward import __version__

        sys.stdout.write(f"dockward {__version__}\n")
        return
    from dockward.cli.app import main as run_app

    run_app()
