"""Section 7 of research/enforcement.md against a real dockerd 20.10 behind the plugin.

Each test sends the trick as raw HTTP (or through the docker CLI where it can express it)
and asserts the request is refused, or never reaches a container: ``403`` with the rule in
the message, or the daemon's own 4xx, and no container created.  Ids: F framing, U URI,
J JSON, S semantics, A availability.
"""

from __future__ import annotations

import json

import pytest

from tests.guard.helpers import GuardedEngine

pytestmark = [pytest.mark.engine, pytest.mark.slow]

JSON_CT = {"Content-Type": "application/json"}
PRIVILEGED = {"Image": "busybox:dw", "HostConfig": {"Privileged": True}}


def _create(guard: GuardedEngine, body: object | bytes, target: str = "/v1.41/containers/create",
            headers: dict[str, str] | None = None) -> tuple[int, str]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    status, out = guard.raw("POST", target, raw, {**JSON_CT, **(headers or {})})
    return status, out.decode(errors="replace")


def _denied(status: int, text: str, *codes: str) -> None:
    assert status == 403, (status, text)
    for code in codes:
        assert code in text, text


def _nothing_created(guard: GuardedEngine, before: set[str]) -> None:
    assert set(guard.engine.container_ids()) == before


# ----------------------------------------------------------------------------- F framing


def _chunked(data: bytes, size: int = 1000) -> bytes:
    out = b""
    for i in range(0, len(data), size):
        part = data[i:i + size]
        out += b"%x\r\n%s\r\n" % (len(part), part)
    return out + b"0\r\n\r\n"


def test_f1_chunked_privileged_create_is_inspected(guard: GuardedEngine) -> None:
    before = set(guard.engine.container_ids())
    body = _chunked(json.dumps(PRIVILEGED).encode(), 7)
    status, text = _create(guard, body, headers={"Transfer-Encoding": "chunked"})
    _denied(status, text, "DW101 runs privileged")
    _nothing_created(guard, before)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_f4_create_padded_past_1mib_is_denied(guard: GuardedEngine, chunked: bool) -> None:
    """CVE-2026-34040: dockerd 20.10 drops the body before the plugin, runs it in full."""
    before = set(guard.engine.container_ids())
    body = {**PRIVILEGED, "HostConfig": {"Privileged": True, "Binds": ["/:/host"]},
            "Labels": {"pad": "x" * (1024 * 1024 + 10)}}
    raw = json.dumps(body).encode()
    headers = {"Transfer-Encoding": "chunked"} if chunked else {}
    status, text = _create(guard, _chunked(raw, 65536) if chunked else raw, headers=headers)
    _denied(status, text, "DW801")
    _nothing_created(guard, before)
    record = guard.wait_decision(lambda r: "DW801" in r["rules"])
    assert "body" not in record  # the plugin never saw one


def test_f10_auth_looking_query_does_not_hide_the_body(guard: GuardedEngine) -> None:
    status, text = _create(guard, PRIVILEGED, "/v1.41/containers/create?x=/auth")
    _denied(status, text, "DW101")


def test_zero_length_json_request_without_body_route_passes(guard: GuardedEngine) -> None:
    status, _ = guard.raw("POST", "/v1.41/containers/nosuch/stop", b"",
                          {**JSON_CT, "Content-Length": "0"})
    assert status == 404  # the daemon's answer: the guard had nothing to refuse


# ----------------------------------------------------------------------------- U paths


def test_u1_unversioned_create_is_judged_the_same(guard: GuardedEngine) -> None:
    status, text = _create(guard, PRIVILEGED, "/containers/create")
    _denied(status, text, "DW101")


@pytest.mark.parametrize(("prefix", "expected"), [
    ("/v1.11", (403,)), ("/v1.23", (403,)), ("/v1..41", (403,)), ("/v1", (403,)),
    ("/v1.99", (400,)), ("/v1.41.0", (403,)),
])
def test_u3_odd_versions_never_pass_unjudged(guard: GuardedEngine, prefix: str,
                                             expected: tuple[int, ...]) -> None:
    status, text = _create(guard, {"Image": "busybox:dw"}, f"{prefix}/containers/create")
    assert status in expected, (status, text)
    assert guard.plugin.poll() is None


def test_u3_legacy_start_with_host_config_body_is_denied(guard: GuardedEngine) -> None:
    cid = guard.docker("create", "busybox:dw", "true", check=True).stdout.strip()
    status, text = guard.raw("POST", f"/v1.23/containers/{cid}/start",
                             json.dumps({"Privileged": True, "Binds": ["/:/host"]}).encode(),
                             JSON_CT)
    _denied(status, text.decode(), "DW802")
    assert guard.engine.client.api.inspect_container(cid)["State"]["Status"] == "created"


