"""The Host model: the machine around a daemon, as far as it decides who controls Docker.

Whoever can write to the Engine API socket is root on the host, so its owner, group and
mode, and the members of that group, are security facts as much as any daemon flag.  So
are the permissions of the files that configure the daemon (``daemon.json``, TLS keys,
systemd units).  These facts only exist for a daemon on this machine (``local``): a
remote host seen through ``tcp://`` or ``ssh://`` has no Host facts, and rules must not
read absence as "fine".
"""

from __future__ import annotations

import stat as stat_mod
from dataclasses import dataclass, field

from dockward.models.location import Location


@dataclass(slots=True)
class FileFacts:
    """Owner, group and mode of one file, socket or folder, and what it is for.

    ``role`` says which expectation applies: ``socket``, ``daemon-config``,
    ``config-dir``, ``tls-ca``, ``tls-cert``, ``tls-key``, ``registry-certs``,
    ``systemd-unit``, ``defaults-file``, ``containerd-socket``.
    """

    path: str
    role: str
    origin: Location
    uid: int = 0
    gid: int = 0
    owner: str = ""
    group: str = ""
    mode: int = 0  # permission bits only (0o660)
    kind: str = "file"  # file | dir | socket | other

    @property
    def mode_text(self) -> str:
        """``0660`` as ``ls`` users read it, plus the symbolic form."""
        return f"{self.mode:04o}"

    @property
    def symbolic(self) -> str:
        return stat_mod.filemode(self.mode)[1:]

    def wider_than(self, allowed: int) -> int:
        """The permission bits set here that ``allowed`` does not grant (0 when none)."""
        return self.mode & ~allowed & 0o7777


@dataclass(slots=True)
class GroupMember:
    """A user who holds a group, and how: listed in ``/etc/group`` or as primary group."""

    user: str
    how: str  # "member" (listed in /etc/group) | "primary" (passwd's primary group)
    uid: int | None = None


@dataclass
class Host:
    """The audited machine as seen from the daemon's side.

    ``socket`` is the Engine API socket the audit used (None for tcp/ssh endpoints);
    ``socket_group_members`` are the users who can use it through its group.  ``files``
    holds the daemon's configuration files that exist (missing ones are simply absent).
    """

    name: str
    anchor: Location
    local: bool = False
    rootless: bool = False
    socket: FileFacts | None = None
    socket_group_members: list[GroupMember] = field(default_factory=list)
    files: list[FileFacts] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # facts that could not be read, and why

