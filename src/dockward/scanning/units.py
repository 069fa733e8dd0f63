"""One task of a scan, start to finish: what a worker process runs.

A :class:`ReadTask` reads one file (the walk's, or stdin's bytes) and, unless an explicit
compose group (``-c``) owns that file, checks it as a unit: a compose file together with
its override, any other file on its own.  A :class:`GroupTask` reads and checks one
explicit compose group.  The result keeps only what the rest of the scan needs: the
file's inline-ignore directives, its findings, the number of models, and the
:class:`~dockward.linking.LinkKeys` that say whether it links to other files.

A unit whose invocations name a Dockerfile on disk cannot be checked alone (the
Dockerfile's ARGs and USER matter, and the Dockerfile's findings depend on who builds
it); its findings are left out (``None``) and :func:`run_component` checks it again later
with the files it links to, as one in-memory scan of those files would.

Findings come in two lists, the models' and the compose build invocations', because a
one-pass scan checks all the invocations after all the files; keeping them apart lets the
scan put every finding back in that order (see :mod:`dockward.usecases.scan`).

Each unit reads and checks on its own time budget (``file-time-budget``, CPU time, in
whichever process runs it): over it, its models are replaced by one DW000, as a one-pass scan
does.  The source line shown with a finding (its snippet) is cut from the text the task read,
for findings in the task's own file; a compose file's text is also kept (compressed), because
a finding of another file's services can land in it (``extends``).
"""

from __future__ import annotations

import importlib
import logging
import os
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dockward.budget import FileBudget, OverBudget
from dockward.config import Config
from dockward.discovery import Candidate
from dockward.findings import Finding
from dockward.link_keys import LinkKeys
from dockward.models.location import Location
from dockward.readers.base import ParseProblem, ReadError, SourceFile
from dockward.readers.files import (
    Refused,
    decode_source,
    is_regular_file,
    read_bytes,
    read_checked,
    read_source,
    recording,
)
from dockward.secrets import MASK
from dockward.suppression import Directive, parse_directives

if TYPE_CHECKING:
    from dockward.rules.runner import RuleRunner
    from dockward.scanning.cache import ScanCache
    from dockward.scanning.compact import Sharing

log = logging.getLogger(__name__)

_BASE_COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


@dataclass(frozen=True, slots=True)
class ReadTask:
    """One file to read; ``seq`` is its place in the order files are read.

    ``data`` holds stdin's bytes (read by the main process; ``path`` is then empty and
    ``name`` is shown instead).
    """

    seq: int
    path: str
    kind: str | None
    explicit: bool
    data: bytes | None = None
    name: str = ""
    problem: str = ""  # why the walk could not read it (a folder it cannot list ...)


@dataclass(frozen=True, slots=True)
class GroupTask:
    """An explicit compose group (``-c a.yaml,b.yaml``): its files, read in order (their
    places in the read order in ``seqs``), merged as ``docker compose -f a -f b`` would."""

    paths: tuple[str, ...]
    seqs: tuple[int, ...]


Task = ReadTask | GroupTask


@dataclass(slots=True)
class ReadOutcome:
    """What reading one file left: where it is shown, its kind when it could be read
    (``source`` = (path, kind)), its inline ignores, and DW000 for what could not be read."""

    seq: int
    display: str
    source: tuple[str, str] | None
    directives: list[Directive] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    packed: bytes = b""  # a compose file's text, compressed (see the module docstring)


@dataclass(slots=True)
class UnitOutcome:
    """The checked unit: model count, link keys, and findings (None: checked later, with
    the files it links to)."""

    models: int
    keys: LinkKeys
    findings: list[Finding] | None = None
    invocation_findings: list[Finding] | None = None


@dataclass(slots=True)
class TaskResult:
    reads: list[ReadOutcome]
    unit: UnitOutcome | None = None
    cached: bool = False  # taken from the cache


