"""``docker run`` / ``podman run`` / ``nerdctl run`` argv -> the Workload the engine would get.

The argv is parsed the way the docker CLI's flag library (spf13/pflag) parses it, so a
documentation snippet means here what it means to the engine: ``--flag=value`` and
``--flag value``; short clusters where only the last flag may take a value (``-itv /a:/b``,
``-p8080:80``); ``--privileged=false``; repeated flags; ``--`` and the first positional word
end the options (the image), everything after it is the container's command.  To know
which flags take a value we need the complete flag table (below, from ``docker run --help``
of docker 28.2 plus podman's and nerdctl's additions): guessing would make
``-v /a:/b`` swallow the image whenever an unknown boolean precedes it.

Values holding shell expansions (``$VAR``, ``$(pwd)``) are kept verbatim; numeric limits
built from them are marked *unknown* on the Workload rather than guessed, and a mount with
an unresolved source keeps its target so ``-v $SOCK:/var/run/docker.sock`` is still known.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from dockward.models.location import Location
from dockward.models.values import parse_bool, parse_bytes, parse_float, parse_int
from dockward.models.workload import (
    Capability,
    EnvVar,
    Mount,
    RestartPolicy,
    SecurityOpt,
    Workload,
    normalize_capability,
)
from dockward.readers.commands.words import Command, Word
from dockward.readers.specs import (
    Surface,
    has_expansion,
    parse_device,
    parse_mount,
    parse_port,
    parse_tmpfs,
    parse_volume,
)

log = logging.getLogger(__name__)

RUNTIME_PROGRAMS = frozenset({"docker", "podman", "nerdctl"})
CONTAINER_CREATING = frozenset({"run", "create"})
_ELLIPSIS = frozenset({"...", "…", "[...]", "<...>"})


# ---------------------------------------------------------------------------------------
# Flag tables
# ---------------------------------------------------------------------------------------


def _table(spec: str) -> dict[str, tuple[str, bool]]:
    """``"a attach list"`` lines -> {"attach": ("a", True)}; type ``bool`` takes no value."""
    table: dict[str, tuple[str, bool]] = {}
    for line in spec.strip().splitlines():
        short, long, kind = line.split()
        table[long] = ("" if short == "-" else short, kind != "bool")
    return table


# `docker run --help` (docker 28.2.2), plus hidden aliases the CLI still accepts
# (--net, --net-alias, --dns-opt, --link-local-ip ...).  `docker create` takes the same
# flags minus --detach, --detach-keys and --sig-proxy.
DOCKER_RUN_FLAGS = _table("""
- add-host list
- annotation map
a attach list
- blkio-weight uint16
- blkio-weight-device list
- cap-add list
- cap-drop list
- cgroup-parent string
- cgroupns string
- cidfile string
- cpu-count int
- cpu-percent int
- cpu-period int
- cpu-quota int
- cpu-rt-period int
- cpu-rt-runtime int
c cpu-shares int
- cpus decimal
- cpuset-cpus string
- cpuset-mems string
d detach bool
- detach-keys string
- device list
- device-cgroup-rule list
- device-read-bps list
- device-read-iops list
- device-write-bps list
- device-write-iops list
- disable-content-trust bool
- dns list
- dns-option list
- dns-opt list
- dns-search list
- domainname string
- entrypoint string
e env list
- env-file list
- expose list
- gpus gpu-request
- group-add list
- health-cmd string
- health-interval duration
- health-retries int
- health-start-interval duration
- health-start-period duration
- health-timeout duration
- help bool
h hostname string
- init bool
i interactive bool
- io-maxbandwidth bytes
- io-maxiops uint
- ip string
- ip6 string
- ipc string
- isolation string
- kernel-memory bytes
l label list
- label-file list
- link list
- link-local-ip list
- log-driver string
- log-opt list
- mac-address string
m memory bytes
- memory-reservation bytes
- memory-swap bytes
- memory-swappiness int
- mount mount
- name string
- network network
- net network
- network-alias list
- net-alias list
- no-healthcheck bool
- oom-kill-disable bool
- oom-score-adj int
- pid string
- pids-limit int
- platform string
- privileged bool
p publish list
P publish-all bool
- pull string
q quiet bool
- read-only bool
- restart string
- rm bool
- runtime string
- security-opt list
- shm-size bytes
- sig-proxy bool
- stop-signal string
- stop-timeout int
- storage-opt list
- sysctl map
- tmpfs list
t tty bool
- ulimit ulimit
- use-api-socket bool
u user string
- userns string
- uts string
v volume list
- volume-driver string
- volumes-from list
w workdir string
""")

# podman run/create flags that docker does not have (podman 5).
PODMAN_RUN_FLAGS = _table("""
- arch string
- authfile string
- cert-dir string
- cgroup-conf strings
- cgroups string
- chrootdirs strings
- conmon-pidfile string
- creds string
- decryption-key strings
- env-host bool
- env-merge strings
- gidmap strings
- gpus strings
- group-entry string
- hostuser strings
- http-proxy bool
- image-volume string
- init-ctr string
- init-path string
- no-hosts bool
- os string
- passwd bool
- passwd-entry string
- personality string
- pidfile string
- pod string
- pod-id-file string
- preserve-fd uints
- preserve-fds uint
- rdt-class string
- read-only-tmpfs bool
- replace bool
- requires strings
- retry uint
- retry-delay string
- rmi bool
- rootfs bool
- sdnotify string
- seccomp-policy string
- secret stringArray
- shm-size-systemd string
- subgidname string
- subuidname string
- systemd string
- timeout uint
- tls-verify bool
- tz string
- uidmap strings
- umask string
- unsetenv strings
- unsetenv-all bool
- variant string
""")

# nerdctl run/create flags that docker does not have.
NERDCTL_RUN_FLAGS = _table("""
- cosign-certificate-identity string
- cosign-certificate-identity-regexp string
- cosign-certificate-oidc-issuer string
- cosign-certificate-oidc-issuer-regexp string
- cosign-key string
- ipfs-address string
- pidfile string
- rdt-class string
- verify string
- systemd string
""")

# Global options: before the subcommand (`docker -H tcp://x --tls run ...`).
DOCKER_GLOBAL_FLAGS = _table("""
- config string
c context string
D debug bool
H host list
l log-level string
- tls bool
- tlscacert string
- tlscert string
- tlskey string
- tlsverify bool
v version bool
- help bool
""")

PODMAN_GLOBAL_FLAGS = _table("""
- cgroup-manager string
- config string
- conmon string
c connection string
- db-backend string
- events-backend string
- hooks-dir strings
- identity string
- imagestore string
- log-level string
- module strings
- network-cmd-path string
- network-config-dir string
- out string
r remote bool
- root string
- runroot string
- runtime string
- runtime-flag stringArray
- ssh string
- storage-driver string
- storage-opt stringArray
- syslog bool
- tmpdir string
- transient-store bool
- url string
- volumepath string
- help bool
v version bool
""")

NERDCTL_GLOBAL_FLAGS = _table("""
a address string
H host string
- bridge-ip string
- cgroup-manager string
- cni-netconfpath string
- cni-path string
- data-root string
- debug bool
- debug-full bool
- experimental bool
- host-gateway-ip string
- hosts-dir strings
- insecure-registry bool
n namespace string
- snapshotter string
- storage-driver string
- kube-hide-dupe bool
- help bool
v version bool
""")

_RUN_FLAGS = {
    "docker": DOCKER_RUN_FLAGS,
    "podman": {**DOCKER_RUN_FLAGS, **PODMAN_RUN_FLAGS},
    "nerdctl": {**DOCKER_RUN_FLAGS, **NERDCTL_RUN_FLAGS},
}
_GLOBAL_FLAGS = {
    "docker": DOCKER_GLOBAL_FLAGS,
    "podman": PODMAN_GLOBAL_FLAGS,
    "nerdctl": NERDCTL_GLOBAL_FLAGS,
}
_MANAGEMENT = frozenset({
    "container", "image", "network", "volume", "system", "builder", "buildx", "compose",
    "context", "plugin", "secret", "service", "stack", "swarm", "node", "config", "trust",
    "manifest", "checkpoint", "pod", "machine", "generate", "kube", "scout", "namespace",
    "apparmor", "ipfs",
})


def _shorts(table: dict[str, tuple[str, bool]]) -> dict[str, str]:
    return {short: long for long, (short, _) in table.items() if short}


_RUN_SHORTS = {program: _shorts(table) for program, table in _RUN_FLAGS.items()}
_GLOBAL_SHORTS = {program: _shorts(table) for program, table in _GLOBAL_FLAGS.items()}


# ---------------------------------------------------------------------------------------
# Generic CLI invocation: program, global options, subcommand
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FlagUse:
    """One option as the CLI parsed it.  ``index`` is the argv index of the flag word."""

    name: str  # long name, without dashes (``volume`` for ``-v``)
    value: str | None
    index: int
    expands: bool = False  # the value holds an unresolved shell expansion
    known: bool = True


@dataclass(frozen=True, slots=True)
class CliInvocation:
    """A container CLI command line: ``docker [globals] container run [args]``.

    ``path`` is the subcommand as written (``("container", "run")``); ``action`` is its
    normalized form (``run``; ``build`` for ``image build``/``builder build``;
    ``buildx build``).  ``args_start`` is the argv index of the first word after it.
    """

    command: Command
    program: str
    globals: tuple[FlagUse, ...]
    path: tuple[str, ...]
    action: str
    args_start: int

    @property
    def args(self) -> tuple[Word, ...]:
        return self.command.argv[self.args_start:]

    def global_values(self, name: str) -> list[FlagUse]:
        return [flag for flag in self.globals if flag.name == name]


def parse_cli(command: Command) -> CliInvocation | None:
    """Split a docker/podman/nerdctl command into globals and subcommand, or None."""
    program = command.program
    if program not in RUNTIME_PROGRAMS:
        return None
    argv = command.argv
    table = _GLOBAL_FLAGS[program]
    flags, index = parse_flags(argv, 1, table, _GLOBAL_SHORTS[program])
    path: list[str] = []
    if index < len(argv):
        first = argv[index].text
        path.append(first)
        index += 1
        if first in _MANAGEMENT and index < len(argv) and not argv[index].text.startswith("-"):
            path.append(argv[index].text)
            index += 1
    if not path:
        return None
    return CliInvocation(command=command, program=program, globals=tuple(flags),
                         path=tuple(path), action=_action(tuple(path)), args_start=index)


def _action(path: tuple[str, ...]) -> str:
    if len(path) == 2 and path[0] in ("container", "image", "builder"):
        return path[1]
    if path == ("buildx", "b"):
        return "buildx build"
    return " ".join(path)


def parse_flags(
    argv: tuple[Word, ...],
    start: int,
    table: dict[str, tuple[str, bool]],
    shorts: dict[str, str],
    *,
    stop_at_positional: bool = True,
    elisions: frozenset[str] = frozenset(),
) -> tuple[list[FlagUse], int]:
    """Parse options from ``argv[start:]`` like pflag; return them and the first positional.

    Unknown flags are assumed to take no value unless written ``--x=y`` (a debug note is
    logged): a reader must keep going on flags newer than its table.  Words in
    ``elisions`` (``...`` in documentation: "more flags here") are skipped.
    """
    flags: list[FlagUse] = []
    i = start
    n = len(argv)
    while i < n:
        word = argv[i]
        text = word.text
        if text == "--":
            return flags, i + 1
        if text in elisions:
            i += 1
            continue
        if not text.startswith("-") or text == "-":
            if stop_at_positional:
                return flags, i
            i += 1
            continue
        if text.startswith("--"):
            name, eq, inline = text[2:].partition("=")
            spec = table.get(name)
            if spec is None:
                log.debug("%s:%d: unknown flag --%s", word.line, word.column, name)
                flags.append(FlagUse(name, inline if eq else None, i, word.expands, False))
                i += 1
                continue
            if eq or not spec[1]:
                flags.append(FlagUse(name, inline if eq else None, i, word.expands))
                i += 1
                continue
            if i + 1 < n:
                flags.append(FlagUse(name, argv[i + 1].text, i, argv[i + 1].expands))
                i += 2
            else:
                flags.append(FlagUse(name, None, i))
                i += 1
            continue
        i = _short_cluster(argv, i, table, shorts, flags)
    return flags, i


def _short_cluster(argv: tuple[Word, ...], i: int, table: dict[str, tuple[str, bool]],
                   shorts: dict[str, str], flags: list[FlagUse]) -> int:
    """``-itv /a:/b``, ``-p8080:80``, ``-d=false``: return the index after the cluster."""
    word = argv[i]
    text = word.text
    k = 1
    while k < len(text):
        letter = text[k]
        long = shorts.get(letter)
        if long is None:
            log.debug("%s:%d: unknown short flag -%s", word.line, word.column, letter)
            flags.append(FlagUse(letter, None, i, False, False))
            k += 1
            continue
        takes_value = table[long][1]
        rest = text[k + 1:]
        if rest.startswith("="):
            flags.append(FlagUse(long, rest[1:], i, word.expands))
            return i + 1
        if not takes_value:
            flags.append(FlagUse(long, None, i))
            k += 1
            continue
        if rest:
            flags.append(FlagUse(long, rest, i, word.expands))
            return i + 1
        if i + 1 < len(argv):
            flags.append(FlagUse(long, argv[i + 1].text, i, argv[i + 1].expands))
            return i + 2
        flags.append(FlagUse(long, None, i))
        return i + 1
    return i + 1


# ---------------------------------------------------------------------------------------
# Run argv -> Workload
# ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RunLine:
    """A parsed container-creating command: the invocation, its flags, image and command."""

    cli: CliInvocation
    flags: tuple[FlagUse, ...]
    image: Word
    image_index: int  # argv index of the image word


def parse_run(command: Command) -> RunLine | None:
    """The ``run``/``create`` flags, image and command of ``command``; None otherwise."""
    cli = parse_cli(command)
    if cli is None or cli.action not in CONTAINER_CREATING:
        return None
    table = _RUN_FLAGS[cli.program]
    argv = command.argv
    flags, image_index = parse_flags(argv, cli.args_start, table, _RUN_SHORTS[cli.program],
                                     elisions=_ELLIPSIS)
    if image_index >= len(argv):
        return None  # an incomplete snippet (`docker run --rm ...`): nothing to model
    if any(f.name == "help" for f in flags):
        return None
    return RunLine(cli=cli, flags=tuple(flags), image=argv[image_index],
                   image_index=image_index)


def read_run_commands(commands: Iterable[Command]) -> Iterator[Workload]:
    """Workloads for every container-creating command, numbered in file order."""
    ordinal = 0
    for command in commands:
        run = parse_run(command)
        if run is None:
            continue
        yield workload_from_run(run, ordinal)
        ordinal += 1


@dataclass(slots=True)
class _Context:
    """What every flag handler needs: the Workload and how to name locations."""

    workload: Workload
    command: Command
    base: Location

    def origin(self, index: int) -> Location:
        return self.command.location(index, f"{self.base.path}.argv[{index}]")


def workload_from_run(run: RunLine, ordinal: int = 0) -> Workload:
    """Map the parsed flags onto a Workload with provenance for every field."""
    command = run.cli.command
    first = command.argv[0]
    anchor = Location(file=command.file, line=first.line, column=first.column,
                      path=f"run[{ordinal}]", end_line=command.end_line)
    image = run.image.text
    workload = Workload(name=image, source_kind="run-line", anchor=anchor, image=image)
    workload.origins["image"] = command.location(run.image_index,
                                                 f"run[{ordinal}].argv[{run.image_index}]")
    workload.command = [w.text for w in command.argv[run.image_index + 1:]]
    workload.facts["runtime"] = run.cli.program
    workload.facts["subcommand"] = run.cli.action
    context = _Context(workload, command, anchor)
    for flag in run.flags:
        handler = _HANDLERS.get(flag.name)
        if handler is None:
            if not flag.known:
                log.debug("%s: ignoring unknown run flag %s", anchor.describe(), flag.name)
            continue
        if flag.value is None and _takes_value(run.cli.program, flag.name):
            continue  # a dangling `-v` at the end of a snippet
        try:
            handler(context, flag)
        except (ValueError, IndexError) as exc:  # a malformed value never stops the scan
            log.debug("%s: cannot read --%s %r: %s", anchor.describe(), flag.name,
                      flag.value, exc)
    _finish_cpus(context)
    if has_expansion(image):
        workload.mark_unknown("image", f"unresolved {image}")
    return workload


def _takes_value(program: str, name: str) -> bool:
    spec = _RUN_FLAGS[program].get(name)
    return bool(spec and spec[1])


Handler = Callable[[_Context, FlagUse], None]


def _set_bool(field_name: str) -> Handler:
    def handle(ctx: _Context, flag: FlagUse) -> None:
        value = True if flag.value is None else parse_bool(flag.value)
        if value is None:
            ctx.workload.mark_unknown(field_name, f"cannot read {flag.value!r}")
            return
        ctx.workload.set(field_name, value, ctx.origin(flag.index))
    return handle


def _fact_bool(key: str) -> Handler:
    def handle(ctx: _Context, flag: FlagUse) -> None:
        ctx.workload.facts[key] = True if flag.value is None else bool(parse_bool(flag.value))
    return handle


def _fact_value(key: str, many: bool = False) -> Handler:
    def handle(ctx: _Context, flag: FlagUse) -> None:
        if many:
            ctx.workload.facts.setdefault(key, []).append(flag.value)
        else:
            ctx.workload.facts[key] = flag.value
    return handle


def _namespace(field_name: str) -> Handler:
    def handle(ctx: _Context, flag: FlagUse) -> None:
        value = flag.value or ""
        w = ctx.workload
        if field_name == "network_mode" and "network_mode" in w.origins:
            w.facts.setdefault("networks", [w.network_mode]).append(value)
            return  # the engine's NetworkMode is the first network given
        w.set(field_name, value, ctx.origin(flag.index))
        if flag.expands and has_expansion(value):
            w.mark_unknown(field_name, f"unresolved {value}")
    return handle


def _capabilities(field_name: str) -> Handler:
    def handle(ctx: _Context, flag: FlagUse) -> None:
        w = ctx.workload
        origin = ctx.origin(flag.index)
        target: list[Capability] = getattr(w, field_name)
        for item in (flag.value or "").split(","):
            if not item.strip():
                continue
            if flag.expands and has_expansion(item):
                w.mark_unknown(field_name, f"unresolved {item.strip()}")
                continue
            target.append(Capability(normalize_capability(item), origin))
        w.origins.setdefault(field_name, origin)
    return handle


def _number(field_name: str, parse: Callable[[object], float | int | None]) -> Handler:
    def handle(ctx: _Context, flag: FlagUse) -> None:
        w = ctx.workload
        value = flag.value or ""
        if flag.expands and has_expansion(value):
            w.mark_unknown(field_name, f"unresolved {value}")
            w.origins[field_name] = ctx.origin(flag.index)
            return
        number = parse(value)
        if number is None:
            w.mark_unknown(field_name, f"cannot read {value!r}")
            w.origins[field_name] = ctx.origin(flag.index)
            return
        w.set(field_name, number, ctx.origin(flag.index))
    return handle


def _volume(ctx: _Context, flag: FlagUse) -> None:
    spec = parse_volume(flag.value or "", Surface.RUN, flag.expands)
    if spec.target:
        _refused(ctx, flag, spec.error or spec.rejected)
        _add_mount(ctx, spec.mount(ctx.origin(flag.index)))


def _mount(ctx: _Context, flag: FlagUse) -> None:
    spec = parse_mount(flag.value or "", flag.expands)
    if spec.target:
        _refused(ctx, flag, spec.error or spec.rejected)
        _add_mount(ctx, spec.mount(ctx.origin(flag.index)))


def _tmpfs(ctx: _Context, flag: FlagUse) -> None:
    target, _ = parse_tmpfs(flag.value or "")
    if target:
        _add_mount(ctx, Mount(type="tmpfs", source=None, target=target,
                              origin=ctx.origin(flag.index)))


def _add_mount(ctx: _Context, mount: Mount) -> None:
    ctx.workload.mounts.append(mount)
    ctx.workload.origins.setdefault("mounts", mount.origin)


def _refused(ctx: _Context, flag: FlagUse, problem: str | None) -> None:
    """A spec the CLI or the engine would refuse is still read as its author wrote it: a
    snippet with a typo or a placeholder shows what was meant to run."""
    if problem:
        log.debug("%s: --%s %r: %s", ctx.base.describe(), flag.name, flag.value, problem)


def _api_socket(ctx: _Context, flag: FlagUse) -> None:
    """``--use-api-socket`` (docker 28) bind-mounts the engine's socket into the container."""
    if flag.value is not None and not parse_bool(flag.value):
        return
    origin = ctx.origin(flag.index)
    ctx.workload.mounts.append(Mount(type="bind", source="/var/run/docker.sock",
                                     target="/var/run/docker.sock", origin=origin))
    ctx.workload.facts["use_api_socket"] = True
    ctx.workload.origins.setdefault("mounts", origin)


