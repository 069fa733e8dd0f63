"""The stdlib-only probe: parsers, captured /proc and /sys trees (cgroup v1 and v2)."""

from __future__ import annotations

import ast
import builtins
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dockward.inside import probe, probe_parsers, zipapp
from dockward.models.knowledge import RUNTIME_SOCKET_NAMES
from tests.inside.helpers import FIXTURES, set_status, tree_roots, variant

SRC = Path(probe.__file__).parent
DOCKER_DEFAULT_HEX = "00000000a80425fb"  # what /proc/self/status shows in a default container


def observe_tree(root: Path, **kw: Any) -> dict[str, Any]:
    return probe.observe(**tree_roots(root), probe_sockets=False, environ={}, **kw)


# --------------------------------------------------------------------------- capabilities


def test_decode_docker_default_set() -> None:
    names = probe_parsers.decode_caps(DOCKER_DEFAULT_HEX, 40)
    assert sorted(names) == sorted(probe.DOCKER_DEFAULT_CAPS)
    assert len(names) == 14


def test_decode_net_admin_only() -> None:
    assert probe_parsers.decode_caps("0000000000001000", 40) == ["cap_net_admin"]


@pytest.mark.parametrize(("last_cap", "last_name"), [
    (35, "cap_wake_alarm"),        # Linux 3.0
    (36, "cap_block_suspend"),     # 3.5
    (37, "cap_audit_read"),        # 3.16 .. 5.7
    (40, "cap_checkpoint_restore"),  # 5.9+
])
def test_full_mask_is_cut_at_cap_last_cap(last_cap: int, last_name: str) -> None:
    names = probe_parsers.decode_caps("000001ffffffffff", last_cap)
    assert len(names) == last_cap + 1
    assert names[-1] == last_name
    assert names == probe_parsers.all_caps(last_cap)


def test_unknown_future_capability_is_named_by_bit() -> None:
    assert probe_parsers.decode_caps(hex(1 << 41), 41) == ["cap_41"]
    assert probe_parsers.decode_caps(hex(1 << 41), 40) == []  # beyond this kernel: ignored


def test_bad_mask_decodes_to_nothing() -> None:
    assert probe_parsers.decode_caps("zz", 40) == []


def test_capsh_lines_for_the_seeds_net_admin_container() -> None:
    status = {"CapEff": "0000000000001000", "CapPrm": "0000000000001000",
              "CapBnd": "0000000000001000", "CapAmb": "0000000000000000",
              "CapInh": "0000000000000000"}
    caps = probe._capabilities(status, 40)
    assert caps["effective"] == ["cap_net_admin"]
    assert caps["added"] == ["cap_net_admin"]
    assert sorted(caps["dropped"]) == sorted(probe.DOCKER_DEFAULT_CAPS)
    lines = probe.capsh_lines({"capabilities": caps})
    assert lines[:3] == ["Current: cap_net_admin=ep", "Bounding set =cap_net_admin",
                         "Ambient set ="]
    # the seed's capsh output: every capability but net_admin is marked '!'
    iab = lines[3].removeprefix("Current IAB: ").split(",")
    assert len(iab) == 40 and "!cap_net_admin" not in iab
    assert iab[:3] == ["!cap_chown", "!cap_dac_override", "!cap_dac_read_search"]
    assert iab[-1] == "!cap_checkpoint_restore"


def test_capabilities_of_a_non_root_process() -> None:
    status = {"CapEff": "0000000000000000", "CapPrm": "0000000000000000",
              "CapBnd": DOCKER_DEFAULT_HEX, "CapAmb": "0000000000000000"}
    caps = probe._capabilities(status, 40)
    assert caps["effective"] == []
    assert caps["added"] == [] and caps["dropped"] == []  # granted: the bounding set
    assert probe.capsh_lines({"capabilities": caps})[0] == "Current: ="


# --------------------------------------------------------------------------- mountinfo


