"""YAML loading with positions: values, lines, merges, typing and hostile input."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockward.models.location import Location
from dockward.readers.base import ReadError
from dockward.readers.yamlsource import YamlDoc, load_documents, render_path


def load(text: str) -> YamlDoc:
    docs = load_documents(text)
    assert len(docs) == 1
    return docs[0]


def test_values_and_positions_of_keys_and_items() -> None:
    doc = load(
        "services:\n"
        "  web:\n"
        "    image: nginx\n"
        "    volumes:\n"
        "      - ./a:/a\n"
        "      -   /b\n"
    )
    assert doc.value == {"services": {"web": {"image": "nginx", "volumes": ["./a:/a", "/b"]}}}
    assert doc.line_of(()) == (1, 1)
    assert doc.line_of(("services", "web")) == (2, 3)
    assert doc.line_of(("services", "web", "image")) == (3, 5)
    assert doc.line_of(("services", "web", "volumes", 0)) == (5, 9)
    assert doc.line_of(("services", "web", "volumes", 1)) == (6, 11)


def test_line_of_falls_back_to_nearest_ancestor() -> None:
    doc = load("a:\n  b:\n    c: 1\n")
    assert doc.line_of(("a", "b", "missing", 3)) == (2, 3)
    assert doc.line_of(("nothing",)) == (1, 1)


def test_location_renders_the_path() -> None:
    doc = load("services:\n  web:\n    volumes:\n      - /x:/x\n")
    assert doc.location("compose.yaml", ("services", "web", "volumes", 0)) == Location(
        file="compose.yaml", line=4, column=9, path="services.web.volumes[0]"
    )


def test_render_path_quotes_keys_with_dots() -> None:
    assert render_path(("services", "web", "labels", "traefik.enable")) == (
        'services.web.labels["traefik.enable"]'
    )
    assert render_path(("x-common", 0, "a_b")) == "x-common[0].a_b"
    assert render_path(()) == ""


def test_multi_document_stream_keeps_file_lines() -> None:
    docs = load_documents("a: 1\n---\nb: 2\n---\nc:\n  - 3\n")
    assert [d.value for d in docs] == [{"a": 1}, {"b": 2}, {"c": [3]}]
    assert docs[1].line_of(("b",)) == (3, 1)
    assert docs[2].line_of(("c", 0)) == (6, 5)


def test_empty_stream_has_no_documents() -> None:
    assert load_documents("") == []
    assert load_documents("# only a comment\n") == []


def test_aliases_take_the_anchor_position() -> None:
    doc = load("x-vols: &vols\n  - /a:/a\nservices:\n  web:\n    volumes: *vols\n")
    assert doc.value["services"]["web"]["volumes"] == ["/a:/a"]
    assert doc.line_of(("services", "web", "volumes")) == (5, 5)
    assert doc.line_of(("services", "web", "volumes", 0)) == (2, 5)


def test_merge_key_explicit_keys_override_merged_ones() -> None:
    doc = load(
        "x-base: &base\n"
        "  privileged: true\n"
        "  user: root\n"
        "services:\n"
        "  web:\n"
        "    <<: *base\n"
        "    user: app\n"
    )
    assert doc.value["services"]["web"] == {"user": "app", "privileged": True}
    assert doc.line_of(("services", "web", "privileged")) == (2, 3)
    assert doc.line_of(("services", "web", "user")) == (7, 5)


def test_merge_key_list_earlier_mappings_win() -> None:
    doc = load(
        "a: &a {x: 1, y: 1}\n"
        "b: &b {y: 2, z: 2}\n"
        "c:\n"
        "  <<: [*a, *b]\n"
        "  z: 3\n"
    )
    assert doc.value["c"] == {"z": 3, "x": 1, "y": 1}
    assert doc.line_of(("c", "y")) == (1, 14)


def test_merge_of_a_merge() -> None:
    doc = load("a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b}\n")
    assert doc.value["c"] == {"y": 2, "x": 1}


def test_merge_of_a_scalar_is_an_error_with_line() -> None:
    with pytest.raises(ReadError) as err:
        load_documents("a: &a 1\nb:\n  <<: *a\n")
    assert "merge key" in err.value.message
    assert err.value.line == 1


def test_yaml_1_2_typing_like_compose() -> None:
    doc = load(
        "ports: [8080:80, 22:22]\n"
        "restart: no\n"
        "flags: [yes, on, true, False, TRUE]\n"
        "numbers: [1, -2, 0x1f, 0o17, 0777, 1.5, 1e3, .inf]\n"
        "nulls: [~, null, ]\n"
        "quoted: ['1', \"true\"]\n"
        "date: 2001-12-14\n"
    )
    value = doc.value
    assert value["ports"] == ["8080:80", "22:22"]
    assert value["restart"] == "no"
    assert value["flags"] == ["yes", "on", True, False, True]
    assert value["numbers"] == [1, -2, 31, 15, 511, 1.5, 1000.0, float("inf")]
    assert value["nulls"] == [None, None]
    assert value["quoted"] == ["1", "true"]
    assert value["date"] == "2001-12-14"


def test_yaml_1_1_typing_on_request() -> None:
    (doc,) = load_documents("a: [yes, off, 22:22, 2001-12-14]\n", yaml_version="1.1")
    assert doc.value["a"] == [True, False, 1342, "2001-12-14"]


def test_explicit_tags() -> None:
    doc = load("a: !!str 5\nb: !!int '7'\nc: !!int nope\nd: !reset []\ne: !override x\n")
    assert doc.value == {"a": "5", "b": 7, "c": "nope", "d": [], "e": "x"}
    assert doc.tag_of(("d",)) == "!reset"
    assert doc.tag_of(("e",)) == "!override"
    assert doc.tag_of(("a",)) is None


def test_duplicate_keys_last_wins() -> None:
    doc = load("a: 1\nb: 2\na: 3\n")
    assert doc.value == {"a": 3, "b": 2}
    assert doc.line_of(("a",)) == (3, 1)


def test_malformed_yaml_reports_message_line_and_column() -> None:
    with pytest.raises(ReadError) as err:
        load_documents("services:\n  web:\n    image: nginx\n   bad: [1, 2\n")
    assert err.value.line == 4
    assert err.value.column >= 1
    assert "while parsing" in err.value.message


def test_mapping_value_in_scalar_context() -> None:
    with pytest.raises(ReadError) as err:
        load_documents("a: b: c\n")
    assert err.value.message == "mapping values are not allowed in this context"
    assert (err.value.line, err.value.column) == (1, 5)


def test_control_characters_are_a_read_error() -> None:
    with pytest.raises(ReadError) as err:
        load_documents("a: 1\nb: \x00\n")
    assert err.value.line == 2


def test_complex_keys_are_a_read_error() -> None:
    with pytest.raises(ReadError) as err:
        load_documents("? [a, b]\n: c\n")
    assert err.value.line == 1


BILLION_LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *(
            f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]"
            for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
    ]
)


def test_alias_bomb_fails_fast() -> None:
    start = time.perf_counter()
    with pytest.raises(ReadError) as err:
        load_documents(BILLION_LAUGHS)
    assert time.perf_counter() - start < 1.0
    assert err.value.message == "YAML alias expansion exceeds 200000 nodes (alias bomb?)"
    assert err.value.line == 6  # the first anchor whose expansion crosses the budget


def test_alias_budget_is_configurable_and_honest_reuse_passes() -> None:
    text = "a: &a [1, 2, 3]\nb: [*a, *a, *a]\n"
    assert load_documents(text)[0].value["b"] == [[1, 2, 3]] * 3
    with pytest.raises(ReadError):
        load_documents(text, max_alias_nodes=5)


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(ReadError) as err:
        load_documents("a: &a [*a]\n")
    assert "contains it" in err.value.message
    with pytest.raises(ReadError):
        load_documents("a: &a {<<: *a}\n")


def test_deep_nesting_is_capped() -> None:
    assert load_documents("x: " + "[" * 90 + "]" * 90)[0].value["x"] is not None
    with pytest.raises(ReadError) as err:
        load_documents("x: " + "[" * 150 + "]" * 150)
    assert err.value.message == "YAML nesting is deeper than 100 levels"
    assert err.value.line == 1


def test_very_deep_nesting_is_refused_by_the_parser() -> None:
    with pytest.raises(ReadError):
        load_documents("- " * 5000 + "x")


YAMLISH = st.lists(
    st.sampled_from(
        [*"ab:-[]{},&*!<>|'\"#?~ \n\t01.$", "<<: ", "&x ", "*x", "\n  ", "!!int ", "---\n"]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(YAMLISH)
def test_random_yamlish_text_only_raises_read_error(text: str) -> None:
    try:
        docs = load_documents(text)
    except ReadError as err:
        assert err.line >= 0 and err.column >= 0
        return
    for doc in docs:
        for path in doc.marks:
            line, column = doc.line_of(path)
            assert line >= 1 and column >= 1


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_random_unicode_text_only_raises_read_error(text: str) -> None:
    with contextlib.suppress(ReadError):
        load_documents(text)


def test_a_document_without_aliases_reports_the_error_the_size_check_finds_first() -> None:
    # Without an alias the tree is converted in one walk; when that fails, the document is
    # measured first as before, so a too-deep complex key is reported as too deep (where
    # its node is), not as a complex key.
    text = "a: 1\n? [[[[[1]]]]]\n: v\n"
    with pytest.raises(ReadError) as err:
        load_documents(text, max_depth=3)
    assert (err.value.message, err.value.line, err.value.column) == (
        "YAML nesting is deeper than 3 levels", 2, 6)
    with pytest.raises(ReadError) as err:
        load_documents(text)
    assert (err.value.message, err.value.line) == ("complex mapping keys are not supported", 2)


def test_a_document_without_aliases_converts_like_one_with_them() -> None:
    plain = load("a:\n  - {b: 1, c: [x, y]}\n  - <<: {d: 2}\n    e: 3\n")
    aliased = load("a:\n  - {b: 1, c: [x, y]}\n  - <<: {d: 2}\n    e: 3\nz: &q 1\n")
    assert plain.value == {"a": [{"b": 1, "c": ["x", "y"]}, {"d": 2, "e": 3}]}
    assert {k: v for k, v in aliased.value.items() if k != "z"} == plain.value
    assert {k: v for k, v in aliased.marks.items() if k != ("z",)} == plain.marks
