"""``dockward fix``: scan, write each finding's remedy into its file, scan again.

The loop is scan -> findings with remedies -> editors -> edits in memory -> scan of the
edited text (through a read overlay, so ``--diff`` writes nothing) -> again, until a pass
changes nothing.  Fixes that touch the same text wait for the next pass, when the text has
settled, so one run fixes everything it can and a second run changes nothing.  What is left
is reported with the reason it needs a human: the rule has no automatic fix, the fix is
unsafe and ``--unsafe-fixes`` was not given, or the editor could not write it here.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from dockward.config import Config
from dockward.findings import Finding, FixSafety
from dockward.fixers.plan import Refusal, Workspace, plan_pass
from dockward.readers.files import overlay
from dockward.secrets import scrub
from dockward.usecases.scan import ScanResult, scan_paths

MAX_PASSES = 10
UNSAFE_REASON = "the fix may change what the workload does; apply it with --unsafe-fixes"


@dataclass(slots=True)
class Leftover:
    """A finding still there after fixing, and why it needs a human."""

    finding: Finding
    reason: str


@dataclass
class FixResult:
    fixed: list[Finding] = field(default_factory=list)  # as found before their fix
    leftovers: list[Leftover] = field(default_factory=list)
    original: dict[str, str] = field(default_factory=dict)  # display -> text before
    changed: dict[str, str] = field(default_factory=dict)  # display -> text after
    paths: dict[str, str] = field(default_factory=dict)  # display -> filesystem path
    passes: int = 0
    final: ScanResult | None = None

    def diff(self) -> str:
        """A unified diff of every changed file, with secrets on shown lines masked."""
        chunks: list[str] = []
        for display in sorted(self.changed):
            before = self.original[display].splitlines(keepends=True)
            after = self.changed[display].splitlines(keepends=True)
            for line in difflib.unified_diff(before, after, f"a/{display}", f"b/{display}"):
                text = line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                chunks.append(scrub(text) if line[:1] in " +-" else text)
        return "".join(chunks)


def fix_paths(paths: list[str], config: Config, *, unsafe: bool = False,
              compose_groups: list[list[str]] | None = None) -> FixResult:
    """Fix what can be fixed in ``paths``, in memory; :func:`write_changes` writes it."""
    workspace = Workspace()
    result = FixResult()
    applied: set[str] = set()
    refused: dict[str, Refusal] = {}
    scan = _scan(paths, config, compose_groups, workspace)
    for number in range(1, MAX_PASSES + 1):
        candidates = [f for f in scan.findings if _wanted(f, unsafe)
                      and f.fingerprint not in applied]
        plan, accepted, refusals = plan_pass(_ordered(candidates), workspace)
        refused = {r.finding.fingerprint: r for r in refusals}
        if not plan.files():
            break
        workspace.apply(plan)
        result.passes = number
        for finding in accepted:
            applied.add(finding.fingerprint)
            result.fixed.append(finding)
        scan = _scan(paths, config, compose_groups, workspace)
    result.final = scan
    result.original = {d: workspace.original[d] for d in workspace.changed()}
    result.changed = workspace.changed()
    result.paths = {d: workspace.current[d].path for d in result.changed}
    for finding in scan.findings:
        if finding.suppressed:
            continue
        result.leftovers.append(Leftover(finding, _reason(finding, unsafe, applied, refused)))
    return result


def _scan(paths: list[str], config: Config, compose_groups: list[list[str]] | None,
          workspace: Workspace) -> ScanResult:
    with overlay(workspace.by_path()):
        scan = scan_paths(paths, config, compose_groups=compose_groups)
    workspace.learn(scan.sources)
    return scan


def _wanted(finding: Finding, unsafe: bool) -> bool:
    if finding.suppressed or finding.remedy is None:
        return False
    return finding.fix_safety is FixSafety.SAFE or (
        unsafe and finding.fix_safety is FixSafety.UNSAFE)


def _ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Safe fixes first, then by place: a conflict defers the later (riskier) one."""
    return sorted(findings, key=lambda f: (f.fix_safety, *f.sort_key()))


def _reason(finding: Finding, unsafe: bool, applied: set[str],
            refused: dict[str, Refusal]) -> str:
    if finding.fingerprint in applied:
        return "dockward applied a fix but the finding remains; please report this"
    refusal = refused.get(finding.fingerprint)
    if finding.remedy is None:
        return finding.manual or manual_reason(finding.code)
    if finding.fix_safety is FixSafety.UNSAFE and not unsafe:
        return UNSAFE_REASON
    if refusal is not None:
        return refusal.reason
    return "no automatic fix applies here"


_PSEUDO_REASONS = {
    "DW000": "the file could not be read: correct it by hand, then run dockward fix again",
    "DW001": "the ignore comment matches no finding: delete it (or the code it names)",
}


def manual_reason(code: str) -> str:
    """Why a rule's findings need a human: its doc's ``Automatic fix: none.`` line."""
    from dockward.rules.registry import lookup

    if code in _PSEUDO_REASONS:
        return _PSEUDO_REASONS[code]
    found = lookup(code)
    note = found.fix_note if found is not None else ""
    return note or "this rule has no automatic fix"


def write_changes(result: FixResult) -> list[str]:
    """Write every changed file in place: atomically (a temporary file renamed over it),
    keeping its mode and owner, and through a symlink to its target; the files written."""
    written: list[str] = []
    for display, text in sorted(result.changed.items()):
        write_text_atomically(result.paths[display], text)
        written.append(display)
    return written


def write_text_atomically(file: str, text: str) -> None:
    """Replace a file's text atomically (a temporary file renamed over it), keeping its mode
    and owner, and through a symlink to its target."""
    path = os.path.realpath(file)  # a symlink stays a symlink
    status = os.stat(path)
    folder = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(prefix=".dockward-fix-", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, status.st_mode & 0o7777)
        if hasattr(os, "chown") and status.st_uid != os.geteuid():
            # not ours to give away: the file then keeps its content, not its owner
            with contextlib.suppress(PermissionError):
                os.chown(temporary, status.st_uid, status.st_gid)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
