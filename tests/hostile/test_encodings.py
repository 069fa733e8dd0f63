"""Encodings and line ends (issues 16 and 17): read what the consuming tool reads, name
what we do not read, and count lines by ``\\n`` only."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from dockward.config import Config
from dockward.usecases.scan import scan_paths
from tests.hostile.helpers import run_cli, text

COMPOSE = "services:\n  web:\n    image: nginx\n    privileged: true\n"
POD = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
       "  - name: a\n    image: x\n    securityContext: {privileged: true}\n")


def _rows(path: Path, select: str = "DW000,DW101") -> list[tuple[str, int, int, str]]:
    result = scan_paths([str(path)], Config(select=select.split(",")))
    return [(f.code, f.location.line, f.location.column, f.message) for f in result.findings]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32",
                                      "utf-32-le", "utf-32-be", "utf-8"])
@pytest.mark.parametrize(("name", "content", "where"), [
    ("compose.yaml", COMPOSE, (4, 5)), ("pod.yaml", POD, (8, 23))])
def test_yaml_with_a_bom_is_read_with_positions(tmp_path: Path, encoding: str, name: str,
                                                content: str, where: tuple[int, int]) -> None:
    """What Windows PowerShell's ``>`` writes (UTF-16 LE with a BOM) used to be "binary"."""
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
           "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE,
           "utf-8": codecs.BOM_UTF8}.get(encoding, b"")
    (tmp_path / name).write_bytes(bom + content.encode(encoding))
    assert [r[:3] for r in _rows(tmp_path / name)] == [("DW101", *where)]


def test_the_issue_reproduction_fails_critical(tmp_path: Path) -> None:
    """A UTF-16 compose file with ``privileged: true`` passed ``--fail-on critical``."""
    (tmp_path / "compose.yaml").write_bytes(COMPOSE.encode("utf-16"))
    proc = run_cli("scan", str(tmp_path), "--fail-on", "critical")
    assert proc.returncode == 1 and b"DW101" in proc.stdout, text(proc)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("Dockerfile", "FROM alpine\n".encode("utf-16"),
     "encoded as UTF-16 LE (byte-order mark); this kind of file is read as UTF-8"),
    ("run.sh", codecs.BOM_UTF32_BE + "docker run x\n".encode("utf-32-be"),
     "encoded as UTF-32 BE (byte-order mark)"),
    ("compose.yaml", COMPOSE.encode("utf-16-le"),
     "binary file (contains NUL bytes; UTF-16 without a byte-order mark? save it as UTF-8)"),
    ("compose.yaml", b"services:\n  web: {image: caf\xe9}\n",
     "not valid UTF-8 (byte 0xe9 at offset 28)"),
    ("compose.yaml", codecs.BOM_UTF16_LE + COMPOSE.encode("utf-16-le")[:-1],
     "not valid UTF-16 LE"),
])
def test_other_encodings_are_named(tmp_path: Path, name: str, content: bytes,
                                   message: str) -> None:
    (tmp_path / name).write_bytes(content)
    rows = _rows(tmp_path / name)
    assert any(code == "DW000" and message in text_ for code, _l, _c, text_ in rows), rows


def test_utf8_bom_everywhere_keeps_columns(tmp_path: Path) -> None:
    for name, content, where in [
            ("Dockerfile", "FROM alpine\nRUN docker run --privileged x\n", (2, 16)),
            ("run.sh", "docker run --privileged x\n", (1, 12)),
            ("README.md", "```sh\ndocker run --privileged x\n```\n", (2, 12))]:
        (tmp_path / name).write_bytes(codecs.BOM_UTF8 + content.encode())
        assert [r[:3] for r in _rows(tmp_path / name)] == [("DW101", *where)], name


ODD = ["\r", "\x0c", "\x1c", "\x1e", "\x85", "\u2028", "\u2029", "\x0b"]


@pytest.mark.parametrize("odd", ODD)
@pytest.mark.parametrize(("name", "content", "where"), [
    ("run.sh", "# a{odd}b\ndocker run --privileged x  # c{odd}d\n", (2, 12)),
    ("Dockerfile", "FROM alpine\n# a{odd}b\nRUN docker run --privileged x\n", (3, 16)),
    ("README.md", "Some {odd} prose.\n\n```sh\n# a{odd}\ndocker run --privileged x\n```\n",
     (5, 12)),
    ("Makefile", "# a{odd}b\nrun:\n\tdocker run --privileged x\n", (3, 13)),
])
def test_only_newline_ends_a_line(tmp_path: Path, odd: str, name: str, content: str,
                                  where: tuple[int, int]) -> None:
    """A lone CR, form feed, \\x1c, NEL or U+2028 in a comment must not shift the lines
    findings point at (Python's splitlines breaks at all of them)."""
    (tmp_path / name).write_text(content.format(odd=odd), newline="")
    assert [r[:3] for r in _rows(tmp_path / name)] == [("DW101", *where)]


@pytest.mark.parametrize("odd", ["\r", "\u2028", "\u2029", "\x85"])
def test_yaml_lines_are_newline_lines(tmp_path: Path, odd: str) -> None:
    """YAML readers count ``\\n`` too; U+2028 in a comment no longer rejects the file (it is
    text in YAML 1.2), and a lone CR (a YAML line break) does not shift the lines."""
    text_ = (f"# a{odd}# b\nservices:\n  web:\n    image: nginx  # c{odd}# d\n"
             "    privileged: true\n")
    (tmp_path / "compose.yaml").write_text(text_, newline="")
    assert [r[:3] for r in _rows(tmp_path / "compose.yaml")] == [("DW101", 5, 5)]
    workflow = tmp_path / ".github" / "workflows"
    workflow.mkdir(parents=True)
    (workflow / "ci.yml").write_text(f"# a{odd}# b\non: push\njobs:\n  a:\n    runs-on: x\n"
                                     "    steps:\n    - run: docker run --privileged x\n",
                                     newline="")
    assert [r[:3] for r in _rows(workflow / "ci.yml")] == [("DW101", 7, 23)]


def test_yaml_control_characters_are_dw000_at_their_line(tmp_path: Path) -> None:
    """YAML forbids C0 controls even in comments (compose rejects the file too)."""
    (tmp_path / "compose.yaml").write_text("services:\n  # a\x0cb\n  web: {image: x}\n")
    assert [r[:3] for r in _rows(tmp_path / "compose.yaml")] == [("DW000", 2, 6)]
