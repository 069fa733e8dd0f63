"""YAML edits on text: located by the readers' positions, formatting kept."""

from __future__ import annotations

import textwrap

import pytest

from dockward.fixers.base import Unfixable
from dockward.fixers.edits import apply_edits
from dockward.fixers.specs import (
    mount_read_only,
    mount_without_propagation,
    port_with_host_ip,
    volume_read_only,
    volume_without_propagation,
)
from dockward.fixers.yaml_text import YamlText


def doc(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def test_entries_are_found_at_their_key_and_aliases_keep_their_own_position() -> None:
    y = YamlText(doc("""
        x: &base
          restart: always
        services:
          web:
            <<: *base
            image: nginx
          api: *base
    """))
    entry = y.entry_at(2, 3)
    assert entry is not None and entry.key.value == "restart"
    web = y.entry_at(4, 3)
    assert web is not None and web.value.value_of("restart") is entry.value
    api = y.entry_at(7, 3)
    assert api is not None and api.value.kind == "alias" and api.value.deref() is entry.mapping
    assert y.last_line(api.value) == 7  # the alias is where it is written, not the anchor


def test_insert_in_block_mapping_follows_indentation_and_keeps_comments() -> None:
    text = doc("""
        services:
            web:
                image: nginx   # pinned below
                # a comment about the next service
            api:
                image: python
    """)
    y = YamlText(text)
    web = y.entry_at(2, 5)
    assert web is not None
    out = apply_edits(text, [y.insert_pair(web.value, "pids_limit", 200),
                             y.insert_pair(web.value, "security_opt", ["no-new-privileges:true"])])
    assert out == doc("""
        services:
            web:
                image: nginx   # pinned below
                pids_limit: 200
                security_opt:
                    - no-new-privileges:true
                # a comment about the next service
            api:
                image: python
    """)


def test_flow_styles_are_kept() -> None:
    text = "web: {image: nginx}\ncaps: [A]\nempty: {}\nnone: []\n"
    y = YamlText(text)
    web, caps = y.entry_at(1, 1), y.entry_at(2, 1)
    empty, none = y.entry_at(3, 1), y.entry_at(4, 1)
    assert web and caps and empty and none
    out = apply_edits(text, [y.insert_pair(web.value, "user", "10001:10001"),
                             y.append_item(caps.value, "ALL"),
                             y.insert_pair(empty.value, "k", True),
                             y.append_item(none.value, "x")])
    assert out == 'web: {image: nginx, user: "10001:10001"}\ncaps: [A, ALL]\nempty: {k: true}\n' \
                  "none: [x]\n"


def test_file_style_decides_new_lists_and_sequence_indent() -> None:
    y = YamlText("a:\n- x\nb: [y]\nc: [z]\nm:\n  k: 1\n")
    assert (y.step, y.seq_indent, y.flow_lists) == (2, 0, True)
    m = y.entry_at(5, 1)
    assert m is not None
    assert apply_edits(y.text, [y.insert_pair(m.value, "drop", ["ALL"])]).endswith(
        "  k: 1\n  drop: [ALL]\n")


@pytest.mark.parametrize(("index", "expected"), [
    (0, "l: [b, c]\n"), (1, "l: [a, c]\n"), (2, "l: [a, b]\n")])
def test_remove_from_flow_list(index: int, expected: str) -> None:
    y = YamlText("l: [a, b, c]\n")
    seq = y.entry_at(1, 1).value  # type: ignore[union-attr]
    assert apply_edits(y.text, [y.remove_item(seq, seq.items[index])]) == expected


def test_removed_lines_keep_the_comment_lines_among_them() -> None:
    text = doc("""
        svc:
          cap_add:
            # needed for FUSE
            - SYS_ADMIN
          image: x
    """)
    y = YamlText(text)
    svc = y.entry_at(1, 1).value  # type: ignore[union-attr]
    key = svc.get("cap_add")[0]  # type: ignore[index]
    assert apply_edits(text, [y.remove_pair(svc, key)]) == \
        "svc:\n    # needed for FUSE\n  image: x\n"


def test_first_key_of_a_list_item_mapping_moves_the_next_key_up() -> None:
    text = "v:\n  - type: bind\n    source: /x\n"
    y = YamlText(text)
    item = y.item_at(2, 5)
    assert item is not None
    assert apply_edits(text, [y.remove_pair(item, item.pairs[0][0])]) == "v:\n  - source: /x\n"


@pytest.mark.parametrize(("old", "value", "new"), [
    ("a: always\n", "on-failure:5", "a: on-failure:5\n"),
    ("a: 'always'\n", "on-failure:5", "a: 'on-failure:5'\n"),
    ('a: "0"\n', "10001:10001", 'a: "10001:10001"\n'),
    ("a: root\n", "10001:10001", 'a: "10001:10001"\n'),  # would read as a number in 1.1
    ("a: 0\n", 10001, "a: 10001\n"),
    ('a: "0"\n', 10001, "a: 10001\n"),  # a number stays a number
    ("a: x\n", "yes", 'a: "yes"\n'),  # a boolean in YAML 1.1
    ("a: x\n", "1", 'a: "1"\n'),
])
def test_replaced_scalars_keep_their_quotes_and_their_type(old: str, value: object,
                                                           new: str) -> None:
    y = YamlText(old)
    entry = y.entry_at(1, 1)
    assert entry is not None
    assert apply_edits(old, [y.replace_scalar(entry.value, value)]) == new


def test_a_key_without_value_gets_a_block_under_it() -> None:
    text = "svc:\n  environment:\n  image: x\n"
    y = YamlText(text)
    entry = y.entry_at(2, 3)
    assert entry is not None
    assert apply_edits(text, [y.set_empty_value(entry, {"A": "b"})]) == \
        "svc:\n  environment:\n    A: b\n  image: x\n"


def test_crlf_files_get_crlf_lines() -> None:
    text = "svc:\r\n  image: x\r\n"
    y = YamlText(text)
    svc = y.entry_at(1, 1)
    assert svc is not None
    assert apply_edits(text, [y.insert_pair(svc.value, "read_only", True)]) == \
        "svc:\r\n  image: x\r\n  read_only: true\r\n"


def test_a_broken_document_does_not_hide_the_others() -> None:
    y = YamlText("a: 1\n---\nb: [\n---\nc: 3\n")
    assert y.broken == [2]
    assert y.entry_at(5, 1) is not None and y.entry_at(1, 1) is not None


def test_a_block_scalar_is_not_rewritten() -> None:
    y = YamlText("a: |\n  text\n")
    with pytest.raises(Unfixable):
        y.replace_scalar(y.entry_at(1, 1).value, "x")  # type: ignore[union-attr]


@pytest.mark.parametrize(("spec", "expected"), [
    ("/a:/b", "/a:/b:ro"), ("/a:/b:rw", "/a:/b:ro"), ("/a:/b:z", "/a:/b:ro,z"),
    ("/a:/b:ro", "/a:/b:ro"), ("C:\\data:/data", "C:\\data:/data:ro")])
def test_volume_read_only(spec: str, expected: str) -> None:
    assert volume_read_only(spec) == expected


def test_spec_rewrites() -> None:
    assert volume_without_propagation("/a:/b:ro,rshared") == "/a:/b:ro"
    assert volume_without_propagation("/a:/b:shared") == "/a:/b"
    assert mount_read_only("type=bind,src=/a,dst=/b") == "type=bind,src=/a,dst=/b,readonly"
    assert mount_read_only("type=bind,src=/a,dst=/b,readonly=false") == \
        "type=bind,src=/a,dst=/b,readonly=true"
    assert mount_without_propagation("type=bind,src=/a,dst=/b,bind-propagation=shared") == \
        "type=bind,src=/a,dst=/b"
    assert port_with_host_ip("80", "127.0.0.1") == "127.0.0.1::80"
    assert port_with_host_ip("8080:80/udp", "127.0.0.1") == "127.0.0.1:8080:80/udp"
    assert port_with_host_ip("0.0.0.0:8080:80", "127.0.0.1") == "127.0.0.1:8080:80"
    assert port_with_host_ip("[::]:8080:80", "127.0.0.1") == "127.0.0.1:8080:80"
    with pytest.raises(Unfixable):
        volume_read_only("/anonymous")
