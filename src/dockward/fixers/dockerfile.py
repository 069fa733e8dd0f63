"""The Dockerfile editor: ``USER`` in the final stage, secret mounts instead of build args,
``ADD --checksum``.

Instructions are located with the same BuildKit parser the reader uses (their first and
last lines); edits are whole lines inserted between instructions, a flag inserted after an
instruction's keyword, or an ``ARG`` line removed.  Keywords are written in the file's own
case (``run`` in a lower-case Dockerfile).
"""

from __future__ import annotations

from typing import Any

from dockward.findings import Remedy
from dockward.fixers.base import SourceText, Unfixable, target_of
from dockward.fixers.edits import Edit
from dockward.fixers.text import TextIndex
from dockward.models.location import Location

# Instructions that only describe the image: a new USER goes before them, after the steps.
_METADATA = frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK", "EXPOSE", "LABEL", "STOPSIGNAL",
                       "MAINTAINER"})
ACCOUNT_NAME = "appuser"


class DockerfileEditor:
    """Edits one Dockerfile."""

    settings = frozenset({"stage_user", "user_account", "arg", "secret_mount",
                          "add_checksum"})

    def __init__(self, source: SourceText) -> None:
        import dockerfile

        self.source = source
        self.text = source.text
        self.index = TextIndex(source.text)
        try:
            self.instructions: tuple[Any, ...] = tuple(dockerfile.parse_string(source.text))
        except dockerfile.GoParseError as exc:
            raise Unfixable(f"{source.display} does not parse: {exc}") from None
        self.by_line = {int(i.start_line): i for i in self.instructions}
        lower = sum(1 for i in self.instructions if str(i.cmd).islower())
        self.lower = lower > len(self.instructions) / 2

    def edits(self, part: Remedy, anchor: Location) -> list[Edit]:
        target = target_of(part, anchor)
        handler = getattr(self, f"_{part.setting}")
        result: list[Edit] = handler(part, target)
        return result

    # -- helpers ---------------------------------------------------------------------------

    def _keyword(self, word: str) -> str:
        return word.lower() if self.lower else word

    def _instruction(self, target: Location, *names: str) -> Any:
        found = self.by_line.get(target.line)
        if found is None or str(found.cmd).upper() not in names:
            raise Unfixable(f"no {'/'.join(names)} instruction at line {target.line}")
        return found

    def _after_keyword(self, line: int, keyword: str) -> int:
        """The offset right after ``keyword`` (an instruction's first word) on ``line``."""
        text = self.index.line_text(line)
        stripped = text.lstrip()
        if not stripped.upper().startswith(keyword.upper()):
            raise Unfixable(f"cannot find {keyword} at the start of line {line}")
        return self.index.line_start(line) + (len(text) - len(stripped)) + len(keyword)

    def _stage_end(self, from_line: int) -> int:
        """The last line of the stage's last build step (before CMD, ENTRYPOINT ...)."""
        stage: list[Any] = []
        started = False
        for ins in self.instructions:
            if int(ins.start_line) == from_line:
                started = True
            elif started and str(ins.cmd).upper() == "FROM":
                break
            if started:
                stage.append(ins)
        if not stage:
            raise Unfixable(f"no FROM at line {from_line}")
        steps = [i for i in stage if str(i.cmd).upper() not in _METADATA]
        return int((steps or stage)[-1].end_line)

    def _lines_after(self, line: int, lines: list[str], order: int) -> Edit:
        nl = self.index.newline
        position = self.index.next_line_start(line)
        text = "".join(x + nl for x in lines)
        if position == len(self.text) and self.text and not self.text.endswith("\n"):
            text = nl + nl.join(lines)
        return Edit(position, position, text, order=order)

    # -- USER ------------------------------------------------------------------------------

    def _stage_user(self, part: Remedy, target: Location) -> list[Edit]:
        self._instruction(target, "FROM")
        line = self._stage_end(target.line)
        return [self._lines_after(line, [f"{self._keyword('USER')} {part.value}"], order=-1)]

    def _user_account(self, part: Remedy, target: Location) -> list[Edit]:
        """``RUN`` creating the user (busybox ``adduser`` or shadow's ``useradd``)."""
        self._instruction(target, "FROM")
        uid, gid, tool = part.value
        if tool == "busybox":
            command = (f"addgroup -S -g {gid} {ACCOUNT_NAME} && adduser -S -D -H -u {uid} "
                       f"-G {ACCOUNT_NAME} {ACCOUNT_NAME}")
        elif tool == "shadow":
            command = (f"groupadd --system --gid {gid} {ACCOUNT_NAME} && useradd --system "
                       f"--uid {uid} --gid {ACCOUNT_NAME} --no-create-home "
                       f"--shell /usr/sbin/nologin {ACCOUNT_NAME}")
        else:
            raise Unfixable(f"no known way to create a user with {tool}")
        line = self._stage_end(target.line)
        return [self._lines_after(line, [f"{self._keyword('RUN')} {command}"], order=-2)]

    # -- build args to secrets -------------------------------------------------------------

    def _arg(self, part: Remedy, target: Location) -> list[Edit]:
        ins = self._instruction(target, "ARG")
        names = [str(v).split("=", 1)[0] for v in ins.value]
        if part.value not in names:
            raise Unfixable(f"ARG {part.value} is not declared at line {target.line}")
        if len(names) == 1:
            start = self.index.line_start(int(ins.start_line))
            return [Edit(start, self.index.next_line_start(int(ins.end_line)), "")]
        offset = self.index.offset(target.line, target.column)
        end = offset
        while end < len(self.text) and not self.text[end].isspace():
            end += 1
        while end < len(self.text) and self.text[end] in " \t":
            end += 1
        if not self.text[offset:end].strip().split("=", 1)[0] == part.value:
            raise Unfixable(f"cannot locate ARG {part.value} on line {target.line}")
        return [Edit(offset, end, "")]

    def _secret_mount(self, part: Remedy, target: Location) -> list[Edit]:
        ins = self._instruction(target, "RUN", "ONBUILD")
        flag = f"--mount=type=secret,{part.value}"
        if any(str(f) == flag for f in ins.flags):
            return []
        position = self._after_keyword(target.line, str(ins.cmd))
        if str(ins.cmd).upper() == "ONBUILD":
            rest = self.text[position:]
            gap = len(rest) - len(rest.lstrip(" \t"))
            position += gap + len("RUN")
        return [Edit(position, position, f" {flag}")]

    # -- ADD --checksum --------------------------------------------------------------------

    def _add_checksum(self, part: Remedy, target: Location) -> list[Edit]:
        ins = self._instruction(target, "ADD")
        if any(str(f).startswith("--checksum") for f in ins.flags):
            return []
        position = self._after_keyword(target.line, str(ins.cmd))
        return [Edit(position, position, f" --checksum={part.value}")]
