"""Evidence of where dockerd listens, from command lines: the input of rule DW601.

A daemon reachable over TCP without client-certificate verification is root on the host for
anyone who can reach the port.  Scripts and docs show it in several ways, all read here:

- the daemon's own flags: ``dockerd -H tcp://0.0.0.0:2375`` (``--host=``, ``--tls``,
  ``--tlsverify``), in scripts, docs, systemd ``ExecStart=`` lines (also when a script
  writes a unit through a heredoc or ``sed``), and Ubuntu's ``DOCKER_OPTS="-H tcp://..."``;
- clients told to use such a daemon: ``DOCKER_HOST=tcp://...`` (shell assignments and
  exports, Makefile variables, GitHub Actions ``env:`` and GitLab ``variables:``),
  ``docker -H tcp://host:2375 ps``, ``docker run -e DOCKER_HOST=...`` and
  ``docker context create --docker host=tcp://...``.

Client evidence is role ``client``: it proves a daemon listens there, not how it was
started.  TLS for clients follows the docker CLI: ``--tlsverify`` or a non-empty
``DOCKER_TLS_VERIFY`` anywhere in the same file (the CLI treats any non-empty value as
on), or GitLab's ``DOCKER_TLS_CERTDIR`` (the docker image then verifies).
``daemon.json`` ``hosts`` are read by the daemon.json reader, not here.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from dockward.models.daemon import Daemon, Listener
from dockward.models.location import Location
from dockward.models.values import parse_bool
from dockward.readers.base import SourceFile
from dockward.readers.commands.chunks_ci_yaml import compose_yaml, mapping_items
from dockward.readers.commands.chunks_systemd import systemd_exec_chunk
from dockward.readers.commands.cli import FlagUse, parse_cli, parse_flags
from dockward.readers.commands.docker_run import parse_run
from dockward.readers.commands.split import lex_commands
from dockward.readers.commands.variables import expand_command
from dockward.readers.commands.words import Command, CommandText, Span, Word, is_assignment
from dockward.readers.specs import has_expansion

# dockerd options that matter here; any other flag is skipped (values are never mistaken
# for -H because the scan does not stop at positional words).
_DOCKERD_FLAGS: dict[str, tuple[str, bool]] = {
    "host": ("H", True),
    "tls": ("", False),
    "tlsverify": ("", False),
    "tlscacert": ("", True),
    "tlscert": ("", True),
    "tlskey": ("", True),
    "config-file": ("", True),
    "debug": ("D", False),
    "group": ("G", True),
    "log-level": ("l", True),
    "pidfile": ("p", True),
    "bridge": ("b", True),
    "data-root": ("", True),
    "graph": ("g", True),
}
_DOCKERD_SHORTS = {short: long for long, (short, _) in _DOCKERD_FLAGS.items() if short}

_EXEC_DOCKERD = re.compile(r"ExecStart\s*=\s*[-@:+!|]*(?=\S*dockerd\b)")
_DOCKER_OPTS = re.compile(r"\bDOCKER_OPTS\s*=\s*")
_MAKE_VAR = re.compile(
    r"^\s*(?:export\s+)?(?P<name>DOCKER_HOST|DOCKER_TLS_VERIFY|DOCKER_TLS_CERTDIR)\s*"
    r"(?::{1,3}=|\?=|=)\s*(?P<value>.*?)\s*$"
)
_ENV_KEYS = ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_TLS_CERTDIR")


@dataclass(slots=True)
class _Env:
    """DOCKER_* settings of the file, with where they were set."""

    hosts: list[tuple[str, Location]] = field(default_factory=list)
    tls_verify: bool = False

    def note(self, key: str, value: str, origin: Location) -> None:
        if key == "DOCKER_HOST":
            if value and _known_address(value):
                self.hosts.append((value, origin))
        elif key in ("DOCKER_TLS_VERIFY", "DOCKER_TLS_CERTDIR") and value.strip():
            self.tls_verify = True


def _known_address(value: str) -> bool:
    """Worth reporting when its scheme is visible: ``tcp://$IP:2375`` yes, ``$HOST`` no."""
    return not has_expansion(value.split("://", 1)[0]) and not value.startswith(("$", "`"))


