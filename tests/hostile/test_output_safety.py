"""What reaches a terminal, a CI log or a PR comment from a hostile repository (issues 16
and 17): escaped control characters, no crash on non-UTF-8 names, atomic reports that never
overwrite an input, internal errors with their own exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockward.output import WriteRefused, write_atomically
from dockward.text import visible
from tests.hostile.helpers import ROOT, run_cli, text

ESC_LINE = "docker run --privileged alpine # \x1b]0;pwned\x07\x1b[2J\x1b[1A\u202eevil\u2066\n"
HUMAN = ("text", "markdown", "github", "junit", "csv", "html")
ALL_FORMATS = (*HUMAN, "json", "sarif")
RAW = ("\x1b", "\x07", "\u202e", "\u2066")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A script whose line (and whose name) carries terminal escapes and bidi overrides."""
    name = "run\x1b[2J\u202e.sh"
    (tmp_path / name).write_text(ESC_LINE)
    return tmp_path


@pytest.mark.parametrize("fmt", HUMAN)
def test_human_formats_show_control_characters_escaped(hostile: Path, fmt: str) -> None:
    proc = run_cli("scan", str(hostile), "--select", "DW101", "-f", fmt)
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 1, text(proc)
    for raw in RAW:
        assert raw not in out, (fmt, raw)
    assert "\\x1b" in out and "\\u202e" in out  # the file name at least, escaped


def test_text_snippet_is_escaped_not_dropped(hostile: Path) -> None:
    out = run_cli("scan", str(hostile), "--select", "DW101").stdout.decode()
    assert ("| docker run --privileged alpine # \\x1b]0;pwned\\x07\\x1b[2J\\x1b[1A"
            "\\u202eevil\\u2066") in out


def test_json_keeps_the_exact_text(hostile: Path) -> None:
    data = json.loads(run_cli("scan", str(hostile), "--select", "DW101", "-f", "json").stdout)
    assert [Path(f["file"]).name for f in data["findings"]] == ["run\x1b[2J\u202e.sh"]


@given(st.text(max_size=40))
@settings(max_examples=500, deadline=None)
def test_visible_leaves_no_control_or_bidi_character(value: str) -> None:
    import unicodedata

    shown = visible(value)
    for ch in shown:
        assert ch == "\t" or (unicodedata.category(ch) not in ("Cc", "Cs")
                              and not 0x202A <= ord(ch) <= 0x202E
                              and not 0x2066 <= ord(ch) <= 0x2069), repr(shown)
    shown.encode("utf-8")  # always encodable, surrogates included
    if not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in value):
        assert shown == value


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_non_utf8_file_name_does_not_crash_any_writer(tmp_path: Path, fmt: str) -> None:
    folder = os.fsencode(tmp_path)
    with open(folder + b"/ru\xffn.sh", "wb") as fh:
        fh.write(b"docker run --privileged alpine\n")
    report = tmp_path / f"report.{fmt}"
    proc = run_cli("scan", str(tmp_path), "--select", "DW101", "-f", fmt, "-o", str(report))
    assert proc.returncode == 1, text(proc)
    assert proc.stderr == b""
    written = report.read_bytes()
    assert b"\xff" not in written
    shown = {"markdown": b"ru\\\\xffn.sh", "json": b"ru\\udcffn.sh",
             "sarif": b"ru%FFn.sh"}.get(fmt, b"ru\\xffn.sh")
    assert shown in written, written[:3000]
    if fmt in ("json", "sarif"):
        json.loads(written)


def test_sarif_on_stdout_with_a_non_utf8_name(tmp_path: Path) -> None:
    with open(os.fsencode(tmp_path) + b"/ru\xffn.sh", "wb") as fh:
        fh.write(b"docker run --privileged alpine\n")
    proc = run_cli("scan", str(tmp_path), "--select", "DW101", "-f", "sarif")
    assert proc.returncode == 1, text(proc)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(proc.stdout)["runs"][0]["results"]]
    assert len(uris) == 1 and uris[0].endswith("ru%FFn.sh")


def test_a_failing_render_leaves_the_old_report_whole(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old report\n")

    def render(fh: object) -> None:
        fh.write("half a rep")  # type: ignore[attr-defined]
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_atomically(str(target), render)
    assert target.read_text() == "old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_atomic_write_keeps_the_mode_and_writes_through_links(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_atomically(str(link), lambda fh: fh.write("new"))
    assert link.is_symlink() and real.read_text() == "new"
    assert real.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("option", ["-o", "--write-baseline"])
def test_refuses_to_write_over_a_scanned_file(tmp_path: Path, option: str) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text("services:\n  web:\n    image: nginx\n    privileged: true\n")
    before = compose.read_bytes()
    proc = run_cli("scan", str(compose), option, str(compose))
    assert proc.returncode == 2, text(proc)
    assert b"this run read it as input" in proc.stderr
    assert compose.read_bytes() == before
    inside = run_cli("scan", str(tmp_path), option, str(compose))
    assert inside.returncode == 2 and compose.read_bytes() == before


def test_write_refused_for_a_protected_path(tmp_path: Path) -> None:
    target = tmp_path / "x.yaml"
    target.write_text("keep")
    with pytest.raises(WriteRefused):
        write_atomically(str(tmp_path / "." / "x.yaml"), lambda fh: fh.write("lost"),
                         protected=[str(target)])
    assert target.read_text() == "keep"


def test_internal_error_exits_3_not_1(tmp_path: Path) -> None:
    """A bug in dockward must not look like "findings found" (exit 1) to CI."""
    code = ("import sys\nimport dockward.usecases.scan as s\n"
            "def boom(*a, **k):\n    raise RuntimeError('simulated bug')\n"
            "s.scan_report = boom\nfrom dockward.cli.app import main\n"
            f"sys.argv = ['dockward', 'scan', {str(tmp_path)!r}]\nmain()\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, cwd=ROOT,
                          timeout=120, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 3, proc.stderr
    assert b"internal error: RuntimeError: simulated bug" in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_unreadable_input_fails_any_threshold(tmp_path: Path) -> None:
    """A DW000 (here a UTF-16 Dockerfile, which Docker cannot read either) fails even
    ``--fail-on critical``: nothing in the file was checked."""
    (tmp_path / "Dockerfile").write_bytes("FROM alpine\nUSER root\n".encode("utf-16"))
    proc = run_cli("scan", str(tmp_path), "--fail-on", "critical")
    assert proc.returncode == 1, text(proc)
    assert b"encoded as UTF-16 LE (byte-order mark)" in proc.stdout
    ignored = run_cli("scan", str(tmp_path), "--fail-on", "critical", "--ignore", "DW000")
    assert ignored.returncode == 0, text(ignored)
