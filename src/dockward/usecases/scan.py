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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from dockward.config import Config
from dockward.discovery import Candidate, walk
from dockward.findings import Finding
from dockward.kinds import INPUT_KINDS
from dockward.models.location import Location
from dockward.readers.base import ParseProblem, ReadError, SourceFile
from dockward.readers.files import decode_source, read_file, read_source
from dockward.report import Report
from dockward.rules.runner import RuleRunner, problem_finding
from dockward.suppression import apply_directives, parse_directives, unused_directive_findings

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
    src.text = ""


def _read_models(src: SourceFile) -> Iterator[object]:
    yield from _run_readers(src)
    _release(src)


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


def _read_compose_group(group: list[SourceFile]) -> Iterator[object]:
    from dockward.readers.compose import read_compose
    from dockward.readers.interpolate import read_env_file
    from dockward.readers.stack_file import read_stack_swarm

    env: dict[str, str] = {}
    if group[0].path:
        env_path = Path(group[0].path).parent / ".env"
        if env_path.is_file():
            try:
                env = read_env_file(str(env_path))
            except (OSError, ValueError):
                env = {}
    try:
        yield from guarded(group[0].display, "compose", lambda: read_compose(group, env))
        yield from guarded(group[0].display, "stack", lambda: read_stack_swarm(group))
    finally:
        for src in group:
            _release(src)


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
    """Scan files and folders (``-`` reads stdin as ``stdin_kind``)."""
    config = config or Config()
    started = time.perf_counter()
    result = ScanResult()
    display = _display_for(paths)
    sources: list[SourceFile] = []
    problems: list[ParseProblem] = []

    fs_paths = [p for p in paths if p != "-"]
    if "-" in paths:
        data = sys.stdin.buffer.read(config.max_file_size + 1)
        src, probs = decode_source(data, "", stdin_name, stdin_kind or "shell", True)
        problems.extend(probs)
        if src:
            sources.append(src)
    for cand in walk(fs_paths, config.exclude, config.respect_gitignore):
        src, probs = read_source(cand, display, config.max_file_size)
        problems.extend(probs)
        if src:
            sources.append(src)
    for group in compose_groups or []:
        for p in group:
            src, probs = read_source(Candidate(Path(p), "compose", True), display,
                                     config.max_file_size)
            problems.extend(probs)
            if src:
                sources.append(src)

    models = list(_models_from(sources, compose_groups or []))
    models.extend(problems)
    for ref in LINKERS:
        _resolve(ref)(models)
    result.models = sum(1 for m in models if not isinstance(m, ParseProblem))
    engine = RuleRunner(config)
    findings = _unique(engine.run(models))
    result.findings = _apply_inline_ignores(findings, sources, config)
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


def _models_from(sources: list[SourceFile], explicit_groups: list[list[str]]
                 ) -> Iterator[object]:
    from dockward.readers import compose as compose_reader

    explicit_paths = {str(Path(p)) for g in explicit_groups for p in g}
    by_path = {s.path: s for s in sources}
    grouped: set[str] = set()
    # explicit -f groups first, in the order given
    for g in explicit_groups:
        members = [by_path[str(Path(p))] for p in g if str(Path(p)) in by_path]
        if members:
            grouped.update(m.path for m in members)
            yield from _read_compose_group(members)
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
            yield from _read_compose_group(group)
        else:
            yield from _read_models(src)


def _has_base(path: str) -> bool:
    folder = Path(path).parent
    return any((folder / n).is_file() for n in
               ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"))


def _load_extra(path: str, like: SourceFile) -> SourceFile | None:
    try:
        data = read_file(path, 1 << 30)
    except OSError:
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


def _enabled_in(config: Config, file: str) -> Callable[[str], bool]:
    """Whether a selector named in an ignore comment is enabled for ``file``."""
    return lambda selector: config.is_enabled(_code_of(selector), file)


def _code_of(selector: str) -> str:
    from dockward.rules.registry import lookup

    found = lookup(selector)
    return found.code if found else selector.upper()


__all__ = ["ScanResult", "problem_finding", "scan_paths", "scan_report"]
