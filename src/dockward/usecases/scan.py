"""``dockward scan``: read files into models, run the rules, apply suppressions.

The pipeline is discovery -> safe reading -> readers (per kind) -> linking across files ->
rule engine -> inline ignores.  Every failure to read a file becomes a DW000 finding for that
file and the scan goes on with the others.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from dockward.budget import FileBudget, OverBudget
from dockward.config import Config
from dockward.discovery import Candidate, walk
from dockward.findings import Finding
from dockward.kinds import INPUT_KINDS
from dockward.models.location import Location
from dockward.readers.base import ParseProblem, ReadError, SourceFile
from dockward.readers.files import (
    Refused,
    decode_source,
    is_regular_file,
    read_bytes,
    read_source,
    scan_scope,
)
from dockward.report import Report
from dockward.rules.runner import RuleRunner, problem_finding
from dockward.secrets import MASK
from dockward.suppression import apply_directives, parse_directives, unused_directive_findings
from dockward.text import MAX_SHOWN_LINE, LineIndex, cut

log = logging.getLogger(__name__)

# Post-read steps that relate models across files (e.g. a compose service and the
# Dockerfile it builds), "module:function" taking the list of models.
LINKERS: tuple[str, ...] = ("dockward.linking:link_builds",)


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    files_scanned: int = 0
    files_by_kind: dict[str, int] = field(default_factory=dict)
    models: int = 0
    seconds: float = 0.0
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)  # display: (path, kind)
    inputs: list[str] = field(default_factory=list)  # every file path this scan considered


def _resolve(ref: str) -> Callable[..., Any]:
    module, _, func = ref.partition(":")
    return getattr(importlib.import_module(module), func)


def _release(src: SourceFile) -> None:
    """Keep only what the rest of the scan needs from a file that has been read: its inline
    ignore directives.  Text and lexed commands go, so memory does not grow with every file
    of a large tree."""
    from dockward.readers.comments import comment_starts

    src.directives = parse_directives(src.text, comment_starts(src))
    src.lexed.clear()
    src.packed = zlib.compress(src.text.encode("utf-8", "surrogatepass"), 1)
    src.text = ""


def _drop(src: SourceFile) -> None:
    """A file that ran out of time: nothing of it is kept (not even its ignores)."""
    src.lexed.clear()
    src.packed = b""
    src.directives = []
    src.text = ""


@dataclass
class _Unit:
    """What is read in one go, on one time budget: a file, or a compose file with its
    overrides (charged to the first)."""

    key: str
    sources: list[SourceFile]
    read: Callable[[], Iterable[object]]


def _read_units(units: Iterable[_Unit], budget: FileBudget) -> Iterator[object]:
    """The models of every unit; a unit over its time budget yields one DW000 instead."""
    for unit in units:
        try:
            with budget.charge(unit.key):
                produced = list(unit.read())
                for src in unit.sources:
                    _release(src)
        except OverBudget:
            for src in unit.sources:
                _drop(src)
            produced = [ParseProblem(Location(file=unit.key, line=1, column=1),
                                     budget.message("read"))]
        yield from produced


def _check(engine: RuleRunner, models: list[object], budget: FileBudget) -> list[Finding]:
    """Run the rules file by file, on each file's time budget (what reading left of it)."""
    by_file: dict[str, list[object]] = {}
    problems: list[object] = []
    for model in models:
        if isinstance(model, ParseProblem):
            problems.append(model)  # already judged; costs nothing to report
        else:
            by_file.setdefault(_file_of(model), []).append(model)
    findings: list[Finding] = engine.run(problems)
    for file, group in by_file.items():
        try:
            with budget.charge(file):
                found = engine.run(group)
        except OverBudget:
            found = [problem_finding(ParseProblem(Location(file=file, line=1, column=1),
                                                  budget.message("check")))]
        findings.extend(found)
    return findings


def _file_of(model: object) -> str:
    if isinstance(model, ParseProblem):
        return model.location.file
    anchor = getattr(model, "anchor", None)
    return anchor.file if isinstance(anchor, Location) else ""


def _run_readers(src: SourceFile) -> Iterator[object]:
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


def _compose_unit(group: list[SourceFile]) -> _Unit:
    def read() -> Iterator[object]:
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

    return _Unit(group[0].display, group, read)


def _display_for(roots: list[str]) -> Callable[[Path], str]:
    cwd = Path.cwd()

    def display(path: Path) -> str:
        try:
            return os.path.relpath(path, cwd) if path.is_absolute() else path.as_posix()
        except ValueError:
            return path.as_posix()

    return display