def normalize_address(address: str) -> str:
    """``0.0.0.0:2375`` and ``:2375`` mean ``tcp://...`` to dockerd and the CLI."""
    text = address.strip().strip("'\"")
    if "://" in text or text.startswith("/"):
        return text
    return f"tcp://{text}"


def read_daemon_lines(src: SourceFile, commands: Iterable[Command]) -> Iterator[Daemon]:
    """Daemon evidence in ``src``; ``commands`` are the file's commands (``iter_commands``)."""
    commands = list(commands)
    env = _Env()
    daemons: list[Daemon] = []
    for command in commands:
        _command_env(command, env)
    _file_env(src, env)
    ordinal = 0
    for command in commands:
        for daemon in _from_command(command, env, ordinal):
            daemons.append(daemon)
            ordinal += 1
    for command in _raw_daemon_commands(src):
        raw_daemon = _dockerd(command, env, ordinal)
        if raw_daemon is not None:
            daemons.append(raw_daemon)
            ordinal += 1
    for value, origin in env.hosts:
        daemons.append(_client(value, origin, env.tls_verify, tls=False, name="DOCKER_HOST"))
    seen: set[tuple[int, int, str]] = set()
    for daemon in daemons:
        key = (daemon.anchor.line, daemon.anchor.column,
               ",".join(listener.address for listener in daemon.listeners))
        if key in seen:
            continue
        seen.add(key)
        yield daemon


def _location(command: Command, word: Word, path: str) -> Location:
    return Location(file=command.file, line=word.line, column=word.column, path=path)


def _command_env(command: Command, env: _Env) -> None:
    """DOCKER_* assignments: ``X=1 cmd``, ``X=1`` alone, ``export X=1``, ``env X=1 cmd``."""
    words: list[Word] = list(command.assignments)
    if not command.argv:
        words = [w for w in command.words if is_assignment(w)]
    elif command.program in ("export", "declare", "readonly", "typeset", "local", "set"):
        words += [w for w in command.argv[1:] if is_assignment(w)]
    for word in words:
        key, _, value = word.text.partition("=")
        if key in _ENV_KEYS:
            env.note(key, value, word.location(command.file, key))


def _file_env(src: SourceFile, env: _Env) -> None:
    """DOCKER_* settings outside shell commands: Makefile variables, CI YAML env blocks."""
    if src.kind == "makefile":
        for number, line in enumerate(src.text.split("\n"), start=1):
            if line.startswith("\t"):
                continue
            match = _MAKE_VAR.match(line)
            if match:
                origin = Location(src.display, number, match.start("name") + 1,
                                  path=match.group("name"))
                env.note(match.group("name"), match.group("value").strip("'\""), origin)
    elif src.kind == "ci-yaml":
        for key, value, origin in _yaml_env(src):
            env.note(key, value, origin)
    elif src.kind == "systemd":
        for number, line in enumerate(src.text.split("\n"), start=1):
            stripped = line.strip()
            if not stripped.startswith("Environment="):
                continue
            for word in lex_words(stripped[len("Environment="):], number,
                                  line.find("=") + 2, src.display):
                key, _, value = word.text.partition("=")
                if key in _ENV_KEYS:
                    env.note(key, value, Location(src.display, word.line, word.column,
                                                  path=key))


def _yaml_env(src: SourceFile) -> Iterator[tuple[str, str, Location]]:
    """``env:`` (GitHub Actions, any level) and ``variables:`` (GitLab) DOCKER_* entries."""
    import yaml

    seen: set[int] = set()

    def walk(node: object, path: str, depth: int) -> Iterator[tuple[str, str, Location]]:
        if depth > 12 or id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                yield from walk(item, f"{path}[{index}]", depth + 1)
            return
        for key, _, value in mapping_items(node):
            child = f"{path}.{key}" if path else key
            if key in ("env", "variables"):
                for name, key_node, value_node in mapping_items(value):
                    if name not in _ENV_KEYS:
                        continue
                    text = _scalar_value(value_node)
                    mark = key_node.start_mark
                    yield name, text, Location(src.display, mark.line + 1, mark.column + 1,
                                               path=f"{child}.{name}")
            else:
                yield from walk(value, child, depth + 1)

    for doc in compose_yaml(src, None):
        yield from walk(doc, "", 0)


