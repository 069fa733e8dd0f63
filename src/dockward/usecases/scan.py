"""``dockward scan``: read files into models, run the rules, apply suppressions.

The pipeline streams: discovery -> one task per file (safe reading -> readers -> links
within the file -> rule engine), run in this process or on every core
(:mod:`dockward.scanning`), each result possibly from the cache -> the few files that link
to each other read again and linked together -> inline ignores -> one sorted list.  Only
findings, inline-ignore directives and a few paths per file stay in memory.  Every
failure to read a file becomes a DW000 finding for that file and the scan goes on with
the others.

The result does not depend on how it was computed: the findings are put together in the
order a single pass over all files produces them (every file's model findings in order,
then the files' read problems, then the compose build invocations), because that order
decides which of two equal findings is kept and how ties sort.

Every read happens inside :func:`~dockward.readers.files.scan_scope`: links that leave the
scanned folders are not followed, by the walk or by any reader, in any worker.  Each file
is read and checked on its own time budget (``file-time-budget``), in whichever process
reads it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dockward.config import Config
from dockward.discovery import walk
from dockward.findings import Finding
from dockward.report import Report
from dockward.scanning.units import (
    GroupTask,
    ReadOutcome,
    ReadTask,
    ScanContext,
    Task,
    TaskResult,
)
from dockward.suppression import Directive, apply_directives, unused_directive_findings

if TYPE_CHECKING:
    from dockward.scanning.cache import ScanCache


@dataclass
class ScanResult:
    findings: list[Finding] = field(default_factory=list)
    files_scanned: int = 0
    files_by_kind: dict[str, int] = field(default_factory=dict)
    models: int = 0
    seconds: float = 0.0
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)  # display: (path, kind)
    inputs: list[str] = field(default_factory=list)  # every file path this scan considered
    from_cache: int = 0  # files whose result came from the cache


def scan_paths(
    paths: list[str],
    config: Config | None = None,
    *,
    compose_groups: list[list[str]] | None = None,
    stdin_kind: str | None = None,
    stdin_name: str = "<stdin>",
    jobs: int = 1,
    cache: ScanCache | None = None,
) -> ScanResult:
    """Scan files and folders (``-`` reads stdin as ``stdin_kind``) with up to ``jobs``
    processes, reusing and filling ``cache`` when given."""
    from dockward.readers.files import scan_scope

    roots = [*paths, *(p for g in compose_groups or [] for p in g)]
    with scan_scope(roots):
        return _scan(paths, config or Config(), compose_groups, stdin_kind, stdin_name, jobs,
                     cache, tuple(roots))


def _scan(paths: list[str], config: Config, compose_groups: list[list[str]] | None,
          stdin_kind: str | None, stdin_name: str, jobs: int, cache: ScanCache | None,
          roots: tuple[str, ...]) -> ScanResult:
    from dockward.readers.files import overlay_active
    from dockward.scanning.compact import Sharing
    from dockward.scanning.components import linked_components
    from dockward.scanning.parallel import Runner, freeze_start_up_objects
    from dockward.scanning.units import cached_result

    started = time.perf_counter()
    groups = compose_groups or []
    tasks = _plan(paths, config, groups, stdin_kind, stdin_name)
    if overlay_active():  # texts that exist only in this process (dockward fix)
        jobs, cache = 1, None
    ctx = ScanContext(config, os.getcwd(), frozenset(str(Path(p)) for g in groups for p in g),
                      cache, roots)
    sharing = Sharing()
    found: list[TaskResult | None] = [None] * len(tasks)
    if cache is not None:  # answered here: no worker needs to start for them
        for i, task in enumerate(tasks):
            found[i] = cached_result(task, ctx, sharing)
    todo = [i for i, r in enumerate(found) if r is None]
    freeze_start_up_objects()
    with Runner(ctx, jobs, len(todo), sharing) as runner:
        for i, done in zip(todo, runner.tasks([tasks[i] for i in todo]), strict=True):
            found[i] = done
        results = [r for r in found if r is not None]
        keys = [r.unit.keys if r.unit is not None else None for r in results]
        components = linked_components(keys)
        if components:
            redone = runner.components([[tasks[i] for i in c] for c in components])
            for component, outcomes in zip(components, redone, strict=True):
                for i, outcome in zip(component, outcomes, strict=True):
                    unit = results[i].unit
                    assert unit is not None
                    unit.findings = outcome.findings
                    unit.invocation_findings = outcome.invocation_findings
                    runner.share(results[i])
    result = _collect(results, config)
    result.inputs = [t.path for t in tasks if isinstance(t, ReadTask) and t.data is None]
    result.inputs += [p for g in groups for p in g]
    result.seconds = time.perf_counter() - started
    return result


def _plan(paths: list[str], config: Config, groups: list[list[str]], stdin_kind: str | None,
          stdin_name: str) -> list[Task]:
    """The tasks in unit order: explicit compose groups, then stdin and the walk; each
    file read has its place in read order (stdin, the walk, the groups' files)."""
    reads: list[Task] = []
    if "-" in paths:
        data = sys.stdin.buffer.read(config.max_file_size + 1)
        reads.append(ReadTask(0, "", stdin_kind or "shell", True, data=data, name=stdin_name))
    for cand in walk([p for p in paths if p != "-"], config.exclude, config.respect_gitignore):
        reads.append(ReadTask(len(reads), str(cand.path), cand.kind, cand.explicit,
                              problem=cand.problem))
    seq = len(reads)
    group_tasks: list[Task] = []
    for g in groups:
        group_tasks.append(GroupTask(tuple(g), tuple(range(seq, seq + len(g)))))
        seq += len(g)
    return group_tasks + reads


def _collect(results: list[TaskResult], config: Config) -> ScanResult:
    """Findings in one-pass order, deduplicated, inline ignores applied, sorted."""
    result = ScanResult()
    reads = sorted((r for res in results for r in res.reads), key=lambda r: r.seq)
    units = [res.unit for res in results if res.unit is not None]
    findings: list[Finding] = []
    for unit in units:
        findings.extend(unit.findings or ())
    for read in reads:
        findings.extend(read.problems)
    for unit in units:
        findings.extend(unit.invocation_findings or ())
    result.models = sum(u.models for u in units)
    result.from_cache = sum(1 for res in results if res.cached)
    sources = [r for r in reads if r.source is not None]
    result.findings = _apply_inline_ignores(_unique(findings), sources, config)
    _attach_snippets(result.findings, sources)
    result.files_scanned = len(sources)
    for r in sources:
        assert r.source is not None
        path, kind = r.source
        result.files_by_kind[kind] = result.files_by_kind.get(kind, 0) + 1
        result.sources[r.display] = (path, kind)
    result.findings.sort(key=Finding.sort_key)
    return result


def scan_report(paths: list[str], config: Config, *, root: str = ".",
                compose_groups: list[list[str]] | None = None, stdin_kind: str | None = None,
                stdin_name: str = "<stdin>", show_suppressed: bool = False, jobs: int = 1,
                cache: ScanCache | None = None) -> Report:
    """``dockward scan``: scan ``paths`` and wrap the findings in a report."""
    result = scan_paths(paths, config, compose_groups=compose_groups, stdin_kind=stdin_kind,
                        stdin_name=stdin_name, jobs=jobs, cache=cache)
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


def _apply_inline_ignores(findings: list[Finding], sources: Iterable[ReadOutcome],
                          config: Config) -> list[Finding]:
    if not config.allow_inline_ignores:
        return findings
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.location.file, []).append(f)
    extra: list[Finding] = []
    for src in sources:
        directives: list[Directive] = src.directives
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


def _attach_snippets(findings: list[Finding], sources: Iterable[ReadOutcome]) -> None:
    """The source line of findings that landed in another task's compose file (a service
    pulled in through ``extends``, an override), from the text that task read (kept
    compressed); every other finding got its line where its file was read, so no reporter
    ever opens a file again."""
    import zlib

    from dockward.scanning.units import set_snippets

    packed = {r.display: r.packed for r in sources if r.packed}
    if packed:
        set_snippets(findings, lambda file: zlib.decompress(packed[file]).decode(
            "utf-8", "surrogatepass") if file in packed else None, keep_existing=True)


def _enabled_in(config: Config, file: str) -> Callable[[str], bool]:
    """Whether a selector named in an ignore comment is enabled for ``file``."""
    return lambda selector: config.is_enabled(_code_of(selector), file)


def _code_of(selector: str) -> str:
    from dockward.rules.registry import lookup

    found = lookup(selector)
    return found.code if found else selector.upper()


__all__ = ["ScanResult", "scan_paths", "scan_report"]
