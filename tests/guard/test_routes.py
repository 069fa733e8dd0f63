"""The route table and target canonicalization match dockerd's router (gorilla/mux)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockward.guard.routes import ROUTES, ROUTES_BY_NAME, parse_target


@pytest.mark.parametrize(("method", "target", "route", "params"), [
    ("GET", "/v1.41/containers/json", "container-list", {}),
    ("GET", "/containers/json?all=1", "container-list", {}),
    ("POST", "/v1.41/containers/create?name=web", "container-create", {}),
    ("POST", "/v1.41/containers/web/exec", "exec-create", {"name": "web"}),
    ("POST", "/v1.41/containers/a/start/exec", "exec-create", {"name": "a/start"}),
    ("DELETE", "/v1.41/containers/web", "container-delete", {"name": "web"}),
    ("GET", "/v1.41/images/registry:5000/a/b:1/json", "image-inspect",
     {"name": "registry:5000/a/b:1"}),
    ("POST", "/v1.41/containers/x/pause?aaa=/start", "container-pause", {"name": "x"}),
    ("HEAD", "/_ping", "ping-head", {}),
    ("GET", "/debug/pprof/goroutine", "debug-pprof-named", {"name": "goroutine"}),
    ("GET", "/v1.41/networks/", "network-list-slash", {}),
    ("DELETE", "/v1.41/containers/web/checkpoints/c1", "checkpoint-delete",
     {"name": "web", "checkpoint": "c1"}),
    ("GET", "/v1.41/services/abc", "service-inspect", {"id": "abc"}),
])
def test_routes_match_like_the_daemon(method: str, target: str, route: str,
                                      params: dict[str, str]) -> None:
    parsed = parse_target(method, target)
    assert parsed.route_name == route
    assert parsed.params == params
    assert parsed.problems == []


@pytest.mark.parametrize(("method", "target"), [
    ("GET", "/V1.41/containers/json"), ("GET", "/v1.41/Containers/json"),
    ("GET", "/v1.41/containers/json/"), ("HEAD", "/v1.41/containers/json"),
    ("GET", "/v1.41/nothing"), ("PATCH", "/v1.41/containers/x/update"),
    ("GET", "/v1.41/debug/vars"),
])
def test_unknown_routes(method: str, target: str) -> None:
    assert parse_target(method, target).route is None


@pytest.mark.parametrize(("target", "problem"), [
    ("/v1.41//containers/json", "empty path segment"),
    ("/v1.41/./containers/json", "dot segment"),
    ("/v1.41/containers/../containers/json", "dot segment"),
    ("/v1.41/containers%2Fjson", "percent-encoded"),
    ("http://docker/v1.41/containers/json", "absolute-form"),
    ("/v1..41/containers/json", "malformed API version"),
    ("/v1.41/containers\\json", "backslash"),
])
def test_non_canonical_targets_are_flagged(target: str, problem: str) -> None:
    assert any(problem in p for p in parse_target("GET", target).problems)


def test_encoded_path_routes_like_the_decoded_one() -> None:
    parsed = parse_target("POST", "/v1.41/containers/x%2Fexec")
    assert parsed.route_name == "exec-create" and parsed.params == {"name": "x"}
    assert parsed.problems


def test_lowercase_method_is_unknown() -> None:
    parsed = parse_target("get", "/v1.41/containers/json")
    assert parsed.route is None and any("method" in p for p in parsed.problems)


def test_query_keeps_the_first_value() -> None:
    assert parse_target("POST", "/containers/create?name=a&name=b").query == {"name": "a"}


def test_route_names_are_unique() -> None:
    names = [r.name for r in ROUTES]
    assert len(names) == len(set(names)) and set(names) <= set(ROUTES_BY_NAME)


_SAFE = string.ascii_letters + string.digits + "/"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), min_size=len("/containers/web/exec"),
                max_size=len("/containers/web/exec")))
def test_any_percent_encoding_of_a_path_is_flagged_and_routed_alike(flags: list[bool]) -> None:
    """Every encoding of every character still routes as dockerd does, and is flagged."""
    path = "/containers/web/exec"
    spelled = "".join(f"%{ord(c):02X}" if enc and c in _SAFE else c
                      for c, enc in zip(path, flags, strict=True))
    parsed = parse_target("POST", "/v1.41" + spelled)
    assert parsed.route_name == "exec-create"
    assert bool(parsed.problems) == (spelled != path)