@dataclass
class ScanContext:
    """What every task of one scan shares: the policy, the folder paths are shown from,
    the files of explicit compose groups (checked only within them), the cache, and the
    paths the scan was given (which bound where readers may read, see ``scan_scope``)."""

    config: Config
    cwd: str
    explicit_paths: frozenset[str] = frozenset()
    cache: ScanCache | None = None
    roots: tuple[str, ...] = ()
    _runner: RuleRunner | None = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:  # a worker builds its own rule runner
        state = dict(self.__dict__)
        state["_runner"] = None
        return state

    @property
    def runner(self) -> RuleRunner:
        if self._runner is None:
            from dockward.rules.runner import RuleRunner

            self._runner = RuleRunner(self.config)
        return self._runner

    def display(self, path: Path) -> str:
        """How a path is shown in findings: relative to the working folder."""
        try:
            return os.path.relpath(path, self.cwd) if path.is_absolute() else path.as_posix()
        except ValueError:
            return path.as_posix()


# --------------------------------------------------------------------------- tasks


def run_task(task: Task, ctx: ScanContext) -> TaskResult:
    """Read and check one task; from the cache when it holds this file's result."""
    if isinstance(task, GroupTask):
        budget = FileBudget(ctx.config.file_time_budget)
        reads, models, texts = _read_group(task, ctx, budget)
        if models is None:
            return TaskResult(reads)
        result = TaskResult(reads, check_unit(models, ctx, budget))
        attach_snippets(result, texts)
        return result
    if task.data is not None:  # stdin
        src, problems = _stdin_source(task, ctx)
        return _finish_read(task, task.name, src, problems, ctx)
    candidate = Candidate(Path(task.path), task.kind, task.explicit, task.problem)
    display, data, problems = read_checked(candidate, ctx.display(candidate.path),
                                           ctx.config.max_file_size)
    cache = ctx.cache
    if cache is None or data is None:
        return _decode_and_check(task, display, data, problems, ctx)
    key = cache.key_for(task, display, task.path in ctx.explicit_paths, data)
    cached = cache.get(key, task.seq)
    if cached is not None:
        return cached
    with recording() as seen:
        result = _decode_and_check(task, display, data, problems, ctx)
    cache.put(key, result, seen)
    return result


def _stdin_source(task: ReadTask, ctx: ScanContext
                  ) -> tuple[SourceFile | None, list[ParseProblem]]:
    assert task.data is not None
    limit = ctx.config.max_file_size
    if len(task.data) > limit:
        return None, [ParseProblem(Location(file=task.name, line=1, column=1),
                                   f"input is over the {limit} byte limit (max-file-size); "
                                   "skipped")]
    return decode_source(task.data, "", task.name, task.kind or "shell", True)


def cached_result(task: Task, ctx: ScanContext, sharing: Sharing | None = None
                  ) -> TaskResult | None:
    """The task's result if the cache holds it (a file read and hashed, nothing parsed),
    its repeated parts shared through ``sharing``."""
    cache = ctx.cache
    if cache is None or not isinstance(task, ReadTask) or task.data is not None:
        return None
    candidate = Candidate(Path(task.path), task.kind, task.explicit, task.problem)
    display, data, _ = read_checked(candidate, ctx.display(candidate.path),
                                    ctx.config.max_file_size)
    if data is None:
        return None
    return cache.get(cache.key_for(task, display, task.path in ctx.explicit_paths, data),
                     task.seq, sharing)


def _decode_and_check(task: ReadTask, display: str, data: bytes | None,
                      problems: list[ParseProblem], ctx: ScanContext) -> TaskResult:
    src = None
    if data is not None:
        src, more = decode_source(data, task.path, display, task.kind, task.explicit)
        problems = problems + more
    return _finish_read(task, display, src, problems, ctx)


def _finish_read(task: ReadTask, display: str, src: SourceFile | None,
                 problems: list[ParseProblem], ctx: ScanContext) -> TaskResult:
    outcome = ReadOutcome(task.seq, display, None, [], ctx.runner.run(problems))
    if src is None:
        return TaskResult([outcome])
    attach_snippets(TaskResult([outcome]), {src.display: src.text})
    outcome.source = (src.path, src.kind)
    if src.kind == "compose":
        outcome.packed = zlib.compress(src.text.encode("utf-8", "surrogatepass"), 1)
    budget = FileBudget(ctx.config.file_time_budget)
    unit = _unit_of(src, ctx)
    if unit is None:  # checked with its base file or its explicit group
        if src.path not in ctx.explicit_paths:
            outcome.directives = _directives(src)
        return TaskResult([outcome])
    key, group = unit
    models = _read_within_budget(key, group, ctx, budget)
    if models is None:  # nothing of it is kept, not even its ignores
        outcome.packed = b""
        return TaskResult([outcome], check_unit([_over(key, budget, "read")], ctx, budget))
    outcome.directives = _directives(src)
    result = TaskResult([outcome], check_unit(models, ctx, budget))
    attach_snippets(result, {src.display: src.text})
    return result


