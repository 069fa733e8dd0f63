"""CSV: one row per finding, for spreadsheets and ad-hoc filtering.

Control characters and bidi overrides are shown escaped (``\x1b``), as in every
human-facing format.  Spreadsheets execute cells that start with ``=``, ``+``, ``-``, ``@``
(CSV injection), and a file name or message comes from the scanned input.  Such cells are
written with a leading ``'``, which spreadsheets show as text; ``read`` removes it again, so
the format round-trips.
"""

from __future__ import annotations

import csv
from typing import TextIO

from dockward.findings import Finding
from dockward.report import Report

COLUMNS = (
    "severity", "code", "name", "file", "line", "column", "subject", "path", "message",
    "evidence", "fix", "confidence", "fingerprint", "suppressed",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def _guard(value: str) -> str:
    from dockward.text import visible

    value = visible(value, keep_newlines=True)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _unguard(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def row(f: Finding) -> dict[str, str]:
    loc = f.location
    return {
        "severity": f.severity.label,
        "code": f.code,
        "name": f.name,
        "file": loc.file,
        "line": str(loc.line or ""),
        "column": str(loc.column or ""),
        "subject": loc.subject,
        "path": loc.path,
        "message": f.message,
        "evidence": f.evidence,
        "fix": f.fix,
        "confidence": f.confidence.name.lower(),
        "fingerprint": f.fingerprint,
        "suppressed": "true" if f.suppressed else "false",
    }


def render(report: Report, out: TextIO, color: bool = False) -> None:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for f in sorted(report.visible, key=Finding.sort_key):
        writer.writerow({k: _guard(v) for k, v in row(f).items()})


def read(text: str) -> list[dict[str, str]]:
    """Parse what ``render`` wrote back into rows of plain strings."""
    import io

    reader = csv.DictReader(io.StringIO(text, newline=""))
    return [{k: _unguard(v) for k, v in r.items()} for r in reader]