@pytest.mark.parametrize("target", [
    "/v1.41/containers/xx%2Fexec", "/v1.41/containers/xx%2fexec", "/v1.41/contai%6Eers/xx/exec",
])
def test_u4_encoded_exec_create_is_refused(guard: GuardedEngine, target: str) -> None:
    guard.docker("run", "-d", "--name", "xx", "busybox:dw", "sleep", "20", check=True)
    status, text = guard.raw("POST", target,
                             json.dumps({"Cmd": ["true"], "Privileged": True}).encode(), JSON_CT)
    _denied(status, text.decode(), "DW807")


@pytest.mark.parametrize("target", ["/V1.41/containers/json", "/v1.41/Containers/json",
                                    "/v1.41/containers/json/"])
def test_u8_case_variants_and_trailing_slash_do_not_route(guard: GuardedEngine,
                                                          target: str) -> None:
    status, _ = guard.raw("GET", target)
    assert status == 404


@pytest.mark.parametrize("target", ["/debug/vars", "/debug/pprof/", "/debug/pprof/cmdline"])
def test_u11_debug_endpoints_are_denied(guard: GuardedEngine, target: str) -> None:
    status, text = guard.raw("GET", target)
    _denied(status, text.decode(), "DW810")


def test_u14_query_does_not_hide_the_route(guard: GuardedEngine) -> None:
    body = {"Image": "busybox:dw", "HostConfig": {"SecurityOpt": ["seccomp=unconfined"]}}
    status, text = _create(guard, body, "/v1.41/containers/create?name=u14&x=/start")
    _denied(status, text, "DW109")


def test_absolute_form_target_is_refused(guard: GuardedEngine) -> None:
    status, text = _create(guard, PRIVILEGED, "http://docker/v1.41/containers/create")
    _denied(status, text, "DW807")


# ----------------------------------------------------------------------------- J JSON


@pytest.mark.parametrize(("body", "codes"), [
    (b'{"Image":"busybox:dw","hostconfig":{"privileged":true}}', ("DW804",)),
    (b'{"Image":"busybox:dw","HOSTCONFIG":{"PRIVILEGED":true}}', ("DW804",)),
    ('{"Image":"busybox:dw","HostConfig":{"\u017fecurityOpt":["seccomp=unconfined"]}}'
     .encode(), ("DW804",)),
    ('{"Image":"busybox:dw","HostConfig":{"Mas\u212aedPaths":[],"ReadonlyPaths":[]}}'
     .encode(), ("DW804",)),
    (b'{"Image":"busybox:dw","HostConfig":{"Privileged":true},"HostConfig":{}}', ("DW803",)),
    (b'{"Image":"busybox:dw","HostConfig":{"Privileged":true},"hostConfig":{}}', ("DW803",)),
    (b'{"Image":"busybox:dw"} {"HostConfig":{"Privileged":true}}', ("DW805",)),
    (b'{"Image":"busybox:dw","HostConfig":{"\\u0050rivileged":true}}', ("DW101",)),
    (b'{"Image":"busybox:dw","HostConfig":{"Privileged":"true"}}', ("DW101",)),
    (b'{"Image":"busybox:dw","HostConfig":{"Memory":NaN}}', ("DW805",)),
    (b'{"Image":"busybox:dw","Labels":' + b'{"a":' * 80 + b'1' + b'}' * 81, ("DW805",)),
    (b'{"Image":"busybox:dw","Privileged":true,"Binds":["/:/h"]}', ("DW806",)),
], ids=["lowercase", "uppercase", "long-s", "kelvin", "duplicate", "duplicate-folded",
        "trailing", "escaped", "string-bool", "nan", "deep", "top-level-hostconfig"])
def test_json_tricks_are_denied(guard: GuardedEngine, body: bytes,
                                codes: tuple[str, ...]) -> None:
    before = set(guard.engine.container_ids())
    status, text = _create(guard, body)
    _denied(status, text, *codes)
    _nothing_created(guard, before)


def test_unicode_folded_key_really_is_read_by_dockerd(make_private_engine: object) -> None:
    """Why DW804 exists: dockerd 20.10 applies a Kelvin-sign MaskedPaths (no plugin)."""
    eng = make_private_engine(busybox=True)  # type: ignore[operator]
    body = '{"Image":"busybox:dw","HostConfig":{"Mas\u212aedPaths":[]}}'.encode()
    from tests.guard.helpers import raw_request

    status, text = raw_request(eng.socket_path, "POST", "/v1.41/containers/create", body,
                               JSON_CT)
    assert status == 201, text
    cid = json.loads(text)["Id"]
    assert eng.client.api.inspect_container(cid)["HostConfig"]["MaskedPaths"] == []


# ----------------------------------------------------------------------------- S semantics


