"""Read a Dockerfile into a :class:`~dockward.models.build.Build`.

Parsing is BuildKit's own parser (the ``dockerfile`` package wraps
``moby/buildkit/frontend/dockerfile/parser``), so heredocs, ``# escape=`` and line
continuations are understood exactly as ``docker build`` understands them.  On top of it
this module does what the parser leaves to the builder: stages and their names, ARG
scoping (global ARGs, per-stage re-declaration, defaults and ``${VAR:-x}`` forms), ENV
in both syntaxes, USER per stage, ``RUN --mount`` flags, COPY/ADD flags, and the shell
commands inside RUN, split by the shared extractor of :mod:`dockward.readers.commands`
(its tolerant lexer; see :func:`_iter_shell_commands` for why not bashlex).

A file the parser rejects becomes one :class:`ParseProblem` carrying the line the parser
stopped at; nothing else in it is checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from dockward.models.build import (
    ArgDecl,
    Build,
    CopyInstruction,
    Directive,
    EnvSetting,
    HeredocBody,
    RunInstruction,
    RunMount,
    ShellCommand,
    Stage,
    UserSetting,
)
from dockward.models.location import Location
from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.buildkit import InstructionTooLong, parse_instructions
from dockward.text import split_lines

_DIRECTIVE = re.compile(r"^#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$")
_KNOWN_DIRECTIVES = ("syntax", "escape", "check")
_HEREDOC_MARK = re.compile(r"<<-?\s*([\"']?)([A-Za-z0-9_.\-]+)\1")
_VAR_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_SHELL_REF = re.compile(r"\$\{?(" + _VAR_NAME + r")|%(" + _VAR_NAME + r")%|\$env:(" + _VAR_NAME
                        + r")", re.IGNORECASE)
_POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"})
_WINDOWS_BASE = re.compile(r"(^|/)(windows|nanoserver|servercore|windowsservercore)\b|"
                           r"mcr\.microsoft\.com/(windows|powershell.*(nanoserver|windows))",
                           re.IGNORECASE)


def read_dockerfile(src: SourceFile) -> Iterator[Build | ParseProblem]:
    """One Build for the file, or a ParseProblem when BuildKit's parser rejects it."""
    import dockerfile

    try:
        instructions = parse_instructions(src.text)
    except InstructionTooLong as exc:
        yield ParseProblem(Location(file=src.display, line=exc.line, column=1), str(exc))
        return
    except dockerfile.GoParseError as exc:
        line = _error_line(src.text, str(exc))
        yield ParseProblem(Location(file=src.display, line=line, column=1),
                           f"Dockerfile syntax error: {exc}")
        return
    except (dockerfile.GoIOError, ValueError, UnicodeError) as exc:
        yield ParseProblem(Location(file=src.display, line=1, column=1),
                           f"Dockerfile could not be parsed: {exc}")
        return
    yield _Assembler(src, instructions).assemble()


# --- error lines --------------------------------------------------------------------------

