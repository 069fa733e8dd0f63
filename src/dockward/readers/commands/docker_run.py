"""``docker run`` / ``podman run`` / ``nerdctl run`` argv -> the Workload the engine would get.

:mod:`dockward.readers.commands.cli` parses the command line as the CLI would (pflag
semantics, complete flag tables); this module maps the ``run``/``create`` flags onto a
:class:`Workload`, one handler per flag, with the argv position of every value as its
location.  Spec values (``-v``, ``--mount``, ``--device``, ``-p``, ``--tmpfs``) are read by
:mod:`dockward.readers.specs`, shared with the compose and inspect readers.

Values holding shell expansions (``$VAR``, ``$(pwd)``) are kept verbatim; numeric limits
built from them are marked *unknown* on the Workload rather than guessed, and a mount with
an unresolved source keeps its target so ``-v $SOCK:/var/run/docker.sock`` is still known.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from dockward.models.location import Location
from dockward.models.values import (
    parse_bool,
    parse_bytes,
    parse_duration,
    parse_float,
    parse_int,
)
from dockward.models.workload import (
    Capability,
    EnvVar,
    Mount,
    RestartPolicy,
    SecurityOpt,
    Workload,
    normalize_capability,
)
from dockward.readers.commands.chunks_ci_containers import CI_CONTAINER_ORIGIN
from dockward.readers.commands.cli import (
    RUN_FLAGS,
    RUN_SHORTS,
    CliInvocation,
    FlagUse,
    parse_cli,
    parse_flags,
    takes_value,
)
from dockward.readers.commands.objects import FileObjects
from dockward.readers.commands.variables import expand_command, hides_options
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

CONTAINER_CREATING = frozenset({"run", "create"})
_ELLIPSIS = frozenset({"...", "…", "[...]", "<...>"})


@dataclass(frozen=True, slots=True)
class RunLine:
    """A parsed container-creating command: the invocation, its flags, image and command.

    ``cli.command`` is the command with the file's variables expanded
    (:func:`~dockward.readers.commands.variables.expand_command`), so flag indexes point
    into its argv.  ``hidden`` are the argv indexes of unresolved words in option position
    (``docker run $OPTS img`` with ``OPTS`` unknown): any option may hide there.
    """

    cli: CliInvocation
    flags: tuple[FlagUse, ...]
    image: Word
    image_index: int  # argv index of the image word
    hidden: tuple[int, ...] = ()


def parse_run(command: Command) -> RunLine | None:
    """The ``run``/``create`` flags, image and command of ``command``; None otherwise."""
    cli = parse_cli(command)
    if cli is None or cli.action not in CONTAINER_CREATING:
        return None
    expanded = expand_command(command)
    if expanded is not command:
        cli = parse_cli(expanded)
        if cli is None or cli.action not in CONTAINER_CREATING:
            return None
    table = RUN_FLAGS[cli.program]
    shorts = RUN_SHORTS[cli.program]
    argv = cli.command.argv
    flags, image_index = parse_flags(argv, cli.args_start, table, shorts, elisions=_ELLIPSIS)
    hidden: list[int] = []
    while image_index < len(argv) and hides_options(
            argv[image_index], argv[image_index + 1] if image_index + 1 < len(argv) else None):
        hidden.append(image_index)
        more, after = parse_flags(argv, image_index + 1, table, shorts, elisions=_ELLIPSIS)
        flags.extend(more)
        if after >= len(argv):
            break  # nothing positional after it: the variable holds the image too
        image_index = after
    if image_index >= len(argv):
        return None  # an incomplete snippet (`docker run --rm ...`): nothing to model
    if any(f.name == "help" for f in flags):
        return None
    return RunLine(cli=cli, flags=tuple(flags), image=argv[image_index],
                   image_index=image_index, hidden=tuple(hidden))


def read_run_commands(commands: Iterable[Command]) -> Iterator[Workload]:
    """Workloads for every container-creating command, numbered in file order; named
    volumes and containers made by earlier commands are followed (:mod:`.objects`)."""
    objects = FileObjects()
    ordinal = 0
    for command in commands:
        if objects.note(command):
            continue
        run = parse_run(command)
        if run is None:
            continue
        workload = workload_from_run(run, ordinal)
        objects.resolve(workload)
        yield workload
        ordinal += 1


def workload_from_argv(argv: Sequence[str], file: str = "") -> Workload | None:
    """The Workload of a ``docker run``/``create`` given as an argv list (already split by
    a shell, so no word holds an unresolved expansion); None when it is not one.

    This is how a command line typed after ``--`` (``dockward tighten -- docker run ...``)
    reaches the same reader as the run lines found in files.
    """
    words: list[Word] = []
    column = 1
    for text in argv:
        words.append(Word(text=text, raw=shlex.quote(text), line=1, column=column,
                          end_line=1))
        column += len(words[-1].raw) + 1
    run = parse_run(Command(words=tuple(words), file=file, origin="argv"))
    return None if run is None else workload_from_run(run)


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
    hidden = list(run.hidden)
    for flag in run.flags:
        while hidden and hidden[0] < flag.index:
            _hidden_options(context, hidden.pop(0))
        handler = _HANDLERS.get(flag.name)
        if handler is None:
            if not flag.known:
                log.debug("%s: ignoring unknown run flag %s", anchor.describe(), flag.name)
            continue
        if flag.value is None and takes_value(RUN_FLAGS[run.cli.program], flag.name):
            continue  # a dangling `-v` at the end of a snippet
        try:
            handler(context, flag)
        except (ValueError, IndexError) as exc:  # a malformed value never stops the scan
            log.debug("%s: cannot read --%s %r: %s", anchor.describe(), flag.name,
                      flag.value, exc)
    for index in hidden:
        _hidden_options(context, index)
    _finish_cpus(context)
    if command.origin == CI_CONTAINER_ORIGIN:
        _ci_container(workload)
    if has_expansion(image):
        workload.mark_unknown("image", f"unresolved {image}")
    return workload


# What options hidden in an unresolved word may set.  A scalar set by a later flag is known
# again (the last flag wins); lists (capabilities, security options, mounts ...) may still
# grow, so they stay unknown.
HIDDEN_OPTION_FIELDS = (
    "privileged", "read_only", "user", "memory", "cpus", "pids_limit", "restart",
    "pid_mode", "network_mode", "ipc_mode", "uts_mode", "userns_mode", "cgroupns_mode",
    "cap_add", "cap_drop", "security_opts", "no_new_privileges", "mounts", "devices",
    "ports", "env",
)


# Hardening a CI runner's container would need: the runner creates it with its own flags
# (GitHub adds its network, entrypoint, workspace mounts), so only what the workflow adds
# is judged, and what it leaves out is not claimed missing.
_RUNNER_DEFAULTS = ("user", "read_only", "memory", "cpus", "pids_limit", "restart",
                    "cap_drop", "no_new_privileges")
_RUNNER_REASON = ("the CI runner creates this container with its own defaults; only what "
                  "the workflow adds (options, volumes, ports) is judged")


def _ci_container(workload: Workload) -> None:
    """A GitHub Actions job or service container (``jobs.<id>.container``/``services``)."""
    workload.source_kind = "ci-container"
    for field_name in _RUNNER_DEFAULTS:
        if field_name not in workload.origins:
            workload.mark_unknown(field_name, _RUNNER_REASON)
    if not workload.no_new_privileges:
        workload.mark_unknown("no_new_privileges", _RUNNER_REASON)


def _hidden_options(ctx: _Context, index: int) -> None:
    """An unresolved word in option position may set any option: none is *missing*."""
    word = ctx.command.argv[index]
    for field_name in HIDDEN_OPTION_FIELDS:
        ctx.workload.mark_unknown(field_name, f"options may be hidden in {word.text}")


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
    value = flag.value or ""
    ctx.workload.origins.setdefault("security_opts", origin)
    if flag.expands and has_expansion(value):
        ctx.workload.mark_unknown("security_opts", f"unresolved {value}")
        return
    ctx.workload.security_opts.append(SecurityOpt.parse(value, origin))


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


def _workdir(ctx: _Context, flag: FlagUse) -> None:
    ctx.workload.facts["workdir"] = flag.value or ""


_HEALTH_FIELDS = {"health-interval": "Interval", "health-timeout": "Timeout",
                  "health-start-period": "StartPeriod", "health-start-interval": "StartInterval"}


def _healthcheck(ctx: _Context, flag: FlagUse) -> None:
    """``--health-*`` flags as the Engine API's ``Healthcheck`` object (durations in ns)."""
    check: dict[str, object] = ctx.workload.facts.setdefault("healthcheck", {})
    if flag.name == "no-healthcheck":
        if flag.value is None or parse_bool(flag.value):
            check["Test"] = ["NONE"]
    elif flag.name == "health-cmd":
        check["Test"] = ["CMD-SHELL", flag.value or ""]
    elif flag.name == "health-retries":
        retries = parse_int(flag.value)
        if retries is not None:
            check["Retries"] = retries
    else:
        duration = parse_duration(flag.value)
        if duration is not None:
            check[_HEALTH_FIELDS[flag.name]] = duration


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
    "interactive": _fact_bool("interactive"),
    "tty": _fact_bool("tty"),
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
    "workdir": _workdir,
    "health-cmd": _healthcheck,
    "health-interval": _healthcheck,
    "health-timeout": _healthcheck,
    "health-start-period": _healthcheck,
    "health-start-interval": _healthcheck,
    "health-retries": _healthcheck,
    "no-healthcheck": _healthcheck,
}
