"""Image builds written as CI action inputs rather than command lines.

``docker/build-push-action`` and its relatives take build args as a ``with:`` input::

    - uses: docker/build-push-action@v6
      with:
        context: .
        build-args: |
          VERSION=1.2
          NPM_TOKEN=${{ secrets.NPM_TOKEN }}

which the action turns into ``--build-arg`` flags: a secret given this way lands in the
image history exactly as on the command line (DW401).  Each such step becomes an invocation
:class:`Build`, like a ``docker build`` line, with every arg at the line that writes it.
The input is newline-separated for ``build-args`` (the docker actions do not split it at
commas); the older spellings (``buildargs``, ``buildArgs``, ``build_args``) of other
actions are comma- or newline-separated, and may give bare names whose value comes from
the environment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dockward.models.build import Build
from dockward.models.location import Location
from dockward.readers.base import SourceFile

_NEWLINE_ONLY = frozenset({"build-args"})
_BUILD_ARG_INPUTS = frozenset({"build-args", "build_args", "buildArgs", "buildargs"})


def read_ci_build_steps(src: SourceFile) -> Iterator[Build]:
    """An invocation Build for every workflow step that passes build args as an input."""
    from dockward.readers.commands.chunks_ci_yaml import compose_yaml, mapping_items

    lines = src.text.split("\n")
    for doc in compose_yaml(src, None):
        top = {k: v for k, _, v in mapping_items(doc)}
        jobs = [v for _, _, v in mapping_items(top.get("jobs"))]
        if "runs" in top:
            jobs.append(top["runs"])
        for job in jobs:
            steps = {k: v for k, _, v in mapping_items(job)}.get("steps")
            for step in getattr(steps, "value", None) or []:
                build = _step_build(src, lines, step)
                if build is not None:
                    yield build


def _step_build(src: SourceFile, lines: list[str], step: Any) -> Build | None:
    from dockward.readers.build_lines import build_from_flags
    from dockward.readers.commands.chunks_ci_yaml import mapping_items

    fields = {k: (key_node, v) for k, key_node, v in mapping_items(step)}
    if "with" not in fields:
        return None
    inputs = {k: (key_node, v) for k, key_node, v in mapping_items(fields["with"][1])}
    entries: list[tuple[str, Location]] = []
    for key in _BUILD_ARG_INPUTS & inputs.keys():
        entries.extend(_entries(src, lines, inputs[key][1], key not in _NEWLINE_ONLY))
    if not entries:
        return None
    uses = fields.get("uses")
    program = _text(uses[1]) if uses else "action"
    locations = [where for _, where in entries]
    flags = [("build-arg", text, index, "$" in text) for index, (text, _) in enumerate(entries)]
    for key, name in (("file", "file"), ("tags", "tag"), ("target", "target")):
        if key in inputs:
            value = _text(inputs[key][1]).strip().split("\n")[0].split(",")[0].strip()
            if value:
                flags.append((name, value, len(locations), False))
                locations.append(_where(src, inputs[key][1]))
    context = _text(inputs["context"][1]).strip() if "context" in inputs else "."
    build = build_from_flags(src, program or "action", flags, context or ".", locations)
    build.anchor = _where(src, fields["uses"][0] if "uses" in fields else step)
    build.name = f"{program} build"
    for arg in build.external_args:
        arg.via = "build-args"
    return build


def _entries(src: SourceFile, lines: list[str], node: Any,
             commas: bool) -> Iterator[tuple[str, Location]]:
    """``NAME=value`` lines (or comma-separated items) of an input, each where it is."""
    from dockward.readers.commands.chunks_ci_yaml import scalar_chunk

    chunk = scalar_chunk(node, lines, src.display)
    if chunk is None:
        return
    offset = 0
    for line in chunk.text.split("\n"):
        start = offset
        offset += len(line) + 1
        items = line.split(",") if commas else [line]
        position = start
        for item in items:
            text = item.strip()
            if text and not text.startswith("#"):
                lead = len(item) - len(item.lstrip())
                row, column = chunk.position(position + lead)
                yield text, Location(src.display, row, column)
            position += len(item) + 1


def _text(node: Any) -> str:
    value = getattr(node, "value", "")
    return value if isinstance(value, str) else ""


def _where(src: SourceFile, node: Any) -> Location:
    mark = node.start_mark
    return Location(src.display, mark.line + 1, mark.column + 1)
