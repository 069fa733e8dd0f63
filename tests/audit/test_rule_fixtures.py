"""Command-line fixtures for the daemon rules DW604-DW611, checked the way
``tests/rules/test_fixtures.py`` checks the others (scan with only that rule selected).

They live here until they are moved to ``tests/rules/fixtures`` (which the rule catalogue
test looks at).  DW605 has none: "no authorization plugin" cannot be written on a command
line, it is only known from a live daemon (see test_daemon_host.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dockward.config import Config
from dockward.scan import scan_paths

FIXTURES = Path(__file__).parent / "rule_fixtures"
EXPECT = re.compile(r"#\s*expect:\s*(DW\d{3}(?:\s*,\s*DW\d{3})*)")
FILES = sorted(p for p in FIXTURES.glob("DW*/*") if p.is_file())


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_daemon_rule_fixture(path: Path) -> None:
    code = path.parent.name
    expected = {(m.group(1), n) for n, line in enumerate(path.read_text().splitlines(), 1)
                for m in [EXPECT.search(line)] if m}
    assert bool(expected) == path.name.startswith("fail_")
    result = scan_paths([str(path)], Config(select=[code, "DW000"]))
    got = {(f.code, f.location.line) for f in result.findings if not f.suppressed}
    assert got == expected


def test_every_daemon_rule_but_dw605_has_both_kinds() -> None:
    for code in ("DW604", "DW606", "DW607", "DW608", "DW609", "DW610", "DW611"):
        names = [p.name for p in (FIXTURES / code).iterdir()]
        assert any(n.startswith("fail_") for n in names), code
        assert any(n.startswith("pass_") for n in names), code
