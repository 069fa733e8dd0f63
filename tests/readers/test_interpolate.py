"""Compose variable interpolation: every form, nothing guessed, no os.environ."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockward.readers.interpolate import Interpolated, interpolate, parse_env_text, read_env_file

ENV = {"SET": "value", "EMPTY": "", "PORT": "8080"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", Interpolated("plain")),
        ("${SET}", Interpolated("value")),
        ("$SET", Interpolated("value")),
        ("$SET/x", Interpolated("value/x")),
        ("${PORT}:80", Interpolated("8080:80")),
        ("a${SET}b$SET", Interpolated("avaluebvalue")),
        # :- uses the default when unset or empty, - only when unset
        ("${MISSING:-def}", Interpolated("def")),
        ("${EMPTY:-def}", Interpolated("def")),
        ("${SET:-def}", Interpolated("value")),
        ("${MISSING-def}", Interpolated("def")),
        ("${EMPTY-def}", Interpolated("")),
        # :+ / + give the alternative when set (and non-empty for :+)
        ("${SET:+alt}", Interpolated("alt")),
        ("${EMPTY:+alt}", Interpolated("")),
        ("${EMPTY+alt}", Interpolated("alt")),
        ("${MISSING:+alt}", Interpolated("")),
        ("${MISSING+alt}", Interpolated("")),
        # ? and :? require the variable
        ("${SET:?need it}", Interpolated("value")),
        ("${EMPTY?need it}", Interpolated("")),
        ("${EMPTY:?need it}", Interpolated("${EMPTY:?need it}", ("EMPTY",))),
        ("${MISSING?need it}", Interpolated("${MISSING?need it}", ("MISSING",))),
        # escapes and nesting
        ("$$SET", Interpolated("$SET")),
        ("$${SET}", Interpolated("${SET}")),
        ("a$$", Interpolated("a$")),
        ("${MISSING:-${SET}}", Interpolated("value")),
        ("${MISSING:-${OTHER:-x}}", Interpolated("x")),
        ("${MISSING:-${OTHER}}", Interpolated("${OTHER}", ("OTHER",))),
        ("${MISSING:-a-${PORT}-b}:80", Interpolated("a-8080-b:80")),
        ("${SET:+${PORT}}", Interpolated("8080")),
    ],
)
def test_forms(text: str, expected: Interpolated) -> None:
    assert interpolate(text, ENV) == expected


def test_unresolved_keeps_raw_text_and_lists_names_once_in_order() -> None:
    result = interpolate("${B}/$A/${B}:${SET}", ENV)
    assert result.value == "${B}/$A/${B}:value"
    assert result.unresolved == ("B", "A")
    assert not result.resolved


def test_os_environ_is_never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME_DIR_FOR_TEST", "/root")
    assert interpolate("${HOME_DIR_FOR_TEST}", {}).unresolved == ("HOME_DIR_FOR_TEST",)


@pytest.mark.parametrize(
    "text", ["$", "$1", "$ x", "${", "${SET", "${}", "${1A}", "${SET/a/b}", "cost: 5$"]
)
def test_things_that_are_not_variables_stay_text(text: str) -> None:
    assert interpolate(text, ENV) == Interpolated(text)


def test_nesting_is_bounded() -> None:
    text = "${A:-" * 40 + "x" + "}" * 40
    result = interpolate(text, {})
    assert result.value.endswith("}")  # gave up on the innermost levels, kept them raw


def test_env_file_forms() -> None:
    env = parse_env_text(
        "# comment\n"
        "\n"
        "PLAIN=value\n"
        "export EXPORTED=yes\n"
        "SPACED = padded  \n"
        "COMMENTED=abc # trailing comment\n"
        "HASH=a#b\n"
        "SINGLE='lit ${PLAIN} # not a comment'\n"
        'DOUBLE="line1\\nline2 ${PLAIN}"\n'
        'MULTI="first\n'
        'second"\n'
        "REF=${PLAIN}-x\n"
        "UNKNOWN=${NOPE}\n"
        "EMPTY=\n"
        "BARE\n"
        "EQUALS=a=b\n"
    )
    assert env == {
        "PLAIN": "value",
        "EXPORTED": "yes",
        "SPACED": "padded",
        "COMMENTED": "abc",
        "HASH": "a#b",
        "SINGLE": "lit ${PLAIN} # not a comment",
        "DOUBLE": "line1\nline2 value",
        "MULTI": "first\nsecond",
        "REF": "value-x",
        "UNKNOWN": "${NOPE}",
        "EMPTY": "",
        "EQUALS": "a=b",
    }


def test_read_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TAG=1.2\n", encoding="utf-8")
    assert read_env_file(tmp_path / ".env") == {"TAG": "1.2"}
    assert read_env_file(tmp_path / "missing.env") == {}
    assert read_env_file(tmp_path) == {}  # a directory is not an env file


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="${}:-+?ABab_ 0", max_size=40))
def test_random_text_never_raises(text: str) -> None:
    result = interpolate(text, {"A": "1", "B": ""})
    assert isinstance(result.value, str)
    if "$" not in text:
        assert result.value == text
