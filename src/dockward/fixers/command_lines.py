"""The command-line editor: ``docker run``/``create`` and ``docker build`` lines wherever the
readers find them (shell scripts, Makefiles, Markdown code blocks and prompts, CI YAML
``run:``/``script:``, systemd units, Dockerfile ``RUN``).

It re-reads the file with the same extractor the readers use, so a Location (the ``docker``
word of a line, the word of a flag) names the same word here, and then edits words:

- a new flag goes just before the image, in the line's own style: ``--flag=value`` when the
  line writes its flags that way, one flag per line behind `` \\`` when the line is split
  like that (with the same prefix: indentation, a ``> `` prompt, a CI block's indentation);
- a removed flag takes its value word and its whitespace with it, or its whole line when it
  had one of its own;
- a changed value keeps its quotes.

Every word is checked against the text at its recorded position before it is touched: a
word the extractor had to rebuild (folded YAML, escapes in a quoted scalar) is not edited.
"""

from __future__ import annotations

import shlex
from typing import Any

from dockward.findings import Change, Remedy
from dockward.fixers.base import SourceText, Unfixable, target_of
from dockward.fixers.edits import Edit
from dockward.fixers.specs import (
    mount_read_only,
    mount_without_propagation,
    port_with_host_ip,
    volume_read_only,
    volume_without_propagation,
)
from dockward.fixers.text import TextIndex
from dockward.kinds import RUN_FLAGS, format_value
from dockward.models.location import Location
from dockward.models.workload import normalize_capability
from dockward.readers.base import SourceFile
from dockward.readers.commands import (
    Command,
    FlagUse,
    RunLine,
    Word,
    iter_commands,
    parse_cli,
    parse_run,
)

_FLAGS = RUN_FLAGS
_BOOLEAN = frozenset({"privileged", "read-only", "use-api-socket"})
_LINE_PREFIX = " \t>"


