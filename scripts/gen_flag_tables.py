#!/usr/bin/env python3
"""Generate the docker and podman flag tables from the CLIs' own ``--help``.

The run-line reader must know which flags take a value (``-v /a:/b`` would otherwise
swallow the image whenever an unknown boolean precedes it), so its tables must match the
CLIs exactly.  This script reads ``docker run --help``, ``docker create --help`` and
``docker --help`` (and the same for podman) from the CLIs installed here and writes
``src/dockward/readers/commands/cli_flags.py``.  The module is committed: tests and users
never run the CLIs.  nerdctl cannot be installed here; its table is kept by hand in
``cli_flags_nerdctl.py`` in the same format.

Flags a CLI accepts without listing them (hidden aliases, API-version-gated flags,
cobra's ``--help``) and flags of releases newer than the installed CLI come from
``EXTRA_FLAGS`` below, each with the reason, so the tables never lose a flag.

    python scripts/gen_flag_tables.py           # regenerate the module
    python scripts/gen_flag_tables.py --check   # exit 1 if the module differs

A CLI that is not installed keeps the committed table (``--check`` says so).
"""

from __future__ import annotations

import argparse
import difflib
import importlib.util
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
MODULE = ROOT / "src" / "dockward" / "readers" / "commands" / "cli_flags.py"

# "  -v, --volume list    Bind mount..." / "      --detach-keys [a-Z]   ..." / "  -d, --detach"
_HELP_LINE = re.compile(
    r"^\s{2,}(?:-(?P<short>\w), )?--(?P<long>[A-Za-z0-9][A-Za-z0-9-]*)"
    r"(?: (?P<type>\S+))?(?:\s{2,}|$)"
)
_VERSION = re.compile(r"version (\d+\.\d+\.\d+)")


@dataclass(frozen=True)
class Flag:
    short: str
    takes_value: bool
    type: str  # the value type the help prints ("bool" for none)
    note: str = ""  # why an extra flag is there


@dataclass(frozen=True)
class TableSource:
    name: str
    program: str
    commands: tuple[tuple[str, ...], ...]  # argv after the program, each ending in --help
    about: str


TABLES = (
    TableSource("DOCKER_RUN_FLAGS", "docker", (("run", "--help"), ("create", "--help")),
                "`docker run` and `docker create` (create takes a subset)"),
    TableSource("DOCKER_GLOBAL_FLAGS", "docker", (("--help",),),
                "options before the subcommand (`docker -H tcp://x run ...`)"),
    TableSource("PODMAN_RUN_FLAGS", "podman", (("run", "--help"), ("create", "--help")),
                "`podman run` and `podman create`"),
    TableSource("PODMAN_GLOBAL_FLAGS", "podman", (("--help",),),
                "options before the subcommand (`podman --remote run ...`)"),
)

_HIDDEN_ALIAS = "hidden alias"
_PODMAN5 = "podman 5, newer than the podman read"
EXTRA_FLAGS: dict[str, dict[str, Flag]] = {
    "DOCKER_RUN_FLAGS": {
        "net": Flag("", True, "network", f"{_HIDDEN_ALIAS} (--network)"),
        "net-alias": Flag("", True, "list", f"{_HIDDEN_ALIAS} (--network-alias)"),
        "dns-opt": Flag("", True, "list", f"{_HIDDEN_ALIAS} (--dns-option)"),
        "help": Flag("", False, "bool", "cobra's own flag, not listed"),
    },
    "DOCKER_GLOBAL_FLAGS": {
        "help": Flag("", False, "bool", "cobra's own flag, not listed"),
    },
    "PODMAN_RUN_FLAGS": {
        "gpus": Flag("", True, "strings", "hidden in podman 4, accepted"),
        "cert-dir": Flag("", True, "string", _PODMAN5),
        "creds": Flag("", True, "string", _PODMAN5),
        "decryption-key": Flag("", True, "strings", _PODMAN5),
        "group-entry": Flag("", True, "string", _PODMAN5),
        "preserve-fd": Flag("", True, "uints", _PODMAN5),
        "rdt-class": Flag("", True, "string", _PODMAN5),
        "retry": Flag("", True, "uint", _PODMAN5),
        "retry-delay": Flag("", True, "string", _PODMAN5),
        "shm-size-systemd": Flag("", True, "string", _PODMAN5),
    },
    "PODMAN_GLOBAL_FLAGS": {
        "config": Flag("", True, "string", "hidden in podman 4, accepted"),
        "db-backend": Flag("", True, "string", _PODMAN5),
        "imagestore": Flag("", True, "string", _PODMAN5),
        "module": Flag("", True, "strings", _PODMAN5),
        "out": Flag("", True, "string", _PODMAN5),
        "transient-store": Flag("", False, "bool", _PODMAN5),
    },
}


