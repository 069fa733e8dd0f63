"""A transient progress bar on stderr for commands whose amount of work grows as they go
(audit discovers containers, tighten decides its next trials from the last ones)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def progress_bar(show: bool, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar fed ``(advance, add_to_total)`` ticks; None when not shown."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(),
                   console=Console(file=sys.stderr), transient=True)
    task = bar.add_task(label, total=0)
    state: dict[str, Any] = {"total": 0}

    def tick(advance: int, add: int) -> None:
        if add:
            state["total"] += add
            bar.update(task, total=state["total"])
        if advance:
            bar.advance(task, advance)

    with bar:
        yield tick