def scan_paths(
    paths: list[str],
    config: Config | None = None,
    *,
    compose_groups: list[list[str]] | None = None,
    stdin_kind: str | None = None,
    stdin_name: str = "<stdin>",
) -> ScanResult:
    """Scan files and folders (``-`` reads stdin as ``stdin_kind``).

    Every read happens inside :func:`scan_scope`: links that leave the scanned folders are
    not followed, by the walk or by any reader.
    """
    roots = [*paths, *(p for g in compose_groups or [] for p in g)]
    with scan_scope(roots):
        return _scan(paths, config or Config(), compose_groups, stdin_kind, stdin_name)


def _scan(paths: list[str], config: Config, compose_groups: list[list[str]] | None,
          stdin_kind: str | None, stdin_name: str) -> ScanResult:
    started = time.perf_counter()
    result = ScanResult()
    display = _display_for(paths)
    sources: list[SourceFile] = []
    problems: list[ParseProblem] = []

    fs_paths = [p for p in paths if p != "-"]
    if "-" in paths:
        data = sys.stdin.buffer.read(config.max_file_size + 1)
        if len(data) > config.max_file_size:
            problems.append(ParseProblem(Location(file=stdin_name, line=1, column=1),
                                         f"input is over the {config.max_file_size} byte "
                                         "limit (max-file-size); skipped"))
        else:
            src, probs = decode_source(data, "", stdin_name, stdin_kind or "shell", True)
            problems.extend(probs)
            if src:
                sources.append(src)
    for cand in walk(fs_paths, config.exclude, config.respect_gitignore):
        result.inputs.append(str(cand.path))
        src, probs = read_source(cand, display, config.max_file_size)
        problems.extend(probs)
        if src:
            sources.append(src)
    for group in compose_groups or []:
        for p in group:
            result.inputs.append(p)
            src, probs = read_source(Candidate(Path(p), "compose", True), display,
                                     config.max_file_size)
            problems.extend(probs)
            if src:
                sources.append(src)

    budget = FileBudget(config.file_time_budget)
    models = list(_read_units(_units(sources, compose_groups or []), budget))
    models.extend(problems)
    for ref in LINKERS:
        _resolve(ref)(models)
    result.models = sum(1 for m in models if not isinstance(m, ParseProblem))
    findings = _unique(_check(RuleRunner(config), models, budget))
    result.findings = _apply_inline_ignores(findings, sources, config)
    _attach_snippets(result.findings, sources)
    result.files_scanned = len(sources)
    for s in sources:
        result.files_by_kind[s.kind] = result.files_by_kind.get(s.kind, 0) + 1
        result.sources[s.display] = (s.path, s.kind)
    result.findings.sort(key=Finding.sort_key)
    result.seconds = time.perf_counter() - started
    return result


def scan_report(paths: list[str], config: Config, *, root: str = ".",
                compose_groups: list[list[str]] | None = None, stdin_kind: str | None = None,
                stdin_name: str = "<stdin>", show_suppressed: bool = False) -> Report:
    """``dockward scan``: scan ``paths`` and wrap the findings in a report."""
    result = scan_paths(paths, config, compose_groups=compose_groups, stdin_kind=stdin_kind,
                        stdin_name=stdin_name)
    return Report(
        command="scan",
        findings=result.findings,
        root=root,
        stats={"files_scanned": result.files_scanned, "files_by_kind": result.files_by_kind,
               "models": result.models, "seconds": round(result.seconds, 3)},
        fail_on=config.fail_on,
        show_suppressed=show_suppressed,
        inputs=result.inputs,
    )


