"""docs/rules/*.md and README's rule table are generated from the rules and kept current."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.integrations.conftest import ROOT

SCRIPT = ROOT / "scripts" / "gen_rule_docs.py"


def gen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


def test_checked_in_docs_are_current() -> None:
    proc = gen("--check")
    assert proc.returncode == 0, proc.stderr + "\n(run: python scripts/gen_rule_docs.py)"


def test_generate_check_and_detect_drift(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text(
        "# x\n\n<!-- rules:start -->\nPLACEHOLDER-TABLE\n<!-- rules:end -->\ntail\n")
    assert gen("--check", "--root", str(tmp_path)).returncode == 1
    assert gen("--root", str(tmp_path)).returncode == 0
    assert gen("--check", "--root", str(tmp_path)).returncode == 0

    page = tmp_path / "docs" / "rules" / "DW201.md"
    text = page.read_text()
    assert text.splitlines()[2] == "# DW201: runtime-socket-mounted"
    for heading in ("## Why it matters", "## Bad", "## Good", "## Fix"):
        assert heading in text
    assert "| Severity | critical |" in text
    readme = (tmp_path / "README.md").read_text()
    assert "PLACEHOLDER-TABLE" not in readme and readme.endswith("<!-- rules:end -->\ntail\n")
    assert "| [DW201](docs/rules/DW201.md) | `runtime-socket-mounted` | critical |" in readme
    assert (tmp_path / "docs" / "rules" / "DW000.md").is_file()  # pseudo rules too

    page.write_text(text + "hand edit\n")
    stale = tmp_path / "docs" / "rules" / "DW999.md"
    stale.write_text(text.splitlines()[0] + "\n# DW999: gone\n")
    check = gen("--check", "--root", str(tmp_path))
    assert check.returncode == 1
    assert "out of date: docs/rules/DW201.md" in check.stderr
    assert "stale (rule no longer exists): docs/rules/DW999.md" in check.stderr
    assert gen("--root", str(tmp_path)).returncode == 0
    assert not stale.exists() and page.read_text() == text
