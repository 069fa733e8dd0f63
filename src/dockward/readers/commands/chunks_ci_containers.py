"""CI YAML containers that are not written as commands, rebuilt as the command they become.

- GitHub Actions ``jobs.<id>.container`` and ``jobs.<id>.services.<id>``: the runner
  creates each with ``docker create``, appending ``options:`` verbatim and turning
  ``volumes:``, ``ports:`` and ``env:`` into ``-v``, ``-p`` and ``-e``.  Each becomes the
  chunk ``docker create --name <id> <options> -v .. -p .. -e .. <image>``, origin
  ``ci-container``, with every word mapped to where the YAML writes it; the run-line reader
  then reads it like any ``docker create``.
- GitLab CI ``services:`` with ``entrypoint``/``command``: ``docker:dind`` runs its
  ``command`` as ``dockerd`` arguments, a shell entrypoint runs a script.  These become a
  ``dockerd ...`` or ``sh -c ...`` chunk (origin ``ci-yaml``), read by the daemon-evidence
  and run-line readers.

The words the rebuilt command adds (``docker create``, ``--name``, ``-v``, ``dockerd``)
sit at the YAML key they stand for, so findings point into the file.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from typing import Any

from dockward.readers.commands.words import CommandText, Span

CI_CONTAINER_ORIGIN = "ci-container"
_NOTE = re.compile(r"(?:^|\s)#.*$")
_SHELLS = ("sh", "bash", "ash", "dash", "zsh", "/bin/sh", "/bin/bash", "/bin/ash",
           "/usr/bin/env")


def _items(node: Any) -> Iterator[tuple[str, Any, Any]]:
    from dockward.readers.commands.chunks_ci_yaml import mapping_items

    yield from mapping_items(node)


def _scalar(node: Any) -> str | None:
    import yaml

    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _at(node: Any) -> tuple[int, int]:
    """1-based line and column of a node's text (inside its quotes)."""
    mark = node.start_mark
    quote = 1 if getattr(node, "style", None) in ("'", '"') else 0
    return mark.line + 1, mark.column + 1 + quote


class _Builder:
    """Joins words (each with its own position) into one mapped command line."""

    def __init__(self, origin: str, file: str) -> None:
        self.origin = origin
        self.file = file
        self.parts: list[str] = []
        self.spans: list[Span] = []
        self.offset = 0

    def add(self, text: str, line: int, column: int, quote: bool = True) -> None:
        word = shlex.quote(text) if quote else text
        if word != text and word.startswith("'"):
            column -= 1  # the added quote sits before the text: the text keeps its column
        if self.parts:
            self.parts.append(" ")
            self.offset += 1
        self.spans.append(Span(self.offset, line, column))
        self.parts.append(word)
        self.offset += len(word)

    def chunk(self) -> CommandText:
        return CommandText(text="".join(self.parts), spans=tuple(self.spans),
                           origin=self.origin, file=self.file)


def github_container_chunks(jobs: Any, file: str, lines: list[str]) -> Iterator[CommandText]:
    """``docker create`` chunks for the job containers and service containers of ``jobs``."""
    for job_id, _, job in _items(jobs):
        for key, key_node, value in _items(job):
            if key == "container":
                chunk = _github_container(job_id, key_node, value, file, lines)
                if chunk is not None:
                    yield chunk
            elif key == "services":
                for service_id, service_key, service in _items(value):
                    chunk = _github_container(service_id, service_key, service, file, lines)
                    if chunk is not None:
                        yield chunk


