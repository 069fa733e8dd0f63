"""YAML loading that remembers where every value was written.

Compose, CI-YAML and Kubernetes readers all need the same two things from YAML: plain Python
values to reason about, and the line of each value so findings, fixers and suppressions can
point at it.  PyYAML's constructor throws the positions away, so we let its (C) composer
build the node graph and convert nodes to values ourselves, recording a position for every
path on the way.

Converting ourselves also lets us defend against hostile input, which a scanner must read
without trusting: alias expansion is budgeted (the "billion laughs" bomb expands a few lines
into billions of nodes) and nesting depth is capped, so a malicious file fails fast with a
:class:`ReadError` instead of exhausting memory or the stack.

Scalars are typed with the YAML 1.2 core schema by default, as Docker Compose (go-yaml v3)
reads them: ``8080:80`` stays a string (YAML 1.1 would make it the sexagesimal int 484880),
``no``/``yes``/``on`` stay strings (``restart: no``).  Readers of YAML 1.1 consumers can ask
for ``yaml_version="1.1"``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dockward.models.location import Location
from dockward.readers.base import ReadError
from dockward.text import LineIndex

try:  # the C loader is an order of magnitude faster; fall back when libyaml is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

YamlPath = tuple[Any, ...]
"""A path inside a document: mapping keys and sequence indexes, e.g. ``("services", "web")``."""

DEFAULT_MAX_ALIAS_NODES = 200_000
DEFAULT_MAX_DEPTH = 100

_STD = "tag:yaml.org,2002:"
_STR, _NULL, _BOOL = _STD + "str", _STD + "null", _STD + "bool"
_INT, _FLOAT, _MERGE = _STD + "int", _STD + "float", _STD + "merge"
_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")


class _Yaml12Loader(_BaseLoader):
    """The safe loader with YAML 1.2 core-schema implicit typing (what go-yaml v3 does)."""

    yaml_implicit_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}


_Yaml12Loader.add_implicit_resolver(
    _NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Yaml12Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Yaml12Loader.add_implicit_resolver(
    _INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
_Yaml12Loader.add_implicit_resolver(
    _FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)
_Yaml12Loader.add_implicit_resolver(_MERGE, re.compile(r"^(?:<<)$"), ["<"])

_LOADERS: dict[str, type[Any]] = {"1.2": _Yaml12Loader, "1.1": _BaseLoader}


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """One YAML document: its plain value and the 1-based (line, column) of every path.

    A mapping entry's position is its key's (that is the line a human reads as "the
    setting").  Values reached through an alias or a merge key carry the position where the
    anchored text is written.  ``tags`` keeps non-standard tags (``!reset``, ``!override``,
    ``!Ref``) by path, since plain values cannot carry them.
    """

    value: Any
    marks: dict[YamlPath, tuple[int, int]]
    tags: dict[YamlPath, str] = field(default_factory=dict)

    def line_of(self, path: YamlPath) -> tuple[int, int]:
        """Position of ``path``, or of its nearest ancestor that has one."""
        current = tuple(path)
        while True:
            mark = self.marks.get(current)
            if mark is not None:
                return mark
            if not current:
                return (1, 1)
            current = current[:-1]

    def location(self, file: str, path: YamlPath) -> Location:
        """A :class:`Location` for ``path`` in ``file`` (path rendered ``a.b[0]``)."""
        line, column = self.line_of(path)
        return Location(file=file, line=line, column=column, path=render_path(path))

    def tag_of(self, path: YamlPath) -> str | None:
        """The non-standard tag written on ``path`` (``!reset``), if any."""
        return self.tags.get(tuple(path))


def render_path(path: YamlPath) -> str:
    """``("services", "web", "volumes", 0)`` -> ``services.web.volumes[0]``.

    Keys that would be ambiguous in dotted form (``traefik.enable``, spaces) are written as
    ``labels["traefik.enable"]`` so the rendered path stays unique for fingerprints.
    """
    out: list[str] = []
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out.append(f"[{part}]")
            continue
        text = scalar_text(part)
        if _SIMPLE_KEY.fullmatch(text):
            out.append(f".{text}" if out else text)
        else:
            out.append(f"[{json.dumps(text)}]")
    return "".join(out)


def scalar_text(value: Any) -> str:
    """A scalar as YAML would print it (``true``, ``null``), for keys and messages.

    Anything that is not a scalar (a mapping or list where the file should have a scalar)
    is named by its kind, ``<a list>``: a message must never show a reader's internals.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    kind = type_name(value) if isinstance(value, dict | list | tuple) else "a value"
    return f"<{kind}>"


def load_documents(
    text: str,
    *,
    yaml_version: str = "1.2",
    max_alias_nodes: int = DEFAULT_MAX_ALIAS_NODES,
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> list[YamlDoc]:
    """Every document of a YAML stream, with positions.

    Raises :class:`ReadError` (message, 1-based line and column) for malformed YAML, alias
    bombs and nesting deeper than ``max_depth``.  Lines are counted by ``\\n`` only
    (:class:`Positions`).  A stream that libyaml rejects because it takes U+2028, U+2029 or
    U+0085 for a line break (YAML 1.1 did; YAML 1.2 does not) is read again with them as
    plain characters, as YAML 1.2 reads it.
    """
    positions = Positions(text)
    try:
        return _load(text, positions, yaml_version, max_alias_nodes, max_depth)
    except ReadError:
        if not any(c in text for c in _OTHER_BREAKS):
            raise
        try:  # same length, so every position still holds
            return _load(text.translate(_AS_SPACES), positions, yaml_version,
                         max_alias_nodes, max_depth)
        except ReadError:
            pass
        raise


def compose_nodes(text: str) -> list[Node]:
    """The composed documents of ``text`` (aliases shared, never expanded), with marks
    counted by ``\\n`` only; raises ``yaml.YAMLError`` like ``yaml.compose_all``."""
    positions = Positions(text)
    try:
        nodes = list(yaml.compose_all(text, Loader=_BaseLoader))
    except yaml.YAMLError:
        if not any(c in text for c in _OTHER_BREAKS):
            raise
        nodes = list(yaml.compose_all(text.translate(_AS_SPACES), Loader=_BaseLoader))
    if positions.remap:
        seen: set[int] = set()
        for node in nodes:
            positions.rewrite(node, seen)
    return nodes


def _load(text: str, positions: Positions, yaml_version: str, max_alias_nodes: int,
          max_depth: int) -> list[YamlDoc]:
    loader = _LOADERS[yaml_version](text)
    converter = _Converter(yaml_version == "1.1", max_alias_nodes, max_depth, positions,
                           aliases="*" in text)
    docs: list[YamlDoc] = []
    try:
        while loader.check_node():
            docs.append(converter.document(loader.get_node()))
    except yaml.MarkedYAMLError as exc:
        raise _marked_error(exc, positions) from None
    except yaml.reader.ReaderError as exc:
        line, column = positions.at(exc.position)
        raise ReadError(f"invalid character: {exc.reason}", line, column) from None
    except yaml.YAMLError as exc:
        raise ReadError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ReadError(f"YAML nesting is deeper than {max_depth} levels") from None
    finally:
        loader.dispose()
    return docs


_OTHER_BREAKS = "\u2028\u2029\x85"
_AS_SPACES = {ord(c): " " for c in _OTHER_BREAKS}


class Positions:
    """1-based (line, column) of a libyaml mark, counting ``\\n`` only.

    libyaml also breaks lines at a lone CR, NEL, U+2028 and U+2029; dockward's lines (and
    an editor's) do not, so when the text holds any of those, positions are computed from
    the mark's character offset instead of libyaml's own line count.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.remap = (any(c in text for c in _OTHER_BREAKS)
                      or text.count("\r") != text.count("\r\n"))
        self.index = LineIndex(text) if self.remap else None
        self.lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)

    def of(self, mark: Any) -> tuple[int, int]:
        if self.index is None:
            line = mark.line + 1
            if line <= self.lines:
                return line, mark.column + 1
            self.index = LineIndex(self.text)  # libyaml's mark past the last line (EOF)
        return self.index.position(mark.index)

    def at(self, offset: int) -> tuple[int, int]:
        return (self.index or LineIndex(self.text)).position(offset)

    def node(self, node: Node) -> tuple[int, int]:
        return self.of(node.start_mark)

    def rewrite(self, node: Node, seen: set[int]) -> None:
        """Give ``node`` and its children marks counted by ``\\n`` (for code that reads
        ``start_mark.line`` itself)."""
        stack = [node]
        while stack:
            current = stack.pop()
            if id(current) in seen:
                continue
            seen.add(id(current))
            current.start_mark = self._mark(current.start_mark)
            current.end_mark = self._mark(current.end_mark)
            if isinstance(current, SequenceNode):
                stack.extend(current.value)
            elif isinstance(current, MappingNode):
                stack.extend(n for pair in current.value for n in pair)

    def _mark(self, mark: Any) -> yaml.Mark:
        line, column = self.of(mark)
        return yaml.Mark(mark.name, mark.index, line - 1, column - 1, None, None)  # type: ignore[arg-type]


def _marked_error(exc: yaml.MarkedYAMLError, positions: Positions) -> ReadError:
    """The parser's own message, with the line and column where it stopped (1-based)."""
    parts = [p for p in (exc.context, exc.problem) if p]
    message = ": ".join(parts) or "invalid YAML"
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return ReadError(message)
    return ReadError(message, *positions.of(mark))


class _Converter:
    """Turns composed nodes into plain values, recording marks and tags per path.

    The composer resolves an alias to the *same* node object as its anchor, so the node
    graph stays small even when its expansion is huge.  Before converting a document we
    measure its expanded size on that graph (memoized, linear in the text) and refuse
    bombs up front: refusing costs microseconds, where expanding first would cost the
    very memory and time the bomb is after.
    """

    def __init__(self, yaml11: bool, max_alias_nodes: int, max_depth: int,
                 positions: Positions, aliases: bool = True) -> None:
        self.positions = positions
        self.aliases = aliases  # False: the text has no ``*``, so no node is shared
        self.yaml11 = yaml11
        self.max_alias_nodes = max_alias_nodes
        self.max_depth = max_depth
        self.marks: dict[YamlPath, tuple[int, int]] = {}
        self.tags: dict[YamlPath, str] = {}

    def document(self, root: Node) -> YamlDoc:
        if not self.aliases:
            # Without an alias every node is in the graph once: the expanded size is the
            # node count, there is no cycle, and conversion checks the depth itself, so
            # the tree is walked once.  Should conversion fail, the document is measured
            # first as below, to report the very error (and node) it always did.
            try:
                return self._document(root, measure=False)
            except (ReadError, RecursionError):
                pass
        return self._document(root, measure=True)

    def _document(self, root: Node, measure: bool) -> YamlDoc:
        self.marks, self.tags = {}, {}
        self.marks[()] = self.positions.node(root)
        if not measure:
            value = self.convert(root, (), 0)
            return YamlDoc(value=value, marks=self.marks, tags=self.tags)
        sizes: dict[int, int] = {}
        expanded = self.expanded_size(root, sizes, set(), 0)
        if expanded - len(sizes) > self.max_alias_nodes:
            raise ReadError(
                f"YAML alias expansion exceeds {self.max_alias_nodes} nodes (alias bomb?)",
                *self.positions.node(root),
            )
        value = self.convert(root, (), 0)
        return YamlDoc(value=value, marks=self.marks, tags=self.tags)

    def expanded_size(self, node: Node, sizes: dict[int, int], active: set[int], depth: int) -> int:
        """Number of nodes ``node`` expands to; raises on bombs, cycles and deep nesting."""
        key = id(node)
        known = sizes.get(key)
        if known is not None:
            return known
        self._check_depth(node, depth)
        if key in active:
            raise ReadError("YAML alias refers to a node that contains it",
                            *self.positions.node(node))
        total = 1
        if isinstance(node, SequenceNode | MappingNode):
            active.add(key)
            children = (
                node.value
                if isinstance(node, SequenceNode)
                else [n for pair in node.value for n in pair]
            )
            for child in children:
                total += self.expanded_size(child, sizes, active, depth + 1)
            active.discard(key)
            if total > self.max_alias_nodes + len(sizes) + 1:
                raise ReadError(
                    f"YAML alias expansion exceeds {self.max_alias_nodes} nodes (alias bomb?)",
                    *self.positions.node(node),
                )
        sizes[key] = total
        return total

    def _check_depth(self, node: Node, depth: int) -> None:
        if depth > self.max_depth:
            raise ReadError(f"YAML nesting is deeper than {self.max_depth} levels",
                            *self.positions.node(node))

    def convert(self, node: Node, path: YamlPath, depth: int) -> Any:
        self._check_depth(node, depth)
        if not node.tag.startswith(_STD) and node.tag != "!":
            self.tags[path] = node.tag
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            return self.sequence(node, path, depth)
        if isinstance(node, MappingNode):
            return self.mapping(node, path, depth)
        raise ReadError(f"unsupported YAML node {type(node).__name__}", *self.positions.node(node))

    def sequence(self, node: SequenceNode, path: YamlPath, depth: int) -> list[Any]:
        items: list[Any] = []
        for index, child in enumerate(node.value):
            child_path = (*path, index)
            self.marks[child_path] = self.positions.node(child)
            items.append(self.convert(child, child_path, depth + 1))
        return items

    def mapping(self, node: MappingNode, path: YamlPath, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for key, (key_node, value_node) in self.pairs(node, depth).items():
            child_path = (*path, key)
            self.marks[child_path] = self.positions.node(key_node)
            out[key] = self.convert(value_node, child_path, depth + 1)
        return out

    def pairs(self, node: MappingNode, depth: int) -> dict[Any, tuple[Node, Node]]:
        """Effective (key node, value node) per key: explicit keys (last duplicate wins),
        then keys from ``<<`` merges that are not set explicitly (earlier merges win)."""
        self._check_depth(node, depth)
        explicit: dict[Any, tuple[Node, Node]] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            explicit[self.key(key_node)] = (key_node, value_node)
        for merge in merges:
            sources = merge.value if isinstance(merge, SequenceNode) else [merge]
            for source in sources:
                if not isinstance(source, MappingNode):
                    raise ReadError(
                        "merge key '<<' expects a mapping or a list of mappings",
                        *self.positions.node(source)
                    )
                for key, pair in self.pairs(source, depth + 1).items():
                    explicit.setdefault(key, pair)
        return explicit

    def key(self, node: Node) -> Any:
        if not isinstance(node, ScalarNode):
            raise ReadError("complex mapping keys are not supported", *self.positions.node(node))
        return self.scalar(node)

    def scalar(self, node: ScalarNode) -> Any:
        """Type a scalar by the tag the resolver gave it; anything exotic stays text."""
        tag, text = node.tag, node.value
        if tag == _STR:
            return text
        if tag == _NULL:
            return None
        if tag == _BOOL:
            lowered = text.lower()
            if lowered in ("true", "yes", "on", "y"):
                return True
            if lowered in ("false", "no", "off", "n"):
                return False
            return text
        if tag == _INT:
            return _to_int(text, self.yaml11)
        if tag == _FLOAT:
            return _to_float(text)
        return text  # timestamps, binary, custom tags: keep the text as written


def _to_int(text: str, yaml11: bool) -> int | str:
    """YAML ints: sign, ``0x``/``0o``/``0b``, leading-zero octal, ``_`` and 1.1 ``a:b``."""
    cleaned = text.replace("_", "")
    sign = -1 if cleaned.startswith("-") else 1
    digits = cleaned[1:] if cleaned[:1] in "+-" else cleaned
    try:
        if yaml11 and ":" in digits:
            total = 0
            for part in digits.split(":"):
                total = total * 60 + int(part)
            return sign * total
        prefix = digits[:2].lower()
        if prefix in ("0x", "0o", "0b"):
            return sign * int(digits[2:], {"0x": 16, "0o": 8, "0b": 2}[prefix])
        if len(digits) > 1 and digits.startswith("0"):
            try:
                return sign * int(digits, 8)
            except ValueError:
                return sign * int(digits, 10)
        return sign * int(digits, 10)
    except ValueError:
        return text


def _to_float(text: str) -> float | str:
    cleaned = text.replace("_", "").lower()
    if cleaned.endswith(".nan"):
        return float("nan")
    if cleaned.endswith(".inf"):
        return float("-inf") if cleaned.startswith("-") else float("inf")
    try:
        if ":" in cleaned:  # YAML 1.1 sexagesimal float
            sign = -1.0 if cleaned.startswith("-") else 1.0
            total = 0.0
            for part in cleaned.lstrip("+-").split(":"):
                total = total * 60 + float(part)
            return sign * total
        return float(cleaned)
    except ValueError:
        return text


def type_name(value: Any, *, quote_strings: bool = False) -> str:
    """How a YAML value's type is called in messages about wrong types (``a mapping``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return f"the string {value!r}" if quote_strings else "a string"
    if isinstance(value, dict):
        return "a mapping"
    return "a list"
