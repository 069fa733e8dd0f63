"""A private OpenSSH server on loopback whose sessions reach a private dockerd.

Debian's ``sshd`` runs on a free port with its own host key and an authorized key made
here; ``SetEnv DOCKER_HOST=...`` points the remote ``docker system dial-stdio`` (what the
docker CLI and SDK run over ssh) at a private engine's socket.  The client side is a
folder with an ``ssh`` wrapper that adds ``-F <our config>`` (known host, identity), put
first on ``PATH``, because the ssh client reads the user's real ``~/.ssh`` whatever
``$HOME`` says, and tests must not touch it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
SSH_KEYGEN = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"
SSH = shutil.which("ssh") or "/usr/bin/ssh"


def sshd_unavailable_reason() -> str | None:
    for path, package in ((SSHD, "openssh-server"), (SSH, "openssh-client"),
                          (SSH_KEYGEN, "openssh-client")):
        if not os.path.exists(path):
            return f"{path} not found (apt-get install {package})"
    if os.geteuid() != 0:
        return "sshd tests run as root (privilege separation)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivateSshd:
    """``sshd -D`` on 127.0.0.1:<port>; ``client_path`` goes first on PATH for clients."""

    def __init__(self, folder: Path, docker_host: str) -> None:
        self.folder = folder
        self.docker_host = docker_host
        self.port = _free_port()
        self.user = "root"
        self.proc: subprocess.Popen[bytes] | None = None
        self.client_path = folder / "client-bin"

    @property
    def url(self) -> str:
        return f"ssh://{self.user}@127.0.0.1:{self.port}"

    def start(self) -> PrivateSshd:
        f = self.folder
        f.mkdir(parents=True, exist_ok=True)
        f.chmod(0o700)
        for name in ("host_key", "client_key"):
            subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-f", str(f / name)],
                           check=True, stdin=subprocess.DEVNULL)
        (f / "authorized_keys").write_bytes((f / "client_key.pub").read_bytes())
        (f / "authorized_keys").chmod(0o600)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privilege separation dir
        (f / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {f / 'host_key'}\n"
            f"PidFile {f / 'sshd.pid'}\nAuthorizedKeysFile {f / 'authorized_keys'}\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
            "PermitRootLogin prohibit-password\nStrictModes no\n"
            f"SetEnv DOCKER_HOST={self.docker_host}\n")
        host_pub = (f / "host_key.pub").read_text().split()
        (f / "known_hosts").write_text(f"[127.0.0.1]:{self.port} {host_pub[0]} {host_pub[1]}\n")
        (f / "ssh_config").write_text(
            f"Host 127.0.0.1\n  IdentityFile {f / 'client_key'}\n  IdentitiesOnly yes\n"
            f"  UserKnownHostsFile {f / 'known_hosts'}\n  StrictHostKeyChecking yes\n"
            "  BatchMode yes\n  ConnectTimeout 10\n  LogLevel ERROR\n")
        self.client_path.mkdir(exist_ok=True)
        wrapper = self.client_path / "ssh"
        wrapper.write_text(f'#!/bin/sh\nexec {SSH} -F {f / "ssh_config"} "$@"\n')
        wrapper.chmod(0o755)
        self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(f / "sshd_config")],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(f / "sshd.log", "wb"))  # noqa: SIM115
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sshd exited: {(f / 'sshd.log').read_text()}")
            with contextlib.suppress(OSError), socket.create_connection(
                    ("127.0.0.1", self.port), timeout=0.5):
                return self
            time.sleep(0.05)
        raise RuntimeError("sshd did not listen within 10 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def log(self) -> str:
        try:
            return (self.folder / "sshd.log").read_text(errors="replace")
        except OSError:
            return ""