def _unique(findings: list[Finding]) -> list[Finding]:
    """One finding per problem and place: a pod-level ``hostPID: true`` is the same line for
    every container of the pod, and ``-v x:/a -v x:/a`` is one mistake, not two."""
    seen: set[tuple[str, str, int, int, str]] = set()
    out: list[Finding] = []
    for f in findings:
        loc = f.location
        if not loc.file:  # live objects: each container is its own subject
            out.append(f)
            continue
        key = (f.code, loc.file, loc.line, loc.column, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _units(sources: list[SourceFile], explicit_groups: list[list[str]]) -> Iterator[_Unit]:
    from dockward.readers import compose as compose_reader

    explicit_paths = {str(Path(p)) for g in explicit_groups for p in g}
    by_path = {s.path: s for s in sources}
    grouped: set[str] = set()
    # explicit -f groups first, in the order given
    for g in explicit_groups:
        members = [by_path[str(Path(p))] for p in g if str(Path(p)) in by_path]
        if members:
            grouped.update(m.path for m in members)
            yield _compose_unit(members)
    for src in sources:
        if src.path in grouped or src.path in explicit_paths:
            continue
        if src.kind == "compose":
            if src.path and compose_reader.is_override_file(src.path) and _has_base(src.path):
                continue  # merged into its base file below
            group = [src]
            if src.path:
                for extra in compose_reader.discover_override(src.path):
                    other = by_path.get(extra) or _load_extra(extra, src)
                    if other is not None:
                        group.append(other)
                        grouped.add(other.path)
            yield _compose_unit(group)
        else:
            yield _Unit(src.display, [src], partial(_run_readers, src))


def _has_base(path: str) -> bool:
    folder = Path(path).parent
    return any(is_regular_file(folder / n) for n in
               ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"))


def _load_extra(path: str, like: SourceFile) -> SourceFile | None:
    """An override file next to a scanned compose file (inside the scanned roots only)."""
    from dockward.config import DEFAULT_MAX_FILE_SIZE

    try:
        data = read_bytes(path, DEFAULT_MAX_FILE_SIZE)
    except Refused:
        return None
    rel = os.path.join(os.path.dirname(like.display), os.path.basename(path))
    src, _ = decode_source(data, path, rel, "compose", True)
    return src


def _apply_inline_ignores(findings: list[Finding], sources: Iterable[SourceFile],
                          config: Config) -> list[Finding]:
    if not config.allow_inline_ignores:
        return findings
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.location.file, []).append(f)
    extra: list[Finding] = []
    for src in sources:
        directives = src.directives or []
        if not directives:
            continue
        in_file = by_file.get(src.display, [])
        apply_directives(in_file, directives)
        unreadable = any(f.code == "DW000" for f in in_file)  # its ignores had nothing to match
        if (config.report_unused_ignores and not unreadable
                and config.is_enabled("DW001", src.display)):
            extra.extend(unused_directive_findings(
                directives, src.display, _enabled_in(config, src.display)))
    return findings + extra


def _attach_snippets(findings: list[Finding], sources: Iterable[SourceFile]) -> None:
    """The source line of each finding, from the text the scan read (kept compressed), so
    no reporter ever opens a file again: not a FIFO, not a file swapped since, not a
    ``--stdin-filename`` that happens to exist.  Secrets are masked here, once."""
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        if f.location.file and f.location.line > 0:
            by_file.setdefault(f.location.file, []).append(f)
    for src in sources:
        wanted = by_file.get(src.display)
        packed = src.packed
        if not wanted or not packed:
            continue
        index = LineIndex(zlib.decompress(packed).decode("utf-8", "surrogatepass"))
        shown: dict[tuple[int, bool], str] = {}  # many findings share a line
        for f in wanted:
            key = (f.location.line, MASK in f.evidence)
            if key not in shown:
                shown[key] = source_snippet(index.line(key[0]), about_a_secret=key[1])
            f.snippet = shown[key]


def source_snippet(line: str, *, about_a_secret: bool = False) -> str:
    """A source line as reporters may show it: cut first (linear time on a 5 MB line),
    secrets masked by the one detector, then cut to what fits on a screen.

    When the finding is about a secret (its evidence is masked) and the detector found
    nothing to mask on the line, everything after the line's first ``=`` or ``:`` is
    masked: the rule knew more (the variable's name on another line) than one line says.
    """
    from dockward.secrets import scrub

    shown = scrub(cut(line.strip(), 4 * MAX_SHOWN_LINE))
    if about_a_secret and MASK not in shown:
        cut_at = min((i for i in (shown.find("="), shown.find(":")) if i >= 0), default=-1)
        if cut_at >= 0:
            shown = shown[: cut_at + 1] + " " + MASK
    return cut(shown, MAX_SHOWN_LINE)


def _enabled_in(config: Config, file: str) -> Callable[[str], bool]:
    """Whether a selector named in an ignore comment is enabled for ``file``."""
    return lambda selector: config.is_enabled(_code_of(selector), file)


def _code_of(selector: str) -> str:
    from dockward.rules.registry import lookup

    found = lookup(selector)
    return found.code if found else selector.upper()


__all__ = ["ScanResult", "problem_finding", "scan_paths", "scan_report"]
