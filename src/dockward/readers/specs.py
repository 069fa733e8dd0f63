"""Docker's short spellings of mounts, devices, ports and tmpfs: one parser each.

The same text means the same thing whether it is written after ``docker run -v``, in a
compose file's short ``volumes:`` list or found in an inspect result's ``HostConfig.Binds``,
because the tools that read those surfaces share their splitters:

* volumes: the docker CLI splits ``-v`` with the splitter compose-go also uses
  (``ParseVolume``: a one-letter field before ``:`` is a Windows drive, a spec of one or
  two characters is only a container path, an empty field or a fourth field is an error)
  and hands every spec with a source to the daemon as a ``Binds`` entry, which the daemon
  then checks (``linux_parser.ParseMountRaw``).  So ``/data:ro`` is *not* an anonymous
  volume with a mode for any of them: it is ``/data`` mounted at ``ro``, which the daemon
  refuses ("invalid volume specification") and compose passes on to the daemon, which
  refuses its relative container path;
* ports: both the CLI and compose-go read ``-p`` / short ``ports:`` with
  ``go-connections/nat.ParsePortSpec``;
* devices: here the two differ.  The CLI (``parseLinuxDevice``) reads a second field made
  of ``r``/``w``/``m`` as permissions (``/dev/sda:rw`` is ``/dev/sda`` with ``rw``);
  compose-go always reads it as the container path (``/dev/sda`` at ``rw``, ``rwm``);
* tmpfs: ``target[:options]`` everywhere.

Where a surface really differs it is named by :class:`Surface`; everything else is shared.
Each parser returns what the tool would read and, separately, why the tool would refuse it:
``error`` (the spelling itself is refused: compose rejects the file, the CLI the command)
and ``rejected`` (it parses, but the engine will not create such a container).  Readers
decide what to do with a refused spec, since only some surfaces can report problems.

Values may hold expansions a static reader cannot resolve (``$SOCK``, ``${HOME:-/x}``,
``$(pwd)``): fields are split outside them, and a source that holds one is *unresolved*.
"""

from __future__ import annotations

import csv
import ipaddress
import re
from dataclasses import dataclass
from enum import StrEnum

from dockward.models.location import Location
from dockward.models.workload import Device, Mount, Port


class Surface(StrEnum):
    """Who reads a spec, where that changes its meaning."""

    RUN = "run"  # docker/podman/nerdctl run|create flags: the CLI splits, the daemon checks
    COMPOSE = "compose"  # compose-go's short syntax
    ENGINE = "engine"  # strings in Engine API bodies: HostConfig.Binds, lenient Devices


_EXPANSION = re.compile(r"\$[{(A-Za-z_0-9@*#?!$-]|`")


def has_expansion(text: str) -> bool:
    """True when ``text`` holds a shell or compose expansion a static reader cannot resolve."""
    return bool(_EXPANSION.search(text))


def split_fields(spec: str) -> list[str]:
    """Split on ``:`` outside ``${...}`` and ``$(...)`` (``${HOME:-/x}:/app`` is two fields)."""
    fields: list[str] = []
    current: list[str] = []
    depth = 0
    previous = ""
    for char in spec:
        if char in "{(" and (previous == "$" or depth):
            depth += 1
        elif char in "})" and depth:
            depth -= 1
        if char == ":" and depth == 0:
            fields.append("".join(current))
            current = []
        else:
            current.append(char)
        previous = char
    fields.append("".join(current))
    return fields


# ----------------------------------------------------------------------------- volumes

_PROPAGATIONS = frozenset({"private", "rprivate", "shared", "rshared", "slave", "rslave"})
_SELINUX = frozenset({"z", "Z"})
_CONSISTENCY = frozenset({"consistent", "cached", "delegated"})
_RW = frozenset({"ro", "rw"})
# The daemon's mode groups (linuxValidMountMode): one word of each at most.
_MODE_GROUPS = (_RW, _SELINUX, _PROPAGATIONS, frozenset({"nocopy"}), _CONSISTENCY)
_VOLUME_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]+")
_DRIVE = re.compile(r"[A-Za-z]:")


