"""The one converter from Engine API JSON to Workload, on output captured from a real engine.

Fixtures come from ``tests/audit/make_fixtures.py``: ``inspect/<demo>.json`` is
``docker inspect`` of the seed's demo containers, ``create/<demo>.json`` the body the
docker CLI sent to create them (captured by a recording proxy).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dockward.models.workload import Workload
from dockward.readers.engine.inspect_to_workload import (
    workload_from_create_body,
    workload_from_inspect,
    workload_from_swarm_service,
)

FIXTURES = Path(__file__).parent / "fixtures"
DEMOS = sorted(p.stem for p in (FIXTURES / "inspect").glob("*.json"))


def load(kind: str, name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / kind / f"{name}.json").read_text(encoding="utf-8"))


def inspect(name: str) -> Workload:
    return workload_from_inspect(load("inspect", name), f"host/{name}")


def security_view(w: Workload) -> dict[str, Any]:
    """What rules read, minus what dockerd fills in by itself (ipc/cgroupns defaults) and
    the image's environment, which an inspect result merges in."""
    return {
        "privileged": w.privileged, "user": w.user, "image": w.image,
        "cap_add": [c.name for c in w.cap_add], "cap_drop": [c.name for c in w.cap_drop],
        "pid": w.pid_mode, "net": w.network_mode, "uts": w.uts_mode, "userns": w.userns_mode,
        "mounts": [(m.type, m.source, m.target, m.read_only, m.propagation, m.origin.path)
                   for m in w.mounts],
        "devices": [(d.host_path, d.container_path, d.permissions) for d in w.devices],
        "security_opts": [(o.key, o.value) for o in w.security_opts],
        "read_only": w.read_only, "memory": w.memory, "cpus": w.cpus,
        "pids_limit": w.pids_limit,
        "restart": (w.restart.name, w.restart.max_retries) if w.restart else None,
        "ports": [(p.container_port, p.host_port, p.host_ip, p.protocol) for p in w.ports],
        "command": w.command,
    }


def test_fixtures_present() -> None:
    assert set(DEMOS) >= {"plain", "sock", "pidhost", "caps", "limits", "onfailure", "always",
                          "nethost", "privileged", "hardened"}


@pytest.mark.parametrize("name", DEMOS)
def test_create_body_and_inspect_agree(name: str) -> None:
    """The guard (create body) and the audit (inspect) see the same container."""
    from_body = workload_from_create_body(load("create", name), f"host/{name}", name=name)
    assert security_view(from_body) == security_view(inspect(name))
    assert from_body.name == name and from_body.source_kind == "container"
    assert from_body.facts["create_request"] is True


def test_plain_container() -> None:
    w = inspect("plain")
    assert w.name == "plain" and w.source_kind == "container"
    assert w.anchor.subject == "host/plain" and w.anchor.file == ""
    assert w.image == "busybox:dw" and w.where("image").path == "Config.Image"
    assert not w.privileged and w.cap_add == [] and w.cap_drop == []
    assert w.user is None  # no USER in the image, none given
    assert (w.memory, w.cpus, w.pids_limit) == (None, None, None)
    assert w.restart is not None and w.restart.name == "no"
    assert w.command == ["sleep", "1000"]
    assert w.facts["status"] == "running"
    assert w.facts["id"].startswith(w.facts["id"][:12]) and len(w.facts["id"]) == 64
    assert w.facts["image_id"].startswith("sha256:")
    assert [(e.key, e.origin.path) for e in w.env] == [("PATH", "Config.Env[0]")]


def test_socket_mount_has_binds_provenance() -> None:
    w = inspect("sock")
    assert len(w.mounts) == 1
    m = w.mounts[0]
    assert (m.type, m.source, m.target, m.read_only) == (
        "bind", "/var/run/docker.sock", "/var/run/docker.sock", False)
    assert m.origin.subject == "host/sock" and m.origin.path == "HostConfig.Binds[0]"


def test_pid_host_without_daemon_added_label() -> None:
    w = inspect("pidhost")
    assert w.pid_mode == "host" and w.where("pid_mode").path == "HostConfig.PidMode"
    # dockerd itself appends label=disable for host PID/IPC; the user did not ask for it
    assert load("inspect", "pidhost")["HostConfig"]["SecurityOpt"] == ["label=disable"]
    assert w.security_opts == []
    assert w.facts["daemon_added_security_opts"] == ["label=disable"]


def test_caps() -> None:
    w = inspect("caps")
    assert [c.name for c in w.cap_drop] == ["ALL"]
    assert [c.name for c in w.cap_add] == ["NET_ADMIN"]
    assert w.cap_add[0].origin.path == "HostConfig.CapAdd[0]"
    assert w.dropped("SYS_ADMIN")


def test_limits_without_pids() -> None:
    w = inspect("limits")
    assert w.memory == 256 * 1024 * 1024 and w.where("memory").path == "HostConfig.Memory"
    assert w.cpus == 2.0 and w.where("cpus").path == "HostConfig.NanoCpus"
    assert w.pids_limit is None


