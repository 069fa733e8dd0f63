"""``dockward inside``: the attacker's view of this container's isolation, as findings."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from dockward.cli.common import (
    BaselineOpt,
    ColorOpt,
    ConfigOpt,
    ExitZeroOpt,
    ExtendSelectOpt,
    FailOnOpt,
    FormatOpt,
    IgnoreOpt,
    OutputOpt,
    SelectOpt,
    WriteBaselineOpt,
    apply_baseline_option,
    build_config,
    default_format,
    emit,
    exit_code,
    fail_usage,
)

MAX_OBSERVATIONS = 32 * 1024 * 1024  # a real probe writes well under 1 MB


def _load_observations(source: str) -> dict[str, Any]:
    """The probe's JSON from a file or stdin: bounded in size, checked against the
    observations' shape (wrong-typed fields are dropped and listed), never a traceback."""
    from dockward.inside.probe import SCHEMA
    from dockward.inside.shape import conform
    from dockward.readers.files import Refused, read_bytes
    from dockward.text import visible

    shown = visible(source)
    try:
        if source == "-":
            data = sys.stdin.buffer.read(MAX_OBSERVATIONS + 1)
            if len(data) > MAX_OBSERVATIONS:
                raise Refused("over the 32 MB limit (the limit for observations)")
        else:
            data = read_bytes(source, MAX_OBSERVATIONS, anywhere=True,  # named by the user
                              limit_name="the limit for observations")
    except Refused as exc:
        raise fail_usage(f"cannot read {shown}: {exc.reason}") from None
    except OSError as exc:
        raise fail_usage(f"cannot read {shown}: {exc.strerror or exc}") from None
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise fail_usage(f"{shown} is not JSON: {visible(str(exc))}") from None
    except RecursionError:
        raise fail_usage(f"{shown} is nested too deeply to be dockward-inside "
                         "output") from None
    if not isinstance(parsed, dict) or parsed.get("schema") != SCHEMA:
        found = parsed.get("schema") if isinstance(parsed, dict) else type(parsed).__name__
        raise fail_usage(f"{shown} is not a dockward-inside observation "
                         f"(schema {visible(repr(found))[:80]}, expected {SCHEMA!r})")
    return conform(parsed, shown)


def _print_summary(obs: dict[str, Any], color: bool | None) -> None:
    """The capsh-like header of the text report: what this process holds and sees."""
    from rich.console import Console
    from rich.text import Text

    from dockward.cli.common import use_color
    from dockward.inside.probe import capsh_lines
    from dockward.inside.to_workload import summary

    s = summary(obs)
    on = use_color(sys.stdout, color)
    console = Console(file=sys.stdout, force_terminal=on, no_color=not on, highlight=False,
                      width=None if on else 200, soft_wrap=not on)
    title = f"observed from inside {s['name'] or 'this container'}"
    console.print(Text(title, style="bold underline"))
    for line in capsh_lines(obs):
        console.print(Text(f"  {line}"))
    caps = s["capabilities"]
    console.print(Text(f"  added to Docker's default set: {','.join(caps['added'] or []) or '-'}"
                       f"; dropped: {','.join(caps['dropped'] or []) or '-'}"))
    user = s["user"]
    remap = {True: f"root remapped to host uid {user['root_maps_to']}",
             False: "no user namespace remapping", None: "user namespace unknown"}[
        user["userns_remapped"]]
    console.print(Text(f"  uid={user['uid']} gid={user['gid']} ({remap}); seccomp "
                       f"{s['seccomp'] or '?'}; no_new_privs "
                       f"{ {True: 'on', False: 'off', None: '?'}[s['no_new_privs']] }; "
                       f"apparmor {s['apparmor'] or '-'}; selinux {s['selinux'] or '-'}"))

    def limit(value: Any) -> str:
        return "unlimited" if value is None else str(value)

    console.print(Text(f"  host namespaces: {', '.join(s['host_namespaces']) or 'none'}; "
                       f"cgroup v{s['cgroup_version'] or '?'}: memory "
                       f"{limit(s['memory_limit'])}, cpus {limit(s['cpus'])}, pids "
                       f"{limit(s['pids_max'])}; rootfs "
                       f"{'read-only' if s['read_only_rootfs'] else 'writable'}"))
    for sock in s["runtime_sockets"]:
        state = "answers" if sock["answers"] else (
            "accepts connections" if sock["connectable"] else "does not answer")
        console.print(Text(f"  runtime socket {sock['address']} ({sock['runtime']}): {state}"))
    console.print()


def inside(
    from_json: Annotated[str | None, typer.Option("--from-json",
        help="Analyse observations printed by dockward-inside.pyz elsewhere "
             "('-' reads stdin) instead of looking at this container.")] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    save_observations: Annotated[str | None, typer.Option("--save-observations",
        help="Also write the raw observations (JSON) to this file.")] = None,
    name: Annotated[str | None, typer.Option("--name",
        help="Label for this container in findings (default: 'observed').")] = None,
    no_socket_probe: Annotated[bool, typer.Option("--no-socket-probe",
        help="List runtime sockets but do not connect to them (DW701 then stays silent).")
    ] = False,
    config: ConfigOpt = None,
    select: SelectOpt = None,
    extend_select: ExtendSelectOpt = None,
    ignore: IgnoreOpt = None,
    fail_on: FailOnOpt = None,
    baseline: BaselineOpt = None,
    write_baseline: WriteBaselineOpt = None,
    exit_zero: ExitZeroOpt = False,
    color: ColorOpt = None,
    proc_root: Annotated[str, typer.Option("--proc-root", hidden=True)] = "/proc",
    sys_root: Annotated[str, typer.Option("--sys-root", hidden=True)] = "/sys",
    dev_root: Annotated[str, typer.Option("--dev-root", hidden=True)] = "/dev",
    fs_root: Annotated[str, typer.Option("--fs-root", hidden=True)] = "/",
) -> None:
    """Look at isolation from inside this container (capsh, ps, mounts, cgroups, sockets)."""
    from dockward.inside.to_workload import summary
    from dockward.usecases.inside import inside_report

    cfg = build_config(config, Path("."), select, ignore, extend_select, fail_on)
    if from_json is not None:
        obs = _load_observations(from_json)
    else:
        from dockward.inside.probe import observe

        obs = observe(proc_root=proc_root, sys_root=sys_root, dev_root=dev_root,
                      fs_root=fs_root, probe_sockets=not no_socket_probe)
    inputs = [from_json] if from_json not in (None, "-") else []
    if save_observations:
        from dockward.output import WriteRefused, write_atomically

        try:
            write_atomically(save_observations,
                             lambda fh: fh.write(json.dumps(obs, indent=2, sort_keys=True)
                                                 + "\n"),
                             protected=inputs, what="observations")
        except WriteRefused as exc:
            raise fail_usage(str(exc)) from None
    if {"pid", "net", "ipc", "uts"} <= set(summary(obs)["host_namespaces"] or ()):
        typer.echo("dockward inside: the PID, network, IPC and UTS namespaces here are all the "
                   "host's: this looks like the host itself (or a container that shares all of "
                   "them); the findings describe this process", err=True)
    report = inside_report(obs, cfg, name)
    report.inputs = inputs
    apply_baseline_option(report, cfg, baseline, write_baseline)
    chosen = fmt or default_format()
    if chosen == "text" and output is None:
        _print_summary(obs, color)
    emit(report, chosen, output, color)
    raise typer.Exit(exit_code(report, cfg, exit_zero))
