"""Facts about Docker and Linux that several readers and rules share.

Value spellings (``256m``, ``"true"``) are parsed by :mod:`dockward.models.values`.
"""

from __future__ import annotations

import posixpath

# moby/oci/caps/defaults.go: what every container gets unless dropped.
DEFAULT_CAPABILITIES: frozenset[str] = frozenset(
    {
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID",
        "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
    }
)

# Every Linux capability (capabilities(7), kernel 5.9+), plus ALL as Docker spells "every one".
LINUX_CAPABILITIES: frozenset[str] = frozenset(
    {
        "ALL", "AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "BPF",
        "CHECKPOINT_RESTORE", "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID",
        "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN",
        "MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW",
        "PERFMON", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_ADMIN", "SYS_BOOT",
        "SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO",
        "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM",
    }
)

RUNTIME_SOCKET_NAMES: frozenset[str] = frozenset(
    {
        "docker.sock", "containerd.sock", "podman.sock", "crio.sock", "cri-dockerd.sock",
        "dockershim.sock", "buildkitd.sock", "containerd-shim.sock", "frakti.sock",
    }
)

# Directories that hold a runtime socket: mounting them mounts the socket.
RUNTIME_SOCKET_DIRS: frozenset[str] = frozenset(
    {
        "/run", "/var/run", "/run/containerd", "/var/run/containerd", "/run/podman",
        "/var/run/podman", "/run/crio", "/var/run/crio", "/run/docker", "/var/run/docker",
        "/run/buildkit", "/run/user", "/var/run/cri-dockerd", "/run/cri-dockerd",
    }
)


def normalize_host_path(path: str) -> str:
    """Collapse ``//``, ``/./``, ``..`` and trailing slashes so spellings compare equal."""
    if not path:
        return path
    text = path.strip()
    if text.startswith("~"):
        return text
    norm = posixpath.normpath(text)
    if norm.startswith("//"):
        norm = "/" + norm.lstrip("/")
    return norm


def is_runtime_socket_path(path: str) -> bool:
    """True when ``path`` is a runtime socket or a directory that contains one."""
    norm = normalize_host_path(path)
    if posixpath.basename(norm) in RUNTIME_SOCKET_NAMES:
        return True
    if norm in RUNTIME_SOCKET_DIRS:
        return True
    # rootless docker: /run/user/1000 (holds docker.sock)
    parts = norm.split("/")
    return len(parts) == 4 and parts[1] == "run" and parts[2] == "user" and parts[3].isdigit()


def is_root_user(user: str | None) -> bool:
    """``None``/empty (image default), ``root``, ``0``, ``0:0``, ``root:root`` are root."""
    if user is None:
        return True
    name = str(user).strip().split(":", 1)[0]
    return name in ("", "root", "0")
