"""YAML as text with a map of its nodes: find what a Location names, edit around it.

The readers record where every value was written (file, line, column).  To change a value
without re-serializing the file (which would lose comments, quoting, indentation, anchors and
flow style), this module rebuilds the node tree from the parser's *events*, which carry the
exact span of every scalar, collection and alias, and then makes edits on the text itself:
replace a scalar's span, delete an entry's lines, insert a line at the indentation its
siblings use.  Composing from events rather than with a composer keeps aliases as
positions of their own (``*defaults`` written at line 12), which a composed graph loses.

PyYAML (already a dependency, with its C parser) gives the spans; ruamel.yaml's round-trip
mode would also keep most formatting, but it re-emits whole files, and "most" is not "byte
for byte".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from dockward.fixers.base import Unfixable
from dockward.fixers.edits import Edit
from dockward.fixers.text import TextIndex, is_comment_line

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_DOCUMENT_MARK = re.compile(r"^(?:---|\.\.\.)(?:[ \t]|$)", re.MULTILINE)
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9_./~][A-Za-z0-9_./:=@+~-]*")
_SPECIAL_PLAIN = re.compile(
    r"(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|null|Null|NULL|~|\.inf|\.nan|<<)")
_MAX_DEPTH = 200


@dataclass(eq=False)
class YNode:
    """A node with its exact span in the file (offsets into the whole text)."""

    kind: str  # map | seq | scalar | alias
    start: int
    end: int
    flow: bool = False
    style: str | None = None  # scalars: None (plain), "'", '"', "|", ">"
    value: str = ""  # scalars: the value after unquoting
    tag: str | None = None
    anchor: str | None = None
    pairs: list[tuple[YNode, YNode]] = field(default_factory=list)  # map
    items: list[YNode] = field(default_factory=list)  # seq
    target: YNode | None = None  # alias
    parent: YNode | None = None

    def deref(self) -> YNode:
        """The node an alias stands for (itself for anything else)."""
        node: YNode = self
        seen = 0
        while node.kind == "alias" and node.target is not None and seen < _MAX_DEPTH:
            node = node.target
            seen += 1
        return node

    @property
    def is_merge_key(self) -> bool:
        return self.kind == "scalar" and self.style is None and self.value == "<<"

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and self.style is None and self.value in (
            "", "~", "null", "Null", "NULL")

    def get(self, key: str) -> tuple[YNode, YNode] | None:
        """The explicit pair ``key`` of a mapping (merge keys not followed)."""
        node = self.deref()
        for k, v in node.pairs:
            if k.kind == "scalar" and k.value == key and not k.is_merge_key:
                return k, v
        return None

    def value_of(self, key: str) -> YNode | None:
        """The value for ``key``, following merge keys (``<<: *defaults``) as YAML does."""
        found = self.get(key)
        if found is not None:
            return found[1].deref()
        for k, v in self.deref().pairs:
            if not k.is_merge_key:
                continue
            sources = v.deref().items if v.deref().kind == "seq" else [v]
            for source in sources:
                inherited = source.deref().value_of(key) if source.deref().kind == "map" \
                    else None
                if inherited is not None:
                    return inherited
        return None

    def key_names(self) -> list[str]:
        return [k.value for k, _ in self.deref().pairs if k.kind == "scalar"]


@dataclass(slots=True)
class Entry:
    mapping: YNode
    key: YNode
    value: YNode


class _Builder:
    """Turns a parser event stream into YNodes (one list of roots per document)."""

    def __init__(self, base: int) -> None:
        self.base = base
        self.anchors: dict[str, YNode] = {}
        self.roots: list[YNode] = []
        self.stack: list[YNode] = []
        self.pending_key: list[YNode | None] = []

    def feed(self, event: Any) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.anchors = {}
            return
        if isinstance(event, yaml.ScalarEvent):
            self._add(YNode("scalar", self._at(event.start_mark), self._at(event.end_mark),
                            style=event.style or None, value=event.value, tag=event.tag,
                            anchor=event.anchor))
        elif isinstance(event, yaml.AliasEvent):
            target = self.anchors.get(event.anchor or "")
            self._add(YNode("alias", self._at(event.start_mark), self._at(event.end_mark),
                            target=target, anchor=event.anchor))
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            kind = "map" if isinstance(event, yaml.MappingStartEvent) else "seq"
            node = YNode(kind, self._at(event.start_mark), self._at(event.end_mark),
                         flow=bool(event.flow_style), tag=event.tag, anchor=event.anchor)
            self._add(node)
            if len(self.stack) > _MAX_DEPTH:
                raise Unfixable("the YAML is nested too deeply to edit")
            self.stack.append(node)
            self.pending_key.append(None)
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            node = self.stack.pop()
            self.pending_key.pop()
            node.end = self._at(event.end_mark)

    def _at(self, mark: Any) -> int:
        return self.base + int(mark.index)

    def _add(self, node: YNode) -> None:
        if node.anchor and node.kind != "alias":
            self.anchors[node.anchor] = node
        if not self.stack:
            self.roots.append(node)
            return
        parent = self.stack[-1]
        node.parent = parent
        if parent.kind == "seq":
            parent.items.append(node)
            return
        key = self.pending_key[-1]
        if key is None:
            self.pending_key[-1] = node
        else:
            parent.pairs.append((key, node))
            self.pending_key[-1] = None


class YamlText:
    """A YAML file's text and node map, and the edits that keep its formatting.

    Every method that changes something returns :class:`Edit`\\ s; the text itself is never
    modified here, so one instance serves all the remedies of a pass.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.index = TextIndex(text)
        self.roots: list[YNode] = []
        self.broken: list[int] = []  # 1-based lines where a document failed to parse
        self._parse()
        self.entries: dict[tuple[int, int], Entry] = {}
        self.items: dict[tuple[int, int], YNode] = {}
        for root in self.roots:
            self._index(root, 0)
        self.step, self.seq_indent, self.flow_lists = self._style()
        self.removing: Counter[int] = Counter()  # children removed per collection, this pass

    def remaining(self, collection: YNode) -> int:
        """Entries or items ``collection`` keeps after the removals planned so far: when
        the last one goes, its key should go too (``volumes:`` must not stay empty)."""
        node = collection.deref()
        count = len(node.pairs) if node.kind == "map" else len(node.items)
        return count - self.removing[id(node)]

    # -- parsing ---------------------------------------------------------------------------

    def _parse(self) -> None:
        if self._parse_part(self.text, 0):
            return
        self.roots = []
        bounds = [m.start() for m in _DOCUMENT_MARK.finditer(self.text)]
        starts = sorted({0, *bounds})
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(self.text)
            if not self._parse_part(self.text[start:end], start):
                self.broken.append(self.index.line_of(start))

    def _parse_part(self, text: str, base: int) -> bool:
        builder = _Builder(base)
        try:
            for event in yaml.parse(text, Loader=_Loader):
                builder.feed(event)
        except (yaml.YAMLError, RecursionError, IndexError, Unfixable):
            return False
        self.roots.extend(builder.roots)
        return True

    def _index(self, node: YNode, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        if node.kind == "map":
            for key, value in node.pairs:
                self.entries.setdefault(self.position(key), Entry(node, key, value))
                self._index(value, depth + 1)
        elif node.kind == "seq":
            for item in node.items:
                self.items.setdefault(self.position(item), item)
                self._index(item, depth + 1)

    def _style(self) -> tuple[int, int, bool]:
        """The file's indentation step, how far ``-`` sits in from its key, and whether short
        lists are written in flow style (``[ALL]``): new text follows what is there."""
        steps: Counter[int] = Counter()
        seq_indents: Counter[int] = Counter()
        flows: Counter[bool] = Counter()
        for entry in self.entries.values():
            value = entry.value
            key_column = self.column(entry.key)
            if value.kind == "map" and not value.flow and value.pairs:
                child = self.column(value.pairs[0][0])
                if child > key_column and self.line(value.pairs[0][0]) > self.line(entry.key):
                    steps[child - key_column] += 1
            elif value.kind == "seq" and value.items:
                if all(i.kind == "scalar" for i in value.items):
                    flows[value.flow] += 1
                if not value.flow:
                    dash = self._dash_column(value.items[0])
                    if dash is not None and self.line(value.items[0]) > self.line(entry.key):
                        seq_indents[max(dash - key_column, 0)] += 1
        step = steps.most_common(1)[0][0] if steps else 2
        seq_indent = seq_indents.most_common(1)[0][0] if seq_indents else step
        return step, seq_indent, flows[True] > flows[False]

    # -- positions -------------------------------------------------------------------------

    def position(self, node: YNode) -> tuple[int, int]:
        """1-based (line, column), as Locations have them."""
        line = self.index.line_of(node.start)
        return line, node.start - self.index.line_start(line) + 1

    def line(self, node: YNode) -> int:
        return self.index.line_of(node.start)

    def column(self, node: YNode) -> int:
        """0-based column of the node's first character."""
        return node.start - self.index.line_start(self.line(node))

    def last_line(self, node: YNode, depth: int = 0) -> int:
        """The last line that holds text of ``node`` (not the blank or comment lines after)."""
        if node.kind == "alias" or node.kind == "scalar" or node.flow or depth > _MAX_DEPTH:
            end = node.end
            k = end
            while k > node.start and self.text[k - 1] in " \t\r\n":
                k -= 1
            return self.index.line_of(max(k - 1, node.start))
        children: list[YNode] = (
            [n for pair in node.pairs for n in pair] if node.kind == "map" else node.items)
        if not children:
            return self.index.line_of(node.start)
        return max(self.last_line(child, depth + 1) for child in children[-2:])

    def entry_at(self, line: int, column: int) -> Entry | None:
        return self.entries.get((line, column))

    def item_at(self, line: int, column: int) -> YNode | None:
        return self.items.get((line, column))

    def owner_entry(self, node: YNode) -> Entry | None:
        """The mapping entry whose value is ``node`` (or whose value holds it directly)."""
        parent = node.parent
        if parent is None or parent.kind != "map":
            return None
        for key, value in parent.pairs:
            if value is node:
                return Entry(parent, key, value)
        return None

    def source(self, node: YNode) -> str:
        return self.text[node.start:node.end]

    def _dash_column(self, item: YNode) -> int | None:
        line_start = self.index.line_start(self.line(item))
        before = self.text[line_start:item.start]
        stripped = before.rstrip()
        if stripped.endswith("-") and not stripped[:-1].strip(" -"):
            return len(stripped) - 1
        return None

    def _line_is_only(self, node: YNode) -> bool:
        """True when only blanks precede ``node`` on its line."""
        line_start = self.index.line_start(self.line(node))
        return not self.text[line_start:node.start].strip()

    # -- rendering -------------------------------------------------------------------------

    def scalar(self, value: Any, like: YNode | None = None) -> str:
        """A scalar in the style of ``like`` (plain, 'single', "double") when it can be."""
        if isinstance(value, bool):
            text = "true" if value else "false"
            return f'"{text}"' if like is not None and like.style == '"' else text
        if isinstance(value, int | float):
            return str(value)  # a number stays a number, whatever the old value's quotes
        text = str(value)
        style = like.style if like is not None else None
        if style == "'":
            return "'" + text.replace("'", "''") + "'"
        if style == '"' or not _is_plain_safe(text):
            return _double_quoted(text)
        return text

    def flow(self, value: Any) -> str:
        if isinstance(value, dict):
            return "{" + ", ".join(f"{k}: {self.flow(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list | tuple):
            return "[" + ", ".join(self.flow(v) for v in value) + "]"
        return self.scalar(value)

    def block(self, key: str, value: Any, indent: int) -> list[str]:
        """``key: value`` as block lines at ``indent`` (nested mappings one step in)."""
        pad = " " * indent
        if isinstance(value, dict):
            lines = [f"{pad}{key}:"]
            for k, v in value.items():
                lines.extend(self.block(str(k), v, indent + self.step))
            return lines
        if isinstance(value, list | tuple):
            simple = all(not isinstance(v, dict | list | tuple) for v in value)
            if simple and self.flow_lists:
                return [f"{pad}{key}: {self.flow(list(value))}"]
            lines = [f"{pad}{key}:"]
            dash = " " * (indent + self.seq_indent)
            for v in value:
                lines.extend(self._block_item(v, dash))
            return lines
        return [f"{pad}{key}: {self.scalar(value)}"]

    def _block_item(self, value: Any, dash: str) -> list[str]:
        if isinstance(value, dict):
            lines: list[str] = []
            inner = len(dash) + 2
            for n, (k, v) in enumerate(value.items()):
                sub = self.block(str(k), v, inner)
                if n == 0:
                    sub[0] = f"{dash}- " + sub[0][inner:]
                lines.extend(sub)
            return lines
        return [f"{dash}- {self.flow(value)}"]

    # -- edits -----------------------------------------------------------------------------

    def replace_scalar(self, node: YNode, value: Any) -> Edit:
        if node.kind != "scalar" or node.style in ("|", ">"):
            raise Unfixable("the value is not a single scalar dockward can rewrite")
        return Edit(node.start, node.end, self.scalar(value, node))

    def insert_pair(self, mapping: YNode, key: str, value: Any, claim: str = "") -> Edit:
        """Add ``key: value`` at the end of ``mapping`` (block or flow)."""
        node = mapping.deref()
        claim = claim or f"{node.start}:{key}"
        if node.kind != "map":
            raise Unfixable("expected a mapping here")
        touches = _node_id(node)
        if node.flow:
            if not node.pairs:
                return Edit(node.end - 1, node.end - 1, f"{key}: {self.flow(value)}", claim,
                            touches=touches)
            last = node.pairs[-1][1]
            return Edit(last.end, last.end, f", {key}: {self.flow(value)}", claim,
                        touches=touches)
        if not node.pairs:
            raise Unfixable("cannot add to an empty block mapping")
        indent = self.column(node.pairs[0][0])
        edit = self.insert_lines(self.last_line(node), self.block(key, value, indent), claim)
        return replace(edit, touches=touches)

    def set_empty_value(self, entry: Entry, value: Any, claim: str = "") -> Edit:
        """Give ``key:`` (null) a mapping or list value, as block lines under the key."""
        key_column = self.column(entry.key)
        lines = self.block("_", value, key_column)
        first = lines[0][key_column + 2:]  # what follows "_:"
        start, end = entry.value.start, entry.value.end
        claim = claim or f"{entry.key.start}:value"
        if entry.value.kind == "scalar" and entry.value.value == "":
            # nothing written after the colon: insert after it (and before any comment)
            start = end = entry.key.end + self.text[entry.key.end:].find(":") + 1
        if first.strip():
            return Edit(start, end, first, claim)
        nl = self.index.newline
        body = nl.join(lines[1:])
        line_end = self.index.line_end(self.line(entry.key))
        if start != end and entry.value.end <= line_end:
            return Edit(start - 1 if self.text[start - 1] == " " else start, end,
                        nl + body, claim)
        return Edit(line_end, line_end, nl + body, claim)

    def append_item(self, sequence: YNode, value: Any, claim: str = "") -> Edit:
        node = sequence.deref()
        if node.kind != "seq":
            raise Unfixable("expected a list here")
        touches = _node_id(node)
        if node.flow:
            if not node.items:
                return Edit(node.end - 1, node.end - 1, self.flow(value), claim,
                            touches=touches)
            last = node.items[-1]
            return Edit(last.end, last.end, f", {self.flow(value)}", claim, touches=touches)
        if not node.items:
            raise Unfixable("cannot add to an empty block list")
        first = node.items[0]
        dash = self._dash_column(first)
        if dash is None:
            raise Unfixable("the list is written in a way dockward does not edit")
        prefix = " " * dash
        edit = self.insert_lines(self.last_line(node), self._block_item(value, prefix), claim)
        return replace(edit, touches=touches)

    def insert_lines(self, after_line: int, lines: list[str], claim: str = "") -> Edit:
        """Whole lines after ``after_line``; deeper lines go first when several insertions
        meet at one point (they belong to the mapping that ends there)."""
        nl = self.index.newline
        position = self.index.next_line_start(after_line)
        text = nl.join(lines) + nl
        if position == len(self.text) and self.text and not self.text.endswith("\n"):
            text = nl + nl.join(lines)
        indent = min((len(x) - len(x.lstrip(" ")) for x in lines if x.strip()), default=0)
        return Edit(position, position, text, claim, order=-indent)

    def remove_pair(self, mapping: YNode, key: YNode) -> Edit:
        node = mapping.deref()
        self.removing[id(node)] += 1
        pairs = node.pairs
        index = next((i for i, (k, _) in enumerate(pairs) if k is key), None)
        if index is None:
            raise Unfixable("the setting was not found where it was read")
        value = pairs[index][1]
        return replace(self._pair_removal(node, pairs, index, key, value),
                       claim=_node_id(value.deref()) if value.deref().kind != "scalar" else "",
                       touches=_node_id(node))

    def _pair_removal(self, node: YNode, pairs: list[tuple[YNode, YNode]], index: int,
                      key: YNode, value: YNode) -> Edit:
        if node.flow:
            return self._remove_flow(node, [k for k, _ in pairs], index,
                                     [v for _, v in pairs])
        if not self._line_is_only(key):
            if index + 1 < len(pairs):
                return Edit(key.start, pairs[index + 1][0].start, "")
            raise Unfixable("the setting shares its line with a list marker")
        return self._remove_lines(self.line(key), max(self.last_line(key),
                                                      self.last_line(value)))

    def remove_item(self, sequence: YNode, item: YNode) -> Edit:
        node = sequence.deref()
        self.removing[id(node)] += 1
        index = next((i for i, n in enumerate(node.items) if n is item), None)
        if index is None:
            raise Unfixable("the list item was not found where it was read")
        claim = _node_id(item.deref()) if item.deref().kind != "scalar" else ""
        if node.flow:
            edit = self._remove_flow(node, node.items, index, node.items)
        elif self._dash_column(item) is None:
            raise Unfixable("the list item shares its line with other text")
        else:
            edit = self._remove_lines(self.line(item), self.last_line(item))
        return replace(edit, claim=claim, touches=_node_id(node))

    def _remove_flow(self, node: YNode, starts: list[YNode], index: int,
                     ends: list[YNode]) -> Edit:
        if len(starts) == 1:
            inner_start, inner_end = node.start + 1, node.end - 1
            return Edit(inner_start, inner_end, "")
        if index + 1 < len(starts):
            return Edit(starts[index].start, starts[index + 1].start, "")
        return Edit(ends[index - 1].end, ends[index].end, "")

    def _remove_lines(self, first: int, last: int) -> Edit:
        """Delete whole lines ``first..last``, keeping comment lines among them."""
        start = self.index.line_start(first)
        end = self.index.next_line_start(last)
        kept = [self.index.text[self.index.line_start(n):self.index.next_line_start(n)]
                for n in range(first + 1, last + 1) if is_comment_line(self.index.line_text(n))]
        return Edit(start, end, "".join(kept))

    # -- navigation ------------------------------------------------------------------------

    def documents(self) -> Iterator[YNode]:
        yield from self.roots


def _node_id(node: YNode) -> str:
    """How edits name a collection they claim or touch (its first character's offset)."""
    return f"node@{node.start}"


def _is_plain_safe(text: str) -> bool:
    """True when ``text`` reads back as the same string, plain, in YAML 1.1 and 1.2."""
    if not _PLAIN_SAFE.fullmatch(text) or _SPECIAL_PLAIN.fullmatch(text):
        return False
    if ": " in text or " #" in text or text.endswith(":"):
        return False
    if re.fullmatch(r"[-+]?(?:\d[\d_]*)?(?:\.\d*)?(?:[eE][-+]?\d+)?", text):
        return False
    if re.fullmatch(r"[\d:]+", text):  # 10001:10001: a string, but quoted it reads as one
        return False
    return not re.match(r"[-+]?\d[\d_]*(?::[0-5]?\d)+(?:\.\d*)?$", text)


def _double_quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
