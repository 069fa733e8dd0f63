"""Real Docker Engine test harness (a pytest plugin).

Starts private ``dockerd`` instances (own data root, exec root, unix socket under
``/tmp/dw-XXXXXXXX``, no bridge, no iptables) so tests can create real containers and
images without touching a system daemon and without registry access.

Use it as a plugin::

    pytest_plugins = ["tests.engine.harness"]   # in the root conftest.py

Fixtures:

* ``docker_engine`` (session): one started :class:`PrivateEngine` with ``busybox:dw`` imported.
* ``engine`` (function): the session engine; containers created by the test are removed
  afterwards.
* ``make_private_engine`` (function): factory for extra daemons with other flags, e.g.
  ``make_private_engine("--userns-remap=default")`` or ``make_private_engine(tcp=True)``;
  stopped at test end.

When no engine can be run (not Linux, not root, ``dockerd``/``docker``/busybox missing, or the
daemon fails to start) the fixtures skip, or fail if the environment variable ``CI`` is
``true``. Tests using these fixtures get the ``engine`` marker (deselect: ``-m "not engine"``).

See ``tests/engine/README.md`` for what works on the reference machine.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import io
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

__all__ = [
    "BUSYBOX_TAG",
    "DEFAULT_DAEMON_ARGS",
    "EngineCommandError",
    "EngineStartError",
    "EngineUnavailable",
    "PrivateEngine",
    "busybox_rootfs_tar",
    "docker_engine",
    "engine",
    "engine_unavailable_reason",
    "free_tcp_port",
    "make_private_engine",
    "reap_stale_engines",
    "skip_or_fail",
]

BUSYBOX_TAG = "busybox:dw"
#: Flags every private daemon gets unless ``default_args`` is overridden.
DEFAULT_DAEMON_ARGS: tuple[str, ...] = (
    "--bridge=none",
    "--iptables=false",
    "--ip6tables=false",
    "--ip-masq=false",
)
TMP_BASE = os.environ.get("DW_ENGINE_TMP", "/tmp")
TMP_PREFIX = "dw-"
MARKER = ".dockward-engine"  # written into each engine dir: "<owner pid>"
SYSTEM_CONTAINERD_SOCK = "/run/containerd/containerd.sock"
ENGINE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
IMAGE_PATH = ENGINE_PATH

_SBIN_DIRS = ("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin", "/bin")
_MNT_DETACH = 2
_PR_SET_PDEATHSIG = 1


class EngineUnavailable(RuntimeError):
    """No private engine can be run in this environment."""


class EngineStartError(EngineUnavailable):
    """dockerd was launched but did not answer ``/_ping`` (message carries the log tail)."""


class EngineCommandError(subprocess.CalledProcessError):
    """A docker CLI call failed; ``str()`` includes stdout and stderr."""

    def __str__(self) -> str:
        cmd = " ".join(map(str, self.cmd)) if isinstance(self.cmd, list | tuple) else self.cmd
        return (
            f"command {cmd!r} exited with {self.returncode}\n"
            f"--- stdout ---\n{self.stdout or ''}\n--- stderr ---\n{self.stderr or ''}"
        )


# --------------------------------------------------------------------------- helpers


def _which(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for d in _SBIN_DIRS:
        p = os.path.join(d, name)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def _from_env(var: str, name: str) -> str | None:
    override = os.environ.get(var)
    if override is not None:  # set (even to ""/a bad path): never fall back silently
        return override if os.path.isfile(override) and os.access(override, os.X_OK) else None
    return _which(name)


def find_dockerd() -> str | None:
    """``$DW_DOCKERD`` or dockerd on PATH / sbin dirs."""
    return _from_env("DW_DOCKERD", "dockerd")


def find_docker_cli() -> str | None:
    """``$DW_DOCKER_CLI`` or docker on PATH."""
    return _from_env("DW_DOCKER_CLI", "docker")


def find_busybox() -> str | None:
    for cand in (os.environ.get("DW_BUSYBOX"), "/usr/bin/busybox", "/bin/busybox"):
        if cand and os.path.isfile(cand):
            return cand
    return _which("busybox")


def _elf_is_static(path: str) -> bool:
    """True if the ELF file has no PT_INTERP segment (i.e. needs no dynamic loader)."""
    with open(path, "rb") as f:
        ident = f.read(64)
        if ident[:4] != b"\x7fELF":
            return False
        is64 = ident[4] == 2
        end = "<" if ident[5] == 1 else ">"
        if is64:
            (phoff,) = struct.unpack(end + "Q", ident[32:40])
            phentsize, phnum = struct.unpack(end + "HH", ident[54:58])
        else:
            (phoff,) = struct.unpack(end + "I", ident[28:32])
            phentsize, phnum = struct.unpack(end + "HH", ident[42:46])
        f.seek(phoff)
        table = f.read(phentsize * phnum)
    for i in range(phnum):
        (p_type,) = struct.unpack(end + "I", table[i * phentsize : i * phentsize + 4])
        if p_type == 3:  # PT_INTERP
            return False
    return True


def engine_unavailable_reason() -> str | None:
    """Why a private engine cannot run here, or None if it (probably) can."""
    if not sys.platform.startswith("linux"):
        return f"private dockerd needs Linux (platform is {sys.platform})"
    if os.geteuid() != 0:
        return f"private dockerd needs root (euid={os.geteuid()})"
    if find_dockerd() is None:
        return "dockerd binary not found (install docker.io / docker-ce)"
    if find_docker_cli() is None:
        return "docker CLI binary not found"
    bb = find_busybox()
    if bb is None:
        return "busybox not found (install busybox-static)"
    if not _elf_is_static(bb):
        return f"{bb} is dynamically linked (install busybox-static)"
    return None


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def skip_or_fail(reason: str) -> None:
    """pytest.skip(reason), or pytest.fail(reason) when CI=true."""
    if _ci():
        pytest.fail(f"real Docker Engine required in CI: {reason}", pytrace=False)
    pytest.skip(f"real Docker Engine unavailable: {reason}")


def free_tcp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _http_get(url: str, path: str, timeout: float = 2.0) -> tuple[int, bytes]:
    """Minimal HTTP/1.0 GET against unix:///sock or tcp://host:port (no deps, fast)."""
    if url.startswith("unix://"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        addr: Any = url[len("unix://") :]
    elif url.startswith(("tcp://", "http://")):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        host, _, port = url.split("://", 1)[1].rstrip("/").rpartition(":")
        addr = (host, int(port))
    else:
        raise ValueError(f"unsupported url {url!r}")
    with s:
        s.settimeout(timeout)
        s.connect(addr)
        s.sendall(f"GET {path} HTTP/1.0\r\nHost: docker\r\n\r\n".encode())
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    raw = b"".join(chunks)
    head, _, body = raw.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return status, body


def ping(url: str, timeout: float = 2.0) -> bool:
    """True if the engine at ``url`` answers ``GET /_ping`` with 200 OK."""
    try:
        status, body = _http_get(url, "/_ping", timeout)
    except OSError:
        return False
    return status == 200 and body.strip() == b"OK"


def _pid_alive(pid: int) -> bool:
    """Alive and not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return False
    return stat.rpartition(b")")[2].split()[0] != b"Z"


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _ppid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rpartition(b")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _all_pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _kill_processes_referencing(path: str) -> list[int]:
    """SIGKILL processes whose command line mentions ``path`` (our dockerd, containerd,
    containerd-shims) and the direct children of those (container init processes)."""
    me = os.getpid()
    pids = _all_pids()
    owners = {p for p in pids if p != me and path in _cmdline(p)}
    if not owners:
        return []
    children = {p for p in pids if p not in owners and _ppid(p) in owners}
    victims = [*children, *owners]  # container processes first, then shims/daemons
    for p in victims:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(p, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_pid_alive(p) for p in victims):
        time.sleep(0.02)
    return victims


def _unescape_mountinfo(s: str) -> str:
    return (
        s.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\")
    )


def _mounts_under(path: str) -> list[str]:
    prefix = path.rstrip("/") + "/"
    out = []
    try:
        with open("/proc/self/mountinfo") as f:
            for line in f:
                mp = _unescape_mountinfo(line.split()[4])
                if mp.startswith(prefix) or mp == path:
                    out.append(mp)
    except OSError:
        pass
    return sorted(out, key=lambda m: m.count("/"), reverse=True)


@lru_cache(maxsize=1)
def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _unmount_under(path: str) -> None:
    for _ in range(3):
        mounts = _mounts_under(path)
        if not mounts:
            return
        for mp in mounts:
            rc = -1
            with contextlib.suppress(Exception):
                rc = _libc().umount2(mp.encode(), _MNT_DETACH)
            if rc != 0:
                subprocess.run(["umount", "-l", mp], capture_output=True, check=False)


def _remove_tree(path: str) -> None:
    _unmount_under(path)
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        pass
    except OSError:
        _unmount_under(path)
        shutil.rmtree(path, ignore_errors=True)


def _make_pdeathsig() -> Callable[[], None] | None:
    """preexec_fn giving dockerd SIGTERM if the forking thread (our pytest) dies.

    Only used from the main thread: PDEATHSIG fires when the *thread* that forked exits.
    """
    if threading.current_thread() is not threading.main_thread():
        return None
    try:
        prctl = _libc().prctl
    except (OSError, AttributeError):
        return None

    def _preexec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)

    return _preexec


# --------------------------------------------------------------------------- busybox image


@lru_cache(maxsize=4)
def busybox_rootfs_tar(busybox: str | None = None) -> bytes:
    """A minimal root filesystem as an uncompressed tar: static busybox at /bin/busybox,
    /bin/<applet> symlinks for every applet, /etc/passwd+group (root, nobody, user=1000),
    and empty /tmp /proc /sys /dev /run /root /home/user dirs."""
    bb = busybox or find_busybox()
    if bb is None:
        raise EngineUnavailable("busybox not found")
    if not _elf_is_static(bb):
        raise EngineUnavailable(f"{bb} is not statically linked")
    listing = subprocess.run([bb, "--list"], capture_output=True, text=True, check=True).stdout
    applets = sorted({a.strip() for a in listing.split() if a.strip() and "/" not in a})
    applets = [a for a in applets if a != "busybox"]

    mtime = 1_700_000_000
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:

        def add_dir(name: str, mode: int = 0o755) -> None:
            ti = tarfile.TarInfo(name)
            ti.type, ti.mode, ti.mtime = tarfile.DIRTYPE, mode, mtime
            tar.addfile(ti)

        def add_file(name: str, data: bytes, mode: int = 0o644) -> None:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mode, ti.mtime = len(data), mode, mtime
            tar.addfile(ti, io.BytesIO(data))

        def add_link(name: str, target: str) -> None:
            ti = tarfile.TarInfo(name)
            ti.type, ti.linkname, ti.mode, ti.mtime = tarfile.SYMTYPE, target, 0o777, mtime
            tar.addfile(ti)

        for d in (
            "bin",
            "sbin",
            "usr",
            "usr/bin",
            "usr/sbin",
            "etc",
            "dev",
            "proc",
            "sys",
            "run",
            "var",
            "home",
            "home/user",
            "mnt",
        ):
            add_dir(d)
        add_dir("root", 0o700)
        add_dir("tmp", 0o1777)
        add_dir("var/tmp", 0o1777)
        with open(bb, "rb") as f:
            add_file("bin/busybox", f.read(), 0o755)
        for a in applets:
            add_link(f"bin/{a}", "busybox")
        add_file(
            "etc/passwd",
            b"root:x:0:0:root:/root:/bin/sh\n"
            b"nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"
            b"user:x:1000:1000:user:/home/user:/bin/sh\n",
        )
        add_file("etc/group", b"root:x:0:\nnogroup:x:65534:\nuser:x:1000:\n")
        add_file("etc/shadow", b"root:*:19000:0:99999:7:::\n", 0o600)
    return buf.getvalue()


def _split_tag(tag: str) -> tuple[str, str]:
    repo, sep, t = tag.rpartition(":")
    if not sep or "/" in t:
        return tag, "latest"
    return repo, t


# --------------------------------------------------------------------------- the engine

_LIVE: set[PrivateEngine] = set()
_LIVE_LOCK = threading.Lock()
_REAPED = False


def _stop_all_live() -> None:
    with _LIVE_LOCK:
        engines = list(_LIVE)
    for e in engines:
        with contextlib.suppress(Exception):
            e.stop()


atexit.register(_stop_all_live)


def reap_stale_engines(base: str = TMP_BASE) -> list[str]:
    """Remove engine dirs left by dead harness processes (kills their daemons, unmounts)."""
    removed: list[str] = []
    try:
        names = os.listdir(base)
    except OSError:
        return removed
    for name in names:
        d = os.path.join(base, name)
        if not name.startswith(TMP_PREFIX):
            continue
        try:
            owner = int(Path(d, MARKER).read_text().strip() or "0")
        except (OSError, ValueError):
            continue
        if owner == os.getpid() or (owner and _pid_alive(owner)):
            continue  # still owned by a live process (maybe a parallel pytest worker)
        _kill_processes_referencing(d)
        _remove_tree(d)
        removed.append(d)
    return removed


class PrivateEngine:
    """A private dockerd in its own temp dir.

    Parameters:
        extra_args: more dockerd flags (e.g. ``"--userns-remap=default"``).
        tcp: also listen on ``tcp://127.0.0.1:<free port>`` (``True``) or on the given port.
            Note: dockerd 20.10 sleeps ~1s at startup when binding TCP without TLS.
        default_args: replaces :data:`DEFAULT_DAEMON_ARGS`.
        start_timeout: seconds to wait for ``/_ping``.
    """

    def __init__(
        self,
        *extra_args: str,
        tcp: bool | int = False,
        default_args: Sequence[str] = DEFAULT_DAEMON_ARGS,
        start_timeout: float = 30.0,
        dockerd: str | None = None,
        docker_cli: str | None = None,
    ) -> None:
        self.extra_args = tuple(extra_args)
        self.default_args = tuple(default_args)
        self.start_timeout = start_timeout
        self.dockerd = dockerd or find_dockerd()
        self.docker_cli = docker_cli or find_docker_cli()
        self.tcp_port: int | None = (
            None if tcp is False else (free_tcp_port() if tcp is True else int(tcp))
        )
        self.tmpdir: Path | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.containerd_pid: int | None = None
        self.start_seconds: float | None = None
        self.stop_seconds: float | None = None
        self._client: Any = None
        self._log_fh: Any = None
        self._lock = threading.Lock()
        self._stopped = False

    # ---- paths / urls
    def _path(self, *parts: str) -> Path:
        if self.tmpdir is None:
            raise RuntimeError("engine not started")
        return self.tmpdir.joinpath(*parts)

    @property
    def socket_path(self) -> str:
        return str(self._path("docker.sock"))

    @property
    def base_url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def tcp_url(self) -> str | None:
        return None if self.tcp_port is None else f"tcp://127.0.0.1:{self.tcp_port}"

    @property
    def data_root(self) -> str:
        return str(self._path("data"))

    @property
    def exec_root(self) -> str:
        return str(self._path("exec"))

    @property
    def pidfile(self) -> str:
        return str(self._path("docker.pid"))

    @property
    def log_path(self) -> str:
        return str(self._path("dockerd.log"))

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    def command(self) -> list[str]:
        assert self.dockerd is not None
        cmd = [
            self.dockerd,
            "--data-root",
            self.data_root,
            "--exec-root",
            self.exec_root,
            "--pidfile",
            self.pidfile,
            "-H",
            self.base_url,
        ]
        if self.tcp_url:
            cmd += ["-H", self.tcp_url]
        if os.path.exists(SYSTEM_CONTAINERD_SOCK) and not any(
            a.startswith("--containerd") for a in self.extra_args
        ):
            # dockerd would share the system containerd: keep our objects apart
            ns = self._path().name
            cmd += [f"--containerd-namespace={ns}", f"--containerd-plugins-namespace={ns}-p"]
        return [*cmd, *self.default_args, *self.extra_args]

    # ---- lifecycle
    def start(self) -> PrivateEngine:
        global _REAPED
        if self.proc is not None:
            raise RuntimeError("engine already started")
        reason = engine_unavailable_reason()
        if reason:
            raise EngineUnavailable(reason)
        if not _REAPED:
            _REAPED = True
            with contextlib.suppress(Exception):
                reap_stale_engines()
        t0 = time.monotonic()
        self.tmpdir = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=TMP_BASE))
        # --userns-remap needs o+x on every parent of the data root
        os.chmod(self.tmpdir, 0o711)
        Path(self.tmpdir, MARKER).write_text(str(os.getpid()))
        env = dict(os.environ)
        env["PATH"] = ENGINE_PATH + ":" + env.get("PATH", "")
        self._log_fh = open(self.log_path, "wb")  # noqa: SIM115
        with _LIVE_LOCK:
            _LIVE.add(self)
        try:
            self.proc = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=self._log_fh,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=_make_pdeathsig(),
            )
            self._wait_ready(t0 + self.start_timeout)
        except BaseException as exc:
            tail = self.log_tail()
            self.stop()
            if isinstance(exc, EngineStartError) or not isinstance(exc, Exception):
                raise
            raise EngineStartError(f"could not start dockerd: {exc}\n{tail}") from exc
        self.start_seconds = time.monotonic() - t0
        with contextlib.suppress(OSError, ValueError):
            self.containerd_pid = int(
                Path(self.exec_root, "containerd", "containerd.pid").read_text().strip()
            )
        return self

    def _wait_ready(self, deadline: float) -> None:
        assert self.proc is not None
        delay = 0.02
        while True:
            rc = self.proc.poll()
            if rc is not None:
                raise EngineStartError(
                    f"dockerd exited with {rc} during startup: {' '.join(self.command())}\n"
                    f"--- log tail ({self.log_path}) ---\n{self.log_tail()}"
                )
            if ping(self.base_url, timeout=1.0) and (
                self.tcp_url is None or ping(self.tcp_url, timeout=1.0)
            ):
                return
            if time.monotonic() > deadline:
                raise EngineStartError(
                    f"dockerd did not answer /_ping within {self.start_timeout}s: "
                    f"{' '.join(self.command())}\n--- log tail ---\n{self.log_tail()}"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 0.2)

    def log_tail(self, lines: int = 40) -> str:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 64 * 1024))
                text = f.read().decode(errors="replace")
        except (OSError, RuntimeError):
            return "<no log>"
        keep = [ln for ln in text.splitlines() if "module=grpc" not in ln]
        return "\n".join(keep[-lines:])

    def ping(self) -> bool:
        return self.tmpdir is not None and ping(self.base_url)

    def stop(self, timeout: float = 30.0) -> None:
        """Remove containers, SIGTERM dockerd (SIGKILL after ``timeout``), kill leftovers,
        unmount anything under the temp dir and delete it. Idempotent."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
        t0 = time.monotonic()
        bridges: list[str] = []
        try:
            if self.proc is not None and self.proc.poll() is None:
                if self.ping():
                    with contextlib.suppress(Exception):
                        self.cleanup_containers()
                    with contextlib.suppress(Exception):
                        bridges = self._bridge_names()
                        self.cleanup_networks()
                self._terminate(timeout)
        finally:
            for br in bridges:  # user-defined bridge networks create host interfaces
                if os.path.exists(f"/sys/class/net/{br}"):
                    subprocess.run(["ip", "link", "delete", br], capture_output=True, check=False)
            if self._client is not None:
                with contextlib.suppress(Exception):
                    self._client.close()
                self._client = None
            if self._log_fh is not None:
                with contextlib.suppress(Exception):
                    self._log_fh.close()
            if self.tmpdir is not None:
                _kill_processes_referencing(str(self.tmpdir))
                _remove_tree(str(self.tmpdir))
            with _LIVE_LOCK:
                _LIVE.discard(self)
            self.stop_seconds = time.monotonic() - t0

    def _terminate(self, timeout: float) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.proc.wait(timeout=0.05)
                return
            except subprocess.TimeoutExpired:
                pass
            # dockerd 20.10 polls its managed containerd with 1s sleeps after the daemon
            # itself has shut down (and sees the zombie as alive): once the daemon logged
            # completion and containerd is gone there is nothing left to wait for.
            if (
                self.containerd_pid is None or not _pid_alive(self.containerd_pid)
            ) and "Daemon shutdown complete" in self.log_tail(5):
                break
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)

    def __enter__(self) -> PrivateEngine:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<PrivateEngine {self.tmpdir} pid={self.pid} tcp={self.tcp_url}>"

    # ---- clients
    @property
    def client(self) -> Any:
        """A lazily created ``docker.DockerClient`` for this engine (API version auto)."""
        if self._client is None:
            import docker

            self._client = docker.DockerClient(base_url=self.base_url, version="auto", timeout=120)
        return self._client

    def cli_env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ)
        for k in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
            env.pop(k, None)
        env.update(
            DOCKER_HOST=self.base_url,
            DOCKER_CONFIG=str(self._path("cli")),
            DOCKER_CLI_HINTS="false",
        )
        if extra:
            env.update(extra)
        return env

    def docker(
        self,
        *args: str,
        check: bool = True,
        input: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = 300,
    ) -> subprocess.CompletedProcess[str]:
        """Run the docker CLI against this engine (``-H`` and ``DOCKER_HOST`` set)."""
        if self.docker_cli is None:
            raise EngineUnavailable("docker CLI not found")
        cmd = [self.docker_cli, "-H", self.base_url, *map(str, args)]
        res = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            input=input,
            env=self.cli_env(env),
            timeout=timeout,
            check=False,
        )
        if check and res.returncode != 0:
            raise EngineCommandError(res.returncode, cmd, res.stdout, res.stderr)
        return res

    # ---- images
    def has_image(self, ref: str) -> bool:
        status, _ = _http_get(self.base_url, f"/images/{ref}/json")
        return status == 200

    def import_busybox(self, tag: str = BUSYBOX_TAG) -> str:
        """Import the busybox rootfs as ``tag`` (``CMD ["sh"]``); idempotent; returns tag."""
        if self.has_image(tag):
            return tag
        repo, t = _split_tag(tag)
        self.client.api.import_image_from_data(
            busybox_rootfs_tar(),
            repository=repo,
            tag=t,
            changes=['CMD ["sh"]', f"ENV PATH={IMAGE_PATH}"],
        )
        if not self.has_image(tag):
            raise RuntimeError(f"import of {tag} did not produce an image")
        return tag

    def build(
        self,
        context_dir: str | os.PathLike[str],
        tag: str,
        dockerfile: str | os.PathLike[str] | None = None,
        build_args: Mapping[str, str] | None = None,
        classic: bool = True,
        extra_args: Iterable[str] = (),
    ) -> str:
        """``docker build`` (classic builder via DOCKER_BUILDKIT=0 when ``classic``);
        returns the image id. BuildKit (classic=False) needs the buildx plugin."""
        args = ["build", "-t", tag]
        if dockerfile is not None:
            args += ["-f", str(dockerfile)]
        for k, v in (build_args or {}).items():
            args += ["--build-arg", f"{k}={v}"]
        args += [*extra_args, str(context_dir)]
        self.docker(*args, env={"DOCKER_BUILDKIT": "0" if classic else "1"})
        return self.docker("image", "inspect", "-f", "{{.Id}}", tag).stdout.strip()

    def history(self, image: str) -> list[dict[str, Any]]:
        """Raw ``GET /images/{image}/history`` (newest first; ``CreatedBy`` untruncated)."""
        return list(self.client.api.history(image))

    # ---- containers
    def run_container(self, *docker_run_args: str) -> str:
        """``docker run -d <args>``; returns the full container id."""
        out = self.docker("run", "-d", *docker_run_args).stdout.strip()
        return out.splitlines()[-1].strip()

    def container_ids(self) -> list[str]:
        return [c["Id"] for c in self.client.api.containers(all=True)]

    def remove_containers(self, ids: Iterable[str]) -> list[str]:
        import docker.errors

        removed = []
        for cid in ids:
            try:
                self.client.api.remove_container(cid, force=True, v=True)
                removed.append(cid)
            except docker.errors.NotFound:
                pass
        return removed

    def cleanup_containers(self) -> list[str]:
        """Force-remove every container (and anonymous volumes)."""
        return self.remove_containers(self.container_ids())

    # ---- networks / volumes (user-defined bridge networks create host interfaces!)
    def network_ids(self) -> list[str]:
        """Ids of user-defined networks (not the predefined host/none/bridge)."""
        return [
            n["Id"]
            for n in self.client.api.networks()
            if n["Name"] not in ("host", "none", "bridge")
        ]

    def _bridge_names(self) -> list[str]:
        names = []
        for n in self.client.api.networks():
            if n["Driver"] == "bridge" and n["Name"] != "bridge":
                opts = n.get("Options") or {}
                names.append(opts.get("com.docker.network.bridge.name") or f"br-{n['Id'][:12]}")
        return names

    def remove_networks(self, ids: Iterable[str]) -> None:
        import docker.errors

        for nid in ids:
            with contextlib.suppress(docker.errors.NotFound):
                self.client.api.remove_network(nid)

    def cleanup_networks(self) -> None:
        self.remove_networks(self.network_ids())

    def volume_names(self) -> list[str]:
        return [v["Name"] for v in self.client.api.volumes().get("Volumes") or []]

    def remove_volumes(self, names: Iterable[str]) -> None:
        import docker.errors

        for name in names:
            with contextlib.suppress(docker.errors.NotFound):
                self.client.api.remove_volume(name, force=True)


