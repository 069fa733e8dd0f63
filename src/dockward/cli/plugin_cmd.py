"""``dockward install-docker-plugin``: make ``docker ward scan .`` / ``docker ward audit`` work.

The docker CLI discovers plugins as executables named ``docker-<name>`` in
``$DOCKER_CONFIG/cli-plugins`` (default ``~/.docker/cli-plugins``).  It first runs
``docker-ward docker-cli-plugin-metadata`` and expects a small JSON document, then runs
``docker-ward ward ARGS...`` for ``docker ward ARGS...``.  The plugin written here is a
POSIX shell script that answers the metadata call itself (no Python start-up) and otherwise
execs this very interpreter's dockward, so it keeps working from a pipx or venv install.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from dockward import __version__
from dockward.cli.common import fail_usage

PLUGIN_NAME = "docker-ward"
MARKER = "# dockward docker CLI plugin"
SHORT_DESCRIPTION = "Find Docker settings that let containers escape (dockward)"


def default_plugin_dir() -> Path:
    """Where the docker CLI looks for per-user plugins."""
    config = os.environ.get("DOCKER_CONFIG")
    base = Path(config) if config else Path.home() / ".docker"
    return base / "cli-plugins"


def metadata() -> dict[str, str]:
    return {
        "SchemaVersion": "0.1.0",
        "Vendor": "dockward",
        "Version": __version__,
        "ShortDescription": SHORT_DESCRIPTION,
        "URL": "https://github.com/dockward/dockward",
    }


def _command() -> list[str]:
    """How the plugin starts dockward: the console script beside this interpreter if any."""
    script = Path(sys.executable).parent / "dockward"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "dockward"]


def plugin_script() -> str:
    """The plugin's text.

    The docker CLI passes its own global options first: ``docker -H ssh://x ward audit``
    runs ``docker-ward -H ssh://x ward audit``.  The script skips them up to the ``ward``
    word, turning the ones that choose the engine into the environment variables the
    Engine API client reads, so the audit talks to the engine the user named.
    """
    meta = json.dumps(metadata(), separators=(",", ":"))
    command = " ".join(shlex.quote(part) for part in _command())
    return f"""#!/bin/sh
{MARKER} (written by `dockward install-docker-plugin`; rerun it to update)
if [ "$1" = "docker-cli-plugin-metadata" ]; then
  printf '%s\\n' {shlex.quote(meta)}
  exit 0
fi
while [ $# -gt 0 ]; do
  case "$1" in
    ward) shift; break ;;
    --config=*) export DOCKER_CONFIG="${{1#*=}}"; shift ;;
    -H=*|--host=*) export DOCKER_HOST="${{1#*=}}"; shift ;;
    -c=*|--context=*) export DOCKER_CONTEXT="${{1#*=}}"; shift ;;
    --config|-H|--host|-c|--context|-l|--log-level|--tlscacert|--tlscert|--tlskey)
      [ $# -ge 2 ] || break
      case "$1" in
        --config) export DOCKER_CONFIG="$2" ;;
        -H|--host) export DOCKER_HOST="$2" ;;
        -c|--context) export DOCKER_CONTEXT="$2" ;;
      esac
      shift 2 ;;
    --tlsverify|--tlsverify=true) export DOCKER_TLS_VERIFY=1; shift ;;
    -*) shift ;;
    *) break ;;
  esac
done
exec {command} "$@"
"""


def install_docker_plugin(
    directory: Annotated[str | None, typer.Option("--dir",
        help="Plugin folder (default: $DOCKER_CONFIG/cli-plugins or ~/.docker/cli-plugins).")
    ] = None,
    force: Annotated[bool, typer.Option("--force",
        help="Replace a docker-ward that dockward did not write.")] = False,
) -> None:
    """Install the docker CLI plugin, so that 'docker ward scan .' and 'docker ward audit' work."""
    folder = Path(directory) if directory else default_plugin_dir()
    target = folder / PLUGIN_NAME
    if target.exists() and not force:
        try:
            ours = MARKER in target.read_text(encoding="utf-8", errors="replace")[:400]
        except OSError:
            ours = False
        if not ours:
            raise fail_usage(f"{target} exists and was not written by dockward (use --force)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{PLUGIN_NAME}.tmp"
        tmp.write_text(plugin_script(), encoding="utf-8")
        tmp.chmod(0o755)
        tmp.replace(target)
    except OSError as exc:
        raise fail_usage(f"cannot write {target}: {exc.strerror or exc}") from None
    typer.echo(f"installed {target}; try: docker ward scan .")