def parse_help(text: str) -> dict[str, Flag]:
    """The flags a cobra/pflag ``--help`` lists: short letter, value or not, type.

    A type with an optional value (``string[="x"]``) does not take the next word.
    """
    flags: dict[str, Flag] = {}
    for line in text.splitlines():
        match = _HELP_LINE.match(line)
        if match is None:
            continue
        kind = match["type"] or "bool"
        takes_value = match["type"] is not None and "[=" not in kind
        flags[match["long"]] = Flag(match["short"] or "", takes_value, kind)
    return flags


def _run(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, timeout=60,
                          check=False).stdout


def from_cli(source: TableSource, binary: str) -> dict[str, Flag]:
    """One table read from the installed CLI, plus its extras."""
    table: dict[str, Flag] = {}
    for command in source.commands:
        listed = parse_help(_run([binary, *command]))
        if len(listed) < 10:
            raise SystemExit(f"{binary} {' '.join(command)} listed {len(listed)} flags: "
                             "is the CLI working?")
        for name, flag in listed.items():
            previous = table.setdefault(name, flag)
            if (previous.short, previous.takes_value) != (flag.short, flag.takes_value):
                raise SystemExit(f"{binary} {' '.join(command)}: --{name} is read differently "
                                 "than in the other help text; one table cannot hold both")
    for name, flag in EXTRA_FLAGS.get(source.name, {}).items():
        table.setdefault(name, flag)
    return table


def cli_version(binary: str) -> str:
    match = _VERSION.search(_run([binary, "--version"]))
    return match.group(1) if match else "unknown"


def render(tables: dict[str, dict[str, Flag]], versions: dict[str, str]) -> str:
    """The text of the generated module."""
    out = [
        '"""Flag tables of the docker and podman CLIs.  GENERATED by scripts/gen_flag_tables.py.',
        "",
        "Do not edit by hand: run ``python scripts/gen_flag_tables.py`` (``--check`` compares",
        f"without writing).  Read from the ``--help`` of docker {versions['docker']} and "
        f"podman {versions['podman']}.",
        'Each table maps a long flag name to (its short letter or "", whether it takes a',
        "value); the comment is the value type the help prints, and \"extra\" marks a flag the",
        "help does not list (EXTRA_FLAGS in the script says why).",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "FlagTable = dict[str, tuple[str, bool]]",
        "",
        f'DOCKER_VERSION = "{versions["docker"]}"',
        f'PODMAN_VERSION = "{versions["podman"]}"',
    ]
    for source in TABLES:
        out += ["", f"# {source.about}", f"{source.name}: FlagTable = {{"]
        for name in sorted(tables[source.name]):
            flag = tables[source.name][name]
            comment = f"{flag.type}; extra: {flag.note}" if flag.note else flag.type
            out.append(f'    "{name}": ("{flag.short}", {flag.takes_value}),  # {comment}')
        out.append("}")
    return "\n".join(out) + "\n"


def _committed() -> ModuleType | None:
    if not MODULE.exists():
        return None
    spec = importlib.util.spec_from_file_location("cli_flags_committed", MODULE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _from_committed(module: ModuleType, source: TableSource) -> dict[str, Flag]:
    """A table as committed (for a CLI that is not installed here), types from comments."""
    kinds: dict[str, tuple[str, str]] = {}
    inside = False
    for line in MODULE.read_text().splitlines():
        if line.startswith(f"{source.name}: "):
            inside = True
        elif inside and line == "}":
            break
        match = re.match(r'\s+"([^"]+)": \("\w?", (?:True|False)\),  # (\S+?)(?:; extra: (.*))?$',
                         line)
        if inside and match:
            kinds[match.group(1)] = (match.group(2), match.group(3) or "")
    table = getattr(module, source.name)
    return {name: Flag(short, takes, *kinds.get(name, ("?", "")))
            for name, (short, takes) in table.items()}


def build() -> tuple[str, list[str]]:
    """The module text, and the programs whose committed tables were kept."""
    committed = _committed()
    tables: dict[str, dict[str, Flag]] = {}
    versions: dict[str, str] = {}
    kept: list[str] = []
    for source in TABLES:
        binary = shutil.which(source.program)
        if binary is None:
            if committed is None:
                raise SystemExit(f"{source.program} is not installed and no table is committed")
            tables[source.name] = _from_committed(committed, source)
            versions[source.program] = getattr(committed, f"{source.program.upper()}_VERSION")
            if source.program not in kept:
                kept.append(source.program)
            continue
        tables[source.name] = from_cli(source, binary)
        versions[source.program] = cli_version(binary)
    return render(tables, versions), kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare with the committed module instead of writing it")
    args = parser.parse_args(argv)
    text, kept = build()
    for program in kept:
        print(f"{program} is not installed: its committed table is kept as it is")
    if args.check:
        current = MODULE.read_text() if MODULE.exists() else ""
        if current == text:
            print(f"{MODULE.relative_to(ROOT)} is up to date")
            return 0
        sys.stdout.writelines(difflib.unified_diff(
            current.splitlines(keepends=True), text.splitlines(keepends=True),
            "committed", "from the CLIs"))
        print(f"{MODULE.relative_to(ROOT)} differs: run python scripts/gen_flag_tables.py")
        return 1
    MODULE.write_text(text)
    print(f"wrote {MODULE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