@pytest.mark.parametrize(("name", "policy"), [("onfailure", ("on-failure", 5)),
                                              ("always", ("always", None)),
                                              ("plain", ("no", None))])
def test_restart_policies(name: str, policy: tuple[str, int | None]) -> None:
    w = inspect(name)
    assert w.restart is not None
    assert (w.restart.name, w.restart.max_retries) == policy
    assert w.restart.origin.path == "HostConfig.RestartPolicy"


def test_network_host() -> None:
    assert inspect("nethost").network_mode == "host"


def test_privileged_created_only() -> None:
    w = inspect("privileged")
    assert w.privileged and w.where("privileged").path == "HostConfig.Privileged"
    assert w.facts["status"] == "created"
    assert w.security_opts == []  # dockerd's label=disable for privileged is dropped too


def test_hardened_container_every_field() -> None:
    w = inspect("hardened")
    assert w.user == "1000:1000" and w.read_only
    assert [c.name for c in w.cap_drop] == ["ALL"]
    assert w.no_new_privileges
    assert w.security_opt("seccomp") is not None
    assert w.security_opt("seccomp").value == "unconfined"  # type: ignore[union-attr]
    assert (w.memory, w.cpus, w.pids_limit) == (256 * 1024 * 1024, 1.0, 100)
    assert (w.ipc_mode, w.uts_mode) == ("host", "host")
    mounts = {m.target: m for m in w.mounts}
    assert mounts["/data"].type == "volume" and mounts["/data"].source == "data"
    assert mounts["/hostetc"].read_only and mounts["/hostetc"].origin.path == (
        "HostConfig.Mounts[0]")
    assert mounts["/tmp"].type == "tmpfs" and mounts["/tmp"].origin.path == "HostConfig.Tmpfs[/tmp]"
    port = w.ports[0]
    assert (port.container_port, port.host_port, port.host_ip) == ("80", "8080", "127.0.0.1")
    assert not port.on_all_interfaces
    assert [(d.host_path, d.container_path) for d in w.devices] == [("/dev/null", "/dev/xnull")]
    assert ("API_TOKEN", "abc") in [(e.key, e.value) for e in w.env]


def test_anonymous_and_inherited_mounts_come_from_top_level_mounts() -> None:
    data = load("inspect", "plain")
    data["Mounts"] = [{"Type": "volume", "Name": "0123abcd", "Source": "/var/lib/docker/x",
                       "Destination": "/var/lib/data", "RW": True, "Propagation": ""}]
    w = workload_from_inspect(data, "h/c")
    assert [(m.type, m.source, m.target, m.origin.path) for m in w.mounts] == [
        ("volume", "0123abcd", "/var/lib/data", "Mounts[0]")]


# ------------------------------------------------------------------ create-body robustness


def body(host_config: dict[str, Any], **config: Any) -> dict[str, Any]:
    return {"Image": "busybox:dw", **config, "HostConfig": host_config}


def test_go_json_case_insensitive_keys_are_honoured() -> None:
    """dockerd's decoder matches field names case-insensitively: so must the guard."""
    raw = '{"image": "x", "hostconfig": {"privileged": true, "BINDS": ["/:/host"]}}'
    w = workload_from_create_body(json.loads(raw), "h/c")
    assert w.privileged and w.image == "x"
    assert [(m.source, m.target) for m in w.mounts] == [("/", "/host")]


def test_unicode_folding_like_go() -> None:
    # U+017F LATIN SMALL LETTER LONG S folds to 's'; U+212A KELVIN SIGN folds to 'k'
    raw = {"HostConfig": {"\u017fecurityOpt": ["seccomp=unconfined"],
                          "CapAdd": ["SYS_ADMIN"], "PidsLimit": 5,
                          "\u212aernelMemory": 1}}
    w = workload_from_create_body(raw, "h/c")
    assert w.security_opt("seccomp") is not None
    assert [c.name for c in w.cap_add] == ["SYS_ADMIN"]


@pytest.mark.parametrize(("raw", "expected"), [
    ('{"HostConfig": {"Privileged": false, "privileged": true}}', True),
    ('{"HostConfig": {"privileged": true, "Privileged": false}}', False),
])
def test_last_duplicate_key_wins_like_go(raw: str, expected: bool) -> None:
    assert workload_from_create_body(json.loads(raw), "h/c").privileged is expected


def test_wrong_types_fail_closed() -> None:
    w = workload_from_create_body(body({"Privileged": "yes", "CapAdd": "SYS_ADMIN",
                                        "Binds": "/:/host"}), "h/c")
    assert w.privileged
    assert [c.name for c in w.cap_add] == ["SYS_ADMIN"]
    assert [m.source for m in w.mounts] == ["/"]


def test_nulls_and_missing_host_config() -> None:
    w = workload_from_create_body({"Image": "busybox", "HostConfig": None, "Env": None}, "h/c")
    assert not w.privileged and w.mounts == [] and w.env == []
    w = workload_from_create_body({}, "h/c")
    assert w.image is None and w.restart is not None and w.restart.name == "no"


