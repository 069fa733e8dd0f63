"""Which files to scan and what kind each one is.

Folders are walked without following directory symlinks (so link loops cannot trap the
walk), honouring ``.gitignore`` files and the config's ``exclude`` globs.  A file's kind comes
from its name first and, for generic YAML and extension-less scripts, from a cheap look at its
first bytes, so that classification never needs a full parse.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox",
     ".mypy_cache", ".ruff_cache", ".pytest_cache", ".idea", ".terraform", ".dockward_cache"}
)


_COMPOSE_NAME = re.compile(
    r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$|^[\w.-]+\.compose\.ya?ml$",
    re.IGNORECASE,
)
_SHEBANG_SHELL = re.compile(rb"^#!\s*\S*(/|env\s+)(ba|da|z|k|a)?sh\b")
_TOP_SERVICES = re.compile(r"^services\s*:", re.MULTILINE)
_TOP_JOBS = re.compile(r"^(jobs|stages|script|before_script)\s*:", re.MULTILINE)
_TOP_K8S = re.compile(r"^(apiVersion|kind)\s*:", re.MULTILINE)
_JSON_K8S_START = re.compile(r"\s*\{")
_JSON_API_VERSION = re.compile(r'"apiVersion"\s*:')
_JSON_KIND = re.compile(r'"kind"\s*:')


@dataclass(frozen=True, slots=True)
class Candidate:
    path: Path
    kind: str | None  # None: decide after reading (generic YAML, shebang)
    explicit: bool  # named on the command line: always scanned
    problem: str = ""  # why it cannot be read (an unreadable folder, a link leaving the roots)


def kind_from_name(path: Path) -> str | None:
    """The kind a file's name implies, ``yaml``/``maybe-script`` when content decides."""
    name = path.name
    lower = name.lower()
    if (
        lower in ("dockerfile", "containerfile")
        or lower.startswith(("dockerfile.", "containerfile.", "dockerfile-", "containerfile-"))
        or lower.endswith((".dockerfile", ".containerfile"))
        or ".dockerfile." in lower
    ):
        return "dockerfile"
    if _COMPOSE_NAME.match(name):
        return "compose"
    if lower in (".gitlab-ci.yml", ".gitlab-ci.yaml"):
        return "ci-yaml"
    if lower.endswith((".yml", ".yaml")):
        if "/.github/workflows/" in path.as_posix() or "/.gitlab/" in path.as_posix():
            return "ci-yaml"
        return "yaml"
    if lower.endswith((".sh", ".bash", ".zsh", ".ksh", ".bashrc", ".dockerfunc", ".bash_aliases")):
        return "shell"
    if lower in ("makefile", "gnumakefile") or lower.endswith((".mk", "makefile")):
        return "makefile"
    if lower.endswith(".json"):
        return "json"  # a Kubernetes manifest when it says apiVersion and kind
    if lower.endswith((".md", ".markdown")):
        return "markdown"
    if lower.endswith(".service"):
        return "systemd"
    if "." not in lower:
        return "maybe-script"
    return None


def kind_from_content(kind: str, head: bytes, text: str | None = None) -> str | None:
    """Settle ``yaml``, ``json`` and ``maybe-script`` from the content."""
    if kind == "maybe-script":
        return "shell" if _SHEBANG_SHELL.match(head) else None
    if kind == "json" and text is not None:
        return "k8s" if _JSON_K8S_START.match(text) and _JSON_API_VERSION.search(
            text, 0, 1 << 16) and _JSON_KIND.search(text, 0, 1 << 16) else None
    if kind == "yaml" and text is not None:
        if _TOP_SERVICES.search(text):
            return "compose"
        if _TOP_K8S.search(text):
            return "k8s"
        if _TOP_JOBS.search(text):
            return "ci-yaml"
        return None
    return kind


class _GitIgnores:
    """``.gitignore`` files met during the walk, each applying below its own folder."""

    def __init__(self) -> None:
        self._specs: list[tuple[Path, object]] = []

    def load(self, folder: Path) -> None:
        from dockward.readers.files import Refused, read_bytes

        gi = folder / ".gitignore"
        try:
            if not gi.is_file():
                return
            import pathspec

            data = read_bytes(gi, 1024 * 1024)
            lines = data.decode("utf-8", errors="replace").split("\n")
            self._specs.append((folder, pathspec.GitIgnoreSpec.from_lines(lines)))
        except (OSError, ValueError, Refused):
            return

    def ignored(self, path: Path, is_dir: bool) -> bool:
        for base, spec in self._specs:
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            if is_dir:
                rel += "/"
            if spec.match_file(rel):  # type: ignore[attr-defined]
                return True
        return False


def walk(roots: list[str], exclude: list[str], respect_gitignore: bool) -> Iterator[Candidate]:
    """Yield the files to scan under each root; roots that are files are always yielded."""
    import fnmatch

    def excluded(p: Path) -> bool:
        posix = p.as_posix()
        return any(fnmatch.fnmatch(posix, pat) or fnmatch.fnmatch(p.name, pat)
                   for pat in exclude)

    for root in roots:
        base = Path(root)
        try:
            is_dir = base.is_dir()
        except OSError as exc:  # EACCES on a folder above: reported when it is read
            log.debug("cannot stat %s: %s", base, exc)
            is_dir = False
        if not is_dir:
            yield Candidate(base, kind_from_name(base), explicit=True)
            continue
        ignores = _GitIgnores()
        unreadable: list[OSError] = []
        for dirpath, dirnames, filenames in os.walk(base, onerror=unreadable.append,
                                                    followlinks=False):
            yield from _folder_problems(unreadable)
            folder = Path(dirpath)
            if respect_gitignore:
                ignores.load(folder)
            keep = []
            for d in sorted(dirnames):
                sub = folder / d
                if d in SKIP_DIRS or excluded(sub):
                    continue
                if respect_gitignore and ignores.ignored(sub, True):
                    continue
                keep.append(d)
            dirnames[:] = keep
            for name in sorted(filenames):
                path = folder / name
                if excluded(path) or (respect_gitignore and ignores.ignored(path, False)):
                    continue
                kind = kind_from_name(path)
                if kind is not None:
                    yield Candidate(path, kind, explicit=False, problem=_link_problem(path))
        yield from _folder_problems(unreadable)


def _folder_problems(errors: list[OSError]) -> Iterator[Candidate]:
    """A folder the walk could not list: one DW000 for it, the walk goes on."""
    while errors:
        exc = errors.pop(0)
        where = Path(exc.filename or ".")
        reason = exc.strerror or str(exc)
        yield Candidate(where, None, explicit=True,
                        problem=f"cannot read folder: {reason}; nothing in it was scanned")


def _link_problem(path: Path) -> str:
    """Why a file met in a walk is not read: a link whose target leaves the scanned roots
    (folder links are never followed, so only the last component can be a link)."""
    from dockward.readers.files import OUTSIDE_ROOTS, current_scope

    try:
        if not path.is_symlink():
            return ""
    except OSError:
        return ""
    return "" if current_scope().contains(path) else OUTSIDE_ROOTS
