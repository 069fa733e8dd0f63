"""The decision use case without an engine: rules, policy, exceptions, messages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dockward.guard.lookup import LookupFailed
from dockward.guard.policy import GuardPolicy, policy_from_mapping
from dockward.guard.request_reader import RawRequest
from dockward.usecases.guard import Decision, Guard, GuardSettings, deny_message, fix_summary

CT = {"Content-Type": "application/json"}


class FakeLookup:
    """Canned engine answers (the engine tests use a real one)."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def get(self, path: str) -> Any:
        self.asked.append(path)
        answer = self.answers.get(path)
        if isinstance(answer, Exception):
            raise answer
        return answer


def decide(body: Any, uri: str = "/v1.41/containers/create?name=web",
           policy: GuardPolicy | None = None, user: str = "", lookup: Any = None,
           **raw: Any) -> Decision:
    guard = Guard(policy or GuardPolicy(), GuardSettings(lookup=lookup,
                                                         resolve_symlinks=False))
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return guard.decide(RawRequest("POST", uri, dict(CT), data, user=user, **raw))


def test_allowed_create_has_no_message() -> None:
    d = decide({"Image": "busybox", "HostConfig": {"Binds": ["/srv/app:/data:ro"]}})
    assert d.allow and d.message == "" and d.rules == []


def test_deny_message_names_rule_finding_and_fix() -> None:
    d = decide({"Image": "busybox", "HostConfig": {"Binds": ["/:/psm"],
                                                   "Privileged": True}})
    assert not d.allow and d.rules == ["DW101", "DW202"]  # DW809 leaves / to DW202
    assert d.message.startswith("DW101 runs privileged")
    assert ". Fix: Remove privileged." in d.message
    assert d.message.endswith("(also DW202; see dockward explain CODE)")


def test_fix_summary_is_the_first_sentence_of_the_fix_section() -> None:
    assert fix_summary("DW201") == "Do not mount the socket."


def test_deny_message_is_bounded() -> None:
    d = decide({"Image": "busybox", "HostConfig": {"Binds": [f"/etc/ssh/x{i}:/x{i}"
                                                             for i in range(50)]}})
    assert len(deny_message(d.findings)) <= 900


def test_top_level_host_config_is_read_even_when_dw806_is_ignored() -> None:
    policy = policy_from_mapping({"ignore": ["DW806"]})
    d = decide({"Image": "busybox", "Privileged": True}, policy=policy)
    assert d.rules == ["DW101"]


def test_medium_findings_do_not_deny_by_default_but_do_at_deny_at_medium() -> None:
    body = {"Image": "busybox", "User": "root"}
    assert decide(body).allow
    strict = policy_from_mapping({"deny-at": "medium"})
    d = decide(body, policy=strict)
    assert not d.allow and "DW113" in d.rules


def test_exception_by_container_and_mount_source() -> None:
    policy = policy_from_mapping({"exceptions": [{
        "name": "traefik", "rules": ["DW201"], "container": "traefik",
        "mount-sources": ["/run/dockward/*"], "read-only": True}]})
    ok = {"Image": "traefik", "HostConfig": {"Binds": ["/run/dockward/docker.sock:/s:ro"]}}
    d = decide(ok, "/v1.41/containers/create?name=traefik", policy=policy)
    assert d.allow and d.waived == ["DW201 by 'traefik'"]
    writable = {"Image": "traefik", "HostConfig": {"Binds": ["/run/dockward/docker.sock:/s"]}}
    assert not decide(writable, "/v1.41/containers/create?name=traefik", policy=policy).allow
    other = {"Image": "traefik", "HostConfig": {"Binds": ["/var/run/docker.sock:/s:ro"]}}
    assert not decide(other, "/v1.41/containers/create?name=traefik", policy=policy).allow
    assert not decide(ok, "/v1.41/containers/create?name=web", policy=policy).allow


def test_exception_by_tls_user_and_route() -> None:
    policy = policy_from_mapping({"deny-routes": ["build"], "exceptions": [
        {"name": "ci builds", "user": "ci", "routes": ["build"]}]})
    guard = Guard(policy, GuardSettings(resolve_symlinks=False))
    tar = {"Content-Type": "application/x-tar", "Content-Length": "10"}
    assert guard.decide(RawRequest("POST", "/v1.41/build?t=x", tar, None, user="ci")).allow
    denied = guard.decide(RawRequest("POST", "/v1.41/build?t=x", tar, None))
    assert not denied.allow and "deny-routes" in denied.message


