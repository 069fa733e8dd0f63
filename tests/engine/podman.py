"""A private Podman API service (Debian's podman): ``podman system service`` on a socket in
a temp dir, with its own storage (``--root``/``--runroot``, vfs), cgroupfs and file events,
so nothing touches the machine's Podman state.  Rootful as root; rootless as the user
``dwpodman``, created (with subordinate ids) when missing, the way dockerd creates
``dockremap`` for userns-remap.

Facts of the reference machine the flags answer to: there is no systemd to manage
cgroups or journald; Podman's default ``nofile`` and ``nproc`` limits are above the VM's
hard limits, so rootful containers get explicit ``--ulimit`` values (rootless ones inherit
the user's limits with ``--ulimit host``); there is no network namespace setup to rely
on, so containers use ``--network none``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

PODMAN = shutil.which("podman") or "/usr/bin/podman"
ROOTLESS_USER = "dwpodman"


def podman_unavailable_reason(rootless: bool = False) -> str | None:
    if not os.path.exists(PODMAN):
        return "podman not found (apt-get install podman uidmap)"
    if os.geteuid() != 0:
        return "the podman tests run as root (private storage, a rootless test user)"
    if rootless and not shutil.which("newuidmap"):
        return "newuidmap not found (apt-get install uidmap)"
    return None


def ensure_rootless_user() -> pwd.struct_passwd:
    """The rootless test user, with subordinate uid/gid ranges (created when missing)."""
    try:
        entry = pwd.getpwnam(ROOTLESS_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell",
                        "/usr/sbin/nologin", ROOTLESS_USER], check=True)
        entry = pwd.getpwnam(ROOTLESS_USER)
    for table in ("/etc/subuid", "/etc/subgid"):
        text = Path(table).read_text() if os.path.exists(table) else ""
        if not any(line.startswith(f"{ROOTLESS_USER}:") for line in text.splitlines()):
            with open(table, "a") as fh:
                fh.write(f"{ROOTLESS_USER}:300000:65536\n")
    return entry


class PodmanService:
    """``podman system service`` on ``<folder>/run/podman.sock``."""

    def __init__(self, folder: Path, rootless: bool = False) -> None:
        self.folder = folder
        self.rootless = rootless
        self.run_dir = folder / "run"
        self.proc: subprocess.Popen[bytes] | None = None
        self.user = ensure_rootless_user() if rootless else None

    @property
    def socket_path(self) -> str:
        return str(self.run_dir / "podman.sock")

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def _base(self) -> list[str]:
        cmd = [PODMAN, "--root", str(self.folder / "storage"), "--runroot",
               str(self.run_dir / "storage"), "--cgroup-manager", "cgroupfs",
               "--events-backend", "file", "--storage-driver", "vfs"]
        if self.user is None:
            return cmd
        env = [f"HOME={self.folder / 'home'}", f"XDG_RUNTIME_DIR={self.run_dir}",
               f"XDG_CONFIG_HOME={self.folder / 'home' / '.config'}"]
        return ["runuser", "-u", ROOTLESS_USER, "--", "env", *env, *cmd]

    def podman(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([*self._base(), *args], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=120)
        if check and proc.returncode != 0:
            raise RuntimeError(f"podman {' '.join(args)} failed: {proc.stderr.strip()}")
        return proc

    def start(self) -> PodmanService:
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o711)
        (self.folder / "home").mkdir(exist_ok=True)
        self.run_dir.mkdir(mode=0o700, exist_ok=True)
        if self.user is not None:
            for path in (self.folder, self.folder / "home", self.run_dir):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        log = open(self.folder / "service.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen([*self._base(), "system", "service", "--time=0", self.url],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     start_new_session=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"podman service exited: {self.log()}")
            with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as s:
                s.connect(self.socket_path)
                return self
            time.sleep(0.1)
        raise RuntimeError(f"podman service did not listen: {self.log()}")

    def import_tar(self, tar_bytes: bytes, tag: str) -> None:
        path = self.folder / "image.tar"
        path.write_bytes(tar_bytes)
        if self.user is not None:
            os.chown(path, self.user.pw_uid, self.user.pw_gid)
        self.podman("import", "--change", 'CMD ["sh"]', str(path), tag)

    def run(self, *args: str) -> str:
        limits = ["--ulimit", "host"] if self.rootless else [
            "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"]
        return self.podman("run", "-d", *limits, "--network", "none", *args).stdout.strip()

    def containers(self) -> list[str]:
        out = self.podman("ps", "-aq", check=False).stdout
        return [line for line in out.split() if line]

    def stop(self) -> None:
        """Remove every container (conmon keeps them alive without the service), stop the
        service and delete the storage."""
        with contextlib.suppress(Exception):
            self.podman("rm", "-af", "-t", "0", check=False)
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait(10)
        self.proc = None
        # rootless Podman keeps a pause process holding its user namespace
        pause = self.run_dir / "libpod" / "tmp" / "pause.pid"
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pause.read_text().strip()), 9)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        try:
            return (self.folder / "service.log").read_text(errors="replace")[-4000:]
        except OSError:
            return ""
