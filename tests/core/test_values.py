"""The value notations shared by every reader (models/values.py)."""

from __future__ import annotations

import pytest

from dockward.models.values import parse_bool, parse_bytes, parse_float, parse_int


@pytest.mark.parametrize(
    ("value", "expected"),
    [("256m", 256 << 20), ("1g", 1 << 30), ("512MiB", 512 << 20), ("1024", 1024),
     (2048, 2048), ("1.5g", int(1.5 * (1 << 30))), ("64 kb", 64 << 10), ("", None),
     ("lots", None), ("1x", None), (".inf", None), (True, None), (None, None)],
)
def test_parse_bytes(value: object, expected: int | None) -> None:
    assert parse_bytes(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.5", 1.5), (2, 2.0), (" 0.25 ", 0.25), ("nan", None), ("inf", None), ("x", None),
     (False, None)],
)
def test_parse_float(value: object, expected: float | None) -> None:
    assert parse_float(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("100", 100), (" -1 ", -1), (7, 7), ("1.5", None), (True, None)]
)
def test_parse_int(value: object, expected: int | None) -> None:
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), ("true", True), ("Yes", True), ("on", True), ("1", True), ("y", True),
     (False, False), ("false", False), ("off", False), ("0", False), ("", False),
     ("maybe", None), (None, None)],
)
def test_parse_bool(value: object, expected: bool | None) -> None:
    assert parse_bool(value) is expected
