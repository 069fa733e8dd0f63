"""``dockward tighten``: learn the least privilege a workload needs, by running it.

From a Workload (a ``docker run`` line, a compose service or a running container, each
read by the reader of its surface), this use case starts throwaway trial copies on a real
engine (:mod:`dockward.tighten.trial`) and decides, in this order, each step building on
the settings proven before it:

1. the workload as configured must pass (``--privileged`` is replaced by Docker's default
   capabilities plus the added ones; if that fails, nothing is proposed);
2. a non-root user, when it runs as root;
3. the smallest capability set, as that user;
4. read-only root with tmpfs mounts where the trials wrote, ``no-new-privileges``, the
   default seccomp profile (when the original was unconfined) and memory/PIDs/CPU limits
   from the peaks seen so far;
5. ``restart: on-failure:5`` (not trialled: trials never restart).

The proposal is only what the last passing trial ran; if no trial ran exactly it, one
more trial runs it.  Every trial container is removed, also on Ctrl-C or an engine error.
"""

from __future__ import annotations

import copy
import os
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dockward.models.workload import Workload
from dockward.readers.engine.connect import Endpoint
from dockward.tighten.candidate import Candidate, original_capabilities, runs_as_root
from dockward.tighten.conditions import TrialConditions
from dockward.tighten.filesystem import plan_tmpfs
from dockward.tighten.limits import HEADROOM_TEXT, format_bytes, limits_from_usage
from dockward.tighten.result import Decision, TightenResult
from dockward.tighten.search import Hardening, search_capabilities, search_hardening, search_user
from dockward.tighten.stats import Usage
from dockward.tighten.trial import (
    TightenError,
    TrialOutcome,
    TrialRunner,
    TrialSpec,
    new_run_id,
    with_expectation,
)
from dockward.tighten.users import parse_passwd

__all__ = [
    "TightenError",
    "TightenInputError",
    "TightenRequest",
    "tighten",
    "workload_from_compose_service",
    "workload_from_container",
    "workload_from_run_argv",
    "write_back_to_compose",
]

Progress = Callable[[int, int], None]


class TightenInputError(ValueError):
    """The workload to tighten could not be read (a usage error, exit 2)."""


@dataclass(frozen=True)
class TightenRequest:
    """What to tighten, where, and how the trials judge it."""

    workload: Workload
    endpoint: Endpoint
    check: tuple[str, ...] = ()
    settle: float = 5.0
    jobs: int | None = None  # None: twice the engine's CPUs, at most 8
    share_binds: bool = False
    timeout: float = 60.0
    base_dir: str = "."  # relative bind sources are relative to it


# --------------------------------------------------------------------------- inputs


def workload_from_run_argv(argv: Sequence[str]) -> Workload:
    """The Workload of ``docker run ...`` given as words (after ``--``)."""
    from dockward.readers.commands.docker_run import workload_from_argv

    words = list(argv)
    if not words:
        raise TightenInputError("no docker run command after --")
    workload = workload_from_argv(words, file="<command line>")
    if workload is None:
        raise TightenInputError(
            f"not a docker run command: {' '.join(words[:4])}... (expected "
            "'-- docker run [OPTIONS] IMAGE [COMMAND...]')")
    if workload.unknown:
        field_name, why = next(iter(workload.unknown.items()))
        raise TightenInputError(f"cannot read {field_name} from the command: {why}")
    return workload


def workload_from_compose_service(path: str, service: str) -> Workload:
    """The Workload of one service of a compose file (with its overrides and ``.env``)."""
    from dockward.readers.base import ParseProblem, SourceFile
    from dockward.readers.compose import discover_override, read_compose
    from dockward.readers.interpolate import read_env_file

    files: list[SourceFile] = []
    for name in [path, *discover_override(path)]:
        try:
            text = Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TightenInputError(f"cannot read {name}: {exc}") from None
        files.append(SourceFile(path=name, display=name, text=text, kind="compose"))
    env = read_env_file(Path(path).parent / ".env")
    names: list[str] = []
    problems: list[str] = []
    for item in read_compose(files, env):
        if isinstance(item, ParseProblem):
            problems.append(f"{item.location.describe()}: {item.message}")
            continue
        names.append(item.name)
        if item.name == service:
            if item.unknown:
                field_name, why = next(iter(item.unknown.items()))
                raise TightenInputError(f"service {service!r}: cannot know {field_name} "
                                        f"({why}); set the variable in .env")
            if not item.image:
                item.image = _compose_image_name(path, service)
            return item
    if problems and not names:
        raise TightenInputError("; ".join(problems[:3]))
    known = ", ".join(names) or "none"
    raise TightenInputError(f"no service {service!r} in {path} (services: {known})")


