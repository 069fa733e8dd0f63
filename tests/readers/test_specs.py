"""One table of Docker spellings and what each surface reads from them.

Each row is a spelling, the surfaces it is written for (``run``: ``docker run``/``create``
flags, ``compose``: compose's short syntax, ``engine``: strings in Engine API bodies such as
``HostConfig.Binds``) and the reading.  A reading is rendered as one line::

    volume:  <kind> <source or -> > <target> [ro] [<propagation>] [<z|Z>] [nocopy] [unresolved]
    device:  <host> > <container> <permissions>
    port:    <ip or *> <host port or random> > <container>/<protocol>
    tmpfs:   <target> [<options>]

followed by ``| error: ...`` when the tool refuses the spelling itself (compose rejects the
file, the CLI the command) or ``| rejected: ...`` when it parses but the engine refuses to
create such a container.

Sources of truth: the docker CLI's ``-v`` splitter is compose-go's ``ParseVolume``; every
spec with a source becomes a ``Binds`` entry the daemon parses (``linux_parser.go``); ports
are ``go-connections/nat.ParsePortSpec`` for both; devices are ``parseLinuxDevice`` for the
CLI and compose-go's ``transformDeviceMapping`` for compose.  The ``run`` rows are checked
against a real docker CLI and dockerd by ``test_run_rows_agree_with_a_real_engine``.
"""

from __future__ import annotations

import pytest

from dockward.readers.specs import (
    DeviceSpec,
    PortSpec,
    Surface,
    VolumeSpec,
    parse_device,
    parse_mount,
    parse_port,
    parse_tmpfs,
    parse_volume,
)

RUN, COMPOSE, ENGINE = "run", "compose", "engine"
ALL = "run compose engine"

