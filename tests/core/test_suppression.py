"""Inline ignores: own-line and trailing forms, file level, prefixes, unused reporting."""

from __future__ import annotations

from dockward.findings import Finding, Severity
from dockward.models.location import Location
from dockward.suppression import apply_directives, parse_directives, unused_directive_findings


def _finding(code: str, line: int, name: str = "x") -> Finding:
    return Finding(code, name, Severity.HIGH, "m", Location(file="f", line=line))


def test_own_line_comment_covers_next_line() -> None:
    text = "a\n# dockward: ignore[DW201] traefik needs it\nb\n"
    f = _finding("DW201", 3)
    apply_directives([f], parse_directives(text, None))
    assert f.suppressed and f.suppression_reason == "traefik needs it"


def test_trailing_comment_covers_only_its_line() -> None:
    text = "a: 1  # dockward: ignore[DW201]\nb: 2\n"
    same, below = _finding("DW201", 1), _finding("DW201", 2)
    apply_directives([same, below], parse_directives(text, None))
    assert same.suppressed and not below.suppressed


def test_prefix_and_name_match() -> None:
    text = "# dockward: ignore[DW3, privileged]\nx\n"
    a, b, c = _finding("DW301", 2), _finding("DW101", 2, "privileged"), _finding("DW201", 2)
    apply_directives([a, b, c], parse_directives(text, None))
    assert (a.suppressed, b.suppressed, c.suppressed) == (True, True, False)


def test_file_level_ignore() -> None:
    text = "x\ny\n# dockward: ignore-file[DW3]\n"
    a, b = _finding("DW303", 1), _finding("DW101", 2)
    apply_directives([a, b], parse_directives(text, None))
    assert a.suppressed and not b.suppressed


def test_unused_ignore_is_reported_at_its_line() -> None:
    directives = parse_directives("a\n# dockward: ignore[DW201]\nb\n", None)
    apply_directives([_finding("DW101", 3)], directives)
    unused = unused_directive_findings(directives, "f", lambda c: True)
    assert [(u.code, u.location.line) for u in unused] == [("DW001", 2)]


def test_unused_ignore_for_disabled_rule_is_not_reported() -> None:
    directives = parse_directives("# dockward: ignore[DW201]\nb\n", None)
    assert unused_directive_findings(directives, "f", lambda c: False) == []


def test_markdown_html_comment_form() -> None:
    text = "<!-- dockward: ignore[DW104] demo of the risk -->\ndocker run --pid=host x\n"
    f = _finding("DW104", 2)
    apply_directives([f], parse_directives(text, None))
    assert f.suppressed and f.suppression_reason == "demo of the risk"
