"""Markdown: shell code blocks, console transcripts and inline code spans.

Documentation is where most container command lines are written, and the least regular:
code blocks are tagged ``sh``/``console``/... or not at all, commands hide behind prompts
of every shape, output lines follow them, and prose gives commands in inline code.  Chunks
from Markdown set ``placeholders`` so ``<hostname>`` is read as a word, not a redirection.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockward.readers.base import SourceFile
from dockward.readers.commands.chunks import FileState, build_chunk
from dockward.readers.commands.words import CommandText, Span

_FENCE = re.compile(r"^(?P<indent>[ \t>]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
SHELL_INFOS = frozenset({"sh", "bash", "shell", "console", "zsh", "shell-session",
                         "shellsession", "sh-session", "terminal", "ksh", "session"})
_PROMPTS = (
    re.compile(r"[ \t]*[\w.-]+@[\w.-]+(?::\S*|\s+\S+)?\s*[$#%>❯]\s"),  # adam@host ~ > , u@h:~$
    re.compile(r"[ \t]*\[[^\]\n]{1,80}\]\s*[$#%>]\s"),  # [user@host dir]$
    re.compile(r"[ \t]*[/~][\w./~-]*\s*[$#%>]\s"),  # / # , ~/src $
    re.compile(r"[ \t]*[A-Za-z][\w-]{0,20}>\s"),  # unix> , host>
    re.compile(r"[ \t]*PS [^>\n]{0,80}>\s"),  # PowerShell
    re.compile(r"[ \t]*[$%❯➜➸λ→»›▶➤]\s"),  # $ , % , ❯ , ➸ (fancy shell themes)
    re.compile(r"[ \t]*[$%]$"),  # an empty prompt
)
_ROOT_PROMPT = re.compile(r"[ \t]*#\s")
_RUNTIME_START = re.compile(
    r"^(?:sudo\s+(?:-\S+\s+)*)?(?:[\w./-]*/)?"
    r"(?:docker|podman|nerdctl|dockerd|DOCKER_HOST=|export\s+DOCKER_)"
)


def _prompt_length(line: str, transcript: bool) -> int:
    """Length of the shell prompt at the start of ``line`` (0 if there is none)."""
    for pattern in _PROMPTS:
        match = pattern.match(line)
        if match:
            return match.end()
    if transcript:
        match = _ROOT_PROMPT.match(line)
        if match:
            return match.end()
    return 0


def markdown_chunks(src: SourceFile, state: FileState) -> Iterator[CommandText]:
    """Fenced code blocks in a shell language (or untagged ones that run a runtime)."""
    lines = [line.rstrip("\r") for line in src.text.split("\n")]
    i = 0
    n = len(lines)
    while i < n:
        match = _FENCE.match(lines[i])
        if not match:
            if "`" in lines[i]:
                yield from _inline_commands(src, lines[i], i + 1)
            i += 1
            continue
        fence, indent = match.group("fence"), match.group("indent")
        info = match.group("info").strip().strip("{}").lstrip(".").split()
        language = info[0].lower() if info else ""
        body_start = i + 1
        j = body_start
        while j < n:
            close = lines[j].lstrip(" \t>").rstrip()
            if close.startswith(fence) and not close.strip(fence[0]):
                break
            j += 1
        i = j + 1
        if language and language not in SHELL_INFOS:
            continue
        body = [(*_strip_indent(lines[k], indent), k + 1) for k in range(body_start, j)]
        yield from _code_block(src, body, language)


_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def _inline_commands(src: SourceFile, line: str, line_no: int) -> Iterator[CommandText]:
    """Inline code spans that hold a whole command line (`` `docker run -d ... img` ``).

    Prose often gives the command to run inline rather than in a block; a span counts
    only when it starts with a container runtime, so `` `-v` `` or `` `docker run` ``
    mentions in a sentence are not read as commands (the latter has no image anyway).
    """
    for match in _INLINE_CODE.finditer(line):
        content = match.group(2)
        stripped = content.strip()
        if not _RUNTIME_START.match(stripped):
            continue
        column = match.start(2) + (len(content) - len(content.lstrip())) + 1
        yield CommandText(text=stripped, spans=(Span(0, line_no, column),),
                          origin="markdown", file=src.display, placeholders=True)


def _strip_indent(line: str, indent: str) -> tuple[str, int]:
    """Remove the fence's own indentation (list items, blockquotes); return the column."""
    k = 0
    while k < len(indent) and k < len(line) and line[k] in " \t>":
        k += 1
    return line[k:], k


def _code_block(src: SourceFile, body: list[tuple[str, int, int]],
                language: str) -> Iterator[CommandText]:
    """The commands of one fenced block: a whole script, or a transcript's prompt lines.

    In a transcript every prompt line (with its continuation lines) is its own chunk, so
    an unbalanced quote or an unterminated heredoc cannot swallow the next command, and
    output lines (no prompt) are never read as commands.
    """
    # a transcript shows prompts; `console` blocks without any are plain command lists
    transcript = any(_prompt_length(text, False) for text, _, _ in body if text.strip())
    if not language:
        starts = (text[_prompt_length(text, True):].lstrip() for text, _, _ in body)
        if not any(_RUNTIME_START.match(s) for s in starts):
            return
    if not transcript:
        chunk = build_chunk(((text, line_no, cols + 1) for text, cols, line_no in body),
                            "markdown", src.display, placeholders=True)
        if chunk is not None:
            yield chunk
        return
    pieces: list[tuple[str, int, int]] = []
    for text, cols, line_no in body:
        if pieces:  # continuation of the previous prompt line, maybe behind a PS2 `> `
            ps2 = len(text) - len(text.lstrip()) + 2 if text.lstrip().startswith("> ") else 0
            pieces.append((text[ps2:], line_no, cols + ps2 + 1))
        else:
            cut = _prompt_length(text, True)
            if not cut:
                continue  # output
            pieces.append((text[cut:], line_no, cols + cut + 1))
        if not text.endswith("\\"):
            chunk = build_chunk(pieces, "markdown", src.display, placeholders=True)
            if chunk is not None:
                yield chunk
            pieces = []
    if pieces:
        chunk = build_chunk(pieces, "markdown", src.display, placeholders=True)
        if chunk is not None:
            yield chunk
