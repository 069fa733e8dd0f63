"""From one chunk of shell text to logical lines and simple commands.

:func:`lex_commands` lexes a :class:`CommandText` (with bashlex first when asked) and
recurses into the scripts a command carries: ``$(..)``/backtick substitutions, ``sh -c
'..'``, ``eval '..'``, ``ssh host '..'`` and heredocs fed to a shell.  Nesting is bounded
(:data:`_MAX_DEPTH`) and bracket matching shares one step budget per chunk, so hostile input
costs linear time and never raises.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from dockward.readers.commands.bashlex_adapter import bashlex_commands
from dockward.readers.commands.lexer import Budget, Lexer, Token, budget_for
from dockward.readers.commands.programs import SHELLS, program_start
from dockward.readers.commands.words import Command, CommandText, Span, Word

_MAX_DEPTH = 12  # nesting of $(...), sh -c '...', heredoc scripts


@dataclass(slots=True)
class _LexRun:
    """What every level of one recursive lexing run shares."""

    out: list[Command]
    variables: Mapping[str, str]
    use_bashlex: bool
    budget: Budget


# What one lexing of a chunk gave, per command: (words, file, origin, argv_start).
LexMemo = dict[CommandText, list[tuple[tuple[Word, ...], str, str, int]]]


def lex_commands(
    ct: CommandText,
    variables: Mapping[str, str] | None = None,
    *,
    use_bashlex: bool = False,
    memo: LexMemo | None = None,
) -> list[Command]:
    """Every simple command in ``ct``, nested ones (``$(..)``, ``sh -c '..'``) included.

    ``memo`` (one per file) lets two readers of the same file share the lexing of a chunk
    (the Dockerfile reader and the run-line reader both read RUN lines).  It is used only
    without variables: known variables can change which nested scripts are read
    (``$SH -c '..'``), so such a call always lexes.  Each call gets commands of its own
    (callers attach scopes and resolve programs on them); the words are shared.
    """
    mapping = variables if variables is not None else {}
    if use_bashlex or mapping:
        memo = None
    known = memo.get(ct) if memo is not None else None
    if known is not None:
        return [Command(words=words, file=file, origin=origin, argv_start=argv_start,
                        variables=mapping) for words, file, origin, argv_start in known]
    run = _LexRun(out=[], variables=mapping, use_bashlex=use_bashlex,
                  budget=Budget(budget_for(len(ct.text))))
    _lex_into(ct, 0, len(ct.text), run, 0)
    run.out.sort(key=lambda c: (c.line, c.words[0].column if c.words else 0))
    if memo is not None:
        memo[ct] = [(c.words, c.file, c.origin, c.argv_start) for c in run.out]
    return run.out


def _lex_into(ct: CommandText, start: int, end: int, run: _LexRun, depth: int) -> None:
    if depth > _MAX_DEPTH or start >= end:
        return
    if run.use_bashlex:
        parsed = bashlex_commands(ct, start, end, run.variables)
        if parsed is not None:
            for command in parsed:
                _append(ct, command, [], run, depth)
            return
    lexer = Lexer(ct.text, start, end, ct.placeholders, ct.origin == "makefile",
                  run.budget).run()
    for simple in lexer.commands:
        words = _words_of(ct, simple.words)
        command = Command(words=words, file=ct.file, origin=ct.origin,
                          argv_start=program_start(list(words)), variables=run.variables)
        _append(ct, command, simple.heredocs, run, depth)
    for nested_start, nested_end in lexer.nested:
        _lex_into(ct, nested_start, nested_end, run, depth + 1)


def _append(ct: CommandText, command: Command, heredocs: list[tuple[int, int]], run: _LexRun,
            depth: int) -> None:
    """Keep ``command`` and read the scripts it runs (heredocs to a shell, ``sh -c``)."""
    if command.words:
        run.out.append(command)
    program = command.program
    runs_shell = program in SHELLS or program == "ssh" or (
        not command.argv and ct.shell_heredoc_default)
    if runs_shell:
        for body_start, body_end in heredocs:
            _lex_into(ct, body_start, body_end, run, depth + 1)
    script = _inline_script(command)
    if script is not None:
        _lex_word(ct, script, run, depth + 1)


def _words_of(ct: CommandText, tokens: list[Token]) -> tuple[Word, ...]:
    """The tokens as positioned words: ``ct.position`` of each token's first and last
    character, with one span lookup per token when both fall in one span (nearly always:
    a span is a line or more), and the lookup inlined (this runs once per shell word)."""
    spans, offsets, text = ct.spans, ct.offsets, ct.text
    if not spans:
        return tuple(Word(text=tok.text, raw=text[tok.start:tok.end], line=1, column=1,
                          expands=tok.expands, quoted=tok.quoted, end_line=1,
                          offset=tok.start) for tok in tokens)
    count = len(offsets)
    words: list[Word] = []
    for tok in tokens:
        start, end = tok.start, tok.end
        index = bisect_right(offsets, start) - 1
        if index < 0:
            index = 0
        span = spans[index]
        line = span.line
        column = span.column + (start - span.offset if start > span.offset else 0)
        last = end - 1 if end - 1 > start else start
        if index + 1 == count or offsets[index + 1] > last:
            end_line = line
        else:
            last_index = bisect_right(offsets, last) - 1
            end_line = spans[last_index if last_index > 0 else 0].line
        words.append(Word(text=tok.text, raw=text[start:end], line=line, column=column,
                          expands=tok.expands, quoted=tok.quoted, end_line=end_line,
                          offset=start))
    return tuple(words)


def _inline_script(command: Command) -> Word | None:
    """The script word of ``sh -c '...'``, ``eval '...'`` or ``ssh host '...'``."""
    argv = command.argv
    program = command.program
    if program == "eval" and len(argv) == 2:
        return argv[1]
    if program == "ssh":
        last = argv[-1]
        return last if len(argv) > 2 and any(c.isspace() for c in last.text) else None
    if program in SHELLS:
        for i, word in enumerate(argv[1:], start=1):
            text = word.text
            if text.startswith("-") and not text.startswith("--") and "c" in text[1:]:
                return argv[i + 1] if i + 1 < len(argv) else None
            if not text.startswith("-"):
                return None
    return None


def _lex_word(ct: CommandText, word: Word, run: _LexRun, depth: int) -> None:
    """Lex the contents of a script word, keeping exact positions when quoting allows."""
    raw = word.raw
    quote = 1 if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" else 0
    inner = raw[quote:len(raw) - quote]
    if inner == word.text and word.offset >= 0:
        start = word.offset + quote
        _lex_into(ct, start, start + len(inner), run, depth)
        return
    sub = CommandText(text=word.text, spans=(Span(0, word.line, word.column),),
                      origin=ct.origin, file=ct.file, placeholders=ct.placeholders)
    _lex_into(sub, 0, len(sub.text), run, depth)


def split_logical_lines(ct: CommandText) -> Iterator[CommandText]:
    """Cut a chunk at newlines that end a command (not inside quotes, ``$(..)``, heredocs)."""
    lexer = Lexer(ct.text, 0, len(ct.text), ct.placeholders, ct.origin == "makefile",
                  Budget(budget_for(len(ct.text)))).run()
    start = 0
    for brk in [*lexer.breaks, len(ct.text)]:
        piece = ct.text[start:brk].strip()
        if piece and not piece.startswith("#"):
            yield ct.slice(start, brk)
        start = brk + 1
