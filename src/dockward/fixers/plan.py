"""From findings with remedies to edits: each part to its file's editor, each fix whole.

A remedy's parts may lie in several files (a build arg moved out of a Dockerfile and out of
the script that passes it).  Each part goes to the first editor of its file's kind that
writes that setting (:data:`dockward.kinds.INPUT_KINDS`); if any part cannot be written, or
one of its edits collides with an edit already accepted in this pass, the whole fix waits.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dockward.discovery import kind_from_name
from dockward.findings import Finding
from dockward.fixers.base import Editor, SourceText, Unfixable
from dockward.fixers.edits import Edit, EditPlan, apply_edits
from dockward.kinds import INPUT_KINDS
from dockward.readers.files import read_file

_MAX_BYTES = 16 << 20


@dataclass(slots=True)
class Refusal:
    """A fix that was not made in this pass, and why."""

    finding: Finding
    reason: str
    retry: bool = False  # it collided with another fix: the next pass tries again


@dataclass
class Workspace:
    """The files a fix run reads and edits, by the name findings give them.

    Texts are edited in memory; nothing is written until the caller decides to.
    """

    kinds: dict[str, tuple[str, str]] = field(default_factory=dict)  # display -> (path, kind)
    original: dict[str, str] = field(default_factory=dict)
    current: dict[str, SourceText] = field(default_factory=dict)

    def learn(self, sources: dict[str, tuple[str, str]]) -> None:
        """Remember the path and kind of every file a scan read."""
        for display, found in sources.items():
            self.kinds.setdefault(display, found)

    def source(self, display: str, hint: str = "") -> SourceText:
        """The current text of a file; read on first use (``hint``: the kind to assume
        when the scan did not read this file itself, such as a file named by extends)."""
        found = self.current.get(display)
        if found is not None:
            return found
        path, kind = self.kinds.get(display, (display, ""))
        if not kind:
            named = kind_from_name(Path(path))
            kind = named if named in INPUT_KINDS else hint
        if not kind or not path or not os.path.isfile(path):
            raise Unfixable(f"{display}: cannot edit this file (not found on disk)")
        try:
            data = read_file(path, _MAX_BYTES)
        except OSError as exc:
            raise Unfixable(f"{display}: {exc.strerror or exc}") from None
        if data.startswith(b"\xef\xbb\xbf"):
            raise Unfixable(f"{display} starts with a byte order mark; edit it by hand")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise Unfixable(f"{display} is not valid UTF-8; dockward does not edit it") from None
        source = SourceText(display=display, path=path, text=text, kind=kind)
        self.original.setdefault(display, text)
        self.current[display] = source
        return source

    def apply(self, plan: EditPlan) -> None:
        for display, edits in plan.edits.items():
            source = self.current[display]
            source.text = apply_edits(source.text, edits)

    def changed(self) -> dict[str, str]:
        """Display name -> new text, for every file whose text differs from the start."""
        return {d: s.text for d, s in self.current.items() if s.text != self.original[d]}

    def by_path(self) -> dict[str, str]:
        """Filesystem path -> current text of every changed file (a scan overlay)."""
        return {self.current[d].path: text for d, text in self.changed().items()}


class Planner:
    """One pass: an editor per file and kind, and the edits accepted so far."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.plan = EditPlan()
        self.editors: dict[tuple[str, str], Editor] = {}

    def add(self, finding: Finding) -> Refusal | None:
        """Plan the finding's whole remedy; None when it was accepted."""
        remedy = finding.remedy
        if remedy is None:
            return Refusal(finding, finding.manual or "no automatic fix")
        group: dict[str, list[Edit]] = {}
        home = self.workspace.kinds.get(finding.location.file, ("", ""))[1]
        try:
            for part in remedy.parts():
                target = part.target or finding.location
                editor = self._editor(target.file, part.setting, home)
                group.setdefault(target.file, []).extend(editor.edits(part, finding.location))
        except Unfixable as exc:
            return Refusal(finding, str(exc))
        if not any(group.values()):
            return Refusal(finding, "the fix changes nothing here (already in place?)")
        if not self.plan.try_add(group):
            return Refusal(finding, "another fix changes the same text; run dockward fix "
                           "again", retry=True)
        return None

    def _editor(self, file: str, setting: str, hint: str) -> Editor:
        if not file:
            raise Unfixable("a live object: use dockward fix --host/--container")
        source = self.workspace.source(file, hint)
        for ref in INPUT_KINDS[source.kind].editors if source.kind in INPUT_KINDS else ():
            key = (file, ref)
            editor = self.editors.get(key)
            if editor is None:
                editor = editor_class(ref)(source)
                self.editors[key] = editor
            if setting in editor.settings:
                return editor
        raise Unfixable(f"dockward cannot write {setting} into a {source.kind} file")


def editor_class(ref: str) -> type[Editor]:
    """The editor class an input kind names (``module:Class``)."""
    module, _, name = ref.partition(":")
    found: type[Editor] = getattr(importlib.import_module(module), name)
    return found


def plan_pass(findings: Iterable[Finding], workspace: Workspace
              ) -> tuple[EditPlan, list[Finding], list[Refusal]]:
    """Plan every finding's fix; returns the plan, the findings it fixes, and the refusals."""
    planner = Planner(workspace)
    accepted: list[Finding] = []
    refused: list[Refusal] = []
    for finding in findings:
        refusal = planner.add(finding)
        if refusal is None:
            accepted.append(finding)
        else:
            refused.append(refusal)
    return planner.plan, accepted, refused
