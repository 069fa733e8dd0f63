"""CI YAML: GitHub Actions ``run:`` steps and GitLab CI ``script:`` entries.

The YAML is composed, not loaded, so every script scalar keeps its marks and block scalars
can be rebuilt from the raw lines with exact positions.  :func:`compose_yaml` and
:func:`mapping_items` are shared with the daemon-evidence reader, which looks at the same
files for ``DOCKER_HOST`` and service definitions.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dockward.models.location import Location
from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.commands.chunks import FileState, build_chunk
from dockward.readers.commands.chunks_ci_containers import (
    github_container_chunks,
    gitlab_service_chunks,
)
from dockward.readers.commands.words import CommandText, Span

_GITLAB_SCRIPT_KEYS = ("before_script", "script", "after_script")


def ci_yaml_chunks(src: SourceFile, state: FileState,
                   problems: list[ParseProblem] | None) -> Iterator[CommandText]:
    """One chunk per script scalar and per container the CI creates
    (:mod:`.chunks_ci_containers`), in file order; YAML errors go to ``problems``."""
    lines = src.text.split("\n")
    docs = compose_yaml(src, problems)
    chunks = [chunk for node in _ci_script_nodes(docs)
              if (chunk := scalar_chunk(node, lines, src.display)) is not None]
    chunks.extend(_container_chunks(docs, src.display, lines))
    chunks.sort(key=lambda chunk: chunk.position(0))
    yield from chunks


def _container_chunks(docs: list[Any], file: str, lines: list[str]) -> Iterator[CommandText]:
    """GitHub job and service containers; GitLab services that run a command."""
    import yaml

    for doc in docs:
        top = {k: v for k, _, v in mapping_items(doc)}
        if "jobs" in top:
            yield from github_container_chunks(top["jobs"], file, lines)
            continue
        for key, _, value in mapping_items(doc):
            if key == "services":
                yield from gitlab_service_chunks(value, file)
            elif isinstance(value, yaml.MappingNode):
                for sub_key, _, sub_value in mapping_items(value):
                    if sub_key == "services":
                        yield from gitlab_service_chunks(sub_value, file)


def compose_yaml(src: SourceFile, problems: list[ParseProblem] | None) -> list[Any]:
    """Composed YAML documents (nodes, aliases shared, never expanded); [] on errors."""
    import yaml

    from dockward.readers.yamlsource import Positions, compose_nodes

    try:
        return compose_nodes(src.text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, column = Positions(src.text).of(mark) if mark is not None else (0, 0)
        if problems is not None:
            problems.append(ParseProblem(Location(src.display, line, column),
                                         f"invalid YAML: {getattr(exc, 'problem', exc)}"))
        return []
    except Exception as exc:  # libyaml reader errors, recursion: never raise
        if problems is not None:
            problems.append(ParseProblem(Location(src.display), f"unreadable YAML: {exc}"))
        return []


def mapping_items(node: Any) -> Iterator[tuple[str, Any, Any]]:
    """(key text, key node, value node) of a mapping node; merge keys followed once."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return
    seen: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for key, value in current.value:
            if key.tag == "tag:yaml.org,2002:merge" or (
                    isinstance(key, yaml.ScalarNode) and key.value == "<<"):
                sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
                stack.extend(s for s in sources if isinstance(s, yaml.MappingNode))
                continue
            if isinstance(key, yaml.ScalarNode):
                yield key.value, key, value


