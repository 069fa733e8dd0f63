"""A Kubernetes YAML (or JSON) file as documents: multi-document streams, and Helm templates.

Release bundles hold dozens of documents, and one broken document must cost only itself:
the stream is parsed whole, and only when that fails is it cut at ``---`` lines and each
piece parsed alone, positions shifted back to the file's lines.  A file that does not
parse because it is an unrendered Helm template, or a document that parses but holds Helm
expressions, is explained once ("render the chart first") rather than reported as a
cascade of findings about placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockward.models.location import Location
from dockward.readers.base import ParseProblem, ReadError, SourceFile
from dockward.readers.yamlsource import YamlDoc, load_documents

# ``{{`` anywhere outside a comment: enough to explain a file that does not parse.
_TEMPLATE_MARK = re.compile(r"\{\{|\{%")
# In a file that parses, only unmistakable Helm: a Go template in a container's args
# (``--format={{.Name}}``) is legitimate and must not hide the document.
_HELM_EXPRESSION = re.compile(
    r"\{\{-?\s*(?:[^}]*\.(?:Values|Release|Chart|Capabilities|Files|Template)\b"
    r"|(?:include|template|tpl|toYaml|required|if|range|with|define|end)\b)"
)
_DOCUMENT_START = re.compile(r"^(?:---|\.\.\.)(?:\s|$)")

HELM_ADVICE = (
    "this is an unrendered Helm template; render the chart first with `helm template` "
    "and scan the output"
)


def documents(
    src: SourceFile, lines: list[str]
) -> Iterator[tuple[YamlDoc | ParseProblem, int]]:
    """Each document with the last line it may span (for the Helm check).

    The whole stream is parsed at once; only when that fails is it split at ``---`` lines
    and each document parsed alone, so one bad document of a release bundle costs only
    itself.  A piece's positions are shifted back to the file's lines afterwards.
    """
    total = max(len(lines), 1)
    text = src.text
    if "\t" in text and text.lstrip().startswith("{"):
        # a JSON manifest (`kubectl get -o json`, generators) is YAML too, except that
        # YAML refuses tab indentation; JSON has tabs only as blanks, so they become
        # spaces of the same width
        text = text.replace("\t", " ")
    try:
        docs = load_documents(text, yaml_version="1.1")
    except ReadError as whole_error:
        pieces = _split_documents(lines)
        if len(pieces) <= 1:
            yield _unreadable(src, lines, 1, total, whole_error), total
            return
        for first, last in pieces:
            text = "\n".join(lines[first - 1 : last])
            try:
                piece_docs = load_documents(text, yaml_version="1.1")
            except ReadError as error:
                if error.line:
                    error.line += first - 1
                yield _unreadable(src, lines, first, last, error), last
                continue
            yield from _with_end_lines([_shifted(d, first - 1) for d in piece_docs], last)
        return
    yield from _with_end_lines(docs, total)


def _shifted(doc: YamlDoc, lines: int) -> YamlDoc:
    """``doc`` with every position moved down by ``lines``."""
    if not lines:
        return doc
    marks = {path: (line + lines, column) for path, (line, column) in doc.marks.items()}
    return YamlDoc(value=doc.value, marks=marks, tags=doc.tags)


def _with_end_lines(docs: list[YamlDoc], last_line: int) -> Iterator[tuple[YamlDoc, int]]:
    starts = [doc.marks.get((), (1, 1))[0] for doc in docs]
    for index, doc in enumerate(docs):
        end = starts[index + 1] - 1 if index + 1 < len(docs) else last_line
        yield doc, max(end, starts[index])


def _split_documents(lines: list[str]) -> list[tuple[int, int]]:
    """1-based inclusive line ranges of the documents, cut at ``---`` / ``...`` lines."""
    ranges: list[tuple[int, int]] = []
    start = 1
    for number, line in enumerate(lines, start=1):
        if _DOCUMENT_START.match(line) and number > start:
            ranges.append((start, number - 1))
            start = number
    ranges.append((start, max(len(lines), start)))
    return ranges


def _unreadable(
    src: SourceFile, lines: list[str], first: int, last: int, error: ReadError
) -> ParseProblem:
    """The parser's complaint, or the Helm explanation when template syntax is the cause."""
    for number in range(first, min(last, len(lines)) + 1):
        text = lines[number - 1]
        if text.lstrip().startswith("#"):
            continue
        found = _TEMPLATE_MARK.search(text)
        if found is not None:
            where = Location(file=src.display, line=number, column=found.start() + 1)
            return ParseProblem(where, f"cannot read YAML: {HELM_ADVICE}")
    where = Location(file=src.display, line=error.line or first, column=error.column or 1)
    return ParseProblem(where, f"cannot read YAML: {error.message}")


def helm_line(lines: list[str], first: int, last: int) -> tuple[int, int] | None:
    """Line and column of the first Helm expression between two lines, if any."""
    for number in range(max(first, 1), min(last, len(lines)) + 1):
        text = lines[number - 1]
        if text.lstrip().startswith("#"):
            continue
        found = _HELM_EXPRESSION.search(text)
        if found is not None:
            return number, found.start() + 1
    return None