def _error_line(text: str, message: str) -> int:
    """The line the parser stopped at: the parser reports none, so find it.

    An unterminated heredoc is the last heredoc opened.  Any other error is found by a
    binary search for the shortest prefix of the file that fails with the same message
    (the parser stops at the first error, so a longer prefix fails the same way).
    """
    import dockerfile

    lines = split_lines(text)
    if "heredoc" in message:
        for number in range(len(lines), 0, -1):
            line = lines[number - 1]
            if _HEREDOC_MARK.search(line) and not line.lstrip().startswith("#"):
                return number
        return 1

    def fails(count: int) -> bool:
        try:
            dockerfile.parse_string("\n".join(lines[:count]) + "\n")
        except dockerfile.GoParseError as exc:
            return str(exc) == message
        return False

    lo, hi = 1, len(lines)
    if hi == 0 or not fails(hi):
        return 1
    while lo < hi:
        mid = (lo + hi) // 2
        if fails(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


# --- word processing ----------------------------------------------------------------------

@dataclass(slots=True)
class Word:
    """A Dockerfile word after quote removal and variable expansion."""

    text: str  # quotes removed, variables expanded where known
    literal: str  # quotes removed, variables left as written
    known: bool = True  # every variable it used had a known value
    refs: list[str] = field(default_factory=list)


def process_word(word: str, variables: Mapping[str, str | None], escape: str = "\\") -> Word:
    """Remove quotes and expand ``$VAR``/``${VAR}``/``${VAR:-x}``/``${VAR:+x}`` as BuildKit.

    A variable whose value is not known (an ARG without default, something from the base
    image) makes the result ``known=False``; single-quoted text is not expanded.
    """
    out: list[str] = []
    lit: list[str] = []
    refs: list[str] = []
    known = True
    quote = ""
    i, n = 0, len(word)
    while i < n:
        c = word[i]
        if c == "'" and quote != '"':
            quote = "" if quote == "'" else "'"
            i += 1
            continue
        if c == '"' and quote != "'":
            quote = "" if quote == '"' else '"'
            i += 1
            continue
        if c == escape and quote != "'" and i + 1 < n:
            nxt = word[i + 1]
            if not quote or nxt in ('"', "$", escape, "`"):
                out.append(nxt)
                lit.append(nxt)
                i += 2
                continue
        if c == "$" and quote != "'":
            value, raw, end, name, ok = _expand_at(word, i, variables, escape)
            if name:
                refs.append(name)
            known = known and ok
            out.append(value)
            lit.append(raw)
            i = end
            continue
        out.append(c)
        lit.append(c)
        i += 1
    return Word("".join(out), "".join(lit), known, refs)


def _expand_at(word: str, i: int, variables: Mapping[str, str | None], escape: str
               ) -> tuple[str, str, int, str, bool]:
    """Expand the reference at ``word[i] == '$'``: (value, raw, end, name, known)."""
    simple = re.compile(_VAR_NAME).match(word, i + 1)
    if simple:
        name = simple.group(0)
        value = variables.get(name)
        return value or "", word[i:simple.end()], simple.end(), name, value is not None
    if not word.startswith("{", i + 1):
        return "$", "$", i + 1, "", True
    close = word.find("}", i + 2)
    if close < 0:
        return word[i:], word[i:], len(word), "", False
    body = word[i + 2:close]
    raw = word[i:close + 1]
    m = re.match(r"(" + _VAR_NAME + r")(?:(:?[-+])(.*))?$", body, re.S)
    if not m:
        name_m = re.match(_VAR_NAME, body)
        return "", raw, close + 1, name_m.group(0) if name_m else "", False
    name, op, alt = m.group(1), m.group(2), m.group(3) or ""
    value = variables.get(name)
    is_set = name in variables
    alt_word = process_word(alt, variables, escape)
    if op is None:
        return value or "", raw, close + 1, name, value is not None
    if op in (":-", "-"):
        if value:
            return value, raw, close + 1, name, True
        if op == "-" and is_set and value == "":
            return "", raw, close + 1, name, True
        if is_set and value is None:
            return alt_word.text, raw, close + 1, name, False  # depends on --build-arg
        return alt_word.text, raw, close + 1, name, alt_word.known
    # :+ / +
    if value:
        return alt_word.text, raw, close + 1, name, alt_word.known
    if is_set and value is None:
        return "", raw, close + 1, name, False
    return "", raw, close + 1, name, True


def _split_key_value(item: str) -> tuple[str, str | None]:
    key, sep, value = item.partition("=")
    return key, (value if sep else None)


def _parse_mount(raw: str, origin: Location) -> RunMount:
    options: dict[str, str] = {}
    for part in _csv_fields(raw):
        key, _, value = part.partition("=")
        options[key.strip().lower()] = value.strip()
    kind = options.pop("type", "bind") or "bind"
    return RunMount(type=kind.lower(), options=options, raw=raw, origin=origin)


def _csv_fields(text: str) -> list[str]:
    """``type=secret,id=a,"target=/x,y"`` split on commas outside quotes."""
    out: list[str] = []
    buf: list[str] = []
    quote = ""
    for c in text:
        if c in "\"'" and (not quote or quote == c):
            quote = "" if quote else c
            continue
        if c == "," and not quote:
            out.append("".join(buf))
            buf = []
            continue
        buf.append(c)
    if buf:
        out.append("".join(buf))
    return [f for f in out if f.strip()]


def _flag_dict(flags: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    """``--from=x --link`` -> ``{'from': 'x', 'link': ''}``; ``--mount`` values listed apart."""
    out: dict[str, str] = {}
    mounts: list[str] = []
    for flag in flags:
        name, _, value = flag.lstrip("-").partition("=")
        name = name.lower()
        if name == "mount":
            mounts.append(value)
        else:
            out[name] = value
    return out, mounts


# --- assembly -----------------------------------------------------------------------------

class _Assembler:
    """Walks the parsed instructions once, keeping ARG/ENV scope as BuildKit does."""

    def __init__(self, src: SourceFile, instructions: tuple[object, ...]) -> None:
        self.src = src
        self.instructions = instructions
        self.lines = split_lines(src.text)
        self.build = Build(
            name=src.display, source_kind="dockerfile",
            anchor=Location(file=src.display, line=1, column=1),
            dockerfile_path=src.path or None,
        )
        self.escape = "\\"
        self.global_vars: dict[str, str | None] = {}
        self.scope: dict[str, str | None] = {}
        self.stage: Stage | None = None
        self.runs_by_line: dict[int, RunInstruction] = {}

    # entry point -------------------------------------------------------------------------

    def assemble(self) -> Build:
        self._directives()
        for ins in self.instructions:
            cmd = str(getattr(ins, "cmd", "")).upper()
            handler = getattr(self, f"_on_{cmd.lower()}", None)
            if handler is not None:
                handler(ins)
        self._attach_commands()
        return self.build

    # helpers -----------------------------------------------------------------------------

    def _loc(self, line: int, column: int = 1, path: str = "") -> Location:
        return Location(file=self.src.display, line=line, column=column, path=path)

    def _find(self, start: int, end: int, needle: str, after: tuple[int, int] | None = None
              ) -> tuple[int, int]:
        """(line, column) of ``needle`` as a word inside lines ``start..end``."""
        rx = re.compile(r"(?<![A-Za-z0-9_\-])" + re.escape(needle) + r"(?![A-Za-z0-9_])")
        first_line, first_col = after or (start, 0)
        for number in range(first_line, min(end, len(self.lines)) + 1):
            text = self.lines[number - 1]
            m = rx.search(text, first_col if number == first_line else 0)
            if m:
                return number, m.start() + 1
        return start, 1

    def _directives(self) -> None:
        for number, line in enumerate(self.lines, start=1):
            m = _DIRECTIVE.match(line.strip())
            if not line.strip() or not m:
                break
            name = m.group(1).lower()
            if name not in _KNOWN_DIRECTIVES:
                break
            self.build.directives.append(Directive(name, m.group(2), self._loc(number)))
            if name == "escape" and m.group(2) in ("`", "\\"):
                self.escape = m.group(2)

    def _word(self, text: str) -> Word:
        return process_word(text, self.scope if self.stage else self.global_vars, self.escape)

    def _stage_index(self) -> int:
        return self.stage.index if self.stage else -1

    # instructions ------------------------------------------------------------------------

    def _on_from(self, ins: object) -> None:
        flags, _ = _flag_dict(tuple(getattr(ins, "flags", ())))
        value = [str(v) for v in getattr(ins, "value", ())]
        line = int(getattr(ins, "start_line", 1))
        base = value[0] if value else ""
        name = value[2] if len(value) >= 3 and value[1].lower() == "as" else None
        resolved = process_word(base, self.global_vars, self.escape)
        stage = Stage(index=len(self.build.stages), base=base,
                      origin=self._loc(line, 1, f"FROM[{len(self.build.stages)}]"),
                      name=name, platform=flags.get("platform"),
                      base_resolved=resolved.text if resolved.known else None)
        parent = self.build.stage_named(stage.base_resolved or base)
        if parent is not None:
            stage.shell = parent.shell
        elif _WINDOWS_BASE.search(stage.base_resolved or base):
            stage.shell = ("cmd", "/S", "/C")
        self.build.stages.append(stage)
        self.stage = stage
        # a new stage sees no ARGs until it re-declares them; ENV comes from its base
        self.scope = {}
        if parent is not None:
            for env in parent.env:
                self.scope[env.key] = env.resolved
            for member in reversed(self.build.ancestry(parent)):
                for env in member.env:
                    self.scope[env.key] = env.resolved

    def _on_arg(self, ins: object) -> None:
        start = int(getattr(ins, "start_line", 1))
        end = int(getattr(ins, "end_line", start))
        cursor: tuple[int, int] | None = None
        for item in getattr(ins, "value", ()):
            key, default_raw = _split_key_value(str(item))
            line, col = self._find(start, end, key, cursor)
            cursor = (line, col + len(key) - 1)
            default = value = None
            if default_raw is not None:
                word = self._word(default_raw)
                default = word.literal
                value = word.text if word.known else None
            origin = self._loc(line, col, f"ARG {key}")
            if self.stage is None:
                decl = ArgDecl(key, default, origin, scope="global", value=value)
                self.build.global_args.append(decl)
                self.global_vars[key] = value
                continue
            decl = ArgDecl(key, default, origin, scope="stage", stage=self.stage.index,
                           value=value)
            if default is None and key in self.global_vars:
                decl.inherits_global = True
                decl.value = self.global_vars[key]
                glob = next((g for g in self.build.global_args if g.name == key), None)
                decl.default = glob.default if glob else None
            self.stage.args.append(decl)
            if key not in self.scope or default is not None or decl.inherits_global:
                self.scope[key] = decl.value

    def _on_env(self, ins: object) -> None:
        if self.stage is None:
            return
        start = int(getattr(ins, "start_line", 1))
        end = int(getattr(ins, "end_line", start))
        values = [str(v) for v in getattr(ins, "value", ())]
        cursor: tuple[int, int] | None = None
        pending: list[tuple[str, Word, Location]] = []
        for key, raw in zip(values[0::2], values[1::2], strict=False):
            line, col = self._find(start, end, key, cursor)
            cursor = (line, col + len(key) - 1)
            word = self._word(raw)
            pending.append((key, word, self._loc(line, col, f"ENV {key}")))
        # all pairs of one ENV see the scope from before the instruction
        for key, word, origin in pending:
            self.stage.env.append(EnvSetting(
                key=key, value=word.literal, origin=origin, stage=self.stage.index,
                resolved=word.text if word.known else None, refs=tuple(word.refs)))
            self.scope[key] = word.text if word.known else None

    def _on_user(self, ins: object) -> None:
        if self.stage is None:
            return
        value = [str(v) for v in getattr(ins, "value", ())]
        if not value:
            return
        word = self._word(value[0])
        line = int(getattr(ins, "start_line", 1))
        self.stage.users.append(UserSetting(
            user=word.literal, origin=self._loc(line, 1, "USER"), stage=self.stage.index,
            resolved=word.text if word.known else None))

    def _on_shell(self, ins: object) -> None:
        if self.stage is not None:
            self.stage.shell = tuple(str(v) for v in getattr(ins, "value", ()))

    def _on_onbuild(self, ins: object) -> None:
        sub = str(getattr(ins, "sub_cmd", "") or "").upper()
        if sub == "RUN":
            self._on_run(ins, onbuild=True)

    def _on_run(self, ins: object, onbuild: bool = False) -> None:
        if self.stage is None:
            return
        start = int(getattr(ins, "start_line", 1))
        flags, mount_specs = _flag_dict(tuple(getattr(ins, "flags", ())))
        value = [str(v) for v in getattr(ins, "value", ())]
        exec_form = bool(getattr(ins, "json", False))
        heredocs = self._heredocs(ins, start)
        command_line = " ".join(value)
        script = command_line
        if heredocs and not exec_form and _only_heredocs(command_line):
            script = heredocs[0].content
            heredocs = heredocs[1:]
        mounts = []
        cursor: tuple[int, int] | None = None
        for spec in mount_specs:
            line, col = self._find(start, int(getattr(ins, "end_line", start)), "--mount",
                                   cursor)
            cursor = (line, col + 6)
            mounts.append(_parse_mount(spec, self._loc(line, col, "RUN --mount")))
        text = command_line + "".join("\n" + h.content for h in heredocs)
        if script is not command_line:
            text += "\n" + script
        refs = frozenset(next(g for g in m.groups() if g) for m in _SHELL_REF.finditer(text))
        run = RunInstruction(
            origin=self._loc(start, 1, "RUN"), stage=self.stage.index, script=script,
            exec_form=exec_form, mounts=mounts, heredocs=heredocs, refs=refs, flags=flags,
            shell=self.stage.shell or ("/bin/sh", "-c"), onbuild=onbuild,
        )
        self.stage.runs.append(run)
        if not exec_form and _is_posix_shell(run.shell):
            for number in range(start, int(getattr(ins, "end_line", start)) + 1):
                self.runs_by_line[number] = run

    def _on_copy(self, ins: object, instruction: str = "COPY") -> None:
        if self.stage is None:
            return
        start = int(getattr(ins, "start_line", 1))
        flags, _ = _flag_dict(tuple(getattr(ins, "flags", ())))
        value = [str(v) for v in getattr(ins, "value", ())]
        heredocs = self._heredocs(ins, start)
        words = [v for v in value if not _HEREDOC_MARK.fullmatch(v)]
        if len(words) < 1:
            return
        destination = words[-1] if len(words) >= 2 or heredocs else ""
        sources = words[:-1] if destination else words
        processed = [self._word(s).text for s in sources] if not getattr(ins, "json", False) \
            else sources
        self.stage.copies.append(CopyInstruction(
            instruction=instruction, sources=processed, destination=destination,
            origin=self._loc(start, 1, instruction), stage=self.stage.index, flags=flags,
            heredocs=heredocs))

    def _on_add(self, ins: object) -> None:
        self._on_copy(ins, "ADD")

    def _heredocs(self, ins: object, start: int) -> list[HeredocBody]:
        out: list[HeredocBody] = []
        line = start + 1
        for doc in getattr(ins, "heredocs", ()):
            content = str(getattr(doc, "content", ""))
            out.append(HeredocBody(str(getattr(doc, "name", "")), content, line))
            line += content.count("\n") + 1
        return out

    # shell commands ----------------------------------------------------------------------

    def _attach_commands(self) -> None:
        """Split every POSIX-shell RUN into simple commands, with exact lines."""
        if not self.runs_by_line:
            return
        previous_end: dict[int, tuple[int, int]] = {}
        seen: set[tuple[int, int, tuple[str, ...]]] = set()
        for cmd, end in _iter_shell_commands(self.src):
            run = self.runs_by_line.get(cmd.line)
            key = (cmd.line, cmd.column, cmd.words)
            if run is None or key in seen:
                continue
            seen.add(key)
            if run.commands:
                cmd.piped_from_previous = _piped(self.lines, previous_end.get(id(run)),
                                                 (cmd.line, cmd.column))
            run.commands.append(cmd)
            previous_end[id(run)] = end


def _piped(lines: list[str], start: tuple[int, int] | None, end: tuple[int, int]) -> bool:
    """True when only a single ``|`` (or ``|&``) separates two commands in the source."""
    gap = _gap_text(lines, start, end)
    if gap is None:
        return False
    gap = re.sub(r"#[^\n]*", "", gap).replace("\\\n", " ").replace("`\n", " ")
    gap = re.sub(r"[<>]&\d*-?|&>>?", " ", gap)  # 2>&1, &>file: redirections, not operators
    return "||" not in gap and bool(re.fullmatch(r"[^|;&()]*\|&?[^|;&()]*", gap, re.S))


def _gap_text(lines: list[str], start: tuple[int, int] | None, end: tuple[int, int]
              ) -> str | None:
    """Source text strictly between two (line, column) positions, None if out of order."""
    if start is None:
        return None
    (l1, c1), (l2, c2) = start, end
    if (l2, c2) <= (l1, c1) or l1 < 1 or l2 > len(lines):
        return None
    if l1 == l2:
        return lines[l1 - 1][c1 - 1:c2 - 1]
    parts = [lines[l1 - 1][c1 - 1:]]
    parts.extend(lines[l1:l2 - 1])
    parts.append(lines[l2 - 1][:c2 - 1])
    return "\n".join(parts)


def _only_heredocs(command_line: str) -> bool:
    """``RUN <<EOF`` (the heredoc is the script) as opposed to ``RUN python3 <<EOF``."""
    rest = _HEREDOC_MARK.sub("", command_line).strip()
    return not rest


def _is_posix_shell(shell: tuple[str, ...]) -> bool:
    if not shell:
        return True
    program = shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower()
    return program in _POSIX_SHELLS


_RUN_FLAG_WORD = re.compile(r"--(?:mount|network|security|device)(?:=|$)")


def _iter_shell_commands(src: SourceFile) -> Iterator[tuple[ShellCommand, tuple[int, int]]]:
    """Simple commands of every RUN, from the shared command extractor.

    The tolerant lexer reads every RUN, downloads piped into a shell included: bashlex used
    to read those, and dropping it changed no finding on the corpus, the examples or the
    test fixtures, while it cost a parser-table build per process (~0.1 s) plus ~10 µs per
    character.
    """
    from dockward.readers.commands.extract import chunk_memo, iter_chunks, lex_commands

    memo = chunk_memo(src)  # the run-line reader lexes the same RUN chunks
    for chunk in iter_chunks(src):
        for c in lex_commands(chunk, {}, memo=memo):
            # RUN flags continued on later lines reach the extractor as words: drop them
            skip = 0
            while skip < len(c.words) and _RUN_FLAG_WORD.match(c.words[skip].raw):
                skip += 1
            kept = c.words[skip:]
            if not kept:
                continue
            words = tuple(w.text for w in kept)
            first = kept[0]
            last = kept[-1]
            out = ShellCommand(words=words, line=first.line, column=first.column,
                               argv_start=max(c.argv_start - skip, 0),
                               text=" ".join(w.raw for w in kept))
            raw_tail = last.raw.rsplit("\n", 1)
            end_col = (len(raw_tail[-1]) + 1) if len(raw_tail) > 1 else last.column + len(
                last.raw)
            yield out, (last.end_line or last.line, end_col)