def test_create_body_keeps_user_label_disable() -> None:
    w = workload_from_create_body(body({"PidMode": "host", "SecurityOpt": ["label=disable"]}),
                                  "h/c")
    assert [(o.key, o.value) for o in w.security_opts] == [("label", "disable")]
    assert w.security_opts[0].origin.path == "HostConfig.SecurityOpt[0]"


def test_create_body_binds_options_and_paths() -> None:
    w = workload_from_create_body(body({"Binds": ["/run:/run:ro,rshared", "named:/data",
                                                  "/anon"],
                                        "PublishAllPorts": True}, ExposedPorts={"80/tcp": {}},
                                       User="0"), "h/c")
    run, named, anon = w.mounts
    assert (run.type, run.read_only, run.propagation) == ("bind", True, "rshared")
    assert (named.type, named.source) == ("volume", "named")
    assert (anon.type, anon.source, anon.target) == ("volume", None, "/anon")
    assert w.user == "0" and w.where("user").path == "User"
    assert [(p.container_port, p.host_port, p.on_all_interfaces) for p in w.ports] == [
        ("80", "", True)]


def test_create_body_spellings_the_daemon_refuses_are_read_as_written() -> None:
    """The guard judges bodies before the daemon checks them: a Binds entry the daemon
    would refuse is still read with the shared splitter (fail closed), and a string in
    Devices is read as the docker CLI reads --device (readers/specs.py)."""
    w = workload_from_create_body(body({
        "Binds": ["/var/run/docker.sock:ro", "/a:/b:ro:z", "C:\\data:/data"],
        "Devices": ["/dev/mem:r", {"PathOnHost": "/dev/kvm"}],
    }), "h/c")
    assert [(m.type, m.source, m.target, m.read_only) for m in w.mounts] == [
        ("bind", "/var/run/docker.sock", "ro", False),
        ("bind", "/a", "/b", True),
        ("bind", "C:\\data", "/data", False),
    ]
    assert [(d.host_path, d.container_path, d.permissions) for d in w.devices] == [
        ("/dev/mem", "/dev/mem", "r"), ("/dev/kvm", "/dev/kvm", "rwm")]


def test_cpu_quota_and_pids_unlimited() -> None:
    w = workload_from_create_body(body({"CpuQuota": 50000, "CpuPeriod": 100000,
                                        "PidsLimit": -1, "Memory": 0}), "h/c")
    assert w.cpus == 0.5 and w.pids_limit is None and w.memory is None


# ------------------------------------------------------------------ swarm


def services() -> tuple[list[dict[str, Any]], dict[str, str]]:
    data = json.loads((FIXTURES / "services.json").read_text(encoding="utf-8"))
    return data["services"], data["networks"]


def service(name: str) -> Workload:
    items, networks = services()
    svc = next(s for s in items if s["Spec"]["Name"] == name)
    return workload_from_swarm_service(svc, f"host/{name}", networks)


def test_swarm_service_with_socket_and_caps() -> None:
    w = service("svc-sock")
    assert w.source_kind == "swarm-service" and w.describe() == "swarm service 'svc-sock'"
    m = w.mounts[0]
    assert (m.type, m.source, m.target) == ("bind", "/var/run/docker.sock",
                                           "/var/run/docker.sock")
    assert m.origin.path == "Spec.TaskTemplate.ContainerSpec.Mounts[0]"
    assert [c.name for c in w.cap_add] == ["SYS_ADMIN"]
    assert w.memory == 256 * 1024 * 1024
    # swarm restarts forever unless told otherwise
    assert w.restart is not None and (w.restart.name, w.restart.max_retries) == ("always", None)
    assert w.facts["id"]


def test_swarm_service_host_network_by_cluster_id() -> None:
    w = service("svc-host")
    assert w.network_mode == "host"
    assert w.where("network_mode").path == "Spec.TaskTemplate.Networks[0]"
    assert (w.user, w.read_only, w.cpus, w.pids_limit) == ("1000", True, 1.0, 100)
    assert w.restart is not None and (w.restart.name, w.restart.max_retries) == ("on-failure", 5)


def test_swarm_spec_alone_and_privileges() -> None:
    spec = {"Name": "x", "TaskTemplate": {"ContainerSpec": {
        "Image": "a@sha256:" + "0" * 64,
        "Privileges": {"Seccomp": {"Mode": "unconfined"}, "AppArmor": {"Mode": "disabled"},
                       "NoNewPrivileges": True}},
        "RestartPolicy": {"Condition": "any", "MaxAttempts": 3}},
        "EndpointSpec": {"Ports": [{"Protocol": "tcp", "TargetPort": 80,
                                    "PublishedPort": 8080}]}}
    w = workload_from_swarm_service(spec, "h/x")
    assert w.image == "a"
    assert {(o.key, o.value) for o in w.security_opts} == {
        ("seccomp", "unconfined"), ("apparmor", "unconfined"), ("no-new-privileges", "true")}
    assert w.restart is not None and (w.restart.name, w.restart.max_retries) == ("on-failure", 3)
    assert [(p.container_port, p.host_port) for p in w.ports] == [("80", "8080")]
    assert w.ports[0].origin.path == "EndpointSpec.Ports[0]"
