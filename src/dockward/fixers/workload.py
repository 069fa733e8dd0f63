"""Write a Workload's settings into the compose service or run line it was read from.

``dockward fix`` starts from findings; ``dockward tighten`` starts from a least-privilege
Workload it learned by experiment and wants that written back into the user's file.  This
module is the entry point for the second: :func:`remedies_between` turns "the file says this,
it should say that" into remedies (the same vocabulary the rules use), and
:func:`write_remedies` / :func:`write_workload` hand them to the file's editors, re-reading
the file between passes until it says what is wanted.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Iterator

from dockward.findings import Change, Remedy
from dockward.fixers.base import Editor, SourceText, Unfixable
from dockward.fixers.edits import Edit, EditPlan, apply_edits
from dockward.fixers.plan import editor_class
from dockward.kinds import INPUT_KINDS
from dockward.models.location import Location
from dockward.models.workload import Workload, normalize_capability
from dockward.readers.base import SourceFile

_SCALARS = ("user", "memory", "cpus", "pids_limit")
_NAMESPACES = ("pid_mode", "network_mode", "ipc_mode", "uts_mode", "userns_mode")
_UNCONFINED = {("seccomp", "unconfined"), ("apparmor", "unconfined"),
               ("systempaths", "unconfined"), ("label", "disable")}
MAX_PASSES = 6


def remedies_between(current: Workload, wanted: Workload) -> list[Remedy]:
    """The remedies that make ``current`` (read from a file, with its locations) carry
    ``wanted``'s security settings.  Settings ``wanted`` leaves unset are left alone."""
    out: list[Remedy] = []
    anchor = current.anchor
    if current.privileged and not wanted.privileged:
        out.append(Remedy(Change.REMOVE, "privileged", True, current.where("privileged")))
    for field in _NAMESPACES:
        if getattr(current, field) == "host" and getattr(wanted, field) != "host":
            out.append(Remedy(Change.REMOVE, field, "host", current.where(field)))
    out.extend(_capabilities(current, wanted))
    for field in _SCALARS:
        value = getattr(wanted, field)
        if value is not None and value != getattr(current, field):
            out.append(Remedy(Change.SET, field, value, current.where(field)))
    if wanted.read_only and not current.read_only:
        out.append(Remedy(Change.SET, "read_only", True, current.where("read_only")))
    if wanted.restart is not None and (current.restart is None or (
            current.restart.name, current.restart.max_retries) !=
            (wanted.restart.name, wanted.restart.max_retries)):
        where = current.restart.origin if current.restart is not None else anchor
        out.append(Remedy(Change.SET, "restart",
                          (wanted.restart.name, wanted.restart.max_retries), where))
    if wanted.no_new_privileges and not current.no_new_privileges:
        opt = current.security_opt("no-new-privileges")
        out.append(Remedy(Change.SET, "no_new_privileges", True,
                          opt.origin if opt is not None else anchor))
    wanted_opts = {(o.key, o.value.lower()) for o in wanted.security_opts}
    for opt in current.security_opts:
        pair = (opt.key, opt.value.strip().lower())
        if pair in _UNCONFINED and pair not in wanted_opts:
            out.append(Remedy(Change.REMOVE, "security_opts", opt.raw or f"{opt.key}="
                              f"{opt.value}", opt.origin))
    out.extend(_mounts(current, wanted))
    return out


def _capabilities(current: Workload, wanted: Workload) -> Iterator[Remedy]:
    dropped = {normalize_capability(c.name) for c in current.cap_drop}
    for cap in wanted.cap_drop:
        name = normalize_capability(cap.name)
        if name not in dropped and "ALL" not in dropped:
            yield Remedy(Change.ADD, "cap_drop", name, current.anchor)
    wanted_add = {normalize_capability(c.name) for c in wanted.cap_add}
    current_add = {normalize_capability(c.name) for c in current.cap_add}
    for cap in current.cap_add:
        if normalize_capability(cap.name) not in wanted_add:
            yield Remedy(Change.REMOVE, "cap_add", normalize_capability(cap.name), cap.origin)
    for name in sorted(wanted_add - current_add):
        yield Remedy(Change.ADD, "cap_add", name, current.anchor)