# (what, spelling, surfaces, reading).  ``$`` spellings are read as unresolved expansions.
TABLE: list[tuple[str, str, str, str]] = [
    # --- volumes: the shared splitter
    ("volume", "/var/run/docker.sock:/var/run/docker.sock", ALL,
     "bind /var/run/docker.sock > /var/run/docker.sock"),
    ("volume", "/a:/b:ro", ALL, "bind /a > /b ro"),
    ("volume", "/:/host:ro", ALL, "bind / > /host ro"),
    ("volume", "/a:/b:ro,rshared", ALL, "bind /a > /b ro rshared"),
    ("volume", "/a:/b:z", ALL, "bind /a > /b z"),
    ("volume", "/a:/b:Z,ro", ALL, "bind /a > /b ro Z"),
    ("volume", "/a:/b:delegated", ALL, "bind /a > /b"),
    ("volume", "/a:/b/", ALL, "bind /a > /b/"),
    ("volume", "/data", ALL, "volume - > /data"),
    ("volume", "data:/x", ALL, "volume data > /x"),
    ("volume", "data:/x:nocopy", ALL, "volume data > /x nocopy"),
    ("volume", "./rel:/x", "run compose", "bind ./rel > /x"),
    ("volume", "C:\\data:/data", "run compose", "bind C:\\data > /data"),
    ("volume", "\\\\.\\pipe\\docker_engine:\\\\.\\pipe\\docker_engine", "run compose",
     "bind \\\\.\\pipe\\docker_engine > \\\\.\\pipe\\docker_engine"),
    # a one-letter field is a Windows drive: `a:/b` is an anonymous volume at "a:/b"
    ("volume", "a:/b", RUN, "volume - > a:/b"),
    ("volume", "ab", RUN, "volume - > ab"),
    ("volume", "ab", COMPOSE,
     "volume - > ab | rejected: invalid mount path: 'ab' mount path must be absolute"),
    # --- volumes: a mode without a container path.  The old run-line reader read these
    # as anonymous volumes with a mode; the CLI, compose and the daemon all split them
    # as source:target, and the engine refuses the result.
    ("volume", "/data:ro", "run engine",
     "bind /data > ro | rejected: invalid volume specification: '/data:ro'"),
    ("volume", "/data:ro", COMPOSE,
     "bind /data > ro | rejected: invalid mount path: 'ro' mount path must be absolute"),
    ("volume", "/dev/sda:rw", "run engine",
     "bind /dev/sda > rw | rejected: invalid volume specification: '/dev/sda:rw'"),
    ("volume", "/dev/sda:rw", COMPOSE,
     "bind /dev/sda > rw | rejected: invalid mount path: 'rw' mount path must be absolute"),
    ("volume", "/a:ro:z", "run engine",
     "bind /a > ro z | rejected: invalid mount path: 'ro' mount path must be absolute"),
    # --- volumes: modes.  The daemon refuses unknown or repeated words; compose-go
    # ignores unknown words and lets the last ro/rw and propagation win.
    ("volume", "/a:/b:readonly", "run engine", "bind /a > /b | rejected: invalid mode: readonly"),
    ("volume", "/a:/b:readonly", COMPOSE, "bind /a > /b"),
    ("volume", "/a:/b:rw,ro", "run engine", "bind /a > /b ro | rejected: invalid mode: rw,ro"),
    ("volume", "/a:/b:ro,rw", COMPOSE, "bind /a > /b"),
    ("volume", "/a:/b:shared,rslave", "run engine",
     "bind /a > /b shared | rejected: invalid mode: shared,rslave"),
    ("volume", "/a:/b:shared,rslave", COMPOSE, "bind /a > /b rslave"),
    ("volume", "/a:/b:nocopy", RUN,
     "bind /a > /b nocopy | rejected: invalid mount config for type \"bind\": "
     "field VolumeOptions must not be specified"),
    # --- volumes: names the local volume driver refuses (a path without ./ is a name)
    ("volume", "data/x:/y", RUN,
     "volume data/x > /y | rejected: \"data/x\" includes invalid characters for a local "
     "volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed"),
    ("volume", "data/x:/y", COMPOSE, "volume data/x > /y"),
    # --- volumes: what the splitter itself refuses
    ("volume", "/a:/b:ro:z", ALL, "bind /a > /b ro | error: too many colons"),
    ("volume", "/a::/b", ALL, "bind /a > | error: empty section between colons"),
    # --- volumes: unresolved expansions (fields split outside them)
    ("volume", "${HOME:-/root}/.ssh:/root/.ssh:ro", "run compose",
     "bind ${HOME:-/root}/.ssh > /root/.ssh ro unresolved"),
    ("volume", "$SOCK:/var/run/docker.sock", "run compose",
     "bind $SOCK > /var/run/docker.sock unresolved"),
    ("volume", "$(pwd):/app", RUN, "bind $(pwd) > /app unresolved"),
    ("volume", "data_$ENV:/x", "run compose", "volume data_$ENV > /x unresolved"),
    ("volume", "~/.aws:/root/.aws", "run compose", "bind ~/.aws > /root/.aws"),
    # --- --mount (docker CLI only)
    ("mount", "type=bind,source=/tmp,target=/b,readonly", RUN, "bind /tmp > /b ro"),
    ("mount", "type=bind,src=/tmp,dst=/b,bind-propagation=rshared", RUN,
     "bind /tmp > /b rshared"),
    ("mount", "type=bind,src=/tmp,dst=/b,readonly=0", RUN, "bind /tmp > /b"),
    ("mount", "type=bind,src=/tmp,dst=/b,ro=yes", RUN,
     "bind /tmp > /b | error: invalid value for ro: yes"),
    ("mount", "Type=Bind,Source=/tmp,Target=/b", RUN, "bind /tmp > /b"),
    ("mount", 'type=bind,"source=/tmp",target=/c,ro', RUN, "bind /tmp > /c ro"),
    ("mount", "src=data,dst=/x", RUN, "volume data > /x"),
    ("mount", "target=/anon", RUN, "volume - > /anon"),
    ("mount", "src=data,dst=/x,volume-nocopy", RUN, "volume data > /x nocopy"),
    ("mount", "type=tmpfs,dst=/run,tmpfs-size=64m", RUN, "tmpfs - > /run"),
    ("mount", "type=bind,source=/tmp", RUN, "bind /tmp > | error: target is required"),
    ("mount", "type=bind,src=/tmp,dst=/b,shared", RUN,
     "bind /tmp > /b | error: invalid field 'shared' must be a key=value pair"),
    # --- tmpfs
    ("tmpfs", "/run:rw,size=64m", "run compose", "/run rw,size=64m"),
    ("tmpfs", "/run", "run compose", "/run"),
    # --- devices: the CLI reads a second field of r/w/m as permissions, compose never
    ("device", "/dev/null", ALL, "/dev/null > /dev/null rwm"),
    ("device", "/dev/null:/dev/xvda", ALL, "/dev/null > /dev/xvda rwm"),
    ("device", "/dev/null:/dev/xvda:r", ALL, "/dev/null > /dev/xvda r"),
    ("device", "/dev/null:rw", "run engine", "/dev/null > /dev/null rw"),
    ("device", "/dev/null:rw", COMPOSE, "/dev/null > rw rwm"),
    ("device", "/dev/null:r:rw", "run engine",
     "/dev/null > r rw | error: r is not an absolute path"),
    ("device", "/dev/null:r:rw", COMPOSE, "/dev/null > r rw"),
    ("device", "/dev/null:mmr", "run engine",
     "/dev/null > mmr rwm | error: mmr is not an absolute path"),
    ("device", "/dev/null:/dev/x:rwmx", "run engine",
     "/dev/null > /dev/x rwmx | error: bad mode specified: rwmx"),
    ("device", "/dev/null:/dev/x:rwmx", COMPOSE, "/dev/null > /dev/x rwmx"),
    # a device path with colons in it can only be written in compose's long syntax
    ("device", "/dev/serial/by-id/usb-F8:5B:1B-if00:/dev/ttyS9", COMPOSE,
     "/dev/serial/by-id/usb-F8 > 5B 1B-if00 | error: confusing device mapping, "
     "please use long syntax: /dev/serial/by-id/usb-F8:5B:1B-if00:/dev/ttyS9"),
    ("device", "/dev/serial/by-id/usb-F8:5B:1B-if00:/dev/ttyS9", RUN,
     "/dev/serial/by-id/usb-F8 > 5B 1B-if00 | error: bad format for path: "
     "/dev/serial/by-id/usb-F8:5B:1B-if00:/dev/ttyS9"),
    # --- ports: nat.ParsePortSpec for both
    ("port", "80", "run compose", "* random > 80/tcp"),
    ("port", "8080:80", "run compose", "* 8080 > 80/tcp"),
    ("port", "127.0.0.1:8080:80", "run compose", "127.0.0.1 8080 > 80/tcp"),
    ("port", "127.0.0.1::80", "run compose", "127.0.0.1 random > 80/tcp"),
    ("port", "[::1]:80:80", "run compose", "::1 80 > 80/tcp"),
    ("port", "::1:80:80", "run compose", "::1 80 > 80/tcp"),
    ("port", "[::1]::80", "run compose", "::1 random > 80/tcp"),
    ("port", "[::]:53:53/udp", "run compose", ":: 53 > 53/udp"),
    ("port", "53/udp", "run compose", "* random > 53/udp"),
    ("port", "443:443/UDP", "run compose", "* 443 > 443/udp"),
    ("port", "0.0.0.0:80:80/sctp", "run compose", "0.0.0.0 80 > 80/sctp"),
    ("port", "8080:80/tcp/x", "run compose", "* 8080 > 80/tcp"),
    ("port", "3000-3001:3000-3001", "run compose", "* 3000-3001 > 3000-3001/tcp"),
    ("port", "8000-8010:80", "run compose", "* 8000-8010 > 80/tcp"),
    ("port", "3000-3001:3000-3002", "run compose",
     "* 3000-3001 > 3000-3002/tcp | error: invalid ranges specified for container and "
     "host ports: 3000-3002 and 3000-3001"),
    ("port", "80/foo", "run compose", "* random > 80/foo | error: invalid proto: foo"),
    ("port", "http:80", "run compose",
     "* http > 80/tcp | error: invalid host port 'http' in 'http:80'"),
    ("port", "1.2.3:80:80", "run compose",
     "1.2.3 80 > 80/tcp | error: invalid IP address: 1.2.3"),
    ("port", "8080:", "run compose", "* 8080 > /tcp | error: no port specified: 8080:<empty>"),
    ("port", "${PORT:-8080}:80", "run compose", "* ${PORT:-8080} > 80/tcp"),
    ("port", "$HOST_IP:8080:80", "run compose", "$HOST_IP 8080 > 80/tcp"),
]