@dataclass(frozen=True, slots=True)
class VolumeSpec:
    """A ``[source:]target[:mode]`` volume as its surface reads it.

    ``source`` None is an anonymous volume.  ``kind`` is ``bind`` for host paths and
    ``volume`` for names.  ``options`` are the mode words as written.
    """

    source: str | None
    target: str
    kind: str
    options: tuple[str, ...] = ()
    read_only: bool = False
    propagation: str | None = None
    selinux: str | None = None
    nocopy: bool = False
    unresolved: bool = False
    error: str | None = None  # the spelling is refused (CLI/compose/daemon parser)
    rejected: str | None = None  # it parses, but the engine refuses such a container

    def mount(self, origin: Location) -> Mount:
        return Mount(type=self.kind, source=self.source, target=self.target, origin=origin,
                     read_only=self.read_only, propagation=self.propagation,
                     unresolved=self.unresolved)


def is_host_source(source: str, unresolved: bool = False) -> bool:
    """compose-go's ``isFilePath``, which the docker CLI shares in effect: a source starting
    with ``/``, ``.``, ``~``, ``\\\\`` or a drive letter is a host path, anything else names a
    volume.  An unresolved source is judged by the text before its first expansion, and
    one that starts with an expansion (``$PWD/x``, ``$(pwd)``) is taken as a path, which
    is how such variables are used."""
    head = source
    if unresolved:
        match = _EXPANSION.search(source)
        head = source[: match.start()] if match else source
        if not head:
            return True
    return head.startswith(("/", ".", "~", "\\\\")) or bool(_DRIVE.match(head))


def _volume_fields(spec: str) -> tuple[list[str], str | None]:
    """compose-go's ``ParseVolume`` splitter (the docker CLI's too), outside expansions."""
    if len(spec) <= 2:
        return [spec], None
    fields: list[str] = []
    for part in split_fields(spec):
        if fields and len(fields[-1]) == 1 and fields[-1].isalpha():
            fields[-1] = f"{fields[-1]}:{part}"  # C:\data: a one-letter field is a drive
            continue
        fields.append(part)
    if any(not f for f in fields):
        return fields, "empty section between colons"
    if len(fields) > 3:
        return fields, "too many colons"
    return fields, None


def _daemon_mode_problem(options: list[str]) -> str | None:
    """Why the daemon refuses a ``Binds`` mode (``linuxValidMountMode``), or None."""
    for option in options:
        if not any(option in group for group in _MODE_GROUPS):
            return f"invalid mode: {','.join(options)}"
    for group in _MODE_GROUPS:
        if sum(option in group for option in options) > 1:
            return f"invalid mode: {','.join(options)}"
    return None


def parse_volume(spec: str, surface: Surface, expands: bool = False) -> VolumeSpec:
    """A short volume spec (``-v``, compose ``volumes:``, ``HostConfig.Binds``).

    ``expands`` says the text may hold unresolved expansions (an unquoted shell word, a
    compose value with unresolved variables).
    """
    text = spec.strip()
    if not text:
        return VolumeSpec(None, "", "volume", error="empty volume spec")
    fields, error = _volume_fields(text)
    if len(fields) == 1:
        # the CLI sends an anonymous volume as Config.Volumes, which create does not check
        rejected = None if surface is Surface.RUN else _target_problem(fields[0])
        return VolumeSpec(None, fields[0], "volume", error=error, rejected=rejected)
    source, target = fields[0], fields[1]
    options = [o for o in ",".join(fields[2:3]).split(",") if o] if len(fields) > 2 else []
    unresolved = expands and has_expansion(source)
    kind = "bind" if is_host_source(source, unresolved) else "volume"
    if surface is Surface.COMPOSE:
        read_only, propagation, selinux, nocopy = _compose_options(options)
        rejected = _target_problem(target)
    else:
        read_only = "ro" in options
        propagation = next((o for o in options if o in _PROPAGATIONS), None)
        selinux = next((o for o in options if o in _SELINUX), None)
        nocopy = "nocopy" in options
        rejected = _daemon_rejects(source, target, kind, options, unresolved)
    return VolumeSpec(source, target, kind, tuple(options), read_only, propagation, selinux,
                      nocopy, unresolved, error, rejected)


def _compose_options(options: list[str]) -> tuple[bool, str | None, str | None, bool]:
    """compose-go: the last ``ro``/``rw`` wins, unknown words are ignored."""
    read_only, propagation, selinux, nocopy = False, None, None, False
    for option in options:
        if option in _RW:
            read_only = option == "ro"
        elif option in _PROPAGATIONS:
            propagation = option
        elif option in _SELINUX:
            selinux = option
        elif option == "nocopy":
            nocopy = True
    return read_only, propagation, selinux, nocopy


def _target_problem(target: str) -> str | None:
    if not target.replace("\\", "/").startswith("/") and not _DRIVE.match(target):
        return f"invalid mount path: '{target}' mount path must be absolute"
    return None