def _device(ctx: _Context, flag: FlagUse) -> None:
    spec = parse_device(flag.value or "", Surface.RUN)
    if spec.host_path:
        _refused(ctx, flag, spec.error)
        device = spec.device(ctx.origin(flag.index))
        ctx.workload.devices.append(device)
        ctx.workload.origins.setdefault("devices", device.origin)


def _user(ctx: _Context, flag: FlagUse) -> None:
    ctx.workload.set("user", flag.value or "", ctx.origin(flag.index))
    if flag.expands and has_expansion(flag.value or ""):
        ctx.workload.mark_unknown("user", f"unresolved {flag.value}")


def _security_opt(ctx: _Context, flag: FlagUse) -> None:
    origin = ctx.origin(flag.index)
    ctx.workload.security_opts.append(SecurityOpt.parse(flag.value or "", origin))
    ctx.workload.origins.setdefault("security_opts", origin)


def _restart(ctx: _Context, flag: FlagUse) -> None:
    value = flag.value or ""
    origin = ctx.origin(flag.index)
    name, _, retries = value.partition(":")
    policy = RestartPolicy(name=name.strip().lower(), origin=origin,
                           max_retries=parse_int(retries) if retries else None)
    ctx.workload.set("restart", policy, origin)
    if flag.expands and has_expansion(value):
        ctx.workload.mark_unknown("restart", f"unresolved {value}")