def _compose_image_name(path: str, service: str) -> str:
    """The image ``docker compose build`` makes for a service without ``image:``."""
    project = Path(path).resolve().parent.name.lower()
    cleaned = "".join(c for c in project if c.isalnum() or c in "_-")
    return f"{cleaned}-{service}"


def workload_from_container(endpoint: Endpoint, name: str, timeout: float = 30.0) -> Workload:
    """The Workload of a container on the engine, from its inspect (only read)."""
    import docker.errors

    from dockward.readers.engine.inspect_to_workload import workload_from_inspect

    client = _connect(endpoint, timeout)
    try:
        inspect = client.inspect_container(name)
    except docker.errors.NotFound:
        raise TightenInputError(f"no container {name!r} on {endpoint.label}") from None
    except docker.errors.APIError as exc:
        raise TightenError(f"cannot inspect container {name!r}: {exc}") from None
    finally:
        client.close()
    return workload_from_inspect(inspect, f"{endpoint.label}/{name}")


# --------------------------------------------------------------------------- the run


def tighten(request: TightenRequest, progress: Progress | None = None) -> TightenResult:
    """Run the trials and return the tightened configuration with its evidence."""
    import docker.errors
    import requests.exceptions

    # each running trial holds two connections: its calls and its stats stream
    client = _connect(request.endpoint, request.timeout, pool=2 * (request.jobs or 8) + 4)
    try:
        info = client.info()
        original, image_config = _prepare(client, request)
        host_cpus = int(info.get("NCPU") or 0)
        jobs = request.jobs or max(1, min(8, 2 * host_cpus))
        notes = _trial_notes(original, request.share_binds)
        run_id = new_run_id()
        network = "none" if (original.network_mode or "") == "none" else \
            f"dockward-tighten-{run_id}"
        conditions = TrialConditions(
            run_id=run_id, network=network, check=request.check, settle=request.settle,
            share_binds=request.share_binds,
            image_healthcheck=image_config.get("Healthcheck") or None)
        runner = TrialRunner(client, original, conditions, jobs=jobs, progress=progress,
                             create_network=network != "none")
        with runner:
            return _search(runner, original, host_cpus, notes)
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise TightenError(f"engine error: {exc}") from None
    finally:
        client.close()


def _connect(endpoint: Endpoint, timeout: float, pool: int = 4) -> Any:
    import docker.errors
    import requests.exceptions

    from dockward.readers.engine.connect import make_api_client

    try:
        client = make_api_client(endpoint, timeout=timeout, pool_size=pool)
        client.ping()
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise TightenError(f"cannot reach the engine at {endpoint.url}: {exc}") from None
    return client


def _prepare(client: Any, request: TightenRequest) -> tuple[Workload, dict[str, Any]]:
    """The workload as the trials start it: env resolved, paths absolute, image known."""
    import docker.errors

    w = request.workload
    if not w.image:
        raise TightenInputError("the workload names no image")
    try:
        image = client.inspect_image(w.image)
    except docker.errors.NotFound:
        raise TightenError(f"image {w.image!r} is not on the engine: pull or build it "
                           "first (tighten never pulls)") from None
    config = image.get("Config") or {}
    w = copy.deepcopy(w)
    if w.source_kind == "container":
        # an inspect merges the image's environment in; repeating it changes nothing
        image_env = set(config.get("Env") or [])
        w.env = [e for e in w.env if f"{e.key}={e.value}" not in image_env]
    if w.image_user is None:
        w.image_user = str(config.get("User") or "")
    w.env = _resolved_env(w)
    for mount in w.mounts:
        if mount.type == "bind" and mount.source and not mount.source.startswith("/"):
            mount.source = os.path.normpath(os.path.join(request.base_dir,
                                                         os.path.expanduser(mount.source)))
    return w, config


def _resolved_env(w: Workload) -> list[Any]:
    """Env files first (paths relative to the current folder, as the readers give them),
    then the workload's own entries; ``-e KEY`` takes the caller's value, as the docker
    CLI does (and is dropped when the caller has none)."""
    from dockward.models.workload import EnvVar
    from dockward.readers.interpolate import read_env_file

    out: list[EnvVar] = []
    for path in w.facts.get("env_file") or []:
        for key, text in read_env_file(str(path)).items():
            out.append(EnvVar(key, text, w.anchor))
    for entry in w.env:
        value = entry.value if entry.value is not None else os.environ.get(entry.key)
        if value is not None:
            out.append(EnvVar(entry.key, value, entry.origin))
    return out


