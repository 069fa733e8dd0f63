"""Where the real comments of a file are, in the file's own syntax.

Inline ignores (``# dockward: ignore[...]``) are honoured only inside real comments: a
scanned repository is not trusted, and the same words inside a YAML string, an ``echo``
argument, a ``LABEL`` value or Markdown prose must not silence the scanner.  Each kind
finds its comments with the tool that reads it:

- YAML (compose, Kubernetes, CI YAML): libyaml's own scanner.  Comments are what lies
  between its tokens, so quoting, flow collections and block scalars are exactly what the
  parser makes of them; text after a scan error is not trusted.
- Shell text (scripts, Makefile recipes, Dockerfile ``RUN``, CI ``run:`` scripts, Markdown
  code blocks): the command lexer's comments, in the chunks the command reader reads.
- Dockerfiles: lines whose first non-blank character is ``#``, outside heredoc bodies.
- Makefiles: make's own ``#`` comments outside recipes.
- systemd units: lines starting with ``#`` or ``;``.
- Markdown: only inside fenced code blocks (prose is never a comment).

The result is a list of offsets into the text, each the first character of a comment
(the comment runs to the end of its line).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from dockward.readers.base import SourceFile
from dockward.text import LineIndex

_NEEDLE = "dockward"
_MD_FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})")


def comment_starts(src: SourceFile) -> list[int]:
    """Sorted offsets of the comments of ``src`` that could hold a dockward directive."""
    text = src.text
    if _NEEDLE not in text:
        return []
    found: set[int] = set()
    for finder in _FINDERS.get(src.kind, ()):
        found.update(finder(src))
    return sorted(found)


# --- YAML ----------------------------------------------------------------------------------

def yaml_comments(src: SourceFile) -> list[int]:
    """``#`` characters outside every token of libyaml's scan: where its scanner skips a
    comment.  A block scalar's token starts at its indicator, so the indicator line
    (``run: |  # note``) is reopened for its comment."""
    import yaml

    try:
        from yaml import CSafeLoader as Loader
    except ImportError:  # pragma: no cover - depends on how PyYAML was built
        from yaml import SafeLoader as Loader  # type: ignore[assignment]

    text = src.text
    covered: list[tuple[int, int]] = []
    trusted_end = len(text)
    loader = Loader(text)
    try:
        while loader.check_token():
            token = loader.get_token()
            if token is None:
                break
            start, end = token.start_mark.index, token.end_mark.index
            if end <= start:
                continue
            if getattr(token, "style", None) in ("|", ">"):
                newline = text.find("\n", start, end)
                covered.append((start, start + 1))
                if newline >= 0:
                    covered.append((newline, end))
                continue
            covered.append((start, end))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        trusted_end = mark.index if mark is not None else 0
        if covered:
            trusted_end = min(trusted_end, covered[-1][1])
    finally:
        loader.dispose()
    starts = [s for s, _ in covered]
    out: list[int] = []
    for pos in _candidates(text, "#"):
        if pos >= trusted_end:
            break
        i = bisect.bisect_right(starts, pos) - 1
        if i >= 0 and covered[i][0] <= pos < covered[i][1]:
            continue
        out.append(pos)
    return out


# --- shell text --------------------------------------------------------------------------

def shell_comments(src: SourceFile) -> list[int]:
    """Comments the command lexer finds in the shell chunks the command reader reads."""
    from dockward.readers.commands.extract import iter_chunks
    from dockward.readers.commands.lexer import Lexer

    index = LineIndex(src.text)
    out: list[int] = []
    for chunk in iter_chunks(src):
        if _NEEDLE not in chunk.text:
            continue
        lexer = Lexer(chunk.text, 0, len(chunk.text), chunk.placeholders,
                      chunk.origin == "makefile").run()
        for offset in lexer.comments:
            line, column = chunk.position(offset)
            pos = index.offset(line, column)
            if pos is not None and src.text.startswith("#", pos):
                out.append(pos)
    return out


# --- line comments -----------------------------------------------------------------------

def dockerfile_comments(src: SourceFile) -> list[int]:
    """Lines starting with ``#`` (after blanks), outside heredoc bodies: what BuildKit drops
    as comments.  When the parser rejects the file, heredocs are not known, so only the
    lines before the first ``<<`` count."""
    heredoc_lines = _dockerfile_heredoc_lines(src.text)
    first_heredoc = src.text.find("<<")
    out: list[int] = []
    for number, start, line in _lines(src.text):
        if heredoc_lines is None and first_heredoc >= 0 and start + len(line) > first_heredoc:
            break
        if heredoc_lines and number in heredoc_lines:
            continue
        stripped = line.lstrip(" \t")
        if stripped.startswith("#"):
            out.append(start + len(line) - len(stripped))
    return out


def _dockerfile_heredoc_lines(text: str) -> set[int] | None:
    """Line numbers inside heredoc bodies (None when the parser rejects the file)."""
    from dockward.readers.buildkit import parse_instructions

    try:
        instructions = parse_instructions(text)
    except Exception:  # syntax errors are the Dockerfile reader's to report
        return None
    inside: set[int] = set()
    for instruction in instructions:
        if "<<" in (instruction.original or "") and instruction.end_line > instruction.start_line:
            inside.update(range(instruction.start_line + 1, instruction.end_line + 1))
    return inside


def makefile_comments(src: SourceFile) -> list[int]:
    """make's own comments: the first unescaped ``#`` of a line that is not a recipe line
    (recipe lines are shell, whose comments the lexer finds)."""
    out: list[int] = []
    for _number, start, line in _lines(src.text):
        if line.startswith("\t"):
            continue
        for match in re.finditer(r"(?<!\\)#", line):
            out.append(start + match.start())
            break
    return out


def systemd_comments(src: SourceFile) -> list[int]:
    """systemd has whole-line comments only, introduced by ``#`` or ``;``."""
    out: list[int] = []
    for _number, start, line in _lines(src.text):
        stripped = line.lstrip(" \t")
        if stripped.startswith(("#", ";")):
            out.append(start + len(line) - len(stripped))
    return out


def markdown_code_comments(src: SourceFile) -> list[int]:
    """Shell comments inside fenced code blocks; prose and inline code never count."""
    fenced: list[tuple[int, int]] = []
    opened: tuple[int, str] | None = None
    for number, line in enumerate(src.text.split("\n"), start=1):
        match = _MD_FENCE.match(line)
        if not match:
            continue
        if opened is None:
            opened = (number, match.group(1))
        elif match.group(1)[0] == opened[1][0] and len(match.group(1)) >= len(opened[1]):
            fenced.append((opened[0], number))
            opened = None
    if not fenced:
        return []
    index = LineIndex(src.text)
    return [pos for pos in shell_comments(src)
            if any(first < index.line_of(pos) < last for first, last in fenced)]


# --- helpers -----------------------------------------------------------------------------

def _lines(text: str) -> list[tuple[int, int, str]]:
    """(1-based number, start offset, text without the line end) of lines holding the
    needle; only ``\\n`` ends a line."""
    out: list[tuple[int, int, str]] = []
    start = 0
    number = 1
    while True:
        found = text.find(_NEEDLE, start)
        if found < 0:
            return out
        number += text.count("\n", start, found)
        line_start = text.rfind("\n", 0, found) + 1
        line_end = text.find("\n", found)
        line_end = len(text) if line_end < 0 else line_end
        out.append((number, line_start, text[line_start:line_end].rstrip("\r")))
        number += text.count("\n", found, line_end)
        start = line_end


def _candidates(text: str, char: str) -> list[int]:
    """Offsets of ``char`` on lines that hold the needle, before the needle."""
    out: list[int] = []
    for _number, start, line in _lines(text):
        stop = line.rfind(_NEEDLE)
        pos = line.find(char, 0, stop)
        while pos >= 0:
            out.append(start + pos)
            pos = line.find(char, pos + 1, stop)
    return out


_FINDERS: dict[str, tuple[Callable[[SourceFile], list[int]], ...]] = {
    "compose": (yaml_comments,),
    "k8s": (yaml_comments,),
    "yaml": (yaml_comments,),
    "ci-yaml": (yaml_comments, shell_comments),
    "dockerfile": (dockerfile_comments, shell_comments),
    "shell": (shell_comments,),
    "makefile": (makefile_comments, shell_comments),
    "systemd": (systemd_comments,),
    "markdown": (markdown_code_comments,),
}
