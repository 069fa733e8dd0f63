"""Makefiles: recipe lines, each run by its own shell; simple assignments are remembered.

Only tab-indented lines after a rule (and ``target: deps ; cmd`` inline recipes) are shell;
variable assignments, directives and ``define`` blocks are make's own language.  Recipe
prefixes (``@``, ``-``, ``+``) are cut off, and ``NAME = value`` assignments go into the
file state so a ``$(DOCKER) run`` recipe resolves its program.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator

from dockward.readers.base import SourceFile
from dockward.readers.commands.chunks import FileState, build_chunk
from dockward.readers.commands.variables import MakeVariables
from dockward.readers.commands.words import CommandText

_MAKE_ASSIGN = re.compile(
    r"^(?:(?:export|override|private)\s+)*(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)\s*"
    r"(?P<op>:{1,3}=|\?=|\+=|!=|=)\s*(?P<value>.*)$"
)
_MAKE_DIRECTIVE = re.compile(
    r"^\s*(?:ifeq|ifneq|ifdef|ifndef|else|endif|include|-include|sinclude|vpath|unexport)\b"
)


def makefile_chunks(src: SourceFile, state: FileState) -> Iterator[CommandText]:
    """Recipe lines (tab-indented, after a rule), each run by its own shell."""
    lines = [line.rstrip("\r") for line in src.text.split("\n")]
    state.make = state.make or MakeVariables()
    in_rule = in_define = False
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        stripped = line.strip()
        if in_define:
            in_define = not stripped.startswith("endef")
            i += 1
            continue
        if line.startswith("\t") and in_rule:
            i = yield from _recipe(src, lines, i, 1)
            continue
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        if stripped.startswith("define ") or stripped == "define":
            in_define = True
        elif _MAKE_DIRECTIVE.match(line):
            pass
        else:
            assign = _MAKE_ASSIGN.match(_joined(lines, i))
            if assign and ":" not in stripped.split("=", 1)[0].rstrip(":?+!"):
                value = assign.group("value").strip()
                if value and " " not in value:
                    state.variables.setdefault(assign.group("name"), value)
                state.make.assign(assign.group("name"), assign.group("op"), value, i + 1)
                in_rule = False
            elif ":" in line and not line.startswith((" ", "\t")):
                in_rule = True
                semi = _rule_recipe_start(line)
                if semi is not None:
                    i = yield from _recipe(src, lines, i, semi)
                    continue
            else:
                in_rule = False
        # skip continuation lines of a non-recipe statement
        while i < n and lines[i].endswith("\\"):
            i += 1
        i += 1


def _joined(lines: list[str], i: int) -> str:
    """A statement with its backslash continuations joined, as make reads it."""
    text = lines[i].strip()
    while text.endswith("\\") and i + 1 < len(lines):
        i += 1
        text = text[:-1].rstrip() + " " + lines[i].strip()
    return _strip_comment(text)


def _strip_comment(text: str) -> str:
    """Make comments start at an unescaped ``#``, even inside a variable's value."""
    cut = text.find("#")
    while cut > 0 and text[cut - 1] == "\\":
        cut = text.find("#", cut + 1)
    return text if cut < 0 else text[:cut].rstrip()


def _rule_recipe_start(line: str) -> int | None:
    """Column offset of an inline recipe (``target: deps ; cmd``)."""
    colon = line.find(":")
    semi = line.find(";", colon)
    if colon < 0 or semi < 0:
        return None
    return semi + 1


def _recipe(src: SourceFile, lines: list[str], i: int,
            first_offset: int) -> Generator[CommandText, None, int]:
    """Yield one recipe line (with its continuations); return the next line index."""
    pieces: list[tuple[str, int, int]] = []
    line = lines[i]
    body = line[first_offset:]
    lead = len(body) - len(body.lstrip(" \t@-+"))
    pieces.append((body[lead:], i + 1, first_offset + lead + 1))
    while line.endswith("\\") and i + 1 < len(lines):
        i += 1
        line = lines[i]
        if line.startswith("\t"):
            pieces.append((line[1:], i + 1, 2))
        else:
            pieces.append((line, i + 1, 1))
    chunk = build_chunk(pieces, "makefile", src.display)
    if chunk is not None:
        yield chunk
    return i + 1
