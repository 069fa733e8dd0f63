"""Request bodies are read with Go's semantics, and their ambiguities are reported."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from dockward.guard.jsonbody import MAX_DEPTH, read_json_body


def test_duplicate_objects_merge_like_go() -> None:
    body = read_json_body(b'{"HostConfig":{"Privileged":true},"HostConfig":{"Memory":1}}')
    assert body.value == {"HostConfig": {"Privileged": True, "Memory": 1}}
    assert body.duplicate_keys == ["HostConfig"]


def test_case_folded_duplicates_are_reported_with_both_spellings() -> None:
    body = read_json_body(b'{"A":{"Binds":["/x:/y"],"binds":["/:/h"]}}')
    assert body.duplicate_keys == ["A.Binds/binds"]
    assert body.value == {"A": {"Binds": ["/:/h"]}}  # lists: the last one wins, as in Go


def test_case_variants_of_api_fields_but_not_of_map_keys() -> None:
    body = read_json_body(json.dumps({
        "hostconfig": {"PRIVILEGED": True}, "Labels": {"privileged": "x"},
        "HostConfig": {"NanoCpus": 1}, "TaskTemplate": {"Resources": {"Limits": {
            "NanoCPUs": 1}}}}).encode())
    assert sorted(body.case_variant_keys) == [("hostconfig", "HostConfig"),
                                             ("hostconfig.PRIVILEGED", "Privileged")]


def test_unicode_folds() -> None:
    body = read_json_body('{"HostConfig":{"\u017fecurityOpt":[],"Mas\u212aedPaths":[]}}'
                          .encode())
    assert [c for _, c in body.case_variant_keys] == ["SecurityOpt", "MaskedPaths"]


def test_trailing_data_nan_and_depth() -> None:
    assert read_json_body(b'{"a":1} {"b":2}').trailing == '{"b":2}'
    assert read_json_body(b'{"a":1}\n\t ').trailing == ""
    assert "NaN" in read_json_body(b'{"a":NaN}').error
    deep = b'{"a":' * (MAX_DEPTH + 5) + b"1" + b"}" * (MAX_DEPTH + 5)
    assert "deeper" in read_json_body(deep).error
    assert read_json_body(b'{"a":' * 5000 + b"1" + b"}" * 5000).error


def test_invalid_utf8_is_replaced_not_refused() -> None:
    body = read_json_body(b'{"Image":"a\xff"}')
    assert body.ok and body.value == {"Image": "a\ufffd"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), min_size=10, max_size=10))
def test_every_case_spelling_of_privileged_is_caught(upper: list[bool]) -> None:
    key = "".join(c.upper() if u else c.lower() for c, u in zip("privileged", upper,
                                                                 strict=True))
    body = read_json_body(json.dumps({"HostConfig": {key: True}}).encode())
    assert (key != "Privileged") == bool(body.case_variant_keys)