def read(what: str, spelling: str, surface: Surface) -> str:
    """The reading of ``spelling`` on ``surface``, rendered as in the module docstring."""
    expands = "$" in spelling
    if what == "volume":
        return _volume(parse_volume(spelling, surface, expands=expands))
    if what == "mount":
        return _volume(parse_mount(spelling, expands=expands))
    if what == "tmpfs":
        return " ".join(part for part in parse_tmpfs(spelling) if part)
    if what == "device":
        return _device(parse_device(spelling, surface))
    return _port(parse_port(spelling, expands=expands))


def _volume(spec: VolumeSpec) -> str:
    words = [spec.kind, spec.source or "-", ">", spec.target]
    words += ["ro"] if spec.read_only else []
    words += [w for w in (spec.propagation, spec.selinux) if w]
    words += ["nocopy"] if spec.nocopy else []
    words += ["unresolved"] if spec.unresolved else []
    return _problems(" ".join(words).rstrip(), spec.error, spec.rejected)


def _device(spec: DeviceSpec) -> str:
    text = f"{spec.host_path} > {spec.container_path} {spec.permissions}"
    return _problems(text, spec.error, None)


def _port(spec: PortSpec) -> str:
    text = (f"{spec.host_ip or '*'} {spec.host_port or 'random'} > "
            f"{spec.container_port}/{spec.protocol}")
    return _problems(text, spec.error, None)