def _trial_notes(w: Workload, share_binds: bool) -> list[str]:
    """How the trials differ from the original in ways that may matter to the reader."""
    notes: list[str] = []
    mode = (w.network_mode or "").lower()
    if mode == "host" or mode.startswith("container:"):
        notes.append(f"the original uses --network {w.network_mode}; trials ran on a "
                     "throwaway network of their own")
    for attr, flag in (("pid_mode", "--pid"), ("ipc_mode", "--ipc")):
        mode_value: str = getattr(w, attr) or ""
        if mode_value.startswith("container:"):
            notes.append(f"the original joins {flag} {mode_value}; trials did not")
    if any(m.type == "bind" and not m.read_only for m in w.mounts) and not share_binds:
        notes.append("writable bind mounts were mounted read-only in the trials "
                     "(--share-binds lets trials write to them)")
    if any(m.type == "volume" for m in w.mounts):
        notes.append("volumes were replaced by fresh anonymous volumes in the trials")
    if w.ports:
        notes.append("trials published no ports")
    if w.facts.get("interactive") or w.facts.get("tty"):
        notes.append("the original runs interactively (-i/-t); trials get no terminal and no "
                     "input, so a shell exits at once: give a command that keeps running, or "
                     "--check")
    return notes


def _search(runner: TrialRunner, original: Workload, host_cpus: int,
            notes: list[str]) -> TightenResult:
    decisions: list[Decision] = []
    base = Candidate(unprivileged=original.privileged)
    start = original_capabilities(original)
    if original.privileged or any(c.name == "ALL" for c in original.cap_add):
        base = base.but(capabilities=start)
    first = runner.run_one(TrialSpec("as configured" if base == Candidate() else
                                     "as configured, without --privileged/ALL", base))
    if not first.passed:
        raise TightenError(f"the workload does not pass as configured, so there is nothing "
                           f"to tighten: {first.label()} failed: {first.reason}"
                           + _hint(runner.conditions, first))
    runner.conditions = with_expectation(runner.conditions, first)
    if original.privileged:
        decisions.append(Decision("privileged", "dropped", [
            f"{first.label()} {first.purpose}: passed ({first.reason})"]))

    if runs_as_root(original):
        accounts = _image_accounts(runner)
        base, decision = search_user(runner, base, accounts)
    else:
        decision = Decision("user", original.user or original.image_user or "",
                            ["the original already runs as a non-root user"])
    decisions.append(decision)

    base, decision, _proof = search_capabilities(runner, base, start)
    decisions.append(decision)

    limits_peak = _peak(runner.outcomes)
    options, fs_decision = _hardening_options(runner, original, base, limits_peak, host_cpus)
    if fs_decision is not None:
        decisions.append(fs_decision)
    final, hardening, _proof2 = search_hardening(runner, base, options)
    decisions.extend(hardening)
    proof = _proof_of(runner, final)
    decisions.append(Decision("restart", "on-failure:5", [
        "bounded retries instead of a crash loop (not trialled: trials never restart)"]))
    final = final.but(restart=True)
    return TightenResult(original=original, candidate=final, decisions=decisions,
                         trials=sorted(runner.outcomes, key=lambda o: o.number),
                         proof=proof.number, peak=_peak(runner.outcomes), notes=notes,
                         limits_peak=limits_peak)


def _hint(conditions: TrialConditions, first: TrialOutcome) -> str:
    if conditions.check or not first.reason.startswith("exited"):
        return ""
    return " (a service must keep running for --settle seconds; a one-shot command must " \
           "exit 0)"


def _image_accounts(runner: TrialRunner) -> list[Any]:
    with runner.image_probe() as probe:
        data = probe.read_file("/etc/passwd")
    return parse_passwd(data.decode("utf-8", "replace")) if data else []