def _mounts(current: Workload, wanted: Workload) -> Iterator[Remedy]:
    wanted_targets = {m.target.rstrip("/") or "/" for m in wanted.mounts}
    current_targets = {m.target.rstrip("/") or "/" for m in current.mounts}
    for m in current.mounts:
        if (m.target.rstrip("/") or "/") not in wanted_targets:
            yield Remedy(Change.REMOVE, "mounts", m.target, m.origin)
    for m in wanted.mounts:
        if m.type == "tmpfs" and (m.target.rstrip("/") or "/") not in current_targets:
            yield Remedy(Change.ADD, "tmpfs", m.target, current.anchor)


def write_remedies(source: SourceText, remedies: Iterable[Remedy], anchor: Location
                   ) -> tuple[str, list[tuple[Remedy, str]]]:
    """``source``'s text with ``remedies`` written in (targets default to ``anchor``), and
    the remedies that could not be written, with why; one pass, no findings needed."""
    plan = EditPlan()
    refused: list[tuple[Remedy, str]] = []
    editors: dict[str, Editor] = {}
    for remedy in remedies:
        group: dict[str, list[Edit]] = {}
        try:
            for part in remedy.parts():
                file = (part.target or anchor).file or source.display
                if file != source.display:
                    raise Unfixable(f"{file} is not the file being written")
                editor = _editor_for(source, part.setting, editors)
                group.setdefault(file, []).extend(editor.edits(part, anchor))
        except Unfixable as exc:
            refused.append((remedy, str(exc)))
            continue
        if not plan.try_add(group):
            refused.append((remedy, "another change touches the same text (next pass)"))
    text = apply_edits(source.text, plan.edits.get(source.display, []))
    return text, refused


def _editor_for(source: SourceText, setting: str, cache: dict[str, Editor]) -> Editor:
    for ref in INPUT_KINDS[source.kind].editors if source.kind in INPUT_KINDS else ():
        editor = cache.get(ref)
        if editor is None:
            editor = editor_class(ref)(source)
            cache[ref] = editor
        if setting in editor.settings:
            return editor
    raise Unfixable(f"dockward cannot write {setting} into a {source.kind} file")


def read_workloads(source: SourceText) -> list[Workload]:
    """The Workloads the readers find in ``source`` (a compose file alone: no override)."""
    src = SourceFile(path=source.path, display=source.display, text=source.text,
                     kind=source.kind)
    if source.kind == "compose":
        from dockward.readers.compose import read_compose

        return [m for m in read_compose([src], {}) if isinstance(m, Workload)]
    found: list[Workload] = []
    for ref in INPUT_KINDS[source.kind].readers:
        module, _, name = ref.partition(":")
        reader = getattr(importlib.import_module(module), name)
        found.extend(m for m in reader(src) if isinstance(m, Workload))
    return found


def write_workload(path: str, anchor_path: str, wanted: Workload, *, kind: str,
                   display: str | None = None) -> str:
    """The text of the file at ``path`` with the Workload whose anchor path is
    ``anchor_path`` (``services.web``, ``run[0]``) carrying ``wanted``'s settings.

    Nothing is written to disk; raises :class:`Unfixable` naming what could not be
    written (the Workload is not in the file, a setting the surface cannot express).
    """
    display = display or os.path.relpath(path)
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    for _ in range(MAX_PASSES):
        source = SourceText(display=display, path=path, text=text, kind=kind)
        current = next((w for w in read_workloads(source) if w.anchor.path == anchor_path),
                       None)
        if current is None:
            raise Unfixable(f"no workload {anchor_path} in {display}")
        remedies = remedies_between(current, wanted)
        if not remedies:
            return text
        new_text, refused = write_remedies(source, remedies, current.anchor)
        if new_text == text:
            raise Unfixable("; ".join(f"{r.setting}: {why}" for r, why in refused))
        text = new_text
    raise Unfixable(f"{anchor_path} in {display} did not settle after {MAX_PASSES} passes")