def _directives(src: SourceFile) -> list[Directive]:
    from dockward.readers.comments import comment_starts

    return parse_directives(src.text, comment_starts(src))


def _over(key: str, budget: FileBudget, step: str) -> ParseProblem:
    return ParseProblem(Location(file=key, line=1, column=1), budget.message(step))


def _read_within_budget(key: str, group: list[SourceFile], ctx: ScanContext,
                        budget: FileBudget) -> list[object] | None:
    """The unit's models, None when reading it used up its time budget."""
    try:
        with budget.charge(key):
            return list(read_unit(group))
    except OverBudget:
        return None


def _unit_of(src: SourceFile, ctx: ScanContext) -> tuple[str, list[SourceFile]] | None:
    """The unit ``src`` starts (its budget key and files), None when it starts none: a file
    of an explicit compose group, or an override that is read with its base file."""
    if src.path in ctx.explicit_paths:
        return None
    if src.kind != "compose":
        return src.display, [src]
    from dockward.readers import compose as compose_reader

    if src.path and compose_reader.is_override_file(src.path) and _has_base(src.path):
        return None  # merged into its base file
    group = [src]
    if src.path:
        for extra in compose_reader.discover_override(src.path):
            other = _override_source(extra, src, ctx)
            if other is not None:
                group.append(other)
    return group[0].display, group


def read_unit(group: list[SourceFile]) -> Iterator[object]:
    """The models of a unit: a compose file with its overrides, or any other file alone."""
    if group[0].kind == "compose":
        yield from _read_compose_group(group)
    else:
        yield from _run_readers(group[0])


def read_outcome(seq: int, display: str, src: SourceFile | None,
                 problems: list[ParseProblem], ctx: ScanContext) -> ReadOutcome:
    runner = ctx.runner
    if src is None:
        return ReadOutcome(seq, display, None, [], runner.run(problems))
    packed = (zlib.compress(src.text.encode("utf-8", "surrogatepass"), 1)
              if src.kind == "compose" else b"")
    return ReadOutcome(seq, src.display, (src.path, src.kind), _directives(src),
                       runner.run(problems), packed)


def _read_group(task: GroupTask, ctx: ScanContext, budget: FileBudget | None = None
                ) -> tuple[list[ReadOutcome], list[object] | None, dict[str, str]]:
    """The group's read outcomes, its models (None: no file could be read) and texts."""
    reads: list[ReadOutcome] = []
    members: list[SourceFile] = []
    for path, seq in zip(task.paths, task.seqs, strict=True):
        candidate = Candidate(Path(path), "compose", True)
        src, problems = read_source(candidate, ctx.display, ctx.config.max_file_size)
        reads.append(read_outcome(seq, ctx.display(candidate.path), src, problems, ctx))
        if src is not None:
            members.append(src)
            attach_snippets(TaskResult(reads[-1:]), {src.display: src.text})
    if not members:
        return reads, None, {}
    budget = budget or FileBudget(ctx.config.file_time_budget)
    key = members[0].display
    models = _read_within_budget(key, members, ctx, budget)
    if models is None:
        for read in reads:
            read.directives = []
            read.packed = b""
        return reads, [_over(key, budget, "read")], {}
    return reads, models, {m.display: m.text for m in members}


def check_unit(models: list[object], ctx: ScanContext, budget: FileBudget) -> UnitOutcome:
    """Link the unit's models among themselves and check them, unless they link to other
    files (then only the count and keys are known yet)."""
    from dockward.linking import link_keys, link_models
    from dockward.models.workload import Workload

    keys = link_keys(models)
    count = sum(1 for m in models if not isinstance(m, ParseProblem))
    count += sum(1 for m in models if isinstance(m, Workload) and m.build is not None)
    if keys.needs_others:
        return UnitOutcome(count, keys)
    invocations: list[object] = [b for _, b in link_models(models)]
    found, invoked = check_models(models, invocations, ctx, budget)
    return UnitOutcome(count, keys, found, invoked)