def _daemon_rejects(source: str, target: str, kind: str, options: list[str],
                    unresolved: bool) -> str | None:
    """What the daemon says about a ``Binds`` entry the CLI passed on."""
    if not options and _daemon_mode_problem(target.split(",")) is None:
        return f"invalid volume specification: '{source}:{target}'"  # /data:ro
    problem = _daemon_mode_problem(options) if options else None
    if problem:
        return problem
    if kind == "bind" and "nocopy" in options:
        return "invalid mount config for type \"bind\": field VolumeOptions must not be specified"
    if kind == "volume" and not unresolved and not _VOLUME_NAME.fullmatch(source):
        return (f'"{source}" includes invalid characters for a local volume name, only '
                '"[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed')
    return _target_problem(target)


# ----------------------------------------------------------------------------- --mount


_GO_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_GO_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_mount(spec: str, expands: bool = False) -> VolumeSpec:
    """``--mount type=bind,source=/x,target=/y,readonly`` (the docker CLI's ``MountOpt``):
    CSV fields, keys case-insensitive, ``volume`` by default, a bare ``ro``/``readonly``."""
    try:
        fields = next(csv.reader([spec]), [])
    except csv.Error:
        fields = spec.split(",")
    kind = "volume"
    source: str | None = None
    target = ""
    read_only = False
    propagation: str | None = None
    nocopy = False
    error: str | None = None
    for item in fields:
        key, eq, value = item.strip().partition("=")
        key = key.strip().lower()
        value = value.strip()
        if not eq:
            if key in ("readonly", "ro"):
                read_only = True
            elif key == "volume-nocopy":
                nocopy = True
            elif key not in ("bind-nonrecursive", ""):
                error = error or f"invalid field '{item}' must be a key=value pair"
            continue
        if key == "type":
            kind = value.lower()
        elif key in ("source", "src"):
            source = value or None
        elif key in ("target", "destination", "dst"):
            target = value
        elif key in ("readonly", "ro"):
            if value not in _GO_TRUE | _GO_FALSE:
                error = error or f"invalid value for {key}: {value}"
            read_only = value in _GO_TRUE
        elif key == "bind-propagation":
            propagation = value.lower() or None
        elif key == "volume-nocopy":
            nocopy = value in _GO_TRUE
    if not target and error is None:
        error = "target is required"
    unresolved = bool(source) and expands and has_expansion(source or "")
    return VolumeSpec(source, target, kind, read_only=read_only, propagation=propagation,
                      nocopy=nocopy, unresolved=unresolved, error=error,
                      rejected=_target_problem(target) if target else None)


# ----------------------------------------------------------------------------- named volumes


@dataclass(frozen=True, slots=True)
class VolumeBind:
    """The host folder a named volume binds, and whether its mount options say ``ro``."""

    device: str
    read_only: bool


def local_volume_bind(driver: str | None, options: dict[str, str]) -> VolumeBind | None:
    """The host folder a named volume binds, or None.

    The ``local`` driver mounts ``device`` with ``type`` and the mount options ``o``; with
    ``type=none`` and ``o=bind`` (or ``rbind``) that is a bind mount of a host folder, so
    ``-v NAME:/x`` or compose's ``NAME:/x`` mounts that folder (``docker volume create
    --opt type=none --opt o=bind --opt device=/ NAME``, compose ``driver_opts``).
    """
    if driver not in (None, "", "local"):
        return None
    kind, flags, device = options.get("type"), options.get("o"), options.get("device")
    if kind is None or flags is None or not device:
        return None
    flag_set = {f.strip() for f in flags.split(",")}
    if kind.strip() == "none" and flag_set & {"bind", "rbind"}:
        return VolumeBind(device, "ro" in flag_set)
    return None


# ----------------------------------------------------------------------------- tmpfs


def parse_tmpfs(spec: str) -> tuple[str, str]:
    """``target[:options]`` (``--tmpfs``, compose ``tmpfs:``): the target and its options."""
    target, _, options = spec.strip().partition(":")
    return target, options


# ----------------------------------------------------------------------------- devices

_DEVICE_MODE = re.compile(r"(?!.*(.).*\1)[rwm]{1,3}")  # r, w, m, each at most once


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    """A ``host[:container][:permissions]`` device as its surface reads it."""

    host_path: str
    container_path: str
    permissions: str = "rwm"
    error: str | None = None

    def device(self, origin: Location) -> Device:
        return Device(host_path=self.host_path, container_path=self.container_path,
                      origin=origin, permissions=self.permissions)


