"""Masking secrets inside free text: a source line, a command, a message.

The decision of what a secret is lives in :mod:`dockward.secrets`; this module finds where
secrets sit in text a human will read and masks them with :func:`~dockward.secrets.redact`.
Every shown line (snippets, messages, evidence) goes through :func:`scrub`, so the same
detector decides everywhere.  It finds:

- private key blocks, known token formats, long random strings;
- passwords in URLs (``scheme://user:PASSWORD@host``, ``redis://:PASSWORD@host``), in
  connection strings (``Server=db;Pwd=PASSWORD;``) and secret-named query parameters;
- values of secret-named keys: ``KEY=value``, ``KEY: value``, ``ENV KEY value``, quoted
  (``"a \\"b\\" c"``, ``'a b'``), escaped (``a\\ b``), with spaces where the syntax allows
  them (YAML and ``ENV KEY value`` run to the end of the line);
- secret-carrying flags: ``--password X``, ``--token=X``, ``docker login -p X``,
  ``mysql -pX``, ``sshpass -p X``, ``curl -u user:X``.

Everything here is linear in the text: hostile input (a 400 KB line of letters, thousands
of unclosed ``${``) must not stall a scan.  Values are examined at most once, and no
pattern backtracks over a run it already failed on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from dockward.secrets import (
    _CONNECTION_PASSWORD,
    _KNOWN_FORMATS,
    _PLACEHOLDER_ANY,
    _URL_CREDENTIAL,
    _URL_PASSWORD_ONLY,
    MASK,
    _looks_random,
    classify_name,
    is_placeholder,
    is_trivial,
    redact,
)

_KEY = re.compile(r"(?<![A-Za-z0-9_$\-])[A-Za-z_][A-Za-z0-9_.\-]*")
_AFTER_KEY = re.compile(r"(?P<sep>[ \t]*[=:][ \t]*|[ \t]+)(?P<q>[\"']?)")
# A token: starts after a boundary (a flag's "--" or a "=" is not part of it), may end in
# base64 padding.
_RANDOM_RUN = re.compile(r"(?<![A-Za-z0-9+/_])[A-Za-z0-9+/_][A-Za-z0-9+/_\-]{23,}={0,2}")
_DQ_VALUE = re.compile(r'(?:[^"\\\n]|\\.)*')
# Where an unquoted ``KEY=value`` ends: a shell operator, or blanks before a flag, an
# operator, a comment or the next assignment (``PW=x OTHER=1``); ``\ `` does not end it.
# Runs of blanks are entered at their first character only and never backtracked
# (possessive ``++``), so a megabyte of spaces costs one pass.
_EQ_VALUE_END = re.compile(
    r"[;&|)\n]|(?<![ \t\\])[ \t]++(?=[-;&|<>#\\]|[A-Za-z_][A-Za-z0-9_.]*=|$)",
    re.MULTILINE)
# Where ``KEY: value`` (YAML) or ``ENV KEY value`` ends: the line, or a YAML comment.
_LINE_VALUE_END = re.compile(r"\n|(?<![ \t])[ \t]++(?:#|$)", re.MULTILINE)
_FLOW_VALUE_END = re.compile(r"[,}\]\n]|(?<![ \t])[ \t]++#")
_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY[A-Z ]{0,20}-----")
_PEM_END = "-----END "
_FLAG_PROGRAMS = re.compile(r"\b(?:login|mysql\w*|mariadb\w*|sshpass|curl|psql|redis-cli|"
                            r"mongo\w*|htpasswd)\b")
_SPEC_VALUE = re.compile(r"^(?:id|src|source|env|type|required)=")
_NOT_A_VALUE_START = frozenset("`)]}>,;|&[{(")  # prose, or a flow collection
# ``ENV KEY value`` (the one syntax where a blank separates a key from its value), looked
# for in a bounded window before the key
_ENV_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:ENV|env)[ \t]+\Z")
MAX_VALUE = 4096  # characters of one value examined for placeholders


def scrub(text: str) -> str:
    """``text`` with every secret masked (at most four of its characters survive)."""
    if not text:
        return text
    if len(text) <= 512:  # messages repeat: one per finding, often the same words
        return _scrub_short(text)
    return _scrub(text)


@lru_cache(maxsize=8192)
def _scrub_short(text: str) -> str:
    return _scrub(text)


def _scrub(text: str) -> str:
    spans = sorted(_spans(text))
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end in _merge(spans):
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(redact(text[start:end]))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _spans(text: str) -> Iterator[tuple[int, int]]:
    yield from _pem_spans(text)
    for kind, rx in _KNOWN_FORMATS:
        if kind != "private-key":
            yield from (m.span() for m in rx.finditer(text))
    for rx in (_URL_CREDENTIAL, _URL_PASSWORD_ONLY):
        for m in rx.finditer(text):
            if not _PLACEHOLDER_ANY.search(m.group(1)) and MASK not in m.group(1):
                yield m.span(1)
    for m in _CONNECTION_PASSWORD.finditer(text):
        if not is_placeholder(m.group(2)) and not is_trivial(m.group(2)):
            yield m.span(2)
    yield from _assignment_spans(text)
    yield from _flag_spans(text)
    for m in _RANDOM_RUN.finditer(text):
        if _looks_random(m.group()):
            yield m.span()


def _merge(spans: list[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    current: tuple[int, int] | None = None
    for start, end in spans:
        if end <= start:
            continue
        if current is not None and start < current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            yield current
        current = (start, end)
    if current is not None:
        yield current


def _pem_spans(text: str) -> Iterator[tuple[int, int]]:
    """A private key block, from its BEGIN line to its END line (or the end of the text)."""
    next_end = -1
    for m in _PEM_BEGIN.finditer(text):
        if next_end < m.end():
            found = text.find(_PEM_END, m.end())
            next_end = len(text) if found < 0 else found
        yield m.end(), next_end


# --- KEY = value -------------------------------------------------------------------------

def _assignment_spans(text: str) -> Iterator[tuple[int, int]]:
    """The value after every secret-named key; a value is examined once, so keys inside
    a value already looked at are skipped (this keeps the scan linear)."""
    consumed = 0
    flow = _FlowDepth(text)
    for m in _KEY.finditer(text):
        if m.start() < consumed:
            continue
        key = m.group(0)
        after = _AFTER_KEY.match(text, m.end())
        if after is None or not classify_name(key):
            continue
        sep = after.group("sep")
        if not sep.strip() and not _ENV_BEFORE.search(text, max(0, m.start() - 24),
                                                      m.start()):
            continue  # only Dockerfile ENV writes "KEY value"; elsewhere it is prose
        if sep.strip() == ":" and not (sep.endswith((" ", "\t")) or after.group("q")):
            continue  # YAML needs a blank after the colon; "secrets:`" is prose
        start = after.end()
        if sep.strip() != "=" and text[start:start + 1] in _NOT_A_VALUE_START:
            consumed = start
            continue
        in_flow = sep.strip() == ":" and flow.inside(m.start())
        end = _value_end(text, start, sep.strip(), after.group("q"), in_flow)
        consumed = end
        value = text[start:end]
        head = value[:MAX_VALUE]
        if not value.strip() or is_placeholder(head) or is_trivial(head) or MASK in head:
            continue
        yield start, end


def _value_end(text: str, start: int, sep: str, quote: str, in_flow: bool) -> int:
    if quote == '"':
        m = _DQ_VALUE.match(text, start)
        return m.end() if m else start
    if quote == "'":
        close = text.find("'", start)
        newline = text.find("\n", start)
        if close < 0 or 0 <= newline < close:
            return newline if newline >= 0 else len(text)
        return close
    if sep == "=":
        stop = _EQ_VALUE_END.search(text, start)
    elif in_flow:
        stop = _FLOW_VALUE_END.search(text, start)
    else:
        stop = _LINE_VALUE_END.search(text, start)
    return stop.start() if stop else len(text)


class _FlowDepth:
    """Whether a position is inside a YAML flow collection (``{a: x, b: y}``) opened on its
    own line; asked in increasing order, so each character is counted once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.upto = 0
        self.depth = 0

    def inside(self, pos: int) -> bool:
        newline = self.text.rfind("\n", self.upto, pos)
        if newline >= 0:
            self.upto, self.depth = newline + 1, 0
        part = self.text[self.upto:pos]
        self.depth += part.count("{") + part.count("[") - part.count("}") - part.count("]")
        self.upto = pos
        return self.depth > 0