def check_models(models: list[object], invocations: list[object], ctx: ScanContext,
                 budget: FileBudget) -> tuple[list[Finding], list[Finding]]:
    """The findings of ``models`` and of ``invocations``, file by file on each file's time
    budget (what reading left of it): over it, one DW000 for that file instead."""
    runner = ctx.runner
    found: list[Finding] = runner.run([m for m in models if isinstance(m, ParseProblem)])
    by_file: dict[str, list[tuple[bool, object]]] = {}
    for model in models:
        if not isinstance(model, ParseProblem):
            by_file.setdefault(_file_of(model), []).append((False, model))
    for model in invocations:
        by_file.setdefault(_file_of(model), []).append((True, model))
    invoked: list[Finding] = []
    for file, group in by_file.items():
        try:
            with budget.charge(file):
                checked = [(is_invocation, runner.run([m])) for is_invocation, m in group]
        except OverBudget:
            found.extend(runner.run([_over(file, budget, "check")]))
            continue
        for is_invocation, findings in checked:
            (invoked if is_invocation else found).extend(findings)
    return found, invoked


def _file_of(model: object) -> str:
    anchor = getattr(model, "anchor", None)
    return anchor.file if isinstance(anchor, Location) else ""


def attach_snippets(result: TaskResult | UnitOutcome, texts: dict[str, str]) -> None:
    """Give each finding in a file of ``texts`` (display -> text) its source line."""
    if not texts:
        return
    lists: list[list[Finding] | None] = []
    if isinstance(result, TaskResult):
        lists.extend(r.problems for r in result.reads)
        unit = result.unit
    else:
        unit = result
    if unit is not None:
        lists.extend((unit.findings, unit.invocation_findings))
    set_snippets((f for findings in lists for f in findings or ()), texts.get)


def set_snippets(findings: Iterable[Finding], text_of: Callable[[str], str | None],
                 keep_existing: bool = False) -> None:
    """Set each finding's snippet from its file's text (``text_of(display)``, None for a
    file whose text is not at hand), each file's text asked for and indexed once."""
    from dockward.text import LineIndex

    indexes: dict[str, LineIndex | None] = {}
    for f in findings:
        loc = f.location
        if (keep_existing and f.snippet) or not loc.file or loc.line <= 0:
            continue
        if loc.file not in indexes:
            text = text_of(loc.file)
            indexes[loc.file] = None if text is None else LineIndex(text)
        index = indexes[loc.file]
        if index is not None:
            f.snippet = source_snippet(index.line(loc.line), about_a_secret=MASK in f.evidence)


def source_snippet(line: str, *, about_a_secret: bool = False) -> str:
    """A source line as reporters may show it: cut first (linear time on a 5 MB line),
    secrets masked by the one detector, then cut to what fits on a screen.

    When the finding is about a secret (its evidence is masked) and the detector found
    nothing to mask on the line, everything after the line's first ``=`` or ``:`` is
    masked: the rule knew more (the variable's name on another line) than one line says.
    """
    from dockward.secrets import scrub
    from dockward.text import MAX_SHOWN_LINE, cut

    shown = scrub(cut(line.strip(), 4 * MAX_SHOWN_LINE))
    if about_a_secret and MASK not in shown:
        cut_at = min((i for i in (shown.find("="), shown.find(":")) if i >= 0), default=-1)
        if cut_at >= 0:
            shown = shown[: cut_at + 1] + " " + MASK
    return cut(shown, MAX_SHOWN_LINE)