def _hardening_options(runner: TrialRunner, original: Workload, base: Candidate,
                       peak: Usage, host_cpus: int) -> tuple[list[Hardening], Decision | None]:
    """What the hardening step tries, and the read-only decision when it cannot be tried."""
    options: list[Hardening] = []
    fs_decision: Decision | None = None
    if original.read_only:
        fs_decision = Decision("read_only", "yes (already)", ["the original is read-only"])
    else:
        option, fs_decision = _read_only_option(runner, original, base)
        if option is not None:
            options.append(option)
    if not original.no_new_privileges:
        options.append(Hardening("no_new_privileges", {"no_new_privileges": True},
                                 "no-new-privileges"))
    seccomp = original.security_opt("seccomp")
    if seccomp is not None and seccomp.value.lower() == "unconfined":
        options.append(Hardening("seccomp", {"seccomp_default": True},
                                 "the default seccomp profile",
                                 ("the original runs with seccomp=unconfined",)))
    limits = limits_from_usage(peak, host_cpus)
    seen = sum(1 for o in runner.outcomes if o.passed)
    options.append(Hardening(
        "limits",
        {"memory": limits.memory, "pids_limit": limits.pids_limit, "cpus": limits.cpus},
        f"--memory {format_bytes(limits.memory)} --pids-limit {limits.pids_limit} "
        f"--cpus {limits.cpus:g}",
        (f"peaks over {seen} passing trials: memory {_mib(peak.memory)}, PIDs {peak.pids}, "
         f"CPUs {peak.cpus:.2f}",
         "headroom: memory " + HEADROOM_TEXT["memory"] + "; PIDs "
         + HEADROOM_TEXT["pids_limit"] + "; CPUs " + HEADROOM_TEXT["cpus"])))
    return options, fs_decision


def _read_only_option(runner: TrialRunner, original: Workload, base: Candidate
                      ) -> tuple[Hardening | None, Decision | None]:
    """``--read-only`` with tmpfs where the latest writable trial wrote, or why not."""
    latest = _latest_writable_pass(runner, base)
    mounted = [m.target for m in original.mounts]
    with runner.image_probe() as probe:
        plan = plan_tmpfs(latest.changes if latest else [], mounted, probe.entries)
    seen = latest.label() if latest else "the trials"
    if plan.blockers:
        return None, Decision("read_only", "not proposed", [f"in {seen}: {b}"
                                                            for b in plan.blockers])
    if plan.written:
        context = tuple(f"{seen} wrote {', '.join(paths[:3])}"
                        f"{', ...' if len(paths) > 3 else ''}: tmpfs on {target}"
                        for target, paths in plan.written.items())
    else:
        context = (f"{seen} wrote nothing outside its mounts",)
    value = "--read-only" + "".join(f" --tmpfs {t}" for t in plan.targets)
    return Hardening("read_only", {"read_only": True, "tmpfs": plan.targets}, value,
                     context), None


def _mib(value: int) -> str:
    return f"{value / (1024 * 1024):.1f} MiB"


def _latest_writable_pass(runner: TrialRunner, base: Candidate) -> TrialOutcome | None:
    same = [o for o in runner.outcomes if o.passed and o.candidate == base]
    if not same:
        same = [o for o in runner.outcomes if o.passed and not o.candidate.read_only]
    return max(same, key=lambda o: o.number) if same else None


def _proof_of(runner: TrialRunner, final: Candidate) -> TrialOutcome:
    """The latest passing trial of exactly ``final``; run one when there is none."""
    proven = [o for o in runner.outcomes if o.passed and o.candidate == final]
    if proven:
        return max(proven, key=lambda o: o.number)
    outcome = runner.run_one(TrialSpec("with every proposed setting", final))
    if not outcome.passed:
        raise TightenError(f"the proposed configuration failed its own trial: "
                           f"{outcome.label()} {outcome.reason}")
    return outcome


def _peak(outcomes: Sequence[TrialOutcome]) -> Usage:
    peak = Usage()
    for outcome in outcomes:
        if outcome.passed:
            peak = peak.merge(outcome.usage)
    return peak


# --------------------------------------------------------------------------- write-back


def write_back_to_compose(result: TightenResult, compose_path: str, service: str) -> str:
    """Write the proven proposal into ``service`` of ``compose_path``; returns the new text.

    It goes through ``dockward fix``'s editors (the same remedies rules yield), so comments,
    key order and quoting stay as they were and only the settings tighten changed are
    edited.  Raises :class:`TightenInputError` when the file cannot carry the proposal.
    """
    from dockward.fixers.base import Unfixable
    from dockward.fixers.workload import write_workload
    from dockward.usecases.fix import write_text_atomically

    try:
        text = write_workload(compose_path, f"services.{service}", result.to_workload(),
                              kind="compose")
    except (Unfixable, OSError) as exc:
        raise TightenInputError(f"cannot write {service!r} into "
                                f"{posixpath.basename(compose_path)}: {exc}") from None
    write_text_atomically(compose_path, text)
    return text

