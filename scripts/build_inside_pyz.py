#!/usr/bin/env python3
"""Build ``dist/dockward-inside.pyz``: the stdlib-only probe as a single-file zipapp.

Copy it into any container that has Python 3.8+ and run ``python3 dockward-inside.pyz``;
feed the JSON it prints to ``dockward inside --from-json FILE`` on a machine with dockward.

Usage: ``python scripts/build_inside_pyz.py [--output PATH]``
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", "-o", default=str(ROOT / "dist" / "dockward-inside.pyz"),
                        help="where to write the zipapp (default: dist/dockward-inside.pyz)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))  # build from this checkout, installed or not
    from dockward.inside.zipapp import build_pyz

    path = build_pyz(args.output)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    print(f"{path} ({path.stat().st_size} bytes, sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