# --- flags -------------------------------------------------------------------------------

def _flag_spans(text: str) -> Iterator[tuple[int, int]]:
    """Values of secret-named long flags (``--password X``, ``--token=X``), and the short
    flags that carry a password for the program on the line (``docker login -p X``,
    ``mysql -pX``, ``sshpass -p X``, ``curl -u user:X``)."""
    if "-" not in text:
        return
    for line_start, line in _lines(text):
        if "-" not in line:
            continue
        words = [(m.start() + line_start, m.group()) for m in re.finditer(r"\S+", line)]
        context = _FLAG_PROGRAMS.findall(line) if _FLAG_PROGRAMS.search(line) else []
        for i, (pos, word) in enumerate(words):
            nxt = words[i + 1] if i + 1 < len(words) else None
            yield from _flag_value(pos, word, nxt, context)


def _flag_value(pos: int, word: str, nxt: tuple[int, str] | None, context: list[str]
                ) -> Iterator[tuple[int, int]]:
    programs = {c.lower() for c in context}
    if word in ("-u", "--user", "--proxy-user") and nxt is not None and "curl" in programs:
        user, colon, password = nxt[1].partition(":")
        if colon and _secret_value(password):
            yield nxt[0] + len(user) + 1, nxt[0] + len(nxt[1])
        return
    if word.startswith("--") and len(word) > 2:
        name, eq, attached = word[2:].partition("=")
        if not classify_name(name):
            return
        if eq:
            if _secret_value(attached):
                yield pos + len(name) + 3, pos + len(word)
        elif nxt is not None and _secret_value(nxt[1]):
            yield nxt[0], nxt[0] + len(nxt[1])
        return
    if word == "-p" and nxt is not None and programs & {"login", "sshpass"}:
        if _secret_value(nxt[1]):
            yield nxt[0], nxt[0] + len(nxt[1])
    elif word.startswith("-p") and len(word) > 2 and (
            "login" in programs or any(p.startswith(("mysql", "mariadb")) for p in programs)
    ) and _secret_value(word[2:]):
        yield pos + 2, pos + len(word)


def _secret_value(value: str) -> bool:
    text = value.strip("'\"")
    head = text[:MAX_VALUE]
    return bool(text) and not text.startswith("-") and not is_placeholder(head) and (
        not is_trivial(head)) and MASK not in head and not _SPEC_VALUE.match(text)


def _lines(text: str) -> Iterator[tuple[int, str]]:
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            yield start, text[start:]
            return
        yield start, text[start:end]
        start = end + 1