def _publish(ctx: _Context, flag: FlagUse) -> None:
    spec = parse_port(flag.value or "", flag.expands)
    if spec.container_port:
        _refused(ctx, flag, spec.error)
        port = spec.port(ctx.origin(flag.index))
        ctx.workload.ports.append(port)
        ctx.workload.origins.setdefault("ports", port.origin)


def _env(ctx: _Context, flag: FlagUse) -> None:
    key, eq, value = (flag.value or "").partition("=")
    if key:
        origin = ctx.origin(flag.index)
        ctx.workload.env.append(EnvVar(key=key, value=value if eq else None, origin=origin))
        ctx.workload.origins.setdefault("env", origin)


def _name(ctx: _Context, flag: FlagUse) -> None:
    if flag.value:
        ctx.workload.name = flag.value
        ctx.workload.origins["name"] = ctx.origin(flag.index)


def _sysctl(ctx: _Context, flag: FlagUse) -> None:
    key, _, value = (flag.value or "").partition("=")
    ctx.workload.facts.setdefault("sysctls", {})[key] = value


def _cpu_part(key: str) -> Handler:
    def handle(ctx: _Context, flag: FlagUse) -> None:
        value = flag.value or ""
        if flag.expands and has_expansion(value):
            ctx.workload.mark_unknown("cpus", f"unresolved {value}")
            return
        number = parse_int(value)
        if number is not None:
            ctx.workload.facts[key] = number
            ctx.workload.facts[f"{key}_origin"] = ctx.origin(flag.index)
    return handle


