"""DW202: a sensitive host directory or file is mounted into the container."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.knowledge import is_runtime_socket_path, normalize_host_path
from dockward.models.workload import Mount, Workload
from dockward.rules._common import mount_spec, string_list
from dockward.rules.registry import RuleContext, rule

_BINARIES = "host programs and libraries: replacing one runs attacker code as root on the host"
_HOST_RUNS = ("host start-up, login or scheduling configuration: the host runs what is "
              "written there as root")
_HOST_ACCOUNTS = "the host's user and group accounts: adding a UID 0 user gives a root login"

# Entry syntax: PATH, PATH/** (PATH and everything under it), and a suffix :rw (only when
# mounted writable).  Mounting a directory that contains an entry counts as mounting it.
DEFAULT_PATHS: dict[str, str] = {
    "/": "the host's whole filesystem: read /etc/shadow and SSH keys, write cron jobs, "
         "systemd units or authorized_keys that the host runs as root",
    "/etc": "the host's configuration: password hashes in /etc/shadow, sudoers, cron and "
            "systemd units",
    "/etc/shadow": "the host's password hashes",
    "/etc/gshadow": "the host's group password hashes",
    "/etc/sudoers": "the host's sudo rules",
    "/etc/sudoers.d/**": "the host's sudo rules",
    "/etc/ssh/**": "the host's SSH server keys and configuration",
    "/etc/ssl/private/**": "the host's TLS private keys",
    "/etc/kubernetes/**": "Kubernetes cluster credentials (admin.conf, kubelet.conf, PKI)",
    "/etc/docker/**": "the Docker daemon's configuration and TLS keys",
    "/etc/containerd/**:rw": "containerd's configuration (runtimes, plugins)",
    "/etc/passwd:rw": _HOST_ACCOUNTS,
    "/etc/group:rw": _HOST_ACCOUNTS,
    "/etc/crontab:rw": _HOST_RUNS,
    "/etc/cron.d/**:rw": _HOST_RUNS,
    "/etc/cron.hourly/**:rw": _HOST_RUNS,
    "/etc/cron.daily/**:rw": _HOST_RUNS,
    "/etc/cron.weekly/**:rw": _HOST_RUNS,
    "/etc/cron.monthly/**:rw": _HOST_RUNS,
    "/etc/systemd/**:rw": _HOST_RUNS,
    "/etc/init.d/**:rw": _HOST_RUNS,
    "/etc/rc.local:rw": _HOST_RUNS,
    "/etc/profile:rw": _HOST_RUNS,
    "/etc/profile.d/**:rw": _HOST_RUNS,
    "/etc/bash.bashrc:rw": _HOST_RUNS,
    "/etc/environment:rw": _HOST_RUNS,
    "/etc/ld.so.preload:rw": _HOST_RUNS,
    "/etc/ld.so.conf:rw": _HOST_RUNS,
    "/etc/ld.so.conf.d/**:rw": _HOST_RUNS,
    "/etc/pam.d/**:rw": _HOST_RUNS,
    "/etc/security/**:rw": _HOST_RUNS,
    "/etc/modprobe.d/**:rw": _HOST_RUNS,
    "/etc/modules-load.d/**:rw": _HOST_RUNS,
    "/etc/sysctl.conf:rw": _HOST_RUNS,
    "/etc/sysctl.d/**:rw": _HOST_RUNS,
    "/etc/udev/**:rw": _HOST_RUNS,
    "/etc/fstab:rw": _HOST_RUNS,
    "/root": "root's home on the host: SSH keys, cloud and registry credentials, shell "
             "start-up files",
    "/root/.ssh/**": "root's SSH keys and authorized_keys",
    "/root/.docker/**": "root's registry credentials and Docker client TLS keys",
    "/root/.kube/**": "root's Kubernetes credentials",
    "/home": "every user's home directory: SSH keys, tokens and shell start-up files",
    "/boot/**:rw": "the host's kernel and boot loader: a replaced kernel or initrd runs on "
                   "the next boot",
    "/proc/**": "the host's procfs: every host process's command line, and writable "
                "/proc/sys/kernel/core_pattern or /proc/sysrq-trigger to run code as root "
                "on the host or reboot it",
    "/sys/**:rw": "the host's sysfs and cgroup tree: a cgroup release_agent or "
                  "/sys/kernel/uevent_helper makes the host kernel run a program as root",
    "/dev": "every host device node, disks included (read-only does not stop writes to "
            "device nodes)",
    "/dev/pts/**": "the host's terminals: writing to them, or injecting input where "
                   "TIOCSTI is allowed, reaches shells running on the host",
    "/var/lib/docker/**": "Docker's data: every container's filesystem, volumes and "
                          "configuration, environment secrets included",
    "/var/lib/containerd/**": "containerd's data: image layers and container snapshots",
    "/var/lib/kubelet/**": "the kubelet's data: every pod's secrets and service-account "
                           "tokens",
    "/run/dbus/system_bus_socket": "the host's D-Bus system bus: container root is UID 0 "
                                   "to the bus and can ask systemd to start a command on "
                                   "the host",
    "/var/run/dbus/system_bus_socket": "the host's D-Bus system bus: container root is UID 0 "
                                       "to the bus and can ask systemd to start a command "
                                       "on the host",
    "/run/systemd/private": "systemd's private control socket: it starts and stops host "
                            "services",
    "/var/run/systemd/private": "systemd's private control socket: it starts and stops "
                                "host services",
    "/var/log/**:rw": "the host's logs: a container can erase its traces, and on Kubernetes "
                      "the kubelet follows symlinks planted under /var/log to serve any "
                      "host file",
    "/usr:rw": _BINARIES,
    "/usr/bin/**:rw": _BINARIES,
    "/usr/sbin/**:rw": _BINARIES,
    "/usr/lib/**:rw": _BINARIES,
    "/usr/lib64/**:rw": _BINARIES,
    "/usr/libexec/**:rw": _BINARIES,
    "/usr/local/bin/**:rw": _BINARIES,
    "/usr/local/sbin/**:rw": _BINARIES,
    "/usr/local/lib/**:rw": _BINARIES,
    "/bin/**:rw": _BINARIES,
    "/sbin/**:rw": _BINARIES,
    "/lib/**:rw": _BINARIES + " (and /lib/modules holds the kernel modules the host loads)",
    "/lib64/**:rw": _BINARIES,
}

# Entry syntax: PATH, PATH/**, and a suffix :ro (allowed only when mounted read-only).
DEFAULT_ALLOW: tuple[str, ...] = (
    "/etc/localtime",
    "/etc/timezone",
    "/sys/fs/cgroup:ro",
)


@dataclass(frozen=True, slots=True)
class _Entry:
    path: str
    subtree: bool
    mode: str  # "" any, "rw" writable only, "ro" read-only only
    spelling: str

    @classmethod
    def parse(cls, text: str) -> _Entry:
        raw = text.strip()
        mode = ""
        head, sep, tail = raw.rpartition(":")
        if sep and tail.lower() in ("ro", "rw"):
            raw, mode = head, tail.lower()
        subtree = False
        if raw.endswith("/**"):
            raw, subtree = raw[:-3] or "/", True
        return cls(normalize_host_path(raw) or "/", subtree, mode, text)

    def applies_to_mode(self, read_only: bool) -> bool:
        if self.mode == "rw":
            return not read_only
        if self.mode == "ro":
            return read_only
        return True

    def covers(self, source: str) -> bool:
        """The entry names ``source`` itself, or ``source`` lies in its subtree."""
        if source == self.path:
            return True
        return self.subtree and _is_under(source, self.path)

    def inside(self, source: str) -> bool:
        """Mounting ``source`` exposes this entry (``source`` is a parent directory)."""
        return _is_under(self.path, source)


def _is_under(path: str, parent: str) -> bool:
    if parent == "/":
        return path != "/"
    return path.startswith(parent + "/")


def _match(source: str, read_only: bool, entries: tuple[_Entry, ...]) -> tuple[_Entry, bool] | None:
    """The best entry for a mount: one that covers the source, else one it contains."""
    candidates = [e for e in entries if e.applies_to_mode(read_only)]
    covering = [e for e in candidates if e.covers(source)]
    if covering:
        return max(covering, key=lambda e: (len(e.path), not e.subtree)), False
    for e in candidates:
        if e.inside(source):
            return e, True
    return None


@rule(
    code="DW202",
    name="sensitive-host-path-mounted",
    model=Workload,
    severity=Severity.HIGH,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.6", "OWASP-D8", "ATTACK-T1611", "ATTACK-T1003.008",
          "PSS-baseline-hostpath-volumes"),
    options={"paths": list(DEFAULT_PATHS), "allow": list(DEFAULT_ALLOW)},
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """A sensitive host path (/, /etc, /proc, /var/lib/docker, ...) is mounted into the container.

    ## What it does
    Reports bind mounts whose host source is a sensitive path, lies under a sensitive
    subtree, or is a directory that contains one (mounting `/var` exposes
    `/var/lib/docker`). Spellings are normalized (`/etc/`, `//etc`, `/var/lib/../lib/docker`).
    Some paths matter even read-only because they hold secrets or live interfaces:
    `/`, `/etc` itself, `/etc/shadow`, `/etc/sudoers`, `/etc/ssh`, `/etc/ssl/private`,
    `/etc/kubernetes`, `/etc/docker`, `/root`, `/home`, `/proc`, `/dev`, `/dev/pts`,
    `/var/lib/docker`, `/var/lib/containerd`, `/var/lib/kubelet`, and the D-Bus and
    systemd control sockets. Others are reported only when writable: the files under
    `/etc` the host executes or trusts (`passwd`, `group`, cron, systemd, init scripts,
    profile scripts, `ld.so.preload`, PAM, `modprobe.d`, `sysctl.d`, udev, `fstab`), and
    `/boot`, `/sys`, `/var/log`, and the directories holding host programs and libraries
    (`/usr/bin`, `/usr/lib`, `/lib/modules`, ...). Runtime sockets and the directories
    holding them (`/var/run`, `/run`) are DW201's and are not reported again.

    Not reported by default: `/etc/localtime` and `/etc/timezone` (time zone); other
    directories under `/etc` that applications use for their own configuration
    (`/etc/nginx`, `/etc/pihole`), writable or not; read-only `/sys` and `/sys/fs/cgroup`
    (what monitoring agents mount, and what a container sees anyway); read-only `/var/log`
    (log shippers); paths under `/home` (project directories); read-only `/usr`.

    ## Why it matters
    A bind mount puts a piece of the host's filesystem inside the container, with the
    container's root as its owner. Writable `/`, `/etc` or `/root` lets it add a cron job,
    a systemd unit, a user with UID 0 or an SSH key that the host then runs or trusts;
    writable `/usr` or `/lib/modules` replaces programs and kernel modules the host
    executes; `/proc` and `/sys` from the host expose `core_pattern`, `sysrq-trigger` and
    cgroup `release_agent`, each a known way to run code as root on the host.
    `/var/lib/docker` holds every other container's filesystem and secrets. Read-only is
    no protection for secrets (`/etc/shadow`, `/root/.ssh`, Docker's container configs),
    for device nodes under `/dev`, or for sockets: `:ro` on `/` still fires.

    ## Bad
    ```yaml
    services:
      backup:
        image: alpine:3.20
        volumes:
          - /:/host:ro
          - /etc:/host-etc
    ```
    ```sh
    docker run -v /:/host -v /var/lib/docker:/var/lib/docker alpine:3.20 sh
    ```

    ## Good
    ```yaml
    services:
      backup:
        image: alpine:3.20
        volumes:
          - /srv/app/data:/data:ro
          - /etc/localtime:/etc/localtime:ro
    ```
    ```sh
    docker run -v /srv/app/data:/data:ro alpine:3.20 sh
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` mounts a path that is sensitive only when
    writable read-only (`:ro`, `read_only: true`, `readOnly: true`). Paths that stay
    sensitive read-only are left to a human: only the workload's owner knows whether it
    needs them or a narrower path.

    Mount only the specific directory the application needs (its own data under `/srv` or
    a named volume), read-only where possible. For host metrics, prefer an exporter that
    reads a narrow path read-only over mounting `/`; for logs, have the runtime ship them
    (a logging driver) rather than mounting Docker's data directory.

    ## Options
    - `paths` (list): sensitive host paths. `PATH` means that path (and mounting any
      directory that contains it); `PATH/**` adds everything under it; a `:rw` suffix
      reports it only when mounted writable. Replaces the default list when set.
    - `allow` (list, default `/etc/localtime`, `/etc/timezone`, `/sys/fs/cgroup:ro`): host
      paths never reported; `PATH/**` allows a subtree; a `:ro` suffix allows it only when
      mounted read-only.

    ## References
    - CIS Docker Benchmark v1.6, 5.6: sensitive host system directories are not mounted
      on containers (`CIS-5.6`)
    - OWASP Docker Security Cheat Sheet, rule 8: read-only filesystem and volumes
      (`OWASP-D8`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`); T1003.008, /etc/passwd and
      /etc/shadow (`ATTACK-T1003.008`)
    - Kubernetes Pod Security Standards, baseline: HostPath Volumes
      (`PSS-baseline-hostpath-volumes`)
    """
    if not any(m.is_host_path for m in w.mounts):
        return
    entries = _entries(tuple(string_list(ctx.option("paths", list(DEFAULT_PATHS)))))
    allow = _entries(tuple(string_list(ctx.option("allow", []))))
    for m in w.mounts:
        if not m.is_host_path or m.unresolved or m.source is None:
            continue
        source = normalize_host_path(m.source)
        if not source.startswith("/") or is_runtime_socket_path(source):
            continue  # relative/home-relative paths; sockets are DW201's
        if any(a.applies_to_mode(m.read_only) and a.covers(source) for a in allow):
            continue
        found = _match(source, m.read_only, entries)
        if found is None:
            continue
        entry, via_parent = found
        hit = _hit(m, source, entry, via_parent)
        if not m.read_only and _match(source, True, entries) is None:
            hit.remedy = Remedy(Change.SET, "mount_read_only", True, m.origin)
        else:
            hit.manual = (f"{source} is sensitive even read-only: whether the workload needs "
                          "it, or a narrower path, is its owner's decision")
        yield hit


@lru_cache(maxsize=32)
def _entries(specs: tuple[str, ...]) -> tuple[_Entry, ...]:
    """Parsed once per policy, not once per container (audits check hundreds)."""
    return tuple(_Entry.parse(p) for p in specs if p.strip())


def _hit(m: Mount, source: str, entry: _Entry, via_parent: bool) -> Hit:
    what = DEFAULT_PATHS.get(entry.spelling, "a path listed as sensitive by the policy")
    access = "read-only" if m.read_only else "writable"
    if via_parent:
        relation = f" (it contains {entry.path})"
    elif source != entry.path:
        relation = f" (inside {entry.path})"
    else:
        relation = ""
    tail = ("read-only still exposes what it holds" if m.read_only
            else "the container can change it on the host")
    severity = Severity.CRITICAL if source == "/" and not m.read_only else None
    return Hit(m.origin, f"mounts host {source} {access} at {m.target}{relation}: {what}; {tail}",
               f"mount {mount_spec(m)}", severity=severity)