def _problems(text: str, error: str | None, rejected: str | None) -> str:
    if error:
        return f"{text} | error: {error}"
    if rejected:
        return f"{text} | rejected: {rejected}"
    return text


ROWS = [
    pytest.param(what, spelling, surface, reading, id=f"{what}-{surface}-{spelling}")
    for what, spelling, surfaces, reading in TABLE
    for surface in surfaces.split()
]


@pytest.mark.parametrize(("what", "spelling", "surface", "reading"), ROWS)
def test_spelling(what: str, spelling: str, surface: str, reading: str) -> None:
    assert read(what, spelling, Surface(surface)) == reading


def test_conversions_keep_every_field() -> None:
    from dockward.models.location import Location

    here = Location("f", 3, 7)
    mount = parse_volume("$SOCK:/var/run/docker.sock:ro,rshared", Surface.RUN,
                         expands=True).mount(here)
    assert (mount.type, mount.source, mount.target, mount.read_only, mount.propagation,
            mount.unresolved, mount.origin) == (
        "bind", "$SOCK", "/var/run/docker.sock", True, "rshared", True, here)
    device = parse_device("/dev/sda:/dev/xvda:r", Surface.RUN).device(here)
    assert (device.host_path, device.container_path, device.permissions) == (
        "/dev/sda", "/dev/xvda", "r")
    port = parse_port("127.0.0.1::53/udp").port(here)
    assert (port.host_ip, port.host_port, port.container_port, port.protocol,
            port.published) == ("127.0.0.1", "", "53", "udp", True)


_FLAGS = {"volume": "-v", "mount": "--mount", "tmpfs": "--tmpfs", "device": "--device",
          "port": "-p"}


def _checkable(what: str, spelling: str, surfaces: str) -> bool:
    """Rows a real ``docker create`` can judge: no shell expansions, no Windows paths."""
    return RUN in surfaces.split() and not any(c in spelling for c in "$~\\")


@pytest.mark.slow
def test_run_rows_agree_with_a_real_engine(engine: object) -> None:
    """``docker create <flag> <spelling>`` succeeds exactly for the rows the table reads
    without an error or a rejection (docker CLI 28 against the private dockerd)."""
    from tests.engine.harness import PrivateEngine

    assert isinstance(engine, PrivateEngine)
    disagreements = []
    for what, spelling, surfaces, reading in TABLE:
        if not _checkable(what, spelling, surfaces):
            continue
        refused = "| error:" in reading or "| rejected:" in reading
        done = engine.docker("create", _FLAGS[what], spelling, "busybox:dw", "true",
                             check=False)
        if (done.returncode != 0) != refused:
            disagreements.append((what, spelling, done.returncode, done.stderr.strip()[-200:]))
    assert disagreements == []