def _ci_script_nodes(docs: list[Any]) -> list[Any]:
    """Scalar nodes holding shell scripts: GitHub ``steps[*].run``, GitLab ``script``."""
    import yaml

    found: list[Any] = []
    seen: set[int] = set()

    def scripts(value: Any, depth: int = 0) -> None:
        if depth > 32 or id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, yaml.ScalarNode):
            found.append(value)
        elif isinstance(value, yaml.SequenceNode):
            for item in value.value:
                scripts(item, depth + 1)

    for doc in docs:
        if not isinstance(doc, yaml.MappingNode):
            continue
        top = {k: v for k, _, v in mapping_items(doc)}
        if "jobs" in top or "runs" in top:  # GitHub Actions workflow or composite action
            jobs = [v for _, _, v in mapping_items(top.get("jobs"))]
            if "runs" in top:
                jobs.append(top["runs"])
            for job in jobs:
                steps = dict((k, v) for k, _, v in mapping_items(job)).get("steps")
                if isinstance(steps, yaml.SequenceNode):
                    for step in steps.value:
                        run = dict((k, v) for k, _, v in mapping_items(step)).get("run")
                        if run is not None:
                            scripts(run)
            continue
        for key, _, value in mapping_items(doc):  # GitLab CI: jobs, templates, default
            if key in _GITLAB_SCRIPT_KEYS:
                scripts(value)
            for sub_key, _, sub_value in mapping_items(value):
                if sub_key in _GITLAB_SCRIPT_KEYS:
                    scripts(sub_value)
    found.sort(key=lambda node: (node.start_mark.line, node.start_mark.column))
    return found


def scalar_chunk(node: Any, lines: list[str], file: str) -> CommandText | None:
    """Shell text of a YAML scalar, mapped to the file (block scalars line by line)."""
    value = node.value if isinstance(node.value, str) else ""
    if not value.strip():
        return None
    mark = node.start_mark
    style = node.style
    if style in ("|", ">"):
        chunk = _block_scalar(node, lines, file, style == ">")
        if chunk is not None:
            return chunk
        pieces = [(text, mark.line + 2 + k, 1) for k, text in enumerate(value.split("\n"))]
        return build_chunk(pieces, "ci-yaml", file)
    column = mark.column + 1 + (1 if style in ("'", '"') else 0)
    # flow scalars: exact on one line; folded multi-line ones map to where they start
    return CommandText(text=value, spans=(Span(0, mark.line + 1, column),), origin="ci-yaml",
                       file=file)


def _block_scalar(node: Any, lines: list[str], file: str, folded: bool) -> CommandText | None:
    """Rebuild a ``|``/``>`` block from the raw lines so every line keeps its position."""
    first = node.start_mark.line + 1  # 0-based index of the first content line
    last = min(node.end_mark.line, len(lines))
    if node.end_mark.column > 0 and node.end_mark.line < len(lines):
        last = node.end_mark.line + 1
    raw = [line.rstrip("\r") for line in lines[first:last]]
    indent = next((len(r) - len(r.lstrip(" ")) for r in raw if r.strip()), None)
    if indent is None:
        return None
    pieces: list[tuple[str, int, int]] = []
    for k, line in enumerate(raw):
        if not line.strip():
            pieces.append((line[indent:], first + k + 1, indent + 1))
        elif len(line) - len(line.lstrip(" ")) < indent:
            break
        else:
            pieces.append((line[indent:], first + k + 1, indent + 1))
    while pieces and not pieces[-1][0]:
        pieces.pop()
    chunk = _folded_chunk(pieces, file) if folded else build_chunk(pieces, "ci-yaml", file)
    if chunk is None:
        return None
    if chunk.text.rstrip("\n") != node.value.rstrip("\n"):
        return None  # indentation indicators, tabs: fall back to the composed value
    return chunk


def _folded_chunk(pieces: list[tuple[str, int, int]], file: str) -> CommandText | None:
    """YAML ``>`` folding: lines of a paragraph joined with spaces, every line keeping its
    own position (so a word on the second line maps to the second line)."""
    parts: list[str] = []
    spans: list[Span] = []
    offset = 0
    paragraph = ""
    for text, line, column in pieces:
        if parts:
            joined = bool(text and paragraph and not text.startswith((" ", "\t"))
                          and not paragraph.startswith((" ", "\t")))
            parts.append(" " if joined else "\n")
            offset += 1
            paragraph = paragraph if joined else text
        else:
            paragraph = text
        spans.append(Span(offset, line, column))
        parts.append(text)
        offset += len(text)
    if not spans:
        return None
    return CommandText(text="".join(parts), spans=tuple(spans), origin="ci-yaml", file=file)