MOUNTINFO = "\n".join([
    "72 48 0:39 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/l",
    r"89 72 254:0 /srv/my\040data /data\040dir rw,relatime shared:5 - ext4 /dev/vda rw",
    r"90 72 254:0 /tab\011and\012nl\134bs /x ro,relatime shared:7 master:3 - ext4 /dev/vda rw",
    "91 72 0:50 / /u rw unbindable - tmpfs tmpfs rw",
    "92 72 0:51 / /opt/two rw shared:8 propagate_from:2 - tmpfs tmpfs rw",
    "garbage line",
    "93 72 0:52 / /short - tmpfs",
])


def test_mountinfo_fields_and_octal_escapes() -> None:
    mounts = probe_parsers.parse_mountinfo(MOUNTINFO)
    assert [m["mount_point"] for m in mounts] == ["/", "/data dir", "/x", "/u", "/opt/two"]
    data = mounts[1]
    assert data["root"] == "/srv/my data"
    assert data["fstype"] == "ext4" and data["source"] == "/dev/vda"
    assert data["read_only"] is False
    assert mounts[2]["root"] == "/tab\tand\nnl\\bs"
    assert mounts[2]["read_only"] is True


def test_mountinfo_propagation_tags() -> None:
    mounts = {m["mount_point"]: m for m in probe_parsers.parse_mountinfo(MOUNTINFO)}
    assert mounts["/"]["propagation"] == "slave"  # master:1
    assert mounts["/data dir"]["propagation"] == "shared"  # shared:5
    assert mounts["/x"]["propagation"] == "shared+slave"
    assert mounts["/x"]["optional"] == ["shared:7", "master:3"]
    assert mounts["/u"]["propagation"] == "unbindable"
    assert mounts["/opt/two"]["propagation"] == "shared"


def test_stacked_mount_hides_the_one_below() -> None:
    text = "\n".join([
        "74 49 0:39 / / rw - overlay overlay rw",
        "187 74 254:0 / /host rw,relatime - ext4 /dev/vda rw",
        "91 187 254:0 / /host ro,relatime - ext4 /dev/vda rw",
        "93 91 0:21 / /host/proc rw - proc proc rw",
    ])
    mounts = probe_parsers.parse_mountinfo(text)
    probe._mounts(probe.Reader(fs_root="/nonexistent"), mounts, "h")
    roles = {(m["id"], m["role"]) for m in mounts}
    assert (187, "shadowed") in roles and (91, "user") in roles
    assert (93, "submount") in roles  # came with the recursive bind


# --------------------------------------------------------------------------- ids, cgroups


def test_uid_map_identity_and_remap() -> None:
    identity = probe_parsers.parse_id_map("         0          0 4294967295\n")
    assert identity == [[0, 0, 4294967295]]
    remap = probe_parsers.parse_id_map("         0     100000      65536\n")
    assert probe_parsers.map_id(remap, 0) == 100000
    assert probe_parsers.map_id(remap, 1000) == 101000
    assert probe_parsers.map_id(remap, 70000) is None
    assert probe_parsers.parse_id_map("junk\n1 2\n") == []


def test_user_section_reports_remapping(tmp_path: Path) -> None:
    root = variant(tmp_path, "v1-limited", {"proc/self/uid_map": "0 165536 65536\n"})
    user = observe_tree(root)["user"]
    assert user["userns_remapped"] is True
    assert user["root_maps_to"] == 165536 and user["host_uid"] == 165536


def test_v1_memory_unlimited_is_none() -> None:
    assert probe_parsers.parse_v1_memory("9223372036854771712") is None
    assert probe_parsers.parse_v1_memory("268435456") == 268435456
    assert probe_parsers.parse_v1_memory("-1") is None


@pytest.mark.parametrize(("raw", "expected"), [
    ("max", (None, 100000)), ("max 100000", (None, 100000)),
    ("50000 100000", (50000, 100000)), ("150000 100000", (150000, 100000)), (None, (None, None)),
])
def test_v2_cpu_max(raw: str | None, expected: tuple[int | None, int | None]) -> None:
    assert probe_parsers.parse_v2_cpu_max(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [("max", None), ("50", 50), ("max\n", None),
                                               ("0", None), (None, None)])
def test_v2_max(raw: str | None, expected: int | None) -> None:
    assert probe_parsers.parse_v2_max(raw) == expected