def is_device_mode(text: str) -> bool:
    """Cgroup device permissions: ``r``, ``w``, ``m``, each at most once."""
    return bool(_DEVICE_MODE.fullmatch(text))


def parse_device(spec: str, surface: Surface) -> DeviceSpec:
    """``--device`` / compose ``devices:`` / a string in ``HostConfig.Devices``.

    The docker CLI reads a second field of permission letters as permissions; compose-go
    reads any second field as the container path.
    """
    text = spec.strip()
    if surface is Surface.COMPOSE:
        parts = text.split(":")
        host = parts[0]
        container = parts[1] if len(parts) > 1 and parts[1] else host
        permissions = parts[2] if len(parts) > 2 else "rwm"
        error = (f"confusing device mapping, please use long syntax: {text}"
                 if len(parts) > 3 else None)
        if not host:
            error = error or f"invalid device {text!r}"
        return DeviceSpec(host, container, permissions, error)
    parts = text.split(":")
    host, container, permissions = parts[0], parts[0], "rwm"
    error = None
    if len(parts) > 3 or not host:
        error = f"bad format for path: {text}"
    if len(parts) == 2:
        if is_device_mode(parts[1]):
            permissions = parts[1]
        else:
            container = parts[1]
    elif len(parts) >= 3:
        container, permissions = parts[1], parts[2]
        if not is_device_mode(permissions):
            error = error or f"bad mode specified: {permissions}"
    if error is None and not container.startswith("/"):
        error = f"{container} is not an absolute path"
    return DeviceSpec(host, container or host, permissions, error)


# ----------------------------------------------------------------------------- ports

_PROTOCOLS = frozenset({"tcp", "udp", "sctp"})
_PORT_RANGE = re.compile(r"(\d+)(?:-(\d+))?")


@dataclass(frozen=True, slots=True)
class PortSpec:
    """``[[ip:]host:]container[/protocol]``.  ``host_port`` ``""``: a random host port."""

    container_port: str
    host_port: str = ""
    host_ip: str = ""
    protocol: str = "tcp"
    error: str | None = None

    def port(self, origin: Location) -> Port:
        return Port(container_port=self.container_port, origin=origin,
                    host_port=self.host_port, host_ip=self.host_ip, protocol=self.protocol)


def parse_port(spec: str, expands: bool = False) -> PortSpec:
    """``-p`` and compose's short ``ports:`` (both ``nat.ParsePortSpec``).

    A lone container port (``-p 80``) is still published, on a random host port.  IPv6
    host addresses come in brackets (``[::1]:80:80``) or bare (``::1:80:80``).  Values
    holding unresolved expansions are split but not validated.
    """
    text = spec.strip()
    parts = split_fields(text) if expands else text.split(":")
    container = parts[-1]
    if len(parts) == 1:
        host_ip, host_port = "", ""
    else:
        host_ip, host_port = ":".join(parts[:-2]), parts[-2]
    container, _, protocol = container.partition("/")
    protocol = protocol.partition("/")[0].lower() or "tcp"
    if host_ip.startswith("[") and host_ip.endswith("]"):
        host_ip = host_ip[1:-1]
    error = None if expands else _port_problem(text, host_ip, host_port, container, protocol)
    return PortSpec(container, host_port, host_ip, protocol, error)


def _port_problem(spec: str, host_ip: str, host: str, container: str,
                  protocol: str) -> str | None:
    if protocol not in _PROTOCOLS:
        return f"invalid proto: {protocol}"
    if host_ip:
        try:
            ipaddress.ip_address(host_ip)
        except ValueError:
            return f"invalid IP address: {host_ip}"
    if not container:
        return f"no port specified: {spec}<empty>"
    container_range = _port_range(container)
    if container_range is None:
        return f"invalid container port {container!r} in {spec!r}"
    if host:
        host_range = _port_range(host)
        if host_range is None:
            return f"invalid host port {host!r} in {spec!r}"
        sizes = (container_range[1] - container_range[0], host_range[1] - host_range[0])
        if sizes[0] != sizes[1] and container_range[0] != container_range[1]:
            return f"invalid ranges specified for container and host ports: {container} and {host}"
    return None


def _port_range(text: str) -> tuple[int, int] | None:
    match = _PORT_RANGE.fullmatch(text)
    if match is None:
        return None
    start = int(match.group(1))
    end = int(match.group(2)) if match.group(2) else start
    if end < start or end > 65535:
        return None
    return start, end
