"""Facts about Docker and Linux that several readers and rules share."""

from __future__ import annotations

import math
import posixpath

# moby/oci/caps/defaults.go: what every container gets unless dropped.
DEFAULT_CAPABILITIES: frozenset[str] = frozenset(
    {
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID",
        "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
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


def parse_bytes(value: object) -> int | None:
    """Docker's memory notation (``256m``, ``1g``, ``512MiB``, ``1024``) into bytes."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    text = str(value).strip().lower().replace(" ", "")
    if not text:
        return None
    units = {
        "": 1, "b": 1, "k": 1024, "kb": 1024, "kib": 1024, "m": 1024**2, "mb": 1024**2,
        "mib": 1024**2, "g": 1024**3, "gb": 1024**3, "gib": 1024**3, "t": 1024**4,
        "tb": 1024**4, "tib": 1024**4,
    }
    num = text.rstrip("kmgtib")
    unit = text[len(num):]
    if unit not in units:
        return None
    try:
        return int(float(num) * units[unit])
    except (ValueError, OverflowError):  # '.inf', '1e999', 'nan'
        return None


def parse_float(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_int(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def parse_bool(value: object) -> bool | None:
    """YAML and CLI booleans, including the strings compose users write (``"true"``)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1", "y"):
        return True
    if text in ("false", "no", "off", "0", "n", ""):
        return False
    return None


def is_root_user(user: str | None) -> bool:
    """``None``/empty (image default), ``root``, ``0``, ``0:0``, ``root:root`` are root."""
    if user is None:
        return True
    name = str(user).strip().split(":", 1)[0]
    return name in ("", "root", "0")