def _finish_cpus(ctx: _Context) -> None:
    """``--cpu-quota``/``--cpu-period`` give a CPU limit when ``--cpus`` does not."""
    w = ctx.workload
    quota = w.facts.get("cpu_quota")
    if w.cpus is not None or not isinstance(quota, int) or quota <= 0:
        return
    period = w.facts.get("cpu_period")
    period = period if isinstance(period, int) and period > 0 else 100_000
    w.set("cpus", quota / period, w.facts["cpu_quota_origin"])


_HANDLERS: dict[str, Handler] = {
    "privileged": _set_bool("privileged"),
    "read-only": _set_bool("read_only"),
    "cap-add": _capabilities("cap_add"),
    "cap-drop": _capabilities("cap_drop"),
    "pid": _namespace("pid_mode"),
    "network": _namespace("network_mode"),
    "net": _namespace("network_mode"),
    "ipc": _namespace("ipc_mode"),
    "uts": _namespace("uts_mode"),
    "userns": _namespace("userns_mode"),
    "cgroupns": _namespace("cgroupns_mode"),
    "volume": _volume,
    "mount": _mount,
    "tmpfs": _tmpfs,
    "use-api-socket": _api_socket,
    "device": _device,
    "user": _user,
    "security-opt": _security_opt,
    "memory": _number("memory", parse_bytes),
    "cpus": _number("cpus", parse_float),
    "cpu-quota": _cpu_part("cpu_quota"),
    "cpu-period": _cpu_part("cpu_period"),
    "pids-limit": _number("pids_limit", parse_int),
    "restart": _restart,
    "publish": _publish,
    "publish-all": _fact_bool("publish_all"),
    "env": _env,
    "env-file": _fact_value("env_file", many=True),
    "name": _name,
    "rm": _fact_bool("rm"),
    "init": _fact_bool("init"),
    "detach": _fact_bool("detach"),
    "entrypoint": _fact_value("entrypoint"),
    "oom-kill-disable": _fact_bool("oom_kill_disable"),
    "gpus": _fact_value("gpus"),
    "group-add": _fact_value("group_add", many=True),
    "volumes-from": _fact_value("volumes_from", many=True),
    "device-cgroup-rule": _fact_value("device_cgroup_rules", many=True),
    "ulimit": _fact_value("ulimits", many=True),
    "runtime": _fact_value("runtime_name"),
    "memory-swap": _fact_value("memory_swap"),
    "cpu-shares": _fact_value("cpu_shares"),
    "cgroup-parent": _fact_value("cgroup_parent"),
    "expose": _fact_value("expose", many=True),
    "sysctl": _sysctl,
}