@pytest.mark.parametrize(("tree", "version", "memory", "cpus", "pids"), [
    ("v1-limited", 1, 268435456, 1.5, 50),    # --memory 256m --cpus 1.5 --pids-limit 50
    ("v1-unlimited", 1, None, None, None),    # limit_in_bytes 2**63-4096, quota -1, max
    ("v2-limited", 2, 268435456, 0.5, 50),    # memory.max, cpu.max "50000 100000", pids.max
    ("v2-unlimited", 2, None, None, None),    # "max", "max 100000", "max"
])
def test_cgroup_limits_from_captured_trees(tree: str, version: int, memory: int | None,
                                           cpus: float | None, pids: int | None) -> None:
    cg = observe_tree(FIXTURES / tree)["cgroup"]
    assert cg["version"] == version
    assert cg["memory"]["limit"] == memory and cg["memory"]["known"]
    assert cg["cpu"]["cpus"] == cpus and cg["cpu"]["known"]
    assert cg["pids"]["max"] == pids and cg["pids"]["known"]


def test_v1_files_are_found_through_the_mount_root() -> None:
    cg = observe_tree(FIXTURES / "v1-limited")["cgroup"]
    assert cg["memory"]["file"] == "/sys/fs/cgroup/memory/memory.limit_in_bytes"
    assert cg["hybrid"] is True  # the host also has a cgroup2 hierarchy (0::/docker/...)
    assert cg["devices"]["allow_all"] is False
    assert "c 136:* rwm" in cg["devices"]["list"]


def test_cgroup_dir_for_a_whole_hierarchy_mount() -> None:
    mount = {"mount_point": "/sys/fs/cgroup/memory", "root": "/"}
    assert probe._cgroup_dir(mount, "/docker/abc") == "/sys/fs/cgroup/memory/docker/abc"
    scoped = {"mount_point": "/sys/fs/cgroup/memory", "root": "/docker/abc"}
    assert probe._cgroup_dir(scoped, "/docker/abc") == "/sys/fs/cgroup/memory"
    assert probe._cgroup_dir(scoped, "/") == "/sys/fs/cgroup/memory"  # cgroupns


def test_missing_cgroup_files_are_unknown(tmp_path: Path) -> None:
    root = variant(tmp_path, "v2-limited", {"sys/fs/cgroup/memory.max": None,
                                            "sys/fs/cgroup/pids.max": None})
    cg = observe_tree(root)["cgroup"]
    assert cg["memory"]["known"] is False and cg["pids"]["known"] is False
    assert cg["cpu"]["cpus"] == 0.5


# --------------------------------------------------------------------------- whole trees


def test_default_container_tree() -> None:
    obs = observe_tree(FIXTURES / "v1-unlimited")
    assert obs["schema"] == probe.SCHEMA
    assert obs["capabilities"]["added"] == [] and obs["capabilities"]["dropped"] == []
    assert obs["security"]["seccomp"] == {"mode": 2, "label": "filter", "filters": 1}
    assert obs["security"]["no_new_privs"] is False
    assert obs["user"]["uid"] == 0 and obs["user"]["userns_remapped"] is False
    ns = obs["namespaces"]
    assert [ns[k]["host"] for k in ("pid", "net", "ipc", "uts")] == [False] * 4
    assert ns["user"]["host"] is True and ns["cgroup"]["host"] is True
    assert obs["rootfs"] == {"fstype": "overlay", "read_only": False, "propagation": "slave"}
    assert len(obs["container_id"]) == 64
    roles = {m["mount_point"]: m["role"] for m in obs["mounts"]}
    assert roles["/proc/sys"] == "readonly-path" and roles["/proc/keys"] == "masked"
    assert roles["/etc/hostname"] == "runtime"
    assert "user" not in roles.values()
    assert obs["kernel_interfaces"]["readonly_paths_writable"] == []
    assert obs["errors"] == []


@pytest.mark.parametrize(("ns", "inode"), [("pid", 4026531836), ("ipc", 4026531839),
                                           ("uts", 4026531838), ("net", 4026531833)])