def _scalar_value(node: object) -> str:
    """A variable's value: ``X: v`` or GitLab's ``X: {value: v, description: ...}``."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    for key, _, value in mapping_items(node):
        if key == "value" and isinstance(value, yaml.ScalarNode):
            return str(value.value)
    return ""


def lex_words(text: str, line: int, column: int, file: str) -> list[Word]:
    """The words of a one-line shell text at a known position."""
    ct = CommandText(text=text, spans=(Span(0, line, column),), origin="systemd", file=file)
    return [w for c in lex_commands(ct) for w in c.words]


def _from_command(command: Command, env: _Env, ordinal: int) -> Iterator[Daemon]:
    command = expand_command(command)  # `dockerd $DOCKER_OPTS`, `docker $(HOST_FLAGS) ps`
    program = command.program
    if program == "dockerd":
        daemon = _dockerd(command, env, ordinal)
        if daemon is not None:
            yield daemon
        return
    cli = parse_cli(command)
    if cli is None:
        return
    if cli.action == "daemon":  # docker daemon -H ... (docker < 1.12)
        daemon = _dockerd(command, env, ordinal, start=cli.args_start)
        if daemon is not None:
            yield daemon
        return
    tls_flags = [f for f in cli.globals if f.name in ("tls", "tlsverify")]
    verify = env.tls_verify or _flag_on(tls_flags, "tlsverify")
    tls = verify or _flag_on(tls_flags, "tls")
    for flag in [*cli.global_values("host"), *cli.global_values("url")]:  # podman: --url
        if flag.value and _known_address(flag.value):
            origin = command.location(flag.index, f"client[{ordinal}].argv[{flag.index}]")
            yield _client(flag.value, origin, verify, tls, name=f"{program} -H")
    yield from _run_env(command, env)
    if cli.action in ("context create", "context update"):
        yield from _context(cli.args, command)


def _run_env(command: Command, env: _Env) -> Iterator[Daemon]:
    """``docker run -e DOCKER_HOST=tcp://...``: the container is a client of that daemon."""
    run = parse_run(command)
    if run is None:
        return
    values = {f.value.partition("=")[0]: f for f in run.flags
              if f.name == "env" and f.value and "=" in f.value}
    host = values.get("DOCKER_HOST")
    if host is None or host.value is None:
        return
    tls_setting = values.get("DOCKER_TLS_VERIFY")
    verify = env.tls_verify or bool(tls_setting and (tls_setting.value or "").partition("=")[2])
    address = host.value.partition("=")[2]
    if address and _known_address(address):
        origin = run.cli.command.location(host.index, "DOCKER_HOST")
        yield _client(address, origin, verify, tls=False, name="DOCKER_HOST")


def _context(args: tuple[Word, ...], command: Command) -> Iterator[Daemon]:
    """``docker context create x --docker host=tcp://h:2376,ca=..,cert=..,key=..``."""
    for index, word in enumerate(args):
        text = word.text
        spec = None
        if text == "--docker" and index + 1 < len(args):
            spec = args[index + 1].text
        elif text.startswith("--docker="):
            spec = text.partition("=")[2]
        if spec is None:
            continue
        try:
            fields = next(csv.reader([spec]), [])
        except csv.Error:
            fields = spec.split(",")
        options = dict(f.partition("=")[::2] for f in fields)
        host = options.get("host", "")
        if not host or not _known_address(host):
            continue
        tls = any(options.get(k) for k in ("ca", "cert", "key"))
        verify = tls and not parse_bool(options.get("skip-tls-verify", "false"))
        origin = word.location(command.file, "docker.host")
        yield _client(host, origin, bool(verify), bool(tls), name="docker context")


def _flag_on(flags: list[FlagUse], name: str) -> bool:
    on = False
    for flag in flags:
        if flag.name == name:
            on = True if flag.value is None else bool(parse_bool(flag.value))
    return on


