"""Package the stdlib-only probe as ``dockward-inside.pyz`` (runnable as ``python3 x.pyz``).

The archive holds only what runs inside a container: ``dockward/inside/probe.py`` (the
collectors), ``dockward/inside/probe_parsers.py`` (the parsers of what they read),
``dockward/inside/socket_probe.py``, empty package stubs and a ``__main__`` that prints the
observation JSON.  Entries are stored uncompressed (zipimport then needs no ``zlib``, which
minimal Python builds may lack) with a fixed timestamp, so the same sources always give
the same bytes.

:func:`bootstrap_source` is the same payload as one ``python3 -c`` program, for containers
where no file can be written (a read-only root filesystem refuses ``put_archive``).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# import order: probe imports socket_probe and probe_parsers
PROBE_MODULES = ("socket_probe", "probe_parsers", "probe")
DEFAULT_NAME = "dockward-inside.pyz"
SHEBANG = b"#!/usr/bin/env python3\n"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)

_STUB = '"""Stub package of the dockward-inside zipapp (probe only)."""\n'
_MAIN = (
    '"""dockward-inside: print what this container can see of its isolation (JSON)."""\n'
    "import sys\n\n"
    "if sys.version_info < (3, 8):\n"
    "    sys.stderr.write('dockward-inside needs Python 3.8 or newer\\n')\n"
    "    sys.exit(3)\n\n"
    "from dockward.inside.probe import main\n\n"
    "sys.exit(main())\n"
)


def module_source(name: str) -> str:
    """The source of one probe module, read from this installed package."""
    return (PACKAGE_DIR / f"{name}.py").read_text(encoding="utf-8")


def members() -> list[tuple[str, str]]:
    """``(archive name, text)`` of everything the zipapp contains, in a fixed order."""
    out = [
        ("__main__.py", _MAIN),
        ("dockward/__init__.py", _STUB),
        ("dockward/inside/__init__.py", _STUB),
    ]
    out.extend((f"dockward/inside/{m}.py", module_source(m)) for m in PROBE_MODULES)
    return out


def build_pyz_bytes(shebang: bytes = SHEBANG) -> bytes:
    """The zipapp as bytes (shebang line + stored zip)."""
    buf = io.BytesIO()
    buf.write(shebang)
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, text in members():
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))
    return buf.getvalue()


def build_pyz(path: str | Path) -> Path:
    """Write the zipapp to ``path`` (executable) and return it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build_pyz_bytes())
    target.chmod(0o755)
    return target


def bootstrap_source() -> str:
    """One program for ``python3 -c``: registers the probe modules from embedded source
    and runs ``main()``; extra argv after ``-c`` reach the probe's argument parser."""
    lines = [
        "import sys, types",
        "if sys.version_info < (3, 8):",
        "    sys.stderr.write('dockward-inside needs Python 3.8 or newer\\n'); sys.exit(3)",
        "def _dw_load(name, src):",
        "    mod = types.ModuleType(name)",
        "    mod.__file__ = '<dockward-inside:%s>' % name",
        "    sys.modules[name] = mod",
        "    parent, _, child = name.rpartition('.')",
        "    if parent:",
        "        setattr(sys.modules[parent], child, mod)",
        "    if src:",
        "        exec(compile(src, mod.__file__, 'exec'), mod.__dict__)",
        "    return mod",
        "_dw_load('dockward', '')",
        "_dw_load('dockward.inside', '')",
    ]
    for name in PROBE_MODULES:
        lines.append(f"_dw_load('dockward.inside.{name}', {module_source(name)!r})")
    lines.append("sys.exit(sys.modules['dockward.inside.probe'].main(sys.argv[1:]))")
    return "\n".join(lines) + "\n"
