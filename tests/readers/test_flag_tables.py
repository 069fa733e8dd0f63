"""The CLI flag tables: generated from the CLIs' --help by scripts/gen_flag_tables.py.

The tests never run the CLIs: they check the generator on captured help text and that the
committed module is exactly what the generator writes from its own tables.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from dockward.readers.commands import cli_flags, cli_flags_nerdctl
from dockward.readers.commands.cli import GLOBAL_FLAGS, RUN_FLAGS

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("gen_flag_tables",
                                               ROOT / "scripts" / "gen_flag_tables.py")
assert _spec and _spec.loader
gen = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = gen  # dataclasses look their module up
_spec.loader.exec_module(gen)

# Excerpts of `docker run --help` (28.2) and `podman run --help` (4.3), as printed.
DOCKER_HELP = """\
Usage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]

Options:
      --add-host list                    Add a custom host-to-IP mapping
                                         (host:ip)
  -a, --attach list                      Attach to STDIN, STDOUT or STDERR
  -d, --detach                           Run container in background and
                                         print container ID
      --gpus gpu-request                 GPU devices to add to the
      --privileged                       Give extended privileges to this
  -v, --volume list                      Bind mount a volume
"""
PODMAN_HELP = """\
Options:
      --detach-keys [a-Z]                        Override the key sequence for detaching
  -m, --memory <number>[<unit>]                  Memory limit (format: <number>[<unit>])
      --rm                                       Remove container after exit
      --tls-verify string[="true"]               An optional value
"""


def test_docker_help_lines() -> None:
    flags = gen.parse_help(DOCKER_HELP)
    assert {name: (f.short, f.takes_value, f.type) for name, f in flags.items()} == {
        "add-host": ("", True, "list"),
        "attach": ("a", True, "list"),
        "detach": ("d", False, "bool"),
        "gpus": ("", True, "gpu-request"),
        "privileged": ("", False, "bool"),
        "volume": ("v", True, "list"),
    }


def test_podman_help_lines_and_optional_values() -> None:
    flags = gen.parse_help(PODMAN_HELP)
    assert {name: (f.short, f.takes_value) for name, f in flags.items()} == {
        "detach-keys": ("", True),
        "memory": ("m", True),
        "rm": ("", False),
        "tls-verify": ("", False),  # an optional value never takes the next word
    }


def test_committed_module_is_what_the_generator_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no CLI installed the generator keeps the committed tables: rendering them
    again must give the committed file byte for byte (no hand edits)."""
    monkeypatch.setattr(gen.shutil, "which", lambda _name: None)
    text, kept = gen.build()
    assert kept == ["docker", "podman"]
    assert text == gen.MODULE.read_text()


def test_render_round_trip() -> None:
    tables = {source.name: {"volume": gen.Flag("v", True, "list"),
                            "rm": gen.Flag("", False, "bool", "why")}
              for source in gen.TABLES}
    text = gen.render(tables, {"docker": "1.2.3", "podman": "4.5.6"})
    namespace: dict[str, object] = {}
    exec(compile(text, "cli_flags", "exec"), namespace)
    assert namespace["DOCKER_RUN_FLAGS"] == {"rm": ("", False), "volume": ("v", True)}
    assert namespace["PODMAN_VERSION"] == "4.5.6"
    assert '    "rm": ("", False),  # bool; extra: why' in text


def test_extras_are_in_the_tables() -> None:
    """Flags the help does not list but the CLIs accept are not lost."""
    for table, extras in gen.EXTRA_FLAGS.items():
        committed = getattr(cli_flags, table)
        for name, flag in extras.items():
            assert committed[name] == (flag.short, flag.takes_value), (table, name)


@pytest.mark.parametrize(
    ("program", "name", "expected"),
    [("docker", "volume", ("v", True)), ("docker", "privileged", ("", False)),
     ("docker", "net", ("", True)), ("docker", "help", ("", False)),
     ("podman", "uidmap", ("", True)), ("podman", "publish", ("p", True)),
     ("nerdctl", "cosign-key", ("", True)), ("nerdctl", "env", ("e", True))],
)
def test_run_flags_per_program(program: str, name: str, expected: tuple[str, bool]) -> None:
    assert RUN_FLAGS[program][name] == expected


def test_global_flags_per_program() -> None:
    assert GLOBAL_FLAGS["docker"]["host"] == ("H", True)
    assert GLOBAL_FLAGS["podman"]["remote"] == ("r", False)
    assert GLOBAL_FLAGS["nerdctl"] is cli_flags_nerdctl.NERDCTL_GLOBAL_FLAGS
    assert GLOBAL_FLAGS["nerdctl"]["namespace"] == ("n", True)