def run_component(tasks: list[Task], ctx: ScanContext) -> list[UnitOutcome]:
    """Read the units of ``tasks`` again and check them together, linked to each other:
    the same as a scan of just these files (nothing else links to them)."""
    per_task: list[list[object]] = []
    texts: dict[str, str] = {}
    budget = FileBudget(ctx.config.file_time_budget)
    for task in tasks:
        models, own = _models_again(task, ctx, budget)
        per_task.append(models or [])
        texts.update(own)
    from dockward.linking import link_models

    owner = {id(m): i for i, models in enumerate(per_task) for m in models}
    together = [m for models in per_task for m in models]
    invocations: list[list[object]] = [[] for _ in tasks]
    for workload, invocation in link_models(together):
        invocations[owner[id(workload)]].append(invocation)
    outcomes = []
    for i, models in enumerate(per_task):
        found, invoked = check_models(models, invocations[i], ctx, budget)
        outcome = UnitOutcome(0, LinkKeys(), found, invoked)
        attach_snippets(outcome, texts)
        outcomes.append(outcome)
    return outcomes


def _models_again(task: Task, ctx: ScanContext, budget: FileBudget
                  ) -> tuple[list[object] | None, dict[str, str]]:
    """The unit's models read again, and the text of the task's own file (the files whose
    findings get their source line here)."""
    if isinstance(task, GroupTask):
        _, models, texts = _read_group(task, ctx, budget)
        return models, texts
    if task.data is not None:
        src, _ = _stdin_source(task, ctx)
    else:
        src, _ = read_source(Candidate(Path(task.path), task.kind, task.explicit, task.problem),
                             ctx.display, ctx.config.max_file_size)
    unit = _unit_of(src, ctx) if src is not None else None
    if src is None or unit is None:
        return None, {}
    models = _read_within_budget(unit[0], unit[1], ctx, budget)
    if models is None:
        return [_over(unit[0], budget, "read")], {}
    return models, {src.display: src.text}


# --------------------------------------------------------------------------- readers


def _resolve(ref: str) -> Callable[..., Any]:
    module, _, func = ref.partition(":")
    return getattr(importlib.import_module(module), func)


def _run_readers(src: SourceFile) -> Iterator[object]:
    from dockward.kinds import INPUT_KINDS

    kind = INPUT_KINDS.get(src.kind)
    for ref in kind.readers if kind is not None and not kind.grouped else ():
        yield from guarded(src.display, ref, partial(_resolve(ref), src))


def guarded(display: str, reader: str, models: Callable[[], Iterable[object]]
            ) -> Iterator[object]:
    """The models a reader yields; whatever it raises costs one file, never the scan."""
    try:
        yield from models()
    except ReadError as exc:
        yield ParseProblem(Location(file=display, line=exc.line or 1, column=exc.column or 1),
                           exc.message)
    except RecursionError:
        yield ParseProblem(Location(file=display, line=1), "input nested too deeply")
    except Exception as exc:  # a reader bug must cost one file, not the whole scan
        log.debug("reader %s failed on %s", reader, display, exc_info=True)
        yield ParseProblem(Location(file=display, line=1),
                           f"internal error while reading ({type(exc).__name__}: {exc}); "
                           "please report it")


def _read_compose_group(group: list[SourceFile]) -> Iterator[object]:
    from dockward.readers.compose import read_compose
    from dockward.readers.interpolate import read_env_file
    from dockward.readers.stack_file import read_stack_swarm

    env: dict[str, str] = {}
    if group[0].path:
        try:
            env = read_env_file(str(Path(group[0].path).parent / ".env"))
        except (OSError, ValueError):
            env = {}
    yield from guarded(group[0].display, "compose", lambda: read_compose(group, env))
    yield from guarded(group[0].display, "stack", lambda: read_stack_swarm(group))


def _has_base(path: str) -> bool:
    folder = Path(path).parent
    return any(is_regular_file(folder / n) for n in _BASE_COMPOSE_NAMES)


def _override_source(path: str, like: SourceFile, ctx: ScanContext) -> SourceFile | None:
    """The override file of a compose file, read as the walk reads files (so it is the same
    text whether or not the walk also met it), else whole."""
    src, _ = read_source(Candidate(Path(path), "compose", False), ctx.display,
                         ctx.config.max_file_size)
    if src is not None:
        return src
    from dockward.config import DEFAULT_MAX_FILE_SIZE

    try:
        data = read_bytes(path, DEFAULT_MAX_FILE_SIZE)
    except Refused:
        return None
    rel = os.path.join(os.path.dirname(like.display), os.path.basename(path))
    src, _ = decode_source(data, path, rel, "compose", True)
    return src