# --------------------------------------------------------------------------- pytest plugin

ENGINE_FIXTURES = frozenset({"docker_engine", "engine", "make_private_engine"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "engine: test needs a real private Docker Engine (tests/engine/harness.py)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if ENGINE_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.engine)


@pytest.fixture(scope="session")
def docker_engine() -> Iterator[PrivateEngine]:
    """One private engine per session, with ``busybox:dw`` imported."""
    reason = engine_unavailable_reason()
    if reason:
        skip_or_fail(reason)
    eng = PrivateEngine()
    try:
        eng.start()
        eng.import_busybox()
    except EngineUnavailable as exc:
        eng.stop()
        skip_or_fail(str(exc))
    except BaseException:
        eng.stop()
        raise
    try:
        yield eng
    finally:
        eng.stop()


@pytest.fixture
def engine(docker_engine: PrivateEngine) -> Iterator[PrivateEngine]:
    """The session engine; containers (then networks and volumes) created during the test
    are force-removed after it. Images are kept for the session."""
    eng = docker_engine
    before_c = set(eng.container_ids())
    before_n = set(eng.network_ids())
    before_v = set(eng.volume_names())
    yield eng
    if eng.ping():
        eng.remove_containers(c for c in eng.container_ids() if c not in before_c)
        eng.remove_networks(n for n in eng.network_ids() if n not in before_n)
        eng.remove_volumes(v for v in eng.volume_names() if v not in before_v)


@pytest.fixture
def make_private_engine() -> Iterator[Callable[..., PrivateEngine]]:
    """Factory: ``make_private_engine(*dockerd_args, tcp=False, busybox=False, **kw)``
    starts another daemon (stopped at test end). Skips (fails on CI) if it cannot start."""
    reason = engine_unavailable_reason()
    if reason:
        skip_or_fail(reason)
    engines: list[PrivateEngine] = []

    def factory(*extra_args: str, busybox: bool = False, **kwargs: Any) -> PrivateEngine:
        eng = PrivateEngine(*extra_args, **kwargs)
        engines.append(eng)
        try:
            eng.start()
            if busybox:
                eng.import_busybox()
        except EngineUnavailable as exc:
            eng.stop()
            skip_or_fail(str(exc))
        return eng

    try:
        yield factory
    finally:
        errors = []
        for eng in reversed(engines):
            try:
                eng.stop()
            except Exception as exc:  # pragma: no cover - best effort
                errors.append(exc)
        if errors:
            raise errors[0]
