"""Commands imported only when they run: ``dockward scan`` never imports audit, guard or fix.

Each command module declares its options with typer, and importing and converting all of
them (the docker SDK helpers, the guard's policy code, every option table) costs more than
a scan of one file.  The root group therefore knows its commands by name and module only,
and builds a command the first time it is looked up: to run it, to complete it, or to
list it in ``--help`` (which builds them all, so the help text is unchanged).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

import typer
from typer import _click as click_types
from typer.core import TyperGroup
from typer.main import get_group_from_info
from typer.models import TyperInfo


@dataclass(frozen=True)
class LazyCommand:
    """A command by name: ``module:attr`` is its function, or its sub-app when ``group``."""

    name: str
    target: str
    group: bool = False

    def load(self) -> Any:
        module, attr = self.target.split(":")
        return getattr(importlib.import_module(module), attr)


def _build(entry: LazyCommand, rich_markup_mode: Any) -> click_types.Command:
    """The click command typer would have made had it been registered on the root app: the
    same conversion (``get_group_from_info``) applied to a one-command holder app."""
    holder = typer.Typer()
    if entry.group:
        holder.add_typer(entry.load(), name=entry.name)
    else:
        holder.command(entry.name)(entry.load())
    built = get_group_from_info(TyperInfo(holder), pretty_exceptions_short=True,
                                rich_markup_mode=rich_markup_mode, suggest_commands=True)
    return built.commands[entry.name]


class LazyCommands(MutableMapping[str, click_types.Command]):
    """The group's ``commands`` mapping: every name known up front, each command built on
    first access, in declaration order (the order ``--help`` lists them)."""

    def __init__(self, entries: list[LazyCommand], build: Callable[[LazyCommand],
                                                                  click_types.Command],
                 built: MutableMapping[str, click_types.Command]) -> None:
        self._entries = {e.name: e for e in entries}
        self._build = build
        self._built = dict(built)
        self._order = [*self._built, *(n for n in self._entries if n not in self._built)]

    def __getitem__(self, name: str) -> click_types.Command:
        if name not in self._built:
            entry = self._entries[name]  # KeyError: no such command
            self._built[name] = self._build(entry)
        return self._built[name]

    def __setitem__(self, name: str, command: click_types.Command) -> None:
        if name not in self:
            self._order.append(name)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._order.remove(name)
        self._built.pop(name, None)
        self._entries.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._order))

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._built or name in self._entries


class LazyGroup(TyperGroup):
    """A typer group whose commands are ``lazy_commands`` (set by the app on a subclass),
    each built when first looked up."""

    lazy_commands: list[LazyCommand] = []

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.lazy_commands,
                                     lambda e: _build(e, self.rich_markup_mode), self.commands)

    def list_commands(self, ctx: click_types.Context) -> list[str]:
        return list(self.commands)  # the names only: nothing is imported to list them
