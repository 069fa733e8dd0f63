"""The Daemon model: how dockerd is configured and where it listens.

A daemon's effective configuration comes from three places that must be read together:
its command line (``flags``), ``daemon.json`` (``config``) and, for a live daemon, what it
reports itself (``info``, ``GET /info``).  :meth:`Daemon.settings` answers "what was set
explicitly, and where" across the first two, so rules do not each re-implement dockerd's
flag syntax; ``complete`` says whether a setting absent from both is really unset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dockward.models.location import Location

# dockerd flags that take no value (``--icc`` / ``--icc=false``, never ``--icc false``).
DAEMON_BOOL_FLAGS: frozenset[str] = frozenset({
    "icc", "ip-forward", "ip-masq", "iptables", "ip6tables", "ipv6", "live-restore",
    "no-new-privileges", "selinux-enabled", "experimental", "tls", "tlsverify", "debug",
    "userland-proxy", "init", "rootless", "raw-logs", "validate", "version", "help",
    "disable-legacy-registry", "fixed-cidr-v6-enabled",
})
# short spellings of dockerd flags
DAEMON_SHORT_FLAGS: dict[str, str] = {
    "H": "host", "b": "bridge", "g": "data-root", "G": "group", "l": "log-level",
    "D": "debug", "p": "pidfile", "v": "version", "h": "help",
}
# flag name -> daemon.json key, where they differ (repeatable flags have plural keys)
DAEMON_FLAG_TO_KEY: dict[str, str] = {
    "host": "hosts", "insecure-registry": "insecure-registries",
    "authorization-plugin": "authorization-plugins", "registry-mirror": "registry-mirrors",
    "label": "labels", "log-opt": "log-opts", "storage-opt": "storage-opts",
    "exec-opt": "exec-opts", "default-ulimit": "default-ulimits", "add-runtime": "runtimes",
    "dns-opt": "dns-opts", "dns-search": "dns-search", "graph": "data-root",
}
_KEY_TO_FLAG: dict[str, str] = {v: k for k, v in DAEMON_FLAG_TO_KEY.items() if k != "graph"}


@dataclass(slots=True)
class Listener:
    """An address dockerd listens on (``-H``/``hosts``) or a client is told to use.

    ``tls_verify`` True means clients must present a certificate (``--tlsverify``);
    ``tls`` True means the connection is encrypted at all.  ``role`` is ``daemon`` for
    dockerd's own flags and ``client`` for ``DOCKER_HOST``/``docker -H`` (evidence that a
    daemon listens there).
    """

    address: str
    origin: Location
    tls: bool = False
    tls_verify: bool = False
    role: str = "daemon"

    @property
    def is_tcp(self) -> bool:
        return self.address.lower().startswith("tcp://")

    @property
    def port(self) -> int | None:
        rest = self.address.split("://", 1)[-1].split("/", 1)[0]
        if ":" not in rest:
            return None
        try:
            return int(rest.rsplit(":", 1)[1])
        except ValueError:
            return None

    @property
    def is_loopback(self) -> bool:
        host = self.address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
        return host in ("127.0.0.1", "localhost", "::1")


@dataclass
class Daemon:
    """dockerd as described by a command line, daemon.json or ``GET /info``."""

    name: str
    anchor: Location
    listeners: list[Listener] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)  # daemon.json
    info: dict[str, Any] = field(default_factory=dict)  # GET /info
    flags: list[str] = field(default_factory=list)  # dockerd argv
    origins: dict[str, Location] = field(default_factory=dict)
    source_kind: str = "command-line"  # command-line | live | daemon-json
    # --- additive (live audit) -------------------------------------------------------
    host: str = ""  # the audited host's name, as findings show it
    # flags, daemon.json and info were all read: a setting absent from them is unset
    complete: bool = False
    config_path: str = ""  # the daemon.json that was read ('' when none)
    # options of the default bridge network (None: no bridge, or not looked up)
    bridge_options: dict[str, str] | None = None
    bridge_checked: bool = False  # the bridge network was looked up (live audit)
    facts: dict[str, Any] = field(default_factory=dict)  # e.g. bridge_icc from /networks
    # docker | podman (``GET /version``'s components, live only).  Podman serves the Docker
    # API without a daemon behind it: its containers run under their own ``conmon`` (no
    # live restore to speak of), it has no ``icc`` setting and no authorization plugins
    engine: str = "docker"

    def where(self, key: str) -> Location:
        return self.origins.get(key, self.anchor)

    @property
    def is_live(self) -> bool:
        """True when the daemon itself answered ``GET /info`` (facts, not intentions)."""
        return bool(self.info)

    @property
    def rootless(self) -> bool:
        """The engine runs as an unprivileged user: root in its containers is that user.

        Rootless Docker says so in ``SecurityOptions`` (``name=rootless``); rootless
        Podman only in its own ``/info`` field ``Rootless``.
        """
        return "rootless" in self.security_options() or self.info.get("Rootless") is True

    def settings(self, key: str) -> list[Setting]:
        """Every explicit value of ``key`` (daemon.json spelling) from flags and daemon.json.

        Flags come first, in command-line order, then daemon.json; repeatable settings
        (``insecure-registries``) yield one :class:`Setting` per value.
        """
        return [*self._flag_settings(key), *self._config_settings(key)]

    def setting(self, key: str) -> Setting | None:
        """The explicit value of a single-valued setting (dockerd refuses conflicts)."""
        found = self.settings(key)
        return found[-1] if found else None

    def enabled(self, key: str) -> bool | None:
        """A boolean setting: True/False when set explicitly, None when not set."""
        found = self.setting(key)
        if found is None:
            return None
        return _truthy(found.value)

    def security_options(self) -> dict[str, dict[str, str]]:
        """``info.SecurityOptions`` parsed: ``name=seccomp,profile=default`` ->
        ``{"seccomp": {"profile": "default"}}`` (older daemons send bare names)."""
        out: dict[str, dict[str, str]] = {}
        for raw in self.info.get("SecurityOptions") or []:
            text = str(raw).strip()
            if "=" not in text:  # pre-1.13 daemons: bare names ("apparmor", "seccomp")
                out[text.lower()] = {}
                continue
            parts = dict(p.partition("=")[::2] for p in text.split(","))
            name = parts.pop("name", "")
            out[name.strip().lower()] = {k.strip(): v.strip() for k, v in parts.items()}
        return out

    def _flag_settings(self, key: str) -> list[Setting]:
        flag = _KEY_TO_FLAG.get(key, key)
        names = {flag} | ({"graph"} if key == "data-root" else set())
        out: list[Setting] = []
        args = self.flags
        i = 0
        while i < len(args):
            name, value, consumed = _parse_flag(args, i)
            if name in names:
                origin = self.origins.get(f"argv[{i}]", self.anchor.child(f"argv[{i}]"))
                if value is None:
                    value = True if flag in DAEMON_BOOL_FLAGS else ""
                out.append(Setting(key=key, value=value, origin=origin, source="flag"))
            i += consumed
        return out

    def _config_settings(self, key: str) -> list[Setting]:
        if key not in self.config:
            return []
        value = self.config[key]
        origin = self.origins.get(f"daemon.json.{key}", self.anchor.child(f"daemon.json.{key}"))
        if isinstance(value, list):
            return [Setting(key=key, value=v, origin=origin, source="daemon.json")
                    for v in value]
        return [Setting(key=key, value=value, origin=origin, source="daemon.json")]


@dataclass(frozen=True, slots=True)
class Setting:
    """One explicit daemon setting and where it was written (``flag`` or ``daemon.json``)."""

    key: str
    value: Any
    origin: Location
    source: str


def _truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on", "")


def _parse_flag(args: list[str], i: int) -> tuple[str | None, Any, int]:
    """Read one dockerd argument: (flag name, value or None, words consumed)."""
    word = args[i]
    if word == "--" or not word.startswith("-") or word == "-":
        return None, None, 1
    if word.startswith("--"):
        name, eq, value = word[2:].partition("=")
    else:
        short, eq, value = word[1:].partition("=")
        if not eq and len(short) > 1 and short[0] in DAEMON_SHORT_FLAGS:
            short, value, eq = short[0], short[1:], "="  # -Htcp://... (pflag allows it)
        name = DAEMON_SHORT_FLAGS.get(short, short)
    if eq:
        return name, value, 1
    if name in DAEMON_BOOL_FLAGS:
        return name, None, 1
    if i + 1 < len(args) and not args[i + 1].startswith("-"):
        return name, args[i + 1], 2
    return name, None, 1
