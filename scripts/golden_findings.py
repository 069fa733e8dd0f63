"""Write or check the golden findings: every finding on the corpus and the bundled examples.

Refactors must not change what dockward reports.  This script renders every finding of a
scan as one stable line (file, line, column, code, severity, source path, message, evidence),
so two versions can be compared line by line.  ``--update`` rewrites the golden files after
an intended change in findings (say which and why in the commit message).

    python scripts/golden_findings.py            # compare; exit 1 and print a diff on change
    python scripts/golden_findings.py --update   # rewrite tests/golden/*.txt.gz
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
CORPUS = ROOT.parent / "shared" / "corpus" / "realworld"
EXAMPLES = ROOT / "examples"


def finding_lines(folder: Path, jobs: int | None = None) -> list[str]:
    """Every finding of a scan of ``folder`` (paths relative to it), one sorted line each."""
    from dockward.config import Config
    from dockward.usecases.scan import scan_paths

    here = os.getcwd()
    os.chdir(folder)
    try:
        result = scan_paths(["."], Config())
    finally:
        os.chdir(here)
    lines = []
    for f in result.findings:
        loc = f.location
        lines.append("\t".join((loc.file, str(loc.line), str(loc.column), f.code,
                                f.severity.label, loc.path, f.message, f.evidence,
                                "suppressed" if f.suppressed else "")))
    return sorted(lines)


def golden_path(name: str) -> Path:
    return GOLDEN / f"{name}.txt.gz"


def read_golden(name: str) -> list[str]:
    with gzip.open(golden_path(name), "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def write_golden(name: str, lines: list[str]) -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(golden_path(name), "wb", mtime=0) as raw:
        raw.write(("\n".join(lines) + "\n").encode("utf-8"))


def targets() -> dict[str, Path]:
    found = {"examples": EXAMPLES}
    if CORPUS.is_dir():
        found["corpus"] = CORPUS
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite the golden files")
    args = parser.parse_args()
    status = 0
    for name, folder in targets().items():
        lines = finding_lines(folder)
        if args.update:
            write_golden(name, lines)
            print(f"{name}: {len(lines)} findings written to {golden_path(name)}")
            continue
        expected = read_golden(name)
        if lines != expected:
            status = 1
            sys.stdout.writelines(difflib.unified_diff(
                [x + "\n" for x in expected], [x + "\n" for x in lines],
                f"golden/{name}", f"now/{name}", n=0))
        else:
            print(f"{name}: {len(lines)} findings, identical")
    return status


if __name__ == "__main__":
    sys.exit(main())
