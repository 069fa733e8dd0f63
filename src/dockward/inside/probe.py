"""Observe a container's isolation from within: what an attacker inside it would see.

Standard library only, Python 3.8 compatible.  This module runs inside arbitrary images
(in-process from ``dockward inside``, or from the single-file ``dockward-inside.pyz``), so:
no third-party imports, no syntax or runtime typing newer than 3.8, and every read is
tolerant of missing files and permission errors (a hardened container hides things; that
must never crash the probe, only leave a fact unknown).

:func:`observe` returns a plain JSON-able dict (schema ``dockward-inside/1``) of raw facts
plus their first interpretation (which capabilities beyond Docker's default set, which
namespaces are the host's, which mounts the runtime made and which the user asked for).
Turning that into the typed Workload/Observation models and into findings happens outside
the container, in :mod:`dockward.inside.to_workload`.

This module collects (what it reads of ``/proc``, ``/sys``, ``/dev`` and the runtime sockets)
and interprets; the text formats it reads are parsed by :mod:`dockward.inside.probe_parsers`.
The roots (``proc_root``, ``sys_root``, ``dev_root``, ``fs_root``) are configurable so that
tests can point the probe at captured trees; absolute paths seen in ``mountinfo`` are mapped
onto them.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import sys
import time
from collections.abc import Iterable
from typing import Any

from dockward.inside import socket_probe
from dockward.inside.probe_parsers import (
    all_caps,
    as_int,
    decode_caps,
    map_id,
    parse_apparmor,
    parse_id_map,
    parse_mountinfo,
    parse_ns_link,
    parse_proc_cgroup,
    parse_selinux,
    parse_status,
    parse_v1_memory,
    parse_v2_cpu_max,
    parse_v2_max,
)

SCHEMA = "dockward-inside/1"
PROBE_VERSION = "1.0"

# moby oci/caps/defaults.go: what every container gets unless dropped.
DOCKER_DEFAULT_CAPS = (
    "cap_chown", "cap_dac_override", "cap_fsetid", "cap_fowner", "cap_mknod", "cap_net_raw",
    "cap_setgid", "cap_setuid", "cap_setfcap", "cap_setpcap", "cap_net_bind_service",
    "cap_sys_chroot", "cap_kill", "cap_audit_write",
)

# Same list as dockward.models.knowledge.RUNTIME_SOCKET_NAMES (a test keeps them equal).
RUNTIME_SOCKET_NAMES = (
    "docker.sock", "containerd.sock", "podman.sock", "crio.sock", "cri-dockerd.sock",
    "dockershim.sock", "buildkitd.sock", "containerd-shim.sock", "frakti.sock",
)

# Where runtimes put their sockets; checked even when no mount points there, because a
# socket can arrive inside a mounted directory (``-v /var/run:/var/run``).
WELL_KNOWN_SOCKETS = (
    "/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock", "/run/podman/podman.sock",
    "/var/run/podman/podman.sock", "/run/crio/crio.sock", "/var/run/crio/crio.sock",
    "/run/buildkit/buildkitd.sock", "/run/cri-dockerd.sock", "/var/run/cri-dockerd.sock",
    "/run/docker/containerd/containerd.sock",
)

# include/linux/proc_ns.h: the initial ("host") namespaces have fixed inode numbers; every
# namespace created later gets one from 0xF0000000 up.  net and mnt got fixed numbers only
# in recent kernels (before that a host net namespace is recognised by its signs).
INIT_NS_INODES = {
    "ipc": 0xEFFFFFFF, "uts": 0xEFFFFFFE, "user": 0xEFFFFFFD, "pid": 0xEFFFFFFC,
    "cgroup": 0xEFFFFFFB, "time": 0xEFFFFFFA, "net": 0xEFFFFFF9, "mnt": 0xEFFFFFF8,
}

# Device nodes every Docker container gets (kind, major, minor); minor None = any.
DEFAULT_DEVICES = (
    ("c", 1, 3), ("c", 1, 5), ("c", 1, 7), ("c", 1, 8), ("c", 1, 9),  # null..urandom
    ("c", 5, 0), ("c", 5, 1), ("c", 5, 2),  # tty console ptmx
    ("c", 136, None),  # /dev/pts/N and a -t console
)

# moby oci/defaults.go: hidden (masked) and read-only proc/sys paths.
MASKED_PATHS = (
    "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
    "/sys/firmware", "/sys/devices/virtual/powercap",
)
READONLY_PATHS = ("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")

# Files through which a write reaches the host kernel and runs code or stops the host.
KERNEL_INTERFACES = (
    ("/proc/sys/kernel/core_pattern",
     "a '|/path' core_pattern makes the host kernel run that program as root on the next "
     "crash of any process"),
    ("/proc/sys/kernel/modprobe",
     "the host kernel runs this program as root when it needs a module (e.g. for an unknown "
     "binary format)"),
    ("/proc/sysrq-trigger", "writing 'b' reboots the host at once, 'c' crashes it"),
    ("/sys/kernel/uevent_helper", "the host kernel runs this program as root on every uevent"),
)
RELEASE_AGENT_HOW = ("cgroup v1 release_agent: the host kernel runs it as root when the last "
                     "process of a cgroup with notify_on_release exits (CVE-2022-0492)")

HOST_INTERFACE_PREFIXES = ("docker", "br-", "veth", "virbr", "cni", "flannel", "cali",
                           "weave", "kube-", "cilium", "vxlan", "tailscale", "wg", "wlan",
                           "wl", "en", "eno", "ens", "enp", "bond", "ifb")
# Fallback devices the kernel creates in *every* network namespace once a module is loaded.
NETNS_FALLBACK_DEVICES = ("lo", "tunl0", "sit0", "ip6tnl0", "ip6gre0", "gre0", "gretap0",
                          "erspan0", "ip_vti0", "ip6_vti0", "ip6erspan0", "nlmon0")

SENSITIVE_HOST_ROOTS = ("/etc", "/root", "/home", "/boot", "/var/lib/docker",
                        "/var/lib/containerd", "/var/lib/kubelet", "/var/log", "/usr", "/lib",
                        "/run", "/var/run", "/proc", "/sys", "/dev")

_VOLUME_RE = re.compile(r"/volumes/([^/]+)/_data(/.*)?$")
_CONTAINER_FILE_RE = re.compile(r"/containers/([0-9a-f]{64})/(hostname|hosts|resolv\.conf)$")
_HEX64 = re.compile(r"[0-9a-f]{64}")


# --------------------------------------------------------------------------- reading


class Reader:
    """Tolerant file access under configurable roots, remembering what could not be read.

    ``ENOENT``/``ENOTDIR`` (not there) and ``EINVAL`` (no LSM behind ``attr/current``) are
    normal and silent; anything else (``EACCES`` in a hardened container) is recorded in
    ``errors`` so the report can say which facts are unknown and why.
    """

    QUIET = (errno.ENOENT, errno.ENOTDIR, errno.EINVAL, errno.ENXIO, errno.ESRCH)

    def __init__(self, proc_root: str = "/proc", sys_root: str = "/sys",
                 dev_root: str = "/dev", fs_root: str = "/") -> None:
        self.proc_root = proc_root.rstrip("/") or "/"
        self.sys_root = sys_root.rstrip("/") or "/"
        self.dev_root = dev_root.rstrip("/") or "/"
        self.fs_root = fs_root.rstrip("/") or "/"
        self.errors: list[dict[str, str]] = []

    def local(self, path: str) -> str:
        """Where an absolute in-container path lives under the configured roots."""
        for prefix, root in (("/proc", self.proc_root), ("/sys", self.sys_root),
                             ("/dev", self.dev_root)):
            if path == prefix or path.startswith(prefix + "/"):
                if root == prefix:
                    return path
                return root + path[len(prefix):]
        if self.fs_root == "/":
            return path
        return self.fs_root + "/" + path.lstrip("/")

    def _note(self, path: str, exc: OSError) -> None:
        if exc.errno not in self.QUIET:
            self.errors.append({"path": path, "error": exc.strerror or str(exc)})

    def text(self, path: str, limit: int = 4 * 1024 * 1024) -> str | None:
        try:
            with open(self.local(path), "rb") as fh:
                data = fh.read(limit)
        except OSError as exc:
            self._note(path, exc)
            return None
        return data.decode("utf-8", "surrogateescape")

    def first_line(self, path: str) -> str | None:
        text = self.text(path, 4096)
        if text is None:
            return None
        lines = text.splitlines()
        return lines[0].strip() if lines else ""

    def listdir(self, path: str) -> list[str]:
        try:
            return sorted(os.listdir(self.local(path)))
        except OSError as exc:
            self._note(path, exc)
            return []

    def readlink(self, path: str) -> str | None:
        try:
            return os.readlink(self.local(path))
        except OSError as exc:
            self._note(path, exc)
            return None

    def lstat(self, path: str) -> os.stat_result | None:
        try:
            return os.lstat(self.local(path))
        except OSError as exc:
            self._note(path, exc)
            return None

    def stat(self, path: str) -> os.stat_result | None:
        try:
            return os.stat(self.local(path))
        except OSError as exc:
            self._note(path, exc)
            return None

    def writable(self, path: str) -> bool:
        """access(W_OK): honours read-only mounts (EROFS) and the sysctl permission check,
        and writes nothing."""
        return os.access(self.local(path), os.W_OK)


# --------------------------------------------------------------------------- sections


def _capabilities(status: dict[str, str], last_cap: int | None) -> dict[str, Any]:
    """The five sets decoded, and the bounding set compared with Docker's default: the
    bounding set is what the container was granted (a non-root user's effective set is
    empty, yet a setuid binary regains the bounding set), so added/dropped use it."""
    sets = {}
    for key, name in (("CapEff", "effective"), ("CapPrm", "permitted"),
                      ("CapBnd", "bounding"), ("CapAmb", "ambient"),
                      ("CapInh", "inheritable")):
        raw = status.get(key)
        sets[name] = {"hex": raw, "names": decode_caps(raw, last_cap) if raw else None}
    bounding = sets["bounding"]["names"]
    full = all_caps(last_cap) if last_cap is not None else None
    out: dict[str, Any] = {"cap_last_cap": last_cap, "sets": sets,
                           "docker_default": list(DOCKER_DEFAULT_CAPS)}
    for name, data in sets.items():
        out[name] = data["names"]
    if bounding is None:
        out.update({"added": None, "dropped": None, "all": None})
        return out
    existing = set(full) if full is not None else set(bounding) | set(DOCKER_DEFAULT_CAPS)
    default = [c for c in DOCKER_DEFAULT_CAPS if c in existing]
    out["added"] = [c for c in bounding if c not in DOCKER_DEFAULT_CAPS]
    out["dropped"] = [c for c in default if c not in bounding]
    out["all"] = full is not None and set(bounding) >= set(full)
    # capsh's "Current IAB" marks with '!' every capability missing from the bounding set
    out["not_in_bounding"] = [c for c in (full or []) if c not in bounding]
    return out


def _security(reader: Reader, status: dict[str, str]) -> dict[str, Any]:
    """seccomp, no_new_privs and the LSM label.  ``attr/current`` belongs to whichever LSM
    is active (``EINVAL`` without one); AppArmor's own ``attr/apparmor/current`` is preferred
    when the kernel stacks LSMs."""
    seccomp_mode = as_int(status.get("Seccomp"))
    out: dict[str, Any] = {
        "no_new_privs": None if status.get("NoNewPrivs") is None
        else status.get("NoNewPrivs") == "1",
        "seccomp": {
            "mode": seccomp_mode,
            "label": {0: "disabled", 1: "strict", 2: "filter"}.get(seccomp_mode)
            if seccomp_mode is not None else None,
            "filters": as_int(status.get("Seccomp_filters")),
        },
    }
    apparmor_enabled = reader.first_line("/sys/module/apparmor/parameters/enabled")
    label = reader.text("/proc/self/attr/apparmor/current")
    generic = reader.text("/proc/self/attr/current")
    apparmor: dict[str, Any] = {"enabled": None if apparmor_enabled is None
                                else apparmor_enabled.upper().startswith("Y")}
    selinux: dict[str, Any] = {"enabled": None, "context": None}
    if reader.stat("/sys/fs/selinux/enforce") is not None:
        enforce = reader.first_line("/sys/fs/selinux/enforce")
        selinux["enabled"] = True
        selinux["enforcing"] = enforce == "1"
    if label is not None:
        apparmor.update(parse_apparmor(label))
    if generic is not None:
        parsed = parse_selinux(generic)
        if parsed is not None and generic.count(":") >= 2 and "(" not in generic:
            selinux.update(parsed)
            if selinux["enabled"] is None:
                selinux["enabled"] = True
        elif label is None:
            apparmor.update(parse_apparmor(generic))
    out["apparmor"] = apparmor
    out["selinux"] = selinux
    return out


def _user(status: dict[str, str], reader: Reader) -> dict[str, Any]:
    """Effective uid/gid and whether root here is root on the host (uid_map identity)."""
    def ids(key: str) -> list[int]:
        return [v for v in (as_int(x) for x in status.get(key, "").split()) if v is not None]

    uids, gids = ids("Uid"), ids("Gid")
    uid_map_text = reader.text("/proc/self/uid_map")
    gid_map_text = reader.text("/proc/self/gid_map")
    uid_map = parse_id_map(uid_map_text) if uid_map_text is not None else None
    gid_map = parse_id_map(gid_map_text) if gid_map_text is not None else None
    identity = uid_map is not None and uid_map == [[0, 0, 4294967295]]
    out: dict[str, Any] = {
        "uid": uids[1] if len(uids) > 1 else None,  # effective
        "gid": gids[1] if len(gids) > 1 else None,
        "uids": uids, "gids": gids,
        "groups": ids("Groups"),
        "uid_map": uid_map, "gid_map": gid_map,
        "userns_remapped": None if uid_map is None else not identity,
        "root_maps_to": map_id(uid_map, 0) if uid_map is not None else None,
    }
    if out["uid"] is not None and uid_map is not None:
        out["host_uid"] = map_id(uid_map, out["uid"])
    return out


def _proc_comm(reader: Reader, pid: str) -> str | None:
    stat_text = reader.text(f"/proc/{pid}/stat", 4096)
    if not stat_text or "(" not in stat_text:
        return None
    return stat_text[stat_text.index("(") + 1: stat_text.rindex(")")]


def _pids(reader: Reader) -> list[str]:
    return [p for p in reader.listdir("/proc") if p.isdigit()]


def _namespaces(reader: Reader, mounts: list[dict[str, Any]], hostname: str | None
                ) -> dict[str, Any]:
    """Which namespaces are the host's, with the signs that tell: the initial namespaces'
    fixed inode numbers first, then what the seed's demos show (host processes and kernel
    threads with --pid=host, host interfaces and sockets with --network=host)."""
    links: dict[str, Any] = {}
    for ns in ("pid", "net", "ipc", "uts", "user", "cgroup", "mnt", "time"):
        target = reader.readlink("/proc/self/ns/" + ns)
        inode = parse_ns_link(target)
        links[ns] = {"link": target, "inode": inode,
                     "initial": None if inode is None else inode == INIT_NS_INODES.get(ns)}
    out: dict[str, Any] = {"links": links}

    # ---- PID: kernel threads live only in the initial PID namespace
    pid_signs = []
    if links["pid"]["initial"]:
        pid_signs.append(f"the PID namespace is the host's initial one "
                         f"(inode {links['pid']['inode']})")
    pids = _pids(reader)
    kthreadd = _proc_comm(reader, "2")
    if kthreadd == "kthreadd":
        pid_signs.append("kernel thread kthreadd (PID 2) is visible")
    pid1 = reader.text("/proc/1/cmdline", 4096)
    pid1_cmd = pid1.replace("\x00", " ").strip() if pid1 else None
    own_cg = reader.text("/proc/self/cgroup")
    pid1_cg = reader.text("/proc/1/cgroup")
    if own_cg and pid1_cg and own_cg != pid1_cg and pid_signs:
        shown = (pid1_cmd or "?")[:80]
        pid_signs.append(f"PID 1 ({shown}) runs in another cgroup than this container")
    out["pid"] = {"host": bool(pid_signs) if links["pid"]["inode"] is not None or pids
                  else None,
                  "signs": pid_signs, "pid1": pid1_cmd, "visible_processes": len(pids)}

    # ---- network
    net_signs = []
    if links["net"]["initial"]:
        net_signs.append(f"the network namespace is the host's initial one "
                         f"(inode {links['net']['inode']})")
    interfaces = reader.listdir("/sys/class/net")
    hostish = [i for i in interfaces if i not in NETNS_FALLBACK_DEVICES
               and not re.match(r"^eth\d+$", i)
               and i.startswith(HOST_INTERFACE_PREFIXES)]
    if hostish:
        net_signs.append(f"host interfaces are visible: {', '.join(hostish[:8])}")
    unix = reader.text("/proc/net/unix") or ""
    runtime_unix = sorted({line.rsplit(" ", 1)[-1] for line in unix.splitlines()[1:]
                           if line.rsplit(" ", 1)[-1].rsplit("/", 1)[-1] in RUNTIME_SOCKET_NAMES
                           or "containerd-shim" in line})
    if runtime_unix:
        net_signs.append("runtime sockets are bound in this network namespace: "
                         f"{', '.join(runtime_unix[:4])}")
    out["net"] = {"host": bool(net_signs) if links["net"]["inode"] is not None or interfaces
                  else None,
                  "signs": net_signs, "interfaces": interfaces,
                  "runtime_unix_sockets": runtime_unix}

    # ---- IPC: the host's /dev/shm instead of Docker's private "shm" tmpfs
    ipc_signs = []
    if links["ipc"]["initial"]:
        ipc_signs.append(f"the IPC namespace is the host's initial one "
                         f"(inode {links['ipc']['inode']})")
    shm = _mount_at(mounts, "/dev/shm")
    if shm is not None and shm["fstype"] == "tmpfs" and shm["source"] != "shm" \
            and shm["root"] == "/" and not ipc_signs:
        ipc_signs.append(f"/dev/shm is not Docker's private shm mount (source {shm['source']!r})")
    out["ipc"] = {"host": bool(ipc_signs) if links["ipc"]["inode"] is not None or shm
                  else None, "signs": ipc_signs}

    # ---- UTS: only the namespace inode tells (with host networking Docker also copies
    # the host's name into a private UTS namespace)
    uts_signs = []
    if links["uts"]["initial"]:
        uts_signs.append(f"the UTS namespace is the host's initial one "
                         f"(inode {links['uts']['inode']})")
    out["uts"] = {"host": bool(uts_signs) if links["uts"]["inode"] is not None else None,
                  "signs": uts_signs, "hostname": hostname}
    for ns in ("user", "cgroup", "mnt", "time"):
        out[ns] = {"host": links[ns]["initial"]}
    return out


def _mount_at(mounts: list[dict[str, Any]], mount_point: str) -> dict[str, Any] | None:
    """The visible mount at ``mount_point`` (not one hidden under another)."""
    found = None
    for m in mounts:
        if m["mount_point"] == mount_point and m.get("role") != "shadowed":
            found = m
    return found


def _covering_mount(mounts: list[dict[str, Any]], path: str) -> dict[str, Any] | None:
    """The visible mount that holds ``path`` (the deepest mount point above it)."""
    best = None
    for m in mounts:
        if m.get("role") == "shadowed":
            continue
        mp = m["mount_point"]
        inside = path == mp or path.startswith(mp.rstrip("/") + "/")
        if inside and (best is None or len(mp) >= len(best["mount_point"])):
            best = m
    return best


def _classify_mount(m: dict[str, Any]) -> tuple[str, str]:
    """``(role, kind)``: who made the mount (``rootfs``, ``runtime``, ``masked``,
    ``readonly-path``, ``user``) and, for user mounts, what it is (bind, volume, tmpfs)."""
    mp, fstype, root = m["mount_point"], m["fstype"], m["root"]
    if mp == "/":
        return "rootfs", "rootfs"
    if mp in MASKED_PATHS and (root == "/null" or root.endswith("/null")
                               or (fstype == "tmpfs" and m["read_only"])):
        return "masked", "masked"
    if mp in READONLY_PATHS and fstype == "proc":
        return "readonly-path", "proc"
    if (mp, fstype) in (("/proc", "proc"), ("/dev", "tmpfs"), ("/dev/pts", "devpts"),
                        ("/sys", "sysfs"), ("/dev/mqueue", "mqueue"),
                        ("/sys/fs/cgroup", "tmpfs"), ("/sys/fs/cgroup", "cgroup2")):
        return "runtime", fstype
    if mp.startswith("/sys/fs/cgroup/") and fstype in ("cgroup", "cgroup2", "tmpfs"):
        return "runtime", fstype
    if mp == "/dev/shm":
        return "runtime", "shm"
    if mp == "/dev/console" and fstype == "devpts":
        return "runtime", "console"
    if fstype == "devtmpfs" and mp.startswith("/dev/") and root == mp[len("/dev"):]:
        # in a user namespace runc cannot mknod: it binds the host's node instead (the
        # default /dev/null & co., and --device ones); /dev itself is walked for devices
        return "runtime", "device"
    if mp in ("/etc/hostname", "/etc/hosts", "/etc/resolv.conf") \
            and not root.startswith("/etc/"):
        return "runtime", "file"
    if mp in ("/sbin/docker-init", "/dev/init") or root.endswith("/docker-init"):
        return "runtime", "init"
    if _VOLUME_RE.search(root):
        return "user", "volume"
    if fstype == "tmpfs" and root == "/":
        return "user", "tmpfs"
    return "user", "bind"


_VIRTUAL_FS_SOURCES = {"proc": "/proc", "sysfs": "/sys", "devtmpfs": "/dev",
                       "devpts": "/dev/pts", "mqueue": "/dev/mqueue", "cgroup": "/sys/fs/cgroup",
                       "cgroup2": "/sys/fs/cgroup", "securityfs": "/sys/kernel/security",
                       "debugfs": "/sys/kernel/debug", "bpf": "/sys/fs/bpf",
                       "tracefs": "/sys/kernel/tracing"}


def _looks_like_os_root(reader: Reader, mount_point: str) -> bool:
    names = set(reader.listdir(mount_point))
    return "etc" in names and ("usr" in names or "bin" in names) and \
        ("proc" in names or "var" in names or "boot" in names)


def _describe_user_mount(reader: Reader, m: dict[str, Any], kind: str,
                         own_hostname: str | None) -> dict[str, Any]:
    """What the mount exposes: best guess of the host source, and host-content signs."""
    mp, root, fstype = m["mount_point"], m["root"], m["fstype"]
    info: dict[str, Any] = {"kind": kind, "host_source": None, "source_resolved": True}
    st = reader.lstat(mp)
    info["is_socket"] = st is not None and stat.S_ISSOCK(st.st_mode)
    info["is_dir"] = st is not None and stat.S_ISDIR(st.st_mode)
    if kind == "volume":
        vm = _VOLUME_RE.search(root)
        name = vm.group(1) if vm else None
        info["volume"] = name
        info["anonymous"] = bool(name and _HEX64.fullmatch(name))
        return info
    if kind == "tmpfs":
        return info
    if fstype in _VIRTUAL_FS_SOURCES:
        base = _VIRTUAL_FS_SOURCES[fstype]
        info["host_source"] = base if root == "/" else base.rstrip("/") + root
        return info
    info["host_source"] = root
    if root == "/" and info["is_dir"]:
        os_root = _looks_like_os_root(reader, mp)
        info["os_root"] = os_root
        if not os_root:
            # the whole of some filesystem: which host directory it is mounted on is not
            # visible from here
            info["source_resolved"] = False
    if info["is_dir"]:
        other = reader.first_line(mp.rstrip("/") + "/etc/hostname")
        if other and own_hostname and other != own_hostname:
            info["foreign_hostname"] = other
    return info


def _mounts(reader: Reader, mounts: list[dict[str, Any]], hostname: str | None
            ) -> dict[str, Any]:
    binds: list[str] = []
    # a mount stacked on another at the same mount point hides it: only the top one counts
    hidden = {m["parent"] for m in mounts
              for p in mounts if p["id"] == m["parent"] and p["mount_point"] == m["mount_point"]}
    for m in mounts:
        if m["id"] in hidden:
            m["role"], m["kind"] = "shadowed", "shadowed"
            continue
        role, kind = _classify_mount(m)
        mp = m["mount_point"]
        parent = next((b for b in binds if mp.startswith(b.rstrip("/") + "/")), None)
        if role == "user" and parent is not None and kind != "volume" \
                and m["root"].rsplit("/", 1)[-1] not in RUNTIME_SOCKET_NAMES:
            # Docker binds recursively: the host's own mounts below a bound directory
            # (its /proc, /sys, /dev, other containers' rootfs) come along; they belong to
            # that one configured mount
            m["role"], m["kind"], m["under"] = "submount", kind, parent
            continue
        m["role"] = role
        if role == "user":
            m.update(_describe_user_mount(reader, m, kind, hostname))
            if kind == "bind":
                binds.append(mp)
        else:
            m["kind"] = kind
    rootfs = _mount_at(mounts, "/")
    container_id = None
    for m in mounts:
        cm = _CONTAINER_FILE_RE.search(m["root"])
        if cm:
            container_id = cm.group(1)
            break
    return {
        "rootfs": None if rootfs is None else {
            "fstype": rootfs["fstype"], "read_only": rootfs["read_only"],
            "propagation": rootfs["propagation"]},
        "container_id": container_id,
    }


def _host_filesystems(reader: Reader, mounts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """User mounts that show host files: a whole OS root, a sensitive host directory, the
    host's procfs/sysfs/devtmpfs, or a directory with another machine's hostname."""
    out = []
    for m in mounts:
        if m.get("role") != "user" or m["kind"] not in ("bind",):
            continue
        source = m.get("host_source") or ""
        reasons = []
        if m.get("os_root"):
            reasons.append("the host's root filesystem")
        elif source == "/" and not m.get("source_resolved", True):
            reasons.append(f"a whole host filesystem ({m['fstype']} {m['source']})")
        for sensitive in SENSITIVE_HOST_ROOTS:
            if source == sensitive or source.startswith(sensitive + "/"):
                reasons.append(f"host path {source}")
                break
        if m.get("foreign_hostname"):
            reasons.append(f"a filesystem whose etc/hostname is {m['foreign_hostname']!r}")
        if not reasons or m.get("is_socket"):
            continue
        entries = reader.listdir(m["mount_point"]) if m.get("is_dir") else []
        below = [s for s in mounts if s.get("under") == m["mount_point"]]
        out.append({"mount_point": m["mount_point"], "host_source": source,
                    "fstype": m["fstype"], "read_only": m["read_only"],
                    "writable": reader.writable(m["mount_point"]),
                    "reasons": reasons, "sample": entries[:12],
                    "submounts": len(below),
                    "writable_submounts": sorted({s["fstype"] for s in below
                                                  if not s["read_only"]})})
    return out


def _cgroup_dir(mount: dict[str, Any], own_path: str | None) -> str:
    """The directory of our own cgroup inside a cgroup mount (container-scoped mounts have
    our cgroup as their root; a mount of the whole hierarchy needs the relative path)."""
    mp, root = mount["mount_point"].rstrip("/") or "/", mount["root"]
    if own_path is None or root == own_path or own_path == "/":
        return mp
    if root == "/":
        rel = own_path
    elif own_path.startswith(root.rstrip("/") + "/"):
        rel = own_path[len(root.rstrip("/")):]
    else:
        return mp
    return mp.rstrip("/") + rel


def _cgroups(reader: Reader, mounts: list[dict[str, Any]]) -> dict[str, Any]:
    """Memory, CPU and pids limits from cgroup v1 controllers or the v2 unified tree (v1
    wins on hybrid hosts, where the v2 tree has no controllers), and the v1 device list."""
    proc_cg_text = reader.text("/proc/self/cgroup")
    entries = parse_proc_cgroup(proc_cg_text) if proc_cg_text else []
    v1_paths = {}
    v2_path = None
    for e in entries:
        if e["hierarchy"] == "0" and not e["controllers"]:
            v2_path = e["path"]
        for c in e["controllers"]:
            v1_paths[c] = e["path"]
    v1_mounts: dict[str, dict[str, Any]] = {}
    v2_mount = None
    for m in mounts:
        if m["fstype"] == "cgroup":
            for opt in m["super_options"]:
                if opt not in ("rw", "ro") and not opt.startswith("name=") and "=" not in opt:
                    v1_mounts[opt] = m
        elif m["fstype"] == "cgroup2":
            v2_mount = m
    out: dict[str, Any] = {"version": None, "hybrid": bool(v1_paths) and v2_path is not None,
                           "paths": {"v1": v1_paths, "v2": v2_path},
                           "memory": {"limit": None, "known": False},
                           "cpu": {"quota": None, "period": None, "cpus": None,
                                   "known": False},
                           "pids": {"max": None, "known": False},
                           "devices": None}

    def read(path: str) -> str | None:
        return reader.first_line(path)

    v2_dir = _cgroup_dir(v2_mount, v2_path) if v2_mount is not None else None
    v2_controllers = (read(v2_dir + "/cgroup.controllers") or "").split() \
        if v2_dir is not None else []
    if v1_mounts and any(c in v1_mounts for c in ("memory", "cpu", "pids")):
        out["version"] = 1
    elif v2_mount is not None:
        out["version"] = 2

    def v1(controller: str, name: str) -> tuple[str | None, str]:
        mount = v1_mounts[controller]
        path = _cgroup_dir(mount, v1_paths.get(controller)) + "/" + name
        return read(path), path

    def v2(name: str) -> tuple[str | None, str]:
        path = (v2_dir or "/sys/fs/cgroup") + "/" + name
        return read(path), path

    # memory
    if "memory" in v1_mounts:
        raw, path = v1("memory", "memory.limit_in_bytes")
        out["memory"] = {"limit": parse_v1_memory(raw), "raw": raw, "file": path,
                         "known": raw is not None}
    elif v2_dir is not None and ("memory" in v2_controllers or not v2_controllers):
        raw, path = v2("memory.max")
        out["memory"] = {"limit": parse_v2_max(raw), "raw": raw, "file": path,
                         "known": raw is not None}
    # cpu
    if "cpu" in v1_mounts:
        raw, path = v1("cpu", "cpu.cfs_quota_us")
        raw_period, _ = v1("cpu", "cpu.cfs_period_us")
        quota, period = as_int(raw), as_int(raw_period) or 100000
        if quota is not None and quota <= 0:
            quota = None
        out["cpu"] = {"quota": quota, "period": period, "raw": raw, "file": path,
                      "known": raw is not None,
                      "cpus": round(quota / period, 4) if quota and period else None}
    elif v2_dir is not None and ("cpu" in v2_controllers or not v2_controllers):
        raw, path = v2("cpu.max")
        v2_quota, v2_period = parse_v2_cpu_max(raw)
        out["cpu"] = {"quota": v2_quota, "period": v2_period, "raw": raw, "file": path,
                      "known": raw is not None,
                      "cpus": round(v2_quota / v2_period, 4) if v2_quota and v2_period
                      else None}
    # pids
    pids_file: tuple[str | None, str] | None = None
    if "pids" in v1_mounts:
        pids_file = v1("pids", "pids.max")
    elif v2_dir is not None and ("pids" in v2_controllers or not v2_controllers):
        pids_file = v2("pids.max")
    if pids_file is not None:
        raw, path = pids_file
        out["pids"] = {"max": parse_v2_max(raw), "raw": raw, "file": path,
                       "known": raw is not None}
    # devices (v1 only: v2 enforces device access with an eBPF program we cannot read)
    if "devices" in v1_mounts:
        text = reader.text(_cgroup_dir(v1_mounts["devices"], v1_paths.get("devices"))
                           + "/devices.list")
        if text is not None:
            lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
            out["devices"] = {"list": lines, "allow_all": "a *:* rwm" in lines}
    return out


def _is_default_device(kind: str, major: int, minor: int) -> bool:
    for k, ma, mi in DEFAULT_DEVICES:
        if k == kind and ma == major and (mi is None or mi == minor):
            return True
    return False


def _devices(reader: Reader, budget: int = 5000) -> dict[str, Any]:
    """Device nodes under /dev beyond the ones every container gets: host disks, /dev/mem,
    GPUs... are what --device and --privileged add.  Nodes are only stat()ed, never opened
    (opening some, such as a watchdog, has effects)."""
    present: list[dict[str, Any]] = []
    stack = ["/dev"]
    seen = 0
    while stack and seen < budget:
        directory = stack.pop()
        for name in reader.listdir(directory):
            seen += 1
            path = directory.rstrip("/") + "/" + name
            if path in ("/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/fd"):
                continue
            st = reader.lstat(path)
            if st is None:
                continue
            if stat.S_ISDIR(st.st_mode):
                stack.append(path)
                continue
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
                kind = "c" if stat.S_ISCHR(st.st_mode) else "b"
                present.append({"path": path, "type": kind, "major": os.major(st.st_rdev),
                                "minor": os.minor(st.st_rdev)})
    present.sort(key=lambda d: d["path"])
    extra = [d for d in present if not _is_default_device(d["type"], d["major"], d["minor"])]
    return {"present": present, "extra": extra}


def _kernel_interfaces(reader: Reader, mounts: list[dict[str, Any]],
                       effective_caps: list[str] | None, initial_userns: bool | None
                       ) -> dict[str, Any]:
    """Host-kernel knobs writable from here, through this container's own /proc and /sys
    or through any other procfs/sysfs/cgroup mount (a bound host ``/`` brings the host's
    read-write ones along)."""
    candidates: list[tuple[str, str]] = list(KERNEL_INTERFACES)
    for m in mounts:
        if m["root"] != "/" or m["mount_point"] in ("/proc", "/sys") \
                or m.get("role") == "masked":
            continue
        base = m["mount_point"].rstrip("/")
        if m["fstype"] == "proc":
            candidates.extend((base + p[len("/proc"):], how) for p, how in KERNEL_INTERFACES
                              if p.startswith("/proc/"))
        elif m["fstype"] == "sysfs":
            candidates.extend((base + p[len("/sys"):], how) for p, how in KERNEL_INTERFACES
                              if p.startswith("/sys/"))
    # writing release_agent needs CAP_SYS_ADMIN in the initial user namespace (the
    # CVE-2022-0492 fix); access(2) alone would over-report
    can_set_agent = bool(effective_caps and "cap_sys_admin" in effective_caps) \
        and initial_userns is not False
    agents = [m["mount_point"].rstrip("/") + "/release_agent" for m in mounts
              if m["fstype"] == "cgroup" and m["root"] == "/" and not m["read_only"]]
    found = []
    seen: set[tuple[int, int]] = set()
    for path, how in candidates + [(a, RELEASE_AGENT_HOW) for a in agents]:
        st = reader.lstat(path)
        if st is None:
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            continue
        seen.add(key)
        covering = _covering_mount(mounts, path)
        masked = covering is not None and covering.get("role") == "masked"
        writable = (not masked) and reader.writable(path)
        if path.endswith("/release_agent"):
            writable = writable and can_set_agent
        found.append({"path": path, "writable": writable, "how": how})
        if len(found) >= 50:
            break
    exposed = []
    for path in MASKED_PATHS:
        if reader.lstat(path) is None:
            continue
        covering = _covering_mount(mounts, path)
        if covering is None or covering["mount_point"] != path:
            exposed.append(path)
    writable_ro_paths = []
    for path in READONLY_PATHS:
        covering = _covering_mount(mounts, path)
        if reader.lstat(path) is not None and covering is not None \
                and not covering["read_only"]:
            writable_ro_paths.append(path)
    return {"interfaces": found, "masked_paths_exposed": exposed,
            "readonly_paths_writable": writable_ro_paths}


def _walk_for_sockets(reader: Reader, top: str, budget: int, depth: int,
                      skip: set[str]) -> list[str]:
    """Runtime sockets below ``top``, breadth first (shallow ones are found before a large
    tree such as a host's /usr uses up the budget of directory entries)."""
    found: list[str] = []
    level = [top]
    for _ in range(depth + 1):
        below = []
        for directory in level:
            for name in reader.listdir(directory):
                budget -= 1
                if budget <= 0:
                    return found
                path = directory.rstrip("/") + "/" + name
                if path in skip:
                    continue
                st = reader.lstat(path)
                if st is None:
                    continue
                if stat.S_ISSOCK(st.st_mode) and name in RUNTIME_SOCKET_NAMES:
                    found.append(path)
                elif stat.S_ISDIR(st.st_mode):
                    below.append(path)
        level = below
    return found


def _socket_candidates(reader: Reader, mounts: list[dict[str, Any]],
                       walk_budget: int) -> list[str]:
    candidates = []
    # procfs, sysfs and friends below a bound directory hold no runtime sockets
    skip = {m["mount_point"] for m in mounts if m["fstype"] in _VIRTUAL_FS_SOURCES}
    for m in mounts:
        if m.get("role") != "user":
            continue
        if m.get("is_socket"):
            candidates.append(m["mount_point"])
        elif m.get("is_dir") and m["fstype"] not in _VIRTUAL_FS_SOURCES:
            base = m["mount_point"].rstrip("/")
            candidates.extend(base + p for p in WELL_KNOWN_SOCKETS)
            candidates.extend(_walk_for_sockets(reader, m["mount_point"], walk_budget, 3,
                                                skip))
    candidates.extend(WELL_KNOWN_SOCKETS)
    for user_dir in reader.listdir("/run/user"):
        candidates.append(f"/run/user/{user_dir}/docker.sock")
        candidates.append(f"/run/user/{user_dir}/podman/podman.sock")
    out = []
    seen = set()
    for path in candidates:
        st = reader.stat(path)
        if st is None or not stat.S_ISSOCK(st.st_mode):
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            continue
        seen.add(key)
        out.append(path)
    return out


def _runtime_sockets(reader: Reader, mounts: list[dict[str, Any]], probe: bool,
                     environ: dict[str, str], timeout: float, walk_budget: int
                     ) -> list[dict[str, Any]]:
    results = []
    for path in _socket_candidates(reader, mounts, walk_budget):
        st = reader.stat(path)
        covering = _covering_mount(mounts, path)
        if covering is not None and covering.get("role") == "submount":
            # below a recursive bind, host paths keep their relative place
            covering = _mount_at(mounts, covering["under"]) or covering
        from_mount = bool(covering and covering.get("role") == "user")
        host_source = None
        if from_mount and covering is not None and covering.get("host_source"):
            host_source = covering["host_source"].rstrip("/") + \
                path[len(covering["mount_point"].rstrip("/")):] or "/"
        info: dict[str, Any] = {
            "path": path,
            "mount_point": covering["mount_point"] if covering else None,
            "from_mount": from_mount,
            "host_source": host_source,
            "owner": [st.st_uid, st.st_gid] if st else None,
            "mode": oct(stat.S_IMODE(st.st_mode)) if st else None,
        }
        if probe:
            info.update(socket_probe.probe_unix_socket(reader.local(path), timeout))
            info["path"] = path
            info["address"] = "unix://" + path
        else:
            runtime, protocol = socket_probe.kind_of(path)
            info.update({"address": "unix://" + path, "runtime": runtime,
                         "protocol": protocol, "connectable": None, "answers": None})
        results.append(info)
    docker_host = environ.get("DOCKER_HOST", "")
    if docker_host.startswith("tcp://") and probe:
        hostport = docker_host[len("tcp://"):].split("/", 1)[0]
        host, _, port = hostport.rpartition(":")
        if host and port.isdigit() and environ.get("DOCKER_TLS_VERIFY", "") in ("", "0"):
            info = socket_probe.probe_tcp(host.strip("[]"), int(port), timeout)
            info["from_env"] = "DOCKER_HOST"
            results.append(info)
    return results


# --------------------------------------------------------------------------- entry points


def observe(proc_root: str = "/proc", sys_root: str = "/sys", dev_root: str = "/dev",
            fs_root: str = "/", probe_sockets: bool = True,
            environ: dict[str, str] | None = None, socket_timeout: float = 1.5,
            walk_budget: int = 20000) -> dict[str, Any]:
    """Everything the container's own view says about its isolation, as a JSON-able dict.

    ``probe_sockets`` False skips connecting to runtime sockets (files are still listed).
    """
    started = time.time()
    reader = Reader(proc_root, sys_root, dev_root, fs_root)
    env = dict(os.environ) if environ is None else environ
    status_text = reader.text("/proc/self/status")
    status = parse_status(status_text) if status_text else {}
    # None (a kernel before 3.2, or /proc/sys hidden): names are decoded without an upper
    # bound and "every capability" cannot be told
    last_cap = as_int(reader.first_line("/proc/sys/kernel/cap_last_cap"))
    hostname = reader.first_line("/proc/sys/kernel/hostname")
    mountinfo_text = reader.text("/proc/self/mountinfo")
    mounts = parse_mountinfo(mountinfo_text) if mountinfo_text else []
    mount_summary = _mounts(reader, mounts, hostname)
    capabilities = _capabilities(status, last_cap)
    namespaces = _namespaces(reader, mounts, hostname)
    result: dict[str, Any] = {
        "schema": SCHEMA,
        "probe_version": PROBE_VERSION,
        "python": ".".join(str(v) for v in sys.version_info[:3]),
        "time": int(started),
        "roots": {"proc": proc_root, "sys": sys_root, "dev": dev_root, "fs": fs_root},
        "kernel": {"release": reader.first_line("/proc/sys/kernel/osrelease"),
                   "cap_last_cap": last_cap},
        "hostname": hostname,
        "container_id": mount_summary["container_id"],
        "process": {"pid": as_int(status.get("Pid")), "name": status.get("Name")},
        "capabilities": capabilities,
        "security": _security(reader, status),
        "user": _user(status, reader),
        "namespaces": namespaces,
        "rootfs": mount_summary["rootfs"],
        "mounts": mounts,
        "cgroup": _cgroups(reader, mounts),
        "devices": _devices(reader),
        "kernel_interfaces": _kernel_interfaces(
            reader, mounts, capabilities.get("effective"),
            namespaces["user"]["host"]),
        "host_filesystems": _host_filesystems(reader, mounts),
        "runtime_sockets": _runtime_sockets(reader, mounts, probe_sockets, env,
                                            socket_timeout, walk_budget),
    }
    result["errors"] = reader.errors
    result["seconds"] = round(time.time() - started, 3)
    return result


def capsh_lines(obs: dict[str, Any]) -> list[str]:
    """The capability sets the way ``capsh --print`` shows them."""
    caps = obs.get("capabilities") or {}

    def joined(names: Iterable[str] | None) -> str:
        return ",".join(names) if names else ""

    eff = caps.get("effective") or []
    prm = caps.get("permitted") or []
    if eff and set(eff) == set(prm):
        current = joined(eff) + "=ep"
    elif prm:
        current = joined(eff) + "=e " + joined(prm) + "=p" if eff else joined(prm) + "=p"
    else:
        current = "="
    return [
        f"Current: {current}",
        "Bounding set =" + joined(caps.get("bounding")),
        "Ambient set =" + joined(caps.get("ambient")),
        "Current IAB: " + ",".join("!" + c for c in caps.get("not_in_bounding") or []),
    ]


def main(argv: list[str] | None = None) -> int:
    """Print the observation JSON (what ``python3 dockward-inside.pyz`` runs)."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="dockward-inside",
        description="Print what this container can see of its isolation, as JSON for "
                    "'dockward inside --from-json'.")
    parser.add_argument("--no-socket-probe", action="store_true",
                        help="list runtime sockets but do not connect to them")
    parser.add_argument("--capsh", action="store_true",
                        help="print the capability sets like 'capsh --print' instead")
    parser.add_argument("--compact", action="store_true", help="JSON on one line")
    for name in ("proc", "sys", "dev", "fs"):
        parser.add_argument(f"--{name}-root", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    obs = observe(proc_root=args.proc_root or "/proc", sys_root=args.sys_root or "/sys",
                  dev_root=args.dev_root or "/dev", fs_root=args.fs_root or "/",
                  probe_sockets=not args.no_socket_probe)
    if args.capsh:
        sys.stdout.write("\n".join(capsh_lines(obs)) + "\n")
        return 0
    json.dump(obs, sys.stdout, indent=None if args.compact else 2, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
