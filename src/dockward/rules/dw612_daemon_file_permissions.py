"""DW612: a file that configures or authenticates the daemon is not root-owned and private."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.host import FileFacts, Host
from dockward.rules.registry import RuleContext, rule

# role -> (widest acceptable mode, what the file is, why it matters)
EXPECTED: dict[str, tuple[int, str, str]] = {
    "daemon-config": (0o644, "daemon.json",
                      "whoever can write it can turn on a TCP listener without TLS or drop "
                      "every security default at the next restart"),
    "config-dir": (0o755, "the daemon's configuration folder",
                   "whoever can write it can replace daemon.json, certificates and keys"),
    "registry-certs": (0o755, "registry certificates",
                       "whoever can write them can make the daemon trust a rogue registry"),
    "tls-ca": (0o644, "the daemon's TLS CA certificate",
               "whoever can replace it decides which clients the daemon accepts"),
    "tls-cert": (0o644, "the daemon's TLS certificate",
                 "whoever can replace it can impersonate the daemon"),
    "tls-key": (0o600, "the daemon's TLS private key",
                "whoever can read it can impersonate the daemon to its clients"),
    "systemd-unit": (0o644, "a systemd unit of the daemon",
                     "whoever can write it decides dockerd's flags at the next start"),
    "defaults-file": (0o644, "dockerd's defaults file (DOCKER_OPTS)",
                      "whoever can write it decides dockerd's flags at the next start"),
    "containerd-socket": (0o660, "containerd's socket",
                          "whoever can connect to it can start privileged containers "
                          "behind dockerd's back"),
}
FILE_MODES = {"registry-certs": 0o644}  # files (not the folder) under certs.d


@rule(
    code="DW612",
    name="daemon-file-permissions",
    model=Host,
    severity=Severity.MEDIUM,
    fix=FixSafety.NONE,
    refs=("CIS-3.1", "CIS-3.5", "CIS-3.6", "CIS-3.13", "CIS-3.14", "CIS-3.17", "CIS-3.18",
          "CIS-3.24"),
)
def check(host: Host, ctx: RuleContext) -> Iterator[Hit]:
    """A file that configures the daemon or holds its keys is not root-owned, or is too open.

    ## What it does
    Checks owner and mode of the daemon's files on a local host. These are `daemon.json`
    (the one dockerd reads: `--config-file`, default `/etc/docker/daemon.json`),
    `/etc/docker` and `certs.d`, the TLS CA, certificate and key dockerd is configured
    with, `docker.service` and `docker.socket`, `/etc/default/docker`,
    `/etc/sysconfig/docker` and containerd's socket. Each must be owned by root (for a
    rootless daemon, by its user). No one else may write it: at most `0644` for files,
    `0755` for folders, `0660` for containerd's socket (group root), and `0600` for
    private keys.

    ## Why it matters
    These files decide how the daemon starts and whom it trusts. Whoever can write
    `daemon.json` or a unit file can add `-H tcp://0.0.0.0:2375` or remove
    `userns-remap`, and gets root at the next restart. Whoever can read the TLS key can
    impersonate the daemon, and a writable CA lets any client in. Containerd's socket is
    as powerful as Docker's.

    ## Bad
    ```sh
    $ ls -l /etc/docker/daemon.json /etc/docker/key.pem
    -rw-rw-rw- 1 root root  120 Jun 22 11:21 /etc/docker/daemon.json
    -rw-r--r-- 1 root root 3243 Jun 22 11:21 /etc/docker/key.pem
    ```

    ## Good
    ```sh
    $ ls -l /etc/docker/daemon.json /etc/docker/key.pem
    -rw-r--r-- 1 root root  120 Jun 22 11:21 /etc/docker/daemon.json
    -r-------- 1 root root 3243 Jun 22 11:21 /etc/docker/key.pem
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's or a host's
    configuration: it needs a restart of the daemon or changes outside containers, which is
    the host owner's call.

    `chown root:root FILE` and `chmod 644` (configuration, certificates, units), `chmod
    755` (folders) or `chmod 400` (keys). Then check who changed them: a world-writable
    `daemon.json` is often left by a provisioning script.

    ## References
    - CIS Docker Benchmark v1.6, 3.1: docker.service ownership (`CIS-3.1`); 3.5 and 3.6:
      /etc/docker ownership and permissions (`CIS-3.5`, `CIS-3.6`); 3.13 and 3.14: the
      server key's ownership and permissions (`CIS-3.13`, `CIS-3.14`); 3.17 and 3.18:
      daemon.json ownership and permissions (`CIS-3.17`, `CIS-3.18`); 3.24: containerd
      socket permissions (`CIS-3.24`)
    """
    if not host.local:
        return
    for facts in host.files:
        problem = file_problem(facts, host.rootless)
        if problem is None:
            continue
        _, what, why = EXPECTED[facts.role]
        yield Hit(
            facts.origin,
            f"{what} {facts.path} is {facts.owner}:{facts.group} {facts.mode_text} "
            f"({facts.symbolic}): {problem}; {why}",
            f"{facts.path} {facts.owner}:{facts.group} {facts.mode_text}",
        )


def file_problem(facts: FileFacts, rootless: bool = False) -> str | None:
    """What is wrong with one file's owner or mode, or None."""
    if facts.role not in EXPECTED:
        return None
    allowed = EXPECTED[facts.role][0]
    if facts.kind == "file" and facts.role in FILE_MODES:
        allowed = FILE_MODES[facts.role]
    problems: list[str] = []
    if facts.uid != 0 and not rootless:
        problems.append(f"owned by {facts.owner}, not root")
    if facts.role == "containerd-socket" and facts.gid != 0:
        problems.append(f"group {facts.group} can use it, not root")
    extra = facts.wider_than(allowed)
    if extra & 0o022:
        problems.append("writable by " + ("everyone" if extra & 0o002 else "its group"))
    if facts.role == "tls-key" and extra & 0o044:
        problems.append("readable by " + ("everyone" if extra & 0o004 else "its group"))
    elif extra and not extra & 0o066:
        problems.append(f"mode wider than {allowed:04o}")
    return "; ".join(problems) if problems else None