def test_initial_namespace_inode_means_host(tmp_path: Path, ns: str, inode: int) -> None:
    root = variant(tmp_path, "v2-unlimited", {})
    link = root / "proc/self/ns" / ns
    link.unlink()
    link.symlink_to(f"{ns}:[{inode}]")
    info = observe_tree(root)["namespaces"][ns]
    assert info["host"] is True
    assert str(inode) in info["signs"][0]


def test_kthreadd_means_host_pid(tmp_path: Path) -> None:
    root = variant(tmp_path, "v2-unlimited", {
        "proc/2/stat": "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0\n",
        "proc/1/cgroup": "0::/init.scope\n",
    })
    pid = observe_tree(root)["namespaces"]["pid"]
    assert pid["host"] is True
    assert pid["signs"][0] == "kernel thread kthreadd (PID 2) is visible"
    assert "another cgroup" in pid["signs"][1]


def test_host_interfaces_and_runtime_sockets_mean_host_network(tmp_path: Path) -> None:
    root = variant(tmp_path, "v2-unlimited", {
        "sys/class/net/docker0/.keep": "", "sys/class/net/tunl0/.keep": "",
        "proc/net/unix": "Num RefCount Protocol Flags Type St Inode Path\n"
                         "0000: 00000002 00000000 00010000 0001 01 1 "
                         "/run/containerd/containerd.sock\n"
                         "0000: 00000002 00000000 00010000 0001 01 2 @/containerd-shim/x.sock\n",
    })
    net = observe_tree(root)["namespaces"]["net"]
    assert net["host"] is True
    assert net["signs"][0] == "host interfaces are visible: docker0"  # tunl0 is per-netns
    assert "/run/containerd/containerd.sock" in net["signs"][1]


def test_host_shm_means_host_ipc(tmp_path: Path) -> None:
    info = (FIXTURES / "v2-unlimited/proc/self/mountinfo").read_text()
    info = info.replace("/dev/shm rw,nosuid,nodev,noexec,relatime - tmpfs shm",
                        "/dev/shm rw,relatime - tmpfs tmpfs")
    root = variant(tmp_path, "v2-unlimited", {"proc/self/mountinfo": info})
    assert observe_tree(root)["namespaces"]["ipc"]["host"] is True


def test_privileged_looking_tree(tmp_path: Path) -> None:
    base = FIXTURES / "v1-unlimited"
    status = set_status((base / "proc/self/status").read_text(), CapEff="000001ffffffffff",
                        CapPrm="000001ffffffffff", CapBnd="000001ffffffffff", Seccomp="0",
                        Seccomp_filters="0")
    mountinfo = (base / "proc/self/mountinfo").read_text().replace(
        "/proc/sys ro,", "/proc/sys rw,")
    root = variant(tmp_path, "v1-unlimited", {
        "proc/self/status": status, "proc/self/mountinfo": mountinfo,
        "sys/fs/cgroup/devices/devices.list": "a *:* rwm\n"})
    obs = observe_tree(root)
    assert obs["capabilities"]["all"] is True
    assert obs["cgroup"]["devices"]["allow_all"] is True
    assert obs["security"]["seccomp"]["label"] == "disabled"
    assert obs["kernel_interfaces"]["readonly_paths_writable"] == ["/proc/sys"]


