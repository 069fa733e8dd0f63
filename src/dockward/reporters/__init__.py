"""Reporters: one module per output format, each with ``render(report, out, color)``.

Modules are imported only when their format is asked for, to keep start-up fast.
"""

from __future__ import annotations

import importlib
from typing import Protocol, TextIO

from dockward.report import Report

FORMATS: dict[str, str] = {
    "text": "dockward.reporters.text",
    "json": "dockward.reporters.json_report",
    "sarif": "dockward.reporters.sarif",
    "github": "dockward.reporters.github",
    "junit": "dockward.reporters.junit",
    "markdown": "dockward.reporters.markdown",
    "csv": "dockward.reporters.csv_report",
    "html": "dockward.reporters.html",
}


class Renderer(Protocol):
    def __call__(self, report: Report, out: TextIO, color: bool = False) -> None: ...


def get_renderer(name: str) -> Renderer:
    try:
        module = FORMATS[name]
    except KeyError:
        raise ValueError(
            f"unknown format {name!r} (choose from: {', '.join(sorted(FORMATS))})"
        ) from None
    return importlib.import_module(module).render
