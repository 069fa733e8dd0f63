"""The optional bashlex path: simple commands as bashlex parses them, mapped to the file.

bashlex is opt-in (``use_bashlex=True``) because it is slow and strict (see :mod:`.lexer`);
where it parses a line it is the more faithful reading, and the test-suite checks that it
and the lexer agree on the corpus.  This module owns the one awkward part of using it:
bashlex reports positions in the text with backslash-newlines removed, so every position
is mapped back before it becomes a :class:`Word`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from dockward.readers.commands.programs import program_start
from dockward.readers.commands.words import Command, CommandText, Word

log = logging.getLogger(__name__)


_BASHLEX_UNSAFE = re.compile(r"<<|<[A-Za-z_%]")


def bashlex_commands(
    ct: CommandText, start: int, end: int, variables: Mapping[str, str],
) -> list[Command] | None:
    """Simple commands as bashlex parses them; None when bashlex cannot (or should not).

    Heredocs and documentation placeholders (``<name>``) are left to the lexer: bashlex
    reads the first as an unsupported construct and the second as redirections.  bashlex
    reports positions in the text *without* backslash-newlines, so they are mapped back.
    """
    text = ct.text[start:end]
    if _BASHLEX_UNSAFE.search(text) and (ct.placeholders or "<<" in text):
        return None
    if text.count("${") > text.count("}"):
        return None  # bashlex loops forever on an unclosed ${ inside single quotes

    kept = [i for i in range(len(text))
            if not (text.startswith("\\\n", i) or (i and text.startswith("\\\n", i - 1)))]
    try:
        import bashlex

        trees = bashlex.parse("".join(text[i] for i in kept))
    except Exception as exc:  # bashlex raises many exception types on odd input
        log.debug("bashlex failed (%s); using the tolerant lexer", exc)
        return None
    commands: list[Command] = []

    def original(offset: int) -> int:
        return kept[offset] if offset < len(kept) else len(text)

    def word_of(node: Any) -> Word:
        lo, hi = original(node.pos[0]), original(node.pos[1] - 1) + 1
        raw = text[lo:hi]
        line, column = ct.position(start + lo)
        end_line = ct.position(start + max(hi - 1, lo))[0]
        kinds = {getattr(p, "kind", "") for p in getattr(node, "parts", [])}
        expands = bool(kinds & {"parameter", "commandsubstitution", "processsubstitution"})
        return Word(text=node.word, raw=raw, line=line, column=column, expands=expands,
                    quoted=raw != node.word, end_line=end_line, offset=start + lo)

    def visit(node: Any, depth: int = 0) -> None:
        if depth > 200:
            return
        kind = getattr(node, "kind", "")
        if kind == "command":
            words = [word_of(p) for p in node.parts if p.kind in ("word", "assignment")]
            if words:
                commands.append(Command(words=tuple(words), file=ct.file, origin=ct.origin,
                                        argv_start=program_start(words),
                                        variables=variables))
        if kind in ("commandsubstitution", "processsubstitution"):
            visit(node.command, depth + 1)
            return
        for child in getattr(node, "parts", None) or getattr(node, "list", None) or []:
            visit(child, depth + 1)

    for tree in trees:
        visit(tree)
    return commands
