"""A live daemon's configuration and its host: ``GET /info`` + what the machine shows.

``/info`` says what the daemon *does* (seccomp profile, userns, rootless, LSMs, live
restore, authorization plugins, registries).  What it was *told* lives in its command line
(``/proc/<pid>/cmdline`` of the ``dockerd`` process serving the endpoint) and in
``daemon.json``; only those two say whether ``icc`` or ``no-new-privileges`` is set, and
only together can a missing setting be called unset (``Daemon.complete``).  The socket's
owner, group and mode and the members of that group decide who is root-equivalent.

All of this is read from the local machine, so it only applies to local endpoints
(``unix://`` sockets and ``tcp://`` on loopback); remote daemons get ``info`` alone.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from dockward.models.daemon import Daemon, Listener
from dockward.models.host import FileFacts, GroupMember, Host
from dockward.models.location import Location
from dockward.readers.engine.connect import SYSTEM_SOCKETS, Endpoint

DEFAULT_DAEMON_JSON = "/etc/docker/daemon.json"
DEFAULT_DATA_ROOT = "/var/lib/docker"
SYSTEMD_DIRS = ("/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system")
DEFAULTS_FILES = ("/etc/default/docker", "/etc/sysconfig/docker")
CONTAINERD_SOCKET = "/run/containerd/containerd.sock"


@dataclass
class DockerdProcess:
    """A running ``dockerd``: its pid, argv, owner and the environment it started with."""

    pid: int
    argv: list[str]
    uid: int
    env: dict[str, str] = field(default_factory=dict)

    @property
    def flags(self) -> list[str]:
        return self.argv[1:]


@dataclass
class DaemonConfigFile:
    """``daemon.json``: parsed content, or why it could not be read.

    ``known`` is True when the content is known, including "the file does not exist"
    (dockerd then uses its defaults); False for unreadable or invalid files.
    """

    path: str
    data: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    exists: bool = False
    known: bool = False
    error: str = ""


# --------------------------------------------------------------------------- processes


def _read_proc(pid: int, name: str) -> bytes:
    with open(f"/proc/{pid}/{name}", "rb") as fh:
        return fh.read()


def dockerd_processes(proc_root: str = "/proc") -> list[DockerdProcess]:
    """Every visible ``dockerd`` process (none when dockward runs in its own PID namespace)."""
    out: list[DockerdProcess] = []
    try:
        names = os.listdir(proc_root)
    except OSError:
        return out
    for name in names:
        if not name.isdigit():
            continue
        pid = int(name)
        try:
            raw = _read_proc(pid, "cmdline")
        except OSError:
            continue
        argv = [a.decode(errors="replace") for a in raw.split(b"\0") if a]
        if not argv or os.path.basename(argv[0]) != "dockerd":
            continue
        try:
            uid = os.stat(f"{proc_root}/{pid}").st_uid
        except OSError:
            uid = -1
        env: dict[str, str] = {}
        try:
            for item in _read_proc(pid, "environ").split(b"\0"):
                key, eq, value = item.decode(errors="replace").partition("=")
                if eq and key in ("DOCKER_TLS_VERIFY", "XDG_CONFIG_HOME", "HOME",
                                  "DOCKER_MIN_API_VERSION"):
                    env[key] = value
        except OSError:
            pass
        out.append(DockerdProcess(pid=pid, argv=argv, uid=uid, env=env))
    return sorted(out, key=lambda p: p.pid)


def _flag_values(flags: list[str], *names: str) -> list[str]:
    """Values of a dockerd flag (``-H x``, ``--host=x``, ``-Hx``) through the Daemon model."""
    probe = Daemon(name="", anchor=Location(), flags=flags)
    key = {"host": "hosts"}.get(names[0], names[0])
    return [str(s.value) for s in probe.settings(key)]


def process_hosts(proc: DockerdProcess, config: Mapping[str, Any]) -> list[str]:
    """The addresses a dockerd listens on (flags, then daemon.json ``hosts``)."""
    hosts = _flag_values(proc.flags, "host")
    configured = config.get("hosts")
    if isinstance(configured, list):
        hosts += [str(h) for h in configured]
    elif isinstance(configured, str):
        hosts.append(configured)
    return hosts or [f"unix://{SYSTEM_SOCKETS[0]}"]


def process_config_path(proc: DockerdProcess) -> str:
    """``--config-file``, else the rootless or system default location."""
    given = _flag_values(proc.flags, "config-file")
    if given and given[-1]:
        return given[-1]
    if proc.uid > 0:
        base = proc.env.get("XDG_CONFIG_HOME") or os.path.join(
            proc.env.get("HOME") or _home_of(proc.uid), ".config")
        return os.path.join(base, "docker", "daemon.json")
    return DEFAULT_DAEMON_JSON


def _home_of(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_dir
    except KeyError:
        return "/"


def _real(path: str) -> str:
    try:
        return os.path.realpath(path)
    except OSError:
        return path


def _serves(endpoint: Endpoint, hosts: Iterable[str]) -> bool:
    """Does a dockerd listening on ``hosts`` answer at ``endpoint``?"""
    socket_path = endpoint.socket_path
    system = {_real(p) for p in SYSTEM_SOCKETS}
    for host in hosts:
        scheme, _, rest = host.partition("://")
        scheme = scheme.lower()
        if socket_path is not None:
            if scheme == "unix" and _real("/" + rest.lstrip("/")) == _real(socket_path):
                return True
            if scheme == "fd" and _real(socket_path) in system:
                return True  # systemd socket activation (docker.socket: /run/docker.sock)
        elif scheme == "tcp" and endpoint.scheme in ("tcp", "https", "http"):
            want, have = urlsplit(endpoint.url), urlsplit(host)
            if want.port == have.port and (have.hostname in (None, "", "0.0.0.0", "::")
                                           or have.hostname == want.hostname):
                return True
    return False


def match_dockerd(endpoint: Endpoint, info: Mapping[str, Any],
                  processes: list[DockerdProcess],
                  configs: Mapping[int, DaemonConfigFile]) -> DockerdProcess | None:
    """The dockerd process behind ``endpoint``: by listening address, else by data root."""
    for proc in processes:
        config = configs[proc.pid].data if proc.pid in configs else {}
        if _serves(endpoint, process_hosts(proc, config)):
            return proc
    root = str(info.get("DockerRootDir") or "")
    by_root = [p for p in processes
               if _real((_flag_values(p.flags, "data-root") or [DEFAULT_DATA_ROOT])[-1])
               == _real(root)]
    return by_root[0] if len(by_root) == 1 and root else None


# --------------------------------------------------------------------------- daemon.json


def read_daemon_config(path: str) -> DaemonConfigFile:
    """Read ``daemon.json``; a missing file is known (defaults), an unreadable one is not."""
    result = DaemonConfigFile(path=path)
    try:
        result.text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        result.known = True
        return result
    except (OSError, UnicodeDecodeError) as exc:
        result.exists = os.path.exists(path)
        result.error = f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
        return result
    result.exists = True
    try:
        data = json.loads(result.text) if result.text.strip() else {}
    except ValueError as exc:
        result.error = f"{path} is not valid JSON: {exc}"
        return result
    if not isinstance(data, dict):
        result.error = f"{path} is not a JSON object"
        return result
    result.data = data
    result.known = True
    return result


def _key_position(text: str, key: str) -> tuple[int, int]:
    """Line and column of ``"key":`` in daemon.json text (1, 1 when not found)."""
    match = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    if match is None:
        return 1, 1
    line = text.count("\n", 0, match.start()) + 1
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    return line, column


# --------------------------------------------------------------------------- the Daemon


def daemon_from_live(
    endpoint: Endpoint,
    info: Mapping[str, Any],
    process: DockerdProcess | None,
    config: DaemonConfigFile | None,
    bridge_options: Mapping[str, str] | None = None,
    bridge_checked: bool = False,
) -> Daemon:
    """The live daemon behind ``endpoint`` as a Daemon model (``source_kind='live'``).

    ``bridge_options`` are the default bridge network's options; ``bridge_checked`` says
    the network was looked up at all (None options then mean: there is no such network).
    """
    label = endpoint.label
    anchor = Location(subject=label)
    daemon = Daemon(name=label, anchor=anchor, info=dict(info), source_kind="live",
                    host=label)
    if process is not None:
        daemon.flags = process.flags
        for index in range(len(daemon.flags)):
            daemon.origins[f"argv[{index}]"] = Location(subject=label,
                                                        path=f"dockerd.argv[{index + 1}]")
        daemon.facts["pid"] = process.pid
        daemon.facts["uid"] = process.uid
        if process.env.get("DOCKER_MIN_API_VERSION"):
            daemon.facts["min_api_version"] = process.env["DOCKER_MIN_API_VERSION"]
        package = installed_package(process.argv[0])
        if package is not None:
            daemon.facts["package"] = package
    if config is not None:
        daemon.config_path = config.path
        daemon.config = dict(config.data)
        for key in daemon.config:
            line, column = _key_position(config.text, key)
            daemon.origins[f"daemon.json.{key}"] = Location(
                file=config.path, line=line, column=column, path=key, subject=label)
        if config.error:
            daemon.facts["config_error"] = config.error
    daemon.complete = bool(info) and process is not None and config is not None and config.known
    if bridge_options is not None:
        daemon.bridge_options = dict(bridge_options)
    daemon.bridge_checked = bridge_checked
    daemon.facts["endpoint"] = endpoint.display_url
    daemon.listeners = _listeners(daemon, endpoint, process)
    return daemon


DPKG_STATUS = "/var/lib/dpkg/status"
ENGINE_PACKAGES = ("docker.io", "docker-ce", "moby-engine", "docker-engine")


def installed_package(binary: str, status_file: str = DPKG_STATUS) -> dict[str, str] | None:
    """The Debian package that installed dockerd (name and full version), if dpkg knows.

    ``docker version`` shows ``20.10.24+dfsg1`` for every Debian build; only the package
    revision (``-1+deb12u1``) says which security fixes were backported.
    """
    del binary  # the engine packages are few; the first one installed is dockerd's
    try:
        text = Path(status_file).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines()
                      if ": " in line and not line.startswith(" "))
        if fields.get("Package") in ENGINE_PACKAGES and \
                "installed" in fields.get("Status", "").split():
            return {"name": fields["Package"], "version": fields.get("Version", "")}
    return None


def _listeners(daemon: Daemon, endpoint: Endpoint,
               process: DockerdProcess | None) -> list[Listener]:
    """Addresses dockerd listens on, with the TLS it enforces there.

    Besides ``-H``/``hosts``, reaching a daemon over plain ``tcp://`` is itself proof that
    it listens on TCP without TLS, even for a remote host whose flags are unknown.
    """
    verify_env = bool(process and process.env.get("DOCKER_TLS_VERIFY"))
    tls_verify = bool(daemon.enabled("tlsverify")) or (
        verify_env and daemon.enabled("tlsverify") is not False)
    tls = tls_verify or bool(daemon.enabled("tls"))
    out: list[Listener] = []
    for setting in daemon.settings("hosts"):
        address = str(setting.value)
        if address:
            out.append(Listener(address=address, origin=setting.origin, tls=tls,
                                tls_verify=tls_verify, role="daemon"))
    if endpoint.scheme in ("tcp", "http", "https"):
        seen = {_tcp_key(listener.address) for listener in out}
        if _tcp_key(endpoint.url) not in seen and not _wildcard_covers(out, endpoint.url):
            client_cert = bool(endpoint.tls.client_cert)
            out.append(Listener(
                address=endpoint.display_url.replace("https://", "tcp://").replace(
                    "http://", "tcp://"),
                origin=Location(subject=daemon.name, path="endpoint"),
                tls=endpoint.tls.active, tls_verify=endpoint.tls.active and client_cert,
                role="daemon"))
    return out


def _tcp_key(address: str) -> tuple[str, int | None]:
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    return parts.hostname or "", parts.port


def _wildcard_covers(listeners: list[Listener], url: str) -> bool:
    _, port = _tcp_key(url)
    return any(_tcp_key(x.address)[0] in ("", "0.0.0.0", "::") and _tcp_key(x.address)[1] == port
               for x in listeners if x.is_tcp)


# --------------------------------------------------------------------------- the Host


def file_facts(path: str, role: str, subject: str) -> FileFacts | None:
    """Owner, group and mode of ``path`` (None when it does not exist)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if stat.S_ISSOCK(st.st_mode):
        kind = "socket"
    elif stat.S_ISDIR(st.st_mode):
        kind = "dir"
    elif stat.S_ISREG(st.st_mode):
        kind = "file"
    else:
        kind = "other"
    return FileFacts(
        path=path, role=role, origin=Location(subject=subject, path=f"file:{path}"),
        uid=st.st_uid, gid=st.st_gid, owner=_user_name(st.st_uid),
        group=_group_name(st.st_gid), mode=stat.S_IMODE(st.st_mode), kind=kind,
    )


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def group_members(gid: int) -> list[GroupMember]:
    """Users holding group ``gid``: listed in /etc/group, or having it as primary group."""
    members: dict[str, GroupMember] = {}
    try:
        for user in grp.getgrgid(gid).gr_mem:
            members[user] = GroupMember(user=user, how="member", uid=_uid_of(user))
    except KeyError:
        pass
    try:
        for entry in pwd.getpwall():
            if entry.pw_gid == gid and entry.pw_name not in members:
                members[entry.pw_name] = GroupMember(user=entry.pw_name, how="primary",
                                                     uid=entry.pw_uid)
    except OSError:
        pass
    return sorted(members.values(), key=lambda m: m.user)