def _client(address: str, origin: Location, verify: bool, tls: bool, name: str) -> Daemon:
    listener = Listener(address=normalize_address(address), origin=origin, tls=tls or verify,
                        tls_verify=verify, role="client")
    return Daemon(name=name, anchor=origin, listeners=[listener],
                  origins={"hosts": origin}, source_kind="command-line")


def _dockerd(command: Command, env: _Env, ordinal: int, start: int = 1) -> Daemon | None:
    """A Daemon with every ``-H`` listener of a dockerd command line."""
    argv = command.argv
    if not argv:
        return None
    flags, _ = parse_flags(argv, start, _DOCKERD_FLAGS, _DOCKERD_SHORTS,
                           stop_at_positional=False)
    base = f"dockerd[{ordinal}]"
    anchor = command.location(0, base)
    origins: dict[str, Location] = {}
    for flag in flags:
        if flag.name in ("host", "tls", "tlsverify", "tlscacert", "tlscert", "tlskey"):
            origins.setdefault(flag.name, command.location(flag.index,
                                                           f"{base}.argv[{flag.index}]"))
    tls_flags = [f for f in flags if f.name in ("tls", "tlsverify")]
    # dockerd: --tlsverify given at all (or DOCKER_TLS_VERIFY) turns TLS on
    verify = _flag_on(tls_flags, "tlsverify") or (
        env.tls_verify and not any(f.name == "tlsverify" for f in tls_flags))
    tls = verify or _flag_on(tls_flags, "tls") or any(f.name == "tlsverify" for f in tls_flags)
    listeners = [
        Listener(address=normalize_address(flag.value), tls=tls, tls_verify=verify,
                 role="daemon",
                 origin=command.location(flag.index, f"{base}.argv[{flag.index}]"))
        for flag in flags
        if flag.name == "host" and flag.value and _known_address(flag.value)
    ]
    if not listeners and "host" not in origins:
        return None
    if "host" in origins:
        origins["hosts"] = origins.pop("host")
    return Daemon(name="dockerd", anchor=anchor, listeners=listeners,
                  flags=[w.text for w in argv[start:]], origins=origins,
                  source_kind="command-line")


def _raw_daemon_commands(src: SourceFile) -> Iterator[Command]:
    """dockerd lines that are data, not code: unit files written by scripts, DOCKER_OPTS.

    ``ExecStart=/usr/bin/dockerd -H tcp://...`` inside a heredoc, a ``sed`` expression or a
    Markdown ini block never reaches the shell lexer as a command; neither does
    ``DOCKER_OPTS="-H tcp://..."`` in ``/etc/default/docker``.  Systemd files are read as
    commands already (``kind == "systemd"``).
    """
    lines = src.text.split("\n")
    for index, line in enumerate(lines):
        if src.kind != "systemd" and "dockerd" in line:
            for match in _EXEC_DOCKERD.finditer(line):
                chunk, _ = systemd_exec_chunk(lines, index, match.end(), src.display,
                                              origin=src.kind)
                if chunk is not None:
                    yield from (c for c in lex_commands(chunk) if c.program == "dockerd")
        if "DOCKER_OPTS" in line:
            for match in _DOCKER_OPTS.finditer(line):
                yield from _docker_opts(line, index, match.end(), src.display)


def _docker_opts(line: str, index: int, start: int, file: str) -> Iterator[Command]:
    """``DOCKER_OPTS="-H tcp://0.0.0.0:2375"`` read as the arguments of a dockerd."""
    rest = line[start:]
    quote = rest[:1] if rest[:1] in "'\"" else ""
    body = rest[1:] if quote else rest
    if quote and quote in body:
        body = body[:body.index(quote)]
    column = start + len(quote) + 1
    words = lex_words(body, index + 1, column, file)
    if not words:
        return
    fake = Word(text="dockerd", raw="DOCKER_OPTS", line=index + 1,
                column=line.find("DOCKER_OPTS") + 1)
    yield Command(words=(fake, *words), file=file, origin="docker-opts")
