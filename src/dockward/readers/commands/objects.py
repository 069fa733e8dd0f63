"""Objects one command makes and a later command of the same file uses.

A script says in two steps what a compose file says in one, and each step alone looks
harmless:

- ``docker volume create --driver local --opt type=none --opt o=bind --opt device=/ root``
  followed by ``docker run -v root:/x img`` mounts the host's ``/``: the named volume is a
  bind of ``device`` (the same rule the compose reader applies to ``driver_opts``, from
  :func:`~dockward.readers.specs.local_volume_bind`);
- ``docker run --name netbox --network host img`` followed by ``docker run --network
  container:netbox img`` puts the second container in the host's network namespace too
  (and likewise ``--pid``/``--ipc container:NAME``).

:class:`FileObjects` is fed the commands and workloads of one file in order; it rewrites
what a later workload uses into what it really is, with ``via`` saying which command made
it.  Names made by a variable that could not be resolved are not followed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from dockward.models.location import Location
from dockward.models.workload import Workload
from dockward.readers.commands.cli import parse_cli, parse_flags, shorts
from dockward.readers.commands.variables import expand_command
from dockward.readers.commands.words import Command, Word
from dockward.readers.specs import has_expansion, local_volume_bind

# ``docker|podman|nerdctl volume create`` options (those that take a value matter here).
_VOLUME_CREATE_FLAGS: dict[str, tuple[str, bool]] = {
    "driver": ("d", True), "opt": ("o", True), "label": ("", True), "name": ("", True),
    "ignore": ("", False), "availability": ("", True), "group": ("", True),
    "limit-bytes": ("", True), "required-bytes": ("", True), "scope": ("", True),
    "secret": ("", True), "sharing": ("", True), "topology-preferred": ("", True),
    "topology-required": ("", True), "type": ("", True), "uid": ("", True),
    "gid": ("", True),
}
_VOLUME_CREATE_SHORTS = shorts(_VOLUME_CREATE_FLAGS)

# namespace mode field -> what messages call the namespace
_JOINABLE = {"network_mode": "network", "pid_mode": "PID", "ipc_mode": "IPC"}


@dataclass(frozen=True, slots=True)
class _BoundVolume:
    device: str
    read_only: bool
    line: int


@dataclass(slots=True)
class FileObjects:
    """Named volumes and named containers made so far in one file."""

    volumes: dict[str, _BoundVolume] = field(default_factory=dict)
    containers: dict[str, Workload] = field(default_factory=dict)

    def note(self, command: Command) -> bool:
        """Remember what ``command`` creates; True when it was a ``volume create``."""
        cli = parse_cli(command)
        if cli is None or cli.path not in (("volume", "create"),):
            return False
        expanded = expand_command(command)
        cli = parse_cli(expanded) or cli
        argv = cli.command.argv
        flags, index = parse_flags(argv, cli.args_start, _VOLUME_CREATE_FLAGS,
                                   _VOLUME_CREATE_SHORTS)
        names: list[Word] = []
        while index < len(argv):  # options may follow the name (pflag intersperses)
            names.append(argv[index])
            more, index = parse_flags(argv, index + 1, _VOLUME_CREATE_FLAGS,
                                      _VOLUME_CREATE_SHORTS)
            flags.extend(more)
        driver: str | None = None
        options: dict[str, str] = {}
        name = names[0].text if names else None
        for flag in flags:
            value = flag.value or ""
            if flag.name == "driver":
                driver = value
            elif flag.name == "opt":
                key, _, option = value.partition("=")
                options[key.strip()] = option
            elif flag.name == "name" and value:
                name = value
        bound = local_volume_bind(driver, options)
        if name and bound and not has_expansion(name) and not has_expansion(bound.device):
            self.volumes[name] = _BoundVolume(bound.device, bound.read_only, command.line)
        elif name:
            self.volumes.pop(name, None)
        return True

    def resolve(self, workload: Workload) -> None:
        """Rewrite what ``workload`` uses from earlier commands, then remember it."""
        for mount in workload.mounts:
            bound = self.volumes.get(mount.source or "") if mount.type == "volume" else None
            if bound is not None:
                note = (f"volume '{mount.source}' created at line {bound.line} binds "
                        f"{bound.device}")
                mount.type = "bind"
                mount.source = bound.device
                mount.read_only = mount.read_only or bound.read_only
                mount.origin = _via(mount.origin, note)
        for field_name, namespace in _JOINABLE.items():
            self._join(workload, field_name, namespace)
        if "name" in workload.origins and not has_expansion(workload.name):
            self.containers[workload.name] = workload

    def _join(self, workload: Workload, field_name: str, namespace: str) -> None:
        """``--network container:NAME`` where NAME uses the host's: the host's too."""
        mode = getattr(workload, field_name) or ""
        if not mode.startswith("container:"):
            return
        name = mode.partition(":")[2]
        other = self.containers.get(name)
        if other is None or (getattr(other, field_name) or "").lower() != "host":
            return
        origin = workload.where(field_name)
        note = (f"{mode}: container '{name}' (line {other.anchor.line}) uses the host's "
                f"{namespace} namespace")
        workload.set(field_name, "host", _via(origin, note))


def _via(origin: Location, note: str) -> Location:
    return replace(origin, via=f"{origin.via}; {note}" if origin.via else note)
