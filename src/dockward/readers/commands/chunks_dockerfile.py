"""Dockerfiles: ``RUN`` instructions in shell form, exec form and with heredocs.

RUN ranges come from the BuildKit parser (the ``dockerfile`` package) when it accepts the
file, by hand otherwise, so a Dockerfile with a syntax error is still scanned.  Shell-form
chunks set ``shell_heredoc_default``: ``RUN <<EOF`` runs its heredoc as the script.
"""

from __future__ import annotations

import json
import logging
import re
import shlex
from collections.abc import Iterator

from dockward.readers.base import SourceFile
from dockward.readers.commands.chunks import FileState, build_chunk
from dockward.readers.commands.words import CommandText, Span

log = logging.getLogger(__name__)


_RUN_LINE = re.compile(r"^\s*(?:onbuild\s+)?run\b", re.IGNORECASE)
_RUN_PREFIX = re.compile(r"^\s*(?:onbuild\s+)?run\s+(?:--\S+\s+)*", re.IGNORECASE)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_DIRECTIVE = re.compile(r"^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$")


def dockerfile_chunks(src: SourceFile, state: FileState) -> Iterator[CommandText]:
    """RUN instructions (shell form, exec form, heredocs); comments are not commands."""
    lines = [line.rstrip("\r") for line in src.text.split("\n")]
    escape = escape_character(lines)
    for start, end, is_json in _run_ranges(src.text, lines, escape):
        if is_json:
            chunk = _exec_form(src, lines, start, end)
        else:
            chunk = _shell_form(src, lines, start, end, escape)
        if chunk is not None:
            yield chunk


def escape_character(lines: list[str]) -> str:
    """The ``# escape=`` parser directive (`````` in Windows images), ``\\`` by default.

    Directives are only read at the top of the file, before any blank line, other comment
    or instruction."""
    for line in lines:
        match = _DIRECTIVE.match(line.strip())
        if match is None:
            break
        if match.group(1).lower() == "escape" and match.group(2) in ("`", "\\"):
            return match.group(2)
    return "\\"


def _as_shell_continuation(line: str, escape: str) -> str:
    """A line continued with the Dockerfile's escape character, continued for the shell
    (`````` becomes ``\\`` at the same column, so positions stay exact)."""
    if escape == "\\":
        return line
    stripped = line.rstrip()
    if stripped.endswith(escape):
        return stripped[:-1] + "\\"
    return line


def _run_ranges(text: str, lines: list[str], escape: str) -> list[tuple[int, int, bool]]:
    """(first line, last line, exec form) of each RUN, 1-based, from the BuildKit parser."""
    try:
        from dockward.readers.buildkit import parse_instructions

        parsed = parse_instructions(text)
    except Exception as exc:  # the Dockerfile reader reports syntax errors; we scan on
        log.debug("dockerfile parser failed (%s); scanning RUN lines by hand", exc)
        return _run_ranges_by_hand(lines, escape)
    ranges: list[tuple[int, int, bool]] = []
    for instruction in parsed:
        name = (instruction.cmd or "").upper()
        if name == "RUN" or (name == "ONBUILD" and (instruction.sub_cmd or "").upper() == "RUN"):
            ranges.append((instruction.start_line, instruction.end_line, instruction.json))
    return ranges


def _run_ranges_by_hand(lines: list[str], escape: str) -> list[tuple[int, int, bool]]:
    ranges: list[tuple[int, int, bool]] = []
    i = 0
    while i < len(lines):
        if _RUN_LINE.match(lines[i]):
            start = i
            while lines[i].rstrip().endswith(escape) and i + 1 < len(lines):
                i += 1
            body = _RUN_PREFIX.sub("", lines[start]).lstrip()
            ranges.append((start + 1, i + 1, body.startswith("[")))
        i += 1
    return ranges


def _shell_form(src: SourceFile, lines: list[str], start: int, end: int,
                escape: str) -> CommandText | None:
    first = lines[start - 1] if start - 1 < len(lines) else ""
    prefix = _RUN_PREFIX.match(first)
    cut = prefix.end() if prefix else 0
    heredoc = "<<" in first
    pieces = [(_as_shell_continuation(first[cut:], escape), start, cut + 1)]
    for number in range(start + 1, min(end, len(lines)) + 1):
        line = lines[number - 1]
        # the Dockerfile parser drops comment and blank lines inside a continuation;
        # inside a heredoc body they are part of the script
        if (not line.strip() or line.lstrip().startswith("#")) and not heredoc:
            continue
        pieces.append((line if heredoc else _as_shell_continuation(line, escape), number, 1))
    return build_chunk(pieces, "dockerfile", src.display, heredoc_default=True)


def _exec_form(src: SourceFile, lines: list[str], start: int, end: int) -> CommandText | None:
    """``RUN ["docker", "run", ...]``: rebuild a shell-quoted line mapped to each string."""
    pieces: list[str] = []
    spans: list[Span] = []
    offset = 0
    for number in range(start, min(end, len(lines)) + 1):
        for match in _JSON_STRING.finditer(lines[number - 1]):
            try:
                value = json.loads(match.group())
            except ValueError:
                continue
            if not isinstance(value, str):
                continue
            quoted = shlex.quote(value)
            if pieces:
                pieces.append(" ")
                offset += 1
            spans.append(Span(offset, number, match.start() + 1))
            pieces.append(quoted)
            offset += len(quoted)
    if not spans:
        return None
    return CommandText(text="".join(pieces), spans=tuple(spans), origin="dockerfile",
                       file=src.display)