def _github_container(name: str, key_node: Any, node: Any, file: str,
                      lines: list[str]) -> CommandText | None:
    import yaml

    image_node = node if isinstance(node, yaml.ScalarNode) else None
    fields = {k: v for k, _, v in _items(node)}
    image_node = image_node or fields.get("image")
    image = _scalar(image_node) if image_node is not None else None
    if not image:
        return None
    line, column = _at(key_node)
    out = _Builder(CI_CONTAINER_ORIGIN, file)
    for word in ("docker", "create", "--name"):
        out.add(word, line, column)
    out.add(name, line, column)
    options = fields.get("options")
    if options is not None and (_scalar(options) or "").strip():
        _add_options(out, options, lines)
    for key, flag in (("volumes", "-v"), ("ports", "-p")):
        entries = fields.get(key)
        for item in entries.value if isinstance(entries, yaml.SequenceNode) else []:
            value = _scalar(item)
            if value:
                item_line, item_column = _at(item)
                out.add(flag, item_line, item_column)
                out.add(value, item_line, item_column)
    for env_key, env_key_node, env_value in _items(fields.get("env")):
        value = _scalar(env_value)
        if value is not None:
            env_line, env_column = _at(env_key_node)
            out.add("-e", env_line, env_column)
            out.add(f"{env_key}={value}", env_line, env_column)
    image_line, image_column = _at(image_node)
    out.add(image, image_line, image_column)
    return out.chunk()


def _add_options(out: _Builder, node: Any, lines: list[str]) -> None:
    """``options:`` as written (the runner appends it to the command line verbatim), each
    line of a block scalar (``|`` or ``>``: both end up on one command line) at its place."""
    from dockward.readers.commands.chunks_ci_yaml import scalar_chunk

    if node.style in ("|", ">"):
        first = node.start_mark.line + 1
        last = min(node.end_mark.line + (1 if node.end_mark.column else 0), len(lines))
        for index in range(first, last):
            # a `# note` in the block would make `docker create` fail, so a working
            # workflow has none; read one as the comment its author meant
            text = _NOTE.sub("", lines[index].rstrip("\r"))
            if text.strip():
                lead = len(text) - len(text.lstrip())
                out.add(text.strip(), index + 1, lead + 1, quote=False)
        return
    chunk = scalar_chunk(node, lines, out.file)
    if chunk is not None:
        out.add(chunk.text.replace("\n", " "), *chunk.position(0), quote=False)


def gitlab_service_chunks(services: Any, file: str) -> Iterator[CommandText]:
    """``dockerd ...`` / ``sh -c ...`` chunks for GitLab services that run a command."""
    import yaml

    if not isinstance(services, yaml.SequenceNode):
        return
    for item in services.value:
        fields = {k: (key_node, v) for k, key_node, v in _items(item)}
        if "name" not in fields:
            continue
        name_node = fields["name"][1]
        image = _scalar(name_node) or ""
        entrypoint = _words(fields.get("entrypoint", (None, None))[1])
        command = _words(fields.get("command", (None, None))[1])
        argv = [*entrypoint, *command]
        line, column = _at(name_node)
        out = _Builder("ci-yaml", file)
        if entrypoint:
            pass
        elif "dind" in image and (not command or command[0][0].startswith("-")):
            out.add("dockerd", line, column)  # docker:dind runs its arguments as dockerd's
        elif command and command[0][0].rsplit("/", 1)[-1] == "dockerd-entrypoint.sh":
            out.add("dockerd", command[0][1], command[0][2])
            argv = argv[1:]
        else:
            continue  # arguments of an image's own entrypoint: nothing to read
        if argv and argv[0][0].rsplit("/", 1)[-1] == "dockerd-entrypoint.sh":
            out.add("dockerd", argv[0][1], argv[0][2])
            argv = argv[1:]
        for text, word_line, word_column in argv:
            out.add(text, word_line, word_column)
        if out.parts:
            yield out.chunk()


def _words(node: Any) -> list[tuple[str, int, int]]:
    """A command as a list (``["--tls=false"]``) or as one string (split like a shell)."""
    import yaml

    if isinstance(node, yaml.SequenceNode):
        out = []
        for item in node.value:
            text = _scalar(item)
            if text is not None:
                out.append((text, *_at(item)))
        return out
    text = _scalar(node) if node is not None else None
    if not text:
        return []
    line, column = _at(node)
    try:
        return [(word, line, column) for word in shlex.split(text)]
    except ValueError:
        return [(word, line, column) for word in text.split()]