@pytest.mark.parametrize(("args", "code"), [
    (["--mount", "type=bind,source=/,target=/h"], "DW202"),
    (["-v", "//:/host"], "DW202"),
    (["-v", "/etc/..:/host"], "DW202"),
    (["-v", "/var/run/../run/docker.sock:/s"], "DW201"),
    (["-v", "/var/run:/x"], "DW201"),
    (["-v", "/run:/x"], "DW201"),
    (["-v", "/var:/x"], "DW202"),
    (["--mount", "type=volume,src=bindvol,dst=/x,volume-driver=local,volume-opt=type=none,"
      "volume-opt=o=bind,volume-opt=device=/"], "DW202"),
    (["--cap-add", "ALL"], "DW102"),
    (["--cap-add", "sys_admin"], "DW102"),
    (["--cap-add", "CAP_SYS_ADMIN"], "DW102"),
    (["--security-opt", "apparmor=unconfined"], "DW110"),
    (["--security-opt", "label=disable"], "DW111"),
    (["--security-opt", "label:disable"], "DW111"),
    (["--security-opt", "systempaths=unconfined"], "DW115"),
    (["--network", "host"], "DW105"),
    (["--ipc", "host"], "DW106"),
    (["--device", "/dev/sda"], "DW203"),
    (["-v", "/run/docker/plugins:/p"], "DW809"),
    (["-v", "/etc/docker:/p"], "DW809"),
], ids=lambda v: v if isinstance(v, str) else "_".join(v)[-40:])
def test_s_equivalent_dangerous_settings_are_denied(guard: GuardedEngine, args: list[str],
                                                   code: str) -> None:
    before = set(guard.engine.container_ids())
    result = guard.docker("create", *args, "busybox:dw", "true")
    assert f"authorization denied by plugin {guard.name}: " in result.stderr, result.stderr
    record = guard.wait_decision(lambda r: r["decision"] == "deny" and code in r["rules"]
                                 and r["route"] == "POST /containers/create")
    assert record["user"] == "local"
    _nothing_created(guard, before)


@pytest.mark.parametrize(("host_config", "code"), [
    ({"CapAdd": ["ALL"]}, "DW102"),
    ({"Capabilities": ["CAP_SYS_ADMIN", "CAP_CHOWN"]}, "DW102"),
    ({"MaskedPaths": [], "ReadonlyPaths": []}, "DW115"),
    ({"SecurityOpt": ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}']}, "DW109"),
    ({"UTSMode": "host", "PidMode": "host"}, "DW104"),
    ({"Devices": [{"PathOnHost": "/dev/mem", "PathInContainer": "/dev/mem",
                   "CgroupPermissions": "rwm"}]}, "DW203"),
])
def test_s_api_only_spellings_are_denied(guard: GuardedEngine, host_config: dict[str, object],
                                         code: str) -> None:
    status, text = _create(guard, {"Image": "busybox:dw", "HostConfig": host_config})
    _denied(status, text, code)


def test_s5_bind_volume_is_denied_at_create(guard: GuardedEngine) -> None:
    result = guard.docker("volume", "create", "--opt", "type=none", "--opt", "o=bind",
                          "--opt", "device=/", "rootvol")
    assert f"{guard.name}: DW202" in result.stderr, result.stderr
    assert "rootvol" not in guard.engine.volume_names()


def test_s14_exec_start_after_restart_is_judged_by_lookup(guard: GuardedEngine) -> None:
    guard.docker("run", "-d", "--name", "s14", "busybox:dw", "sleep", "30", check=True)
    status, text = guard.raw("POST", "/v1.41/containers/s14/exec",
                             json.dumps({"Cmd": ["true"]}).encode(), JSON_CT)
    assert status == 201, text
    exec_id = json.loads(text)["Id"]
    guard.kill_plugin()
    guard.start_plugin()  # the exec table is gone: the guard asks the engine
    status, text = guard.raw("POST", f"/v1.41/exec/{exec_id}/start",
                             json.dumps({"Detach": True}).encode(), JSON_CT)
    assert status == 200, text


# ----------------------------------------------------------------------------- A availability


def test_a4_plugin_cannot_be_disabled_or_shadowed(guard: GuardedEngine) -> None:
    for method, target in (("POST", f"/v1.41/plugins/{guard.name}/disable"),
                           ("POST", f"/v1.41/plugins/{guard.name}:latest/set"),
                           ("DELETE", f"/v1.41/plugins/{guard.name}"),
                           ("POST", f"/v1.41/plugins/pull?remote=evil/authz&name={guard.name}")):
        body = b"[]" if method == "POST" else None
        status, text = guard.raw(method, target, body, JSON_CT if body else {})
        _denied(status, text.decode(), "DW809")