def test_user_mounts_are_described(tmp_path: Path) -> None:
    base = FIXTURES / "v2-unlimited"
    extra = "\n".join([
        "700 612 8:2 /var/lib/docker/volumes/appdata/_data /data rw,relatime - ext4 /dev/sda2 rw",
        "701 612 8:2 /var/lib/docker/volumes/" + "a" * 64 + "/_data /anon rw - ext4 /dev/sda2 rw",
        "702 612 0:80 / /scratch rw,nosuid,nodev,noexec,relatime - tmpfs tmpfs rw",
        "703 612 0:25 /docker.sock /var/run/docker.sock rw,nosuid - tmpfs tmpfs rw",
        "704 612 8:2 /srv/app /app ro,relatime shared:12 - ext4 /dev/sda2 rw",
        "705 612 0:21 / /host/proc rw,nosuid - proc proc rw",
        "706 612 8:17 / /disk rw,relatime - xfs /dev/sdb1 rw",
    ])
    root = variant(tmp_path, "v2-unlimited", {
        "proc/self/mountinfo": (base / "proc/self/mountinfo").read_text() + extra + "\n"})
    (root / "disk").mkdir()
    (root / "disk/data.bin").write_text("x")
    users = {m["mount_point"]: m for m in observe_tree(root)["mounts"] if m["role"] == "user"}
    assert users["/data"]["kind"] == "volume" and users["/data"]["volume"] == "appdata"
    assert users["/anon"]["anonymous"] is True
    assert users["/scratch"]["kind"] == "tmpfs"
    assert users["/var/run/docker.sock"]["host_source"] == "/docker.sock"
    assert users["/app"]["host_source"] == "/srv/app"
    assert users["/app"]["propagation"] == "shared" and users["/app"]["read_only"]
    assert users["/host/proc"]["host_source"] == "/proc"
    assert users["/disk"]["source_resolved"] is False  # a whole filesystem, not an OS root


def test_host_root_filesystem_is_recognised(tmp_path: Path) -> None:
    base = FIXTURES / "v2-unlimited"
    extra = "800 612 8:1 / /psm rw,relatime - ext4 /dev/sda1 rw\n"
    root = variant(tmp_path, "v2-unlimited", {
        "proc/self/mountinfo": (base / "proc/self/mountinfo").read_text() + extra,
        "psm/etc/hostname": "the-host\n", "psm/usr/.keep": "", "psm/var/.keep": ""})
    hosts = observe_tree(root)["host_filesystems"]
    assert len(hosts) == 1
    assert hosts[0]["mount_point"] == "/psm"
    assert hosts[0]["reasons"] == ["the host's root filesystem",
                                   "a filesystem whose etc/hostname is 'the-host'"]
    assert hosts[0]["writable"] is True


def test_release_agent_needs_cap_sys_admin(tmp_path: Path) -> None:
    base = FIXTURES / "v1-unlimited"
    extra = "900 74 0:33 / /cg rw,nosuid - cgroup cgroup rw,memory\n"
    changes = {"proc/self/mountinfo": (base / "proc/self/mountinfo").read_text() + extra,
               "cg/release_agent": ""}
    root = variant(tmp_path, "v1-unlimited", changes)
    found = observe_tree(root)["kernel_interfaces"]["interfaces"]
    agent = [k for k in found if k["path"] == "/cg/release_agent"]
    assert agent and agent[0]["writable"] is False  # default caps: no CAP_SYS_ADMIN
    status = set_status((base / "proc/self/status").read_text(), CapEff="00000000a82425fb")
    root2 = variant(tmp_path / "b", "v1-unlimited", {**changes, "proc/self/status": status})
    found2 = observe_tree(root2)["kernel_interfaces"]["interfaces"]
    assert [k["writable"] for k in found2 if k["path"] == "/cg/release_agent"] == [True]


def test_empty_tree_does_not_crash(tmp_path: Path) -> None:
    for d in ("proc", "sys", "dev"):
        (tmp_path / d).mkdir()
    obs = observe_tree(tmp_path)
    assert obs["capabilities"]["bounding"] is None
    assert obs["mounts"] == [] and obs["rootfs"] is None
    assert obs["cgroup"]["version"] is None
    assert obs["namespaces"]["pid"]["host"] is None


def test_permission_errors_are_recorded(monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = builtins.open

    def guarded(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file).endswith("/self/uid_map"):
            raise PermissionError(13, "Permission denied")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)
    obs = observe_tree(FIXTURES / "v1-limited")
    assert obs["errors"] == [{"path": "/proc/self/uid_map", "error": "Permission denied"}]
    assert obs["user"]["userns_remapped"] is None


def test_lsm_labels() -> None:
    assert probe_parsers.parse_apparmor("docker-default (enforce)\n") == {
        "profile": "docker-default", "mode": "enforce"}
    assert probe_parsers.parse_apparmor("unconfined\n") == {"profile": "unconfined",
                                                     "mode": "unconfined"}
    se = probe_parsers.parse_selinux("system_u:system_r:container_t:s0:c12,c34\x00")
    assert se is not None and se["type"] == "container_t" and se["level"] == "s0:c12,c34"
    assert probe_parsers.parse_selinux("unconfined") is None