def test_exception_by_proxy_peer_uid() -> None:
    policy = policy_from_mapping({"exceptions": [
        {"name": "ops", "rules": ["DW105"], "uid": 1000, "mode": "proxy"}]})
    body = {"Image": "busybox", "HostConfig": {"NetworkMode": "host"}}
    assert decide(body, policy=policy, mode="proxy", peer_uid=1000, peer_gid=1000).allow
    assert not decide(body, policy=policy, mode="proxy", peer_uid=1001).allow
    assert not decide(body, policy=policy).allow


def test_start_is_judged_by_the_container_it_starts() -> None:
    lookup = FakeLookup({"/containers/old/json": {
        "Name": "/old", "Config": {"Image": "busybox"},
        "HostConfig": {"Privileged": True}, "Mounts": []}})
    guard = Guard(GuardPolicy(), GuardSettings(lookup=lookup))
    d = guard.decide(RawRequest("POST", "/v1.41/containers/old/start", {}, None))
    assert not d.allow and d.rules == ["DW101"]
    assert guard.decide(RawRequest("POST", "/v1.41/containers/gone/start", {}, None)).allow


def test_failed_lookup_denies() -> None:
    lookup = FakeLookup({"/containers/x1/json": LookupFailed("timed out")})
    guard = Guard(GuardPolicy(), GuardSettings(lookup=lookup))
    d = guard.decide(RawRequest("POST", "/v1.41/containers/x1/start", {}, None))
    assert not d.allow and "timed out" in d.message and "denied" in d.message


def test_volumes_from_and_container_namespaces_are_resolved() -> None:
    lookup = FakeLookup({
        "/containers/holder/json": {"Name": "/holder", "HostConfig": {"PidMode": "host"},
                                    "Mounts": [{"Type": "bind", "Source": "/etc",
                                                "Destination": "/h", "RW": True}]},
    })
    d = decide({"Image": "b", "HostConfig": {"VolumesFrom": ["holder:ro"]}}, lookup=lookup)
    assert d.rules == ["DW202"]
    d = decide({"Image": "b", "HostConfig": {"PidMode": "container:holder"}}, lookup=lookup)
    assert d.rules == ["DW104"]


def test_named_bind_volume_is_judged_as_its_host_path() -> None:
    lookup = FakeLookup({"/volumes/rootvol": {"Name": "rootvol", "Driver": "local",
                                              "Options": {"type": "none", "o": "bind",
                                                          "device": "/"}}})
    d = decide({"Image": "b", "HostConfig": {"Binds": ["rootvol:/x"]}}, lookup=lookup)
    assert d.rules == ["DW202"]
    assert decide({"Image": "b", "HostConfig": {"Binds": ["plain:/x"]}},
                  lookup=FakeLookup({})).allow


def test_symlinked_bind_source_is_judged_where_it_points(tmp_path: Any) -> None:
    link = tmp_path / "innocent"
    link.symlink_to("/")
    guard = Guard(GuardPolicy(), GuardSettings(resolve_symlinks=True))
    body = json.dumps({"Image": "b", "HostConfig": {"Binds": [f"{link}:/x"]}}).encode()
    d = guard.decide(RawRequest("POST", "/v1.41/containers/create", dict(CT), body))
    assert d.rules == ["DW202"] and "mounts host / writable" in d.message


@pytest.mark.parametrize(("uri", "body", "code"), [
    ("/v1.41/volumes/create", {"Name": "v", "DriverOpts": {"type": "overlay",
                                                           "o": "lowerdir=/etc,upperdir=/u"}},
     "DW202"),
    ("/v1.41/volumes/create", {"Name": "v", "DriverOpts": {"type": "ext4",
                                                           "device": "/dev/sda1"}}, "DW203"),
    ("/v1.41/plugins/pull?remote=x", [{"Name": "network", "Value": ["host"]}], "DW105"),
    ("/v1.41/plugins/pull?remote=x", [{"Name": "host pid namespace", "Value": ["true"]}],
     "DW104"),
    ("/v1.41/plugins/pull?remote=x", [{"Name": "allow-all-devices", "Value": ["true"]}],
     "DW203"),
    ("/v1.41/plugins/p1/set", ["mnt.source=/etc"], "DW202"),
    ("/v1.41/services/create", {"Name": "s", "TaskTemplate": {"ContainerSpec": {
        "Image": "b", "Mounts": [{"Type": "bind", "Source": "/", "Target": "/h"}]}}},
     "DW202"),
    ("/v1.41/containers/web/exec", {"Cmd": ["sh"], "Privileged": True}, "DW101"),
])
def test_other_body_bearing_endpoints_use_the_same_rules(uri: str, body: Any,
                                                         code: str) -> None:
    assert code in decide(body, uri).rules