class CommandLineEditor:
    """Edits the container command lines of one file."""

    settings = frozenset({*_FLAGS, "build_arg", "build_secret"})

    def __init__(self, source: SourceText) -> None:
        self.source = source
        self.text = source.text
        self.index = TextIndex(source.text)
        src = SourceFile(path=source.path, display=source.display, text=source.text,
                         kind=source.kind)
        self.words: dict[tuple[int, int], tuple[Command, int]] = {}
        for command in iter_commands(src):
            for i, word in enumerate(command.argv):
                self.words.setdefault((word.line, word.column), (command, i))

    # -- entry point -----------------------------------------------------------------------

    def edits(self, part: Remedy, anchor: Location) -> list[Edit]:
        target = target_of(part, anchor)
        found = self.words.get((target.line, target.column))
        if found is None:
            raise Unfixable(f"no command word at {target.describe()}")
        command, index = found
        if part.setting in ("build_arg", "build_secret"):
            return self._build(command, index, part)
        run = parse_run(command)
        if run is None:
            raise Unfixable(f"no docker run line at {target.describe()}")
        names = _FLAGS.get(part.setting)
        if names is None:
            raise Unfixable(f"a run line cannot express {part.setting}")
        if index == 0:  # the line's anchor: the setting is missing
            if part.change is Change.REMOVE:
                raise Unfixable(f"nothing to remove at {target.describe()}")
            return self._insert(run, part)
        flag = next((f for f in run.flags if f.index == index and f.name in names), None)
        if flag is None:
            raise Unfixable(f"no --{names[0]} at {target.describe()}")
        return self._change(run, flag, part)

    # -- words and spans -------------------------------------------------------------------

    def _span(self, word: Word) -> tuple[int, int]:
        start = self.index.offset(word.line, word.column)
        end = start + len(word.raw)
        if self.text[start:end] != word.raw:
            raise Unfixable("the command's text could not be located exactly (a folded or "
                            "escaped line); edit it by hand")
        return start, end

    def _flag_words(self, run: RunLine, flag: FlagUse) -> tuple[int, int, bool]:
        """(first, last) argv index of a flag and its value, and whether the value is in
        the flag's own word (``--restart=always``, ``-p8080:80``)."""
        argv = run.cli.command.argv
        word = argv[flag.index].text
        if not word.startswith("--"):
            if sum(1 for f in run.flags if f.index == flag.index) > 1:
                raise Unfixable(f"{word} bundles several short flags; edit it by hand")
            inline = len(word) > 2
        else:
            inline = "=" in word
        last = flag.index if inline or flag.value is None else flag.index + 1
        return flag.index, min(last, len(argv) - 1), inline

    def _remove_words(self, argv: tuple[Word, ...], first: int, last: int) -> Edit:
        """Delete words ``first..last`` with their whitespace, or their whole line."""
        start, _ = self._span(argv[first])
        _, end = self._span(argv[last])
        line = self.index.line_of(start)
        line_start, line_end = self.index.line_start(line), self.index.line_end(line)
        before = self.text[line_start:start]
        after = self.text[end:line_end]
        if (not before.strip(_LINE_PREFIX) and after.strip() == "\\"
                and self.index.line_of(end) == line and first > 0
                and self.index.line_of(self._span(argv[first - 1])[0]) < line):
            return Edit(line_start, self.index.next_line_start(line), "")
        k = end
        while k < line_end and self.text[k] in " \t":
            k += 1
        if k < line_end and self.text[k] != "\\" and after.strip():
            return Edit(start, k, "")
        j = start
        while j > line_start and self.text[j - 1] in " \t":
            j -= 1
        return Edit(j, end, "")

    def _replace_value(self, run: RunLine, flag: FlagUse, new: str) -> Edit:
        """Replace a flag's value, keeping how it is quoted."""
        argv = run.cli.command.argv
        _, last, inline = self._flag_words(run, flag)
        old = flag.value or ""
        word = argv[last]
        start, end = self._span(word)
        raw = word.raw
        prefix = ""
        if inline:
            head = word.text[: len(word.text) - len(old)]
            if not raw.startswith(head):
                raise Unfixable(f"{raw} is quoted in a way dockward does not rewrite")
            prefix, raw = head, raw[len(head):]
        if raw == old and not any(c in old for c in "'\"\\"):
            body = new if shlex.quote(new) == new else shlex.quote(new)
        elif len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" and raw[1:-1] == old:
            body = f"{raw[0]}{new}{raw[0]}"
        else:
            raise Unfixable(f"{word.raw} is quoted in a way dockward does not rewrite")
        return Edit(start, end, prefix + body)

    # -- changes ---------------------------------------------------------------------------

    def _change(self, run: RunLine, flag: FlagUse, part: Remedy) -> list[Edit]:
        argv = run.cli.command.argv
        setting, value = part.setting, part.value
        if part.change is Change.REMOVE and setting in ("cap_add", "cap_drop") and flag.value:
            caps = [c for c in flag.value.split(",") if c.strip()]
            keep = [c for c in caps if normalize_capability(c) !=
                    normalize_capability(str(value))]
            if keep and len(keep) < len(caps):
                return [self._replace_value(run, flag, ",".join(keep))]
        if part.change is Change.REMOVE and setting in ("mount_propagation",):
            rewrite = volume_without_propagation if flag.name == "volume" \
                else mount_without_propagation
            return [self._replace_value(run, flag, rewrite(flag.value or ""))]
        if part.change is Change.REMOVE:
            first, last, _ = self._flag_words(run, flag)
            return [self._remove_words(argv, first, last)]
        if setting == "mount_read_only":
            rewrite = volume_read_only if flag.name == "volume" else mount_read_only
            return [self._replace_value(run, flag, rewrite(flag.value or ""))]
        if setting == "port_host_ip":
            return [self._replace_value(run, flag, port_with_host_ip(flag.value or "",
                                                                      str(value)))]
        if setting == "no_new_privileges":
            text = flag.value or ""
            cut = min((i for i in (text.find("="), text.find(":")) if i >= 0), default=-1)
            return [self._replace_value(run, flag, (text[:cut + 1] + "true") if cut >= 0
                                        else "no-new-privileges")]
        if flag.name in _BOOLEAN:  # --read-only=false
            first, last, _ = self._flag_words(run, flag)
            start, _ = self._span(argv[first])
            _, end = self._span(argv[last])
            return [Edit(start, end, f"--{flag.name}")]
        return [self._replace_value(run, flag, _flag_value(setting, value))]

    def _insert(self, run: RunLine, part: Remedy) -> list[Edit]:
        """A new flag just before the image, in the line's own style."""
        command = run.cli.command
        argv = command.argv
        name = _FLAGS[part.setting][0]
        if part.setting == "no_new_privileges":
            value: str | None = "no-new-privileges"
        elif name in _BOOLEAN:
            value = None
        else:
            value = _flag_value(part.setting, part.value)
        joiner = "=" if self._uses_equals(run) else " "
        flag = f"--{name}" if value is None else f"--{name}{joiner}{_quoted(value)}"
        position_word = run.image_index
        if position_word > 0 and argv[position_word - 1].text == "--":
            position_word -= 1
        start, _ = self._span(argv[position_word])
        line = self.index.line_of(start)
        line_start = self.index.line_start(line)
        before = self.text[line_start:start]
        previous = self._span(argv[position_word - 1])[0] if position_word > 0 else start
        if (not before.strip(_LINE_PREFIX) and self.index.line_of(previous) < line
                and self.text[:line_start].rstrip("\r\n").endswith("\\")):
            return [Edit(start, start, f"{flag} \\{self.index.newline}{before}")]
        return [Edit(start, start, f"{flag} ")]

    def _uses_equals(self, run: RunLine) -> bool:
        """True when the line writes most of its valued long flags as ``--flag=value``."""
        argv = run.cli.command.argv
        equals = spaced = 0
        for flag in run.flags:
            word = argv[flag.index].text
            if not word.startswith("--") or flag.value is None:
                continue
            if "=" in word:
                equals += 1
            else:
                spaced += 1
        return equals > spaced

    # -- docker build ----------------------------------------------------------------------

    def _build(self, command: Command, index: int, part: Remedy) -> list[Edit]:
        """``--build-arg NAME`` removed; ``--secret id=...,env=...`` added after ``build``."""
        cli = parse_cli(command)
        if cli is None or "build" not in cli.action:
            raise Unfixable("no docker build line here")
        argv = command.argv
        if part.setting == "build_arg":
            word = argv[index].text
            if not word.startswith("--build-arg"):
                raise Unfixable(f"no --build-arg at this place ({word})")
            value = word.partition("=")[2] if "=" in word else (
                argv[index + 1].text if index + 1 < len(argv) else "")
            if value.partition("=")[0] != part.value:
                raise Unfixable(f"the build arg here is not {part.value}")
            last = index if "=" in word else index + 1
            return [self._remove_words(argv, index, min(last, len(argv) - 1))]
        ident, variable = part.value
        spec = f"id={ident},env={variable}"
        if any(w.text in (f"--secret={spec}", spec) for w in argv[cli.args_start:]):
            return []
        _, end = self._span(argv[cli.args_start - 1])
        return [Edit(end, end, f" --secret {spec}")]


def _flag_value(setting: str, value: Any) -> str:
    return format_value(setting, value, "run")


def _quoted(value: str) -> str:
    return value if shlex.quote(value) == value else shlex.quote(value)