def test_apparmor_and_selinux_from_attr_files(tmp_path: Path) -> None:
    root = variant(tmp_path, "v2-unlimited", {
        "proc/self/attr/apparmor/current": "unconfined\n",
        "sys/module/apparmor/parameters/enabled": "Y\n"})
    sec = observe_tree(root)["security"]
    assert sec["apparmor"] == {"enabled": True, "profile": "unconfined", "mode": "unconfined"}
    root2 = variant(tmp_path / "b", "v2-unlimited", {
        "proc/self/attr/current": "system_u:system_r:spc_t:s0\n"})
    assert observe_tree(root2)["security"]["selinux"]["type"] == "spc_t"


# --------------------------------------------------------------------------- portability


PROBE_SOURCES = [f"{name}.py" for name in zipapp.PROBE_MODULES]


def test_the_zipapp_ships_the_probe_modules() -> None:
    assert PROBE_SOURCES == ["socket_probe.py", "probe_parsers.py", "probe.py"]


@pytest.mark.parametrize("module", PROBE_SOURCES)
def test_probe_sources_parse_as_python_38(module: str) -> None:
    ast.parse((SRC / module).read_text(), feature_version=(3, 8))


@pytest.mark.parametrize("module", PROBE_SOURCES)
def test_probe_imports_only_the_standard_library(module: str) -> None:
    """The standard library, or another probe module the zipapp ships."""
    shipped = {f"dockward.inside.{name}" for name in zipapp.PROBE_MODULES}
    tree = ast.parse((SRC / module).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or name in (
                "__future__", "dockward.inside") or name in shipped, f"{module} imports {name}"


def test_runtime_socket_names_match_the_shared_list() -> None:
    assert set(probe.RUNTIME_SOCKET_NAMES) == set(RUNTIME_SOCKET_NAMES)


PY38 = sorted(Path("/root/.pyenv/versions").glob("3.8.*/bin/python3.8"))


@pytest.mark.skipif(not PY38, reason="no Python 3.8 interpreter on this machine")
def test_probe_runs_on_python_38_and_agrees_with_this_python() -> None:
    root = FIXTURES / "v1-limited"
    args = [f"--{k}-root={v}" for k, v in (("proc", root / "proc"), ("sys", root / "sys"),
                                           ("dev", root / "dev"), ("fs", root))]
    src = str(SRC.parent.parent)
    out = subprocess.run([str(PY38[-1]), "-I", "-c",
                          f"import sys; sys.path.insert(0, {src!r}); "
                          "from dockward.inside.probe import main; "
                          "sys.exit(main(sys.argv[1:]))", "--no-socket-probe", *args],
                         capture_output=True, text=True, check=True).stdout
    old = json.loads(out)
    new = observe_tree(root)
    for volatile in ("python", "time", "seconds"):
        old.pop(volatile)
        new.pop(volatile)
    assert json.loads(json.dumps(new)) == old


def test_v2_with_the_host_cgroup_namespace(tmp_path: Path) -> None:
    """--cgroupns=host on v2: the whole hierarchy is mounted, our cgroup is a subdirectory."""
    scope = "sys/fs/cgroup/system.slice/docker-abc.scope"
    root = variant(tmp_path, "v2-limited", {
        "proc/self/cgroup": "0::/system.slice/docker-abc.scope\n",
        f"{scope}/cgroup.controllers": "cpu memory pids\n",
        f"{scope}/memory.max": "134217728\n", f"{scope}/cpu.max": "200000 100000\n",
        f"{scope}/pids.max": "max\n"})
    cg = observe_tree(root)["cgroup"]
    assert cg["memory"]["file"] == "/sys/fs/cgroup/system.slice/docker-abc.scope/memory.max"
    assert (cg["memory"]["limit"], cg["cpu"]["cpus"], cg["pids"]["max"]) == (134217728, 2.0,
                                                                            None)