def test_build_with_host_network_and_secret_build_arg() -> None:
    guard = Guard(GuardPolicy(), GuardSettings(resolve_symlinks=False))
    tar = {"Content-Type": "application/x-tar", "Content-Length": "10"}
    d = guard.decide(RawRequest("POST", "/v1.41/build?networkmode=host", tar, None))
    assert d.rules == ["DW105"]
    args = json.dumps({"NPM_TOKEN": "npm_" + "a" * 36})
    d = guard.decide(RawRequest("POST", f"/v1.41/build?buildargs={args}", tar, None))
    assert d.rules == ["DW401"]
    assert guard.decide(RawRequest("POST", "/v1.41/build?t=app", tar, None)).allow


def test_bodiless_reads_are_cached_and_bodies_are_not() -> None:
    guard = Guard(GuardPolicy(), GuardSettings())
    first = guard.decide(RawRequest("GET", "/v1.41/containers/json", {}, None))
    assert guard.decide(RawRequest("GET", "/v1.41/containers/json", {}, None)) is first
    body = json.dumps({"Image": "b"}).encode()
    one = guard.decide(RawRequest("POST", "/v1.41/containers/create", dict(CT), body))
    assert guard.decide(RawRequest("POST", "/v1.41/containers/create", dict(CT),
                                   body)) is not one


def test_internal_error_denies(monkeypatch: pytest.MonkeyPatch) -> None:
    guard = Guard(GuardPolicy(), GuardSettings())

    def boom(*args: Any) -> Any:
        raise RuntimeError("bug")

    monkeypatch.setattr(guard, "_decide", boom)
    d = guard.decide(RawRequest("POST", "/v1.41/containers/create", dict(CT), b"{}"))
    assert not d.allow and "internal error" in d.message


def test_s20_update_is_judged_by_what_it_changes() -> None:
    body = {"RestartPolicy": {"Name": "always"}, "Memory": 0}
    assert decide(body, "/v1.41/containers/web/update").allow
    strict = policy_from_mapping({"deny-at": "low"})
    d = decide(body, "/v1.41/containers/web/update", policy=strict)
    assert d.rules == ["DW304"]  # memory 0 means "unchanged": no DW301


def test_s12_policy_defined_settings_follow_deny_at() -> None:
    body = {"Image": "busybox", "HostConfig": {"PidsLimit": -1, "Memory": 268435456}}
    assert decide(body).allow
    d = decide(body, policy=policy_from_mapping({"deny-at": "medium"}))
    assert "DW303" in d.rules


def test_a6_a7_responses_are_never_denied() -> None:
    from dockward.guard.authz import ALLOW, AuthzPlugin, ExecTable
    from dockward.guard.decision_log import DecisionLog

    plugin = AuthzPlugin(Guard(GuardPolicy(), GuardSettings()), DecisionLog(None), ExecTable())
    for payload in (b"not json", b'{"RequestMethod":"POST","RequestUri":"/containers/create",'
                    b'"ResponseStatusCode":201}', b"{}"):
        assert plugin.authz_response(payload) == ALLOW
    assert plugin.handle(b"/Plugin.Activate", b"") == b'{"Implements":["authz"]}'
    assert b'"Allow": false' in plugin.handle(b"/AuthZPlugin.AuthZReq", b"{broken")


def test_environment_the_image_user_and_daemon_defaults_decide_medium_rules() -> None:
    """At deny-at medium, DW113 and DW112 judge what will run: the image's USER and the
    daemon's no-new-privileges default, both looked up in the engine."""
    policy = policy_from_mapping({"deny-at": "medium", "ignore": ["DW103", "DW301", "DW303"]})
    lookup = FakeLookup({"/images/app:1/json": {"Config": {"User": "1000"}},
                         "/images/rooted:1/json": {"Config": {"User": ""}},
                         "/info": {"SecurityOptions": ["name=seccomp,profile=default"]}})
    guard = Guard(policy, GuardSettings(lookup=lookup, resolve_symlinks=False,
                                        environment=True))

    def create(image: str) -> Decision:
        body = json.dumps({"Image": image, "HostConfig": {
            "SecurityOpt": ["no-new-privileges"], "ReadonlyRootfs": True}}).encode()
        return guard.decide(RawRequest("POST", "/v1.41/containers/create", dict(CT), body))

    assert create("app:1").allow
    rooted = create("rooted:1")
    assert rooted.rules == ["DW113"] and "image's USER is root" in rooted.message
    assert lookup.asked.count("/info") == 1  # cached
