"""The scan cache: each file's result, reused while nothing it depends on has changed.

Like ruff's cache, an entry is found by a key, here a hash of

* the file's bytes, its path, how it is shown and how it was found (kind, explicit);
* dockward's version and a fingerprint of its own code and of the rule packs loaded, so a
  new version (or an edited checkout) never reads an older one's results;
* the effective policy (selected rules, severities, rule options, fix values, limits);
* a secret kept in the user's cache folder, so an entry cannot be forged: a repository
  that ships a ``.dockward_cache`` (by mistake or to hide a finding) is never read.

Entries also list what the file's readers looked at besides the file (an ``.env``, a
compose override, a build's Dockerfile path); an entry is used only while each of those is
unchanged.  Entries are JSON (loading one runs no code) and are written to a temporary
file renamed into place, so concurrent scans never see half an entry; an entry that does
not load (corrupt, truncated, another format) is a miss and is written again.  Results of
files that link to others are not cached: they are read again with those files.

Where: ``--cache-dir``, else ``$DOCKWARD_CACHE_DIR``, else ``$XDG_CACHE_HOME/dockward``
when ``XDG_CACHE_HOME`` is set, else ``.dockward_cache`` in the working folder.  Each
version of dockward keeps its entries in its own subfolder and removes the others' when
it creates its own, so the cache does not grow with upgrades.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from dockward import __version__
from dockward.readers.files import probe
from dockward.rules.packs import declared_rule_packs

if TYPE_CHECKING:
    from dockward.config import Config
    from dockward.scanning.compact import Sharing
    from dockward.scanning.units import ReadTask, TaskResult

log = logging.getLogger(__name__)

FORMAT = 1
DEFAULT_DIR = ".dockward_cache"
_SECRET_FILE = "cache-secret"
_README = ("This folder is dockward's scan cache; it is safe to delete. "
           "See 'dockward scan --help' (--no-cache, --cache-dir).\n")


def cache_dir(explicit: str | None = None) -> Path:
    """Where the cache lives (see the module docstring)."""
    if explicit:
        return Path(explicit)
    if os.environ.get("DOCKWARD_CACHE_DIR"):
        return Path(os.environ["DOCKWARD_CACHE_DIR"])
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]) / "dockward"
    return Path(DEFAULT_DIR)


def _user_cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dockward"


def _secret() -> bytes | None:
    """This user's cache secret, made on first use; None when it cannot be kept."""
    path = _user_cache_home() / _SECRET_FILE
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(os.urandom(32))
        try:
            os.link(tmp, path)  # first writer wins; a concurrent one reads the winner's
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
        data = path.read_bytes()
        return data if len(data) >= 32 else None
    except OSError as exc:
        log.debug("no cache secret in %s (%s); not caching", path.parent, exc)
        return None


def code_fingerprint() -> str:
    """dockward's version, its own source files (size and time) and the rule packs
    installed: an edited checkout counts as a new version.  Nothing is imported for it, so
    a scan answered from the cache never loads the readers or the rules."""
    import dockward

    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FORMAT}\0{__version__}\0{sys.version_info[:2]}".encode())
    files: set[str] = set()
    package = os.path.dirname(os.path.abspath(dockward.__file__))
    for folder, dirs, names in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        files.update(os.path.join(folder, n) for n in names if n.endswith(".py"))
    for name in sorted(files):
        try:
            st = os.stat(name)
        except OSError:
            continue
        h.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    for pack in declared_rule_packs():
        h.update(pack.encode("utf-8", "replace"))
    return h.hexdigest()


def config_fingerprint(config: Config) -> str:
    """The parts of the policy a file's result depends on."""
    fields = asdict(config)
    for unrelated in ("source", "fail_on", "baseline", "exclude", "respect_gitignore"):
        fields.pop(unrelated, None)
    text = json.dumps(fields, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class ScanCache:
    """Per-file results under ``root``, for one version of dockward and one policy."""

    def __init__(self, root: Path, secret: bytes, code: str, policy: str) -> None:
        self.root = root
        self.folder = root / f"v{FORMAT}-{code[:16]}"
        self._base = hashlib.blake2b(secret + f"\0{code}\0{policy}".encode(),
                                     digest_size=32).digest()
        self._ready = False
        self._subfolders: set[str] = set()  # made (or found) by this process
        self.hits = 0  # in this process (workers count their own)
        self.misses = 0

    @classmethod
    def open(cls, config: Config, where: str | None = None) -> ScanCache | None:
        """The cache for this policy, or None when it cannot be used here."""
        secret = _secret()
        if secret is None:
            return None
        return cls(cache_dir(where), secret, code_fingerprint(), config_fingerprint(config))

    def key_for(self, task: ReadTask, display: str, in_group: bool, data: bytes) -> str:
        h = hashlib.blake2b(self._base, digest_size=20)
        h.update(f"{task.path}\0{display}\0{task.kind}\0{task.explicit}\0{in_group}\0".encode(
            "utf-8", "surrogateescape"))
        h.update(data)
        return h.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, seq: int, sharing: Sharing | None = None) -> TaskResult | None:
        """The cached result for ``key`` (as the read at place ``seq``), None on a miss;
        its repeated parts shared through ``sharing``."""
        from dockward.scanning.codec import decode_result

        try:
            with open(self._path(key), "rb") as fh:
                entry = json.loads(fh.read())
            if entry.get("key") != key:
                raise ValueError("entry of another key")
            for kind, path, limit, seen in entry["looked_at"]:
                if probe(kind, path, int(limit)) != seen:
                    self.misses += 1
                    return None
            result = decode_result(entry["result"], seq, sharing)
        except FileNotFoundError:
            self.misses += 1
            return None
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            log.debug("cache entry %s unusable (%s); reading the file", key, exc)
            self.misses += 1
            return None
        self.hits += 1
        result.cached = True
        return result

    def put(self, key: str, result: TaskResult, looked_at: dict[tuple[str, str, int], str]
            ) -> None:
        """Store ``result``; files that link to others, and values the cache cannot hold
        faithfully, are not stored.  Failing to write is not an error."""
        from dockward.scanning.codec import Uncacheable, encode_result

        if result.unit is not None and result.unit.findings is None:
            return
        try:
            data = json.dumps({
                "key": key,
                "looked_at": [[k, p, n, v] for (k, p, n), v in sorted(looked_at.items())],
                "result": encode_result(result),
            }, separators=(",", ":")).encode("utf-8", "surrogatepass")
        except (Uncacheable, ValueError, TypeError) as exc:
            log.debug("result not cached (%s)", exc)
            return
        target = self._path(key)
        try:
            self._prepare()
            if target.parent.name not in self._subfolders:  # a mkdir costs ~0.2 ms even
                target.parent.mkdir(exist_ok=True)  # when the folder is there
                self._subfolders.add(target.parent.name)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, target)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as exc:
            log.debug("cannot write the cache entry %s: %s", target, exc)

    def _prepare(self) -> None:
        """Create this version's folder (and the cache's, marked as one); remove the
        folders of other versions."""
        if self._ready:
            return
        self._ready = True
        if self.folder.is_dir():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        marker = self.root / "CACHEDIR.TAG"
        if not marker.exists():
            marker.write_text("Signature: 8a477f597d28d172789f06886806bc55\n"
                              "# This file marks dockward's scan cache (https://bford.info/cachedir/).\n")
            (self.root / ".gitignore").write_text("# dockward's scan cache: never commit it\n*\n")
            (self.root / "README").write_text(_README)
        for old in self.root.glob(f"v{FORMAT}-*"):
            if old != self.folder and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        self.folder.mkdir(exist_ok=True)
