"""Compose variable interpolation, without guessing.

Compose substitutes ``${VAR}`` from the shell environment and the project's ``.env`` file
before it reads any setting, so ``privileged: ${PRIV:-true}`` is a privileged container.
A scanner must do the same substitution to see what will be deployed, but it must also stay
reproducible: the scan of a repository cannot depend on the scanning machine's environment.
So variables come only from the mapping the caller passes (the ``.env`` next to the compose
file), never from ``os.environ``, and a variable that has neither a value nor a default is
reported as unresolved, with its raw ``${VAR}`` text kept in place, rather than guessed.

Supported forms (the compose-spec's): ``$VAR``, ``${VAR}``, ``${VAR:-default}``,
``${VAR-default}``, ``${VAR:?error}``, ``${VAR?error}``, ``${VAR:+alt}``, ``${VAR+alt}``,
``$$`` (a literal ``$``) and defaults that nest further substitutions
(``${A:-${B:-x}}``).  A ``$`` that starts none of these is kept as text.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from dockward.text import split_lines

_NAME = re.compile(r"[_A-Za-z][_A-Za-z0-9]*")
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")
_MAX_NESTING = 16  # nested defaults deeper than this are kept as raw text
log = logging.getLogger(__name__)
_MAX_ENV_FILE_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class Interpolated:
    """The substituted text and the variables that could not be resolved (in order)."""

    value: str
    unresolved: tuple[str, ...] = ()

    @property
    def resolved(self) -> bool:
        return not self.unresolved


def interpolate(text: str, env: Mapping[str, str]) -> Interpolated:
    """Substitute compose variables in ``text`` from ``env`` only.

    A missing variable with a default (``:-``/``-``) takes the default; with ``:+``/``+``
    it yields the empty string, as compose does for an unset variable.  A missing variable
    with no default (``${VAR}``, ``$VAR``, ``${VAR:?err}``) is unresolved: its raw text is
    kept and its name is listed in ``unresolved``.
    """
    if "$" not in text:
        return Interpolated(text)
    unresolved: list[str] = []
    value = _expand(text, env, unresolved, 0)
    return Interpolated(value, tuple(dict.fromkeys(unresolved)))


def _expand(text: str, env: Mapping[str, str], unresolved: list[str], depth: int) -> str:
    out: list[str] = []
    pos, end = 0, len(text)
    while pos < end:
        dollar = text.find("$", pos)
        if dollar < 0:
            out.append(text[pos:])
            break
        out.append(text[pos:dollar])
        following = text[dollar + 1 : dollar + 2]
        if following == "$":
            out.append("$")
            pos = dollar + 2
        elif following == "{":
            close = _closing_brace(text, dollar)
            if close < 0:  # unterminated: compose refuses it; we keep the text
                out.append(text[dollar:])
                break
            raw = text[dollar : close + 1]
            out.append(_braced(text[dollar + 2 : close], raw, env, unresolved, depth))
            pos = close + 1
        else:
            match = _NAME.match(text, dollar + 1)
            if match is None:
                out.append("$")
                pos = dollar + 1
                continue
            name = match.group()
            if name in env:
                out.append(env[name])
            else:
                unresolved.append(name)
                out.append(text[dollar : match.end()])
            pos = match.end()
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing the ``${`` at ``start``; every ``${`` opens a level."""
    depth, pos, end = 0, start, len(text)
    while pos < end:
        if text.startswith("${", pos):
            depth += 1
            pos += 2
            continue
        if text[pos] == "}":
            depth -= 1
            if depth == 0:
                return pos
        pos += 1
    return -1


def _braced(inner: str, raw: str, env: Mapping[str, str], unresolved: list[str], depth: int) -> str:
    """Evaluate the inside of ``${...}``; ``raw`` is the whole expression, kept when unknown."""
    match = _NAME.match(inner)
    if match is None or depth >= _MAX_NESTING:
        return raw
    name, rest = match.group(), inner[match.end() :]
    is_set = name in env
    non_empty = is_set and env[name] != ""
    if not rest:
        if is_set:
            return env[name]
        unresolved.append(name)
        return raw
    operator = next((op for op in _OPERATORS if rest.startswith(op)), None)
    if operator is None:  # ${VAR/x/y} and other shell forms compose does not support
        return raw
    argument = rest[len(operator) :]
    use_value = non_empty if operator.startswith(":") else is_set
    kind = operator[-1]
    if kind == "-":
        return env[name] if use_value else _expand(argument, env, unresolved, depth + 1)
    if kind == "+":
        return _expand(argument, env, unresolved, depth + 1) if use_value else ""
    if use_value:  # "?": required variable
        return env[name]
    unresolved.append(name)
    return raw


def read_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """Variables from a compose ``.env`` file; empty when the file does not exist.

    A missing ``.env`` is the normal case, so it is not an error; anything that is not a
    regular file (a directory, a FIFO, ``/dev/zero``), is too big, or is a link leaving the
    scanned folders (``.env -> /proc/self/environ`` would put dockward's own environment
    into findings) is ignored rather than read.
    """
    from dockward.readers.files import Refused, decode_text, read_bytes

    try:
        data = read_bytes(path, _MAX_ENV_FILE_BYTES)
    except Refused as exc:
        if os.path.lexists(path):
            log.info("%s: %s", path, exc.reason)
        return {}
    return parse_env_text(decode_text(data, str(path))[0])


def parse_env_text(text: str) -> dict[str, str]:
    """Parse dotenv text the way compose does.

    ``KEY=value``, optional ``export``, ``#`` comments (also after an unquoted value),
    single quotes (literal), double quotes (escapes, may span lines) and ``${VAR}``
    references to variables defined earlier in the same file.  A bare ``KEY`` would be taken
    from the caller's shell; we have none, so it is skipped.
    """
    env: dict[str, str] = {}
    lines = split_lines(text.lstrip("\ufeff"))
    index = 0
    while index < len(lines):
        line = lines[index].strip()
        index += 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("export ") or line.startswith("export\t"):
            line = line[7:].lstrip()
        key, sep, rest = line.partition("=")
        key = key.strip()
        if not sep or not key or any(ch.isspace() for ch in key):
            continue
        rest = rest.strip()
        if rest[:1] in ("'", '"'):
            body, index = _quoted_value(rest, lines, index)
            if rest[0] == '"':
                body = interpolate(_unescape(body), env).value
            env[key] = body
        else:
            env[key] = interpolate(_strip_comment(rest), env).value
    return env


def _quoted_value(rest: str, lines: list[str], index: int) -> tuple[str, int]:
    """The text between the opening quote and its closing quote, possibly on later lines."""
    quote, body = rest[0], rest[1:]
    while True:
        close = _find_closing_quote(body, quote)
        if close >= 0:
            return body[:close], index
        if index >= len(lines):  # unterminated: take the rest as the value
            return body, index
        body = f"{body}\n{lines[index]}"
        index += 1


def _find_closing_quote(text: str, quote: str) -> int:
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "\\" and quote == '"':
            pos += 2
            continue
        if char == quote:
            return pos
        pos += 1
    return -1


def _unescape(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$$"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text)


def _strip_comment(value: str) -> str:
    """``value # comment`` -> ``value``; a ``#`` inside a word (``a#b``) is kept."""
    for pos, char in enumerate(value):
        if char == "#" and (pos == 0 or value[pos - 1].isspace()):
            return value[:pos].rstrip()
    return value