def _uid_of(user: str) -> int | None:
    try:
        return pwd.getpwnam(user).pw_uid
    except KeyError:
        return None


def host_from_live(endpoint: Endpoint, daemon: Daemon, process: DockerdProcess | None,
                   ) -> Host:
    """Socket, group members and daemon file permissions of a local daemon's machine."""
    label = endpoint.label
    rootless = daemon.rootless
    host = Host(name=label, anchor=Location(subject=label), local=endpoint.is_local,
                rootless=rootless)
    if not endpoint.is_local:
        return host
    socket_path = endpoint.socket_path or _first_unix_host(daemon)
    if socket_path:
        host.socket = file_facts(socket_path, "socket", label)
        if host.socket is None:
            host.errors.append(f"cannot stat socket {socket_path}")
        elif host.socket.mode & 0o060:
            host.socket_group_members = group_members(host.socket.gid)
    host.files = list(_daemon_files(daemon, label, process))
    return host


def _first_unix_host(daemon: Daemon) -> str | None:
    for listener in daemon.listeners:
        if listener.address.startswith("unix://"):
            return "/" + listener.address.split("://", 1)[1].lstrip("/")
    return None


def _daemon_files(daemon: Daemon, label: str, process: DockerdProcess | None,
                  ) -> Iterable[FileFacts]:
    """The files CIS section 3 names, where they exist."""
    wanted: list[tuple[str, str]] = []
    config_path = daemon.config_path or DEFAULT_DAEMON_JSON
    wanted.append((config_path, "daemon-config"))
    wanted.append((os.path.dirname(config_path) or "/etc/docker", "config-dir"))
    certs_d = os.path.join(os.path.dirname(config_path) or "/etc/docker", "certs.d")
    wanted.append((certs_d, "registry-certs"))
    wanted.extend(_registry_cert_files(certs_d))
    tls_on = bool(daemon.enabled("tls") or daemon.enabled("tlsverify"))
    root_home = _home_of(process.uid) if process is not None and process.uid > 0 else "/root"
    for key, role, default in (("tlscacert", "tls-ca", "ca.pem"),
                               ("tlscert", "tls-cert", "cert.pem"),
                               ("tlskey", "tls-key", "key.pem")):
        setting = daemon.setting(key)
        if setting is not None and setting.value:
            wanted.append((str(setting.value), role))
        elif tls_on:
            wanted.append((os.path.join(root_home, ".docker", default), role))
    for unit in ("docker.service", "docker.socket"):
        for folder in SYSTEMD_DIRS:
            path = os.path.join(folder, unit)
            if os.path.exists(path):
                wanted.append((path, "systemd-unit"))
                break
    wanted.extend((p, "defaults-file") for p in DEFAULTS_FILES)
    wanted.append((CONTAINERD_SOCKET, "containerd-socket"))
    seen: set[str] = set()
    for path, role in wanted:
        if path in seen:
            continue
        seen.add(path)
        facts = file_facts(path, role, label)
        if facts is not None:
            yield facts


def _registry_cert_files(certs_d: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    try:
        registries = sorted(os.listdir(certs_d))
    except OSError:
        return out
    for registry in registries:
        folder = os.path.join(certs_d, registry)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            role = "tls-key" if name.endswith(".key") else "registry-certs"
            out.append((os.path.join(folder, name), role))
    return out
