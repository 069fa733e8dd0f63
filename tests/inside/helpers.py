"""Helpers for running the inside probe in real containers (see tests/inside/README.md).

The harness's ``busybox:dw`` has no Python.  ``python_rootfs_tar()`` adds one to the busybox
rootfs: the host's interpreter (pyenv's 3.8 by preference, the oldest Python the probe
supports; else the system ``python3``), relocated under ``/opt/python`` with its standard
library (minus tests, tkinter, idlelib and friends) and the shared libraries ``ldd`` says it
needs, at their original paths.  Nothing is bind-mounted, so the containers' mount tables
stay exactly what each test configures.
"""

from __future__ import annotations

import glob
import io
import json
import os
import subprocess
import tarfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from tests.engine.harness import PrivateEngine, busybox_rootfs_tar

PY_TAG = "pybox:dw"
PY_HOME = "/opt/python"
# Large or irrelevant parts of the standard library (the probe uses a dozen modules).
STDLIB_SKIP = {"test", "tests", "idlelib", "tkinter", "turtledemo", "lib2to3", "ensurepip",
               "distutils", "site-packages", "dist-packages", "pydoc_data", "unittest",
               "__phello__", "venv"}
DYNLOAD_SKIP_PREFIXES = ("_test", "_tkinter", "_ctypes_test", "xxlimited", "_xxtest",
                         "_curses", "_sqlite3", "_dbm", "_gdbm", "readline", "_lzma", "_bz2",
                         "_ssl", "_hashlib", "_uuid", "_decimal", "audioop", "nis", "ossaudiodev",
                         "_crypt", "_ctypes")


def find_python() -> str | None:
    """``$DW_INSIDE_PYTHON``, else pyenv's newest 3.8, else the system python3."""
    override = os.environ.get("DW_INSIDE_PYTHON")
    if override:
        return override if os.access(override, os.X_OK) else None
    for cand in sorted(glob.glob("/root/.pyenv/versions/3.8.*/bin/python3.8"), reverse=True):
        if os.access(cand, os.X_OK):
            return cand
    for cand in ("/usr/bin/python3", "/usr/local/bin/python3"):
        if os.access(cand, os.X_OK):
            return cand
    return None


def _layout(interpreter: str) -> dict[str, Any]:
    code = ("import json, sys, sysconfig; print(json.dumps({'version': '%d.%d' % "
            "sys.version_info[:2], 'full': sys.version.split()[0], "
            "'stdlib': sysconfig.get_paths()['stdlib'], "
            "'platstdlib': sysconfig.get_paths()['platstdlib'], "
            "'dynload': [p for p in sys.path if p.endswith('lib-dynload')], "
            "'executable': sys.executable}))")
    out = subprocess.run([interpreter, "-I", "-S", "-c", code], capture_output=True, text=True,
                         check=True).stdout
    data: dict[str, Any] = json.loads(out)
    return data


def _needed_libs(paths: Iterable[str]) -> set[str]:
    """Shared libraries (and the loader) that ``ldd`` resolves for these ELF files."""
    libs: set[str] = set()
    for path in paths:
        res = subprocess.run(["ldd", path], capture_output=True, text=True, check=False)
        for line in res.stdout.splitlines():
            line = line.strip()
            if "=>" in line:
                target = line.split("=>", 1)[1].split("(", 1)[0].strip()
            else:
                target = line.split("(", 1)[0].strip()
            if target.startswith("/") and os.path.exists(target):
                libs.add(target)
    return libs


@lru_cache(maxsize=2)
def python_rootfs_tar(interpreter: str) -> bytes:
    """busybox rootfs + ``interpreter`` at ``/opt/python/bin`` (+ ``/usr/bin/python3``)."""
    lay = _layout(interpreter)
    ver = lay["version"]
    exe = os.path.realpath(lay["executable"])
    stdlib = lay["stdlib"]
    dynload_dirs = lay["dynload"] or [os.path.join(lay["platstdlib"], "lib-dynload")]
    files: dict[str, str] = {}  # archive name -> host file
    files[f"{PY_HOME.lstrip('/')}/bin/python{ver}"] = exe
    for dirpath, dirnames, filenames in os.walk(stdlib):
        rel = os.path.relpath(dirpath, stdlib)
        top = rel.split(os.sep, 1)[0]
        if top in STDLIB_SKIP or top.startswith("config-") or top == "lib-dynload":
            dirnames[:] = []
            continue
        for name in filenames:
            if name.endswith(".py") or (name.endswith(".pyc") and ".opt-" not in name):
                arc = os.path.normpath(f"{PY_HOME.lstrip('/')}/lib/python{ver}/{rel}/{name}")
                files[arc] = os.path.join(dirpath, name)
    modules = []
    for directory in dynload_dirs:
        for name in sorted(os.listdir(directory)):
            if name.endswith(".so") and not name.startswith(DYNLOAD_SKIP_PREFIXES):
                src = os.path.join(directory, name)
                files[f"{PY_HOME.lstrip('/')}/lib/python{ver}/lib-dynload/{name}"] = src
                modules.append(src)
    for lib in sorted(_needed_libs([exe, *modules])):
        if os.path.basename(lib).startswith("ld-linux"):
            files[lib.lstrip("/")] = os.path.realpath(lib)  # PT_INTERP: keep its path
        else:  # a default search dir of the loader, readable by every uid
            files[f"lib/x86_64-linux-gnu/{os.path.basename(lib)}"] = os.path.realpath(lib)

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as out:
        with tarfile.open(fileobj=io.BytesIO(busybox_rootfs_tar()), mode="r") as base:
            for member in base.getmembers():
                data = base.extractfile(member) if member.isfile() else None
                out.addfile(member, data)
        made: set[str] = {"bin", "usr", "usr/bin", "etc", "tmp", "root", "var", "run"}

        def mkdirs(path: str) -> None:
            parts = Path(path).parent.parts
            for i in range(1, len(parts) + 1):
                d = "/".join(parts[:i])
                if d and d not in made:
                    made.add(d)
                    info = tarfile.TarInfo(d)
                    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 1_700_000_000
                    out.addfile(info)

        for arc in sorted(files):
            mkdirs(arc)
            src = files[arc]
            st = os.stat(src)
            info = tarfile.TarInfo(arc)
            info.size, info.mtime = st.st_size, int(st.st_mtime)
            info.mode = 0o755 if os.access(src, os.X_OK) else 0o644
            with open(src, "rb") as fh:
                out.addfile(info, fh)
        for link in ("usr/bin/python3", f"{PY_HOME.lstrip('/')}/bin/python3"):
            info = tarfile.TarInfo(link)
            info.type, info.mode = tarfile.SYMTYPE, 0o777
            info.linkname = f"{PY_HOME}/bin/python{ver}"
            out.addfile(info)
    return buf.getvalue()


def import_python_image(engine: PrivateEngine, tag: str = PY_TAG) -> str:
    """Import the busybox+python image into ``engine`` (idempotent); returns the tag."""
    if engine.has_image(tag):
        return tag
    interpreter = find_python()
    if interpreter is None:
        raise RuntimeError("no host Python to put in the test image (set DW_INSIDE_PYTHON)")
    repo, _, t = tag.rpartition(":")
    engine.client.api.import_image_from_data(
        python_rootfs_tar(interpreter), repository=repo, tag=t,
        changes=['CMD ["sleep", "3600"]',
                 "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
    return tag


def start(engine: PrivateEngine, *run_args: str, image: str = PY_TAG,
          command: tuple[str, ...] = ("sleep", "3600")) -> str:
    """``docker run -d <run_args> image sleep 3600``; the container id."""
    return engine.run_container(*run_args, image, *command)


# --------------------------------------------------------------------------- captured trees

FIXTURES = Path(__file__).parent / "fixtures"


def tree_roots(root: Path) -> dict[str, str]:
    """``observe()`` keyword arguments that point the probe at a captured tree."""
    return {"proc_root": str(root / "proc"), "sys_root": str(root / "sys"),
            "dev_root": str(root / "dev"), "fs_root": str(root)}


def variant(tmp_path: Path, base: str, changes: dict[str, str | None]) -> Path:
    """A copy of ``fixtures/<base>`` with files replaced (``None`` deletes one)."""
    import shutil

    target = tmp_path / base
    shutil.copytree(FIXTURES / base, target, symlinks=True)
    for rel, text in changes.items():
        path = target / rel
        if text is None:
            if path.is_symlink() or path.is_file():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            path.unlink()
        path.write_text(text)
    return target


def set_status(status: str, **fields: str) -> str:
    """``/proc/self/status`` text with some ``Key:\\tvalue`` lines replaced or added."""
    lines = status.splitlines()
    for key, value in fields.items():
        for i, line in enumerate(lines):
            if line.startswith(key + ":"):
                lines[i] = f"{key}:\t{value}"
                break
        else:
            lines.append(f"{key}:\t{value}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- configured view


def configured_from_inspect(inspect: dict[str, Any]) -> Any:
    """A configured Workload from ``docker inspect`` (just the fields ``compare`` reads).

    Test scaffolding only: the live audit's reader (``dockward.readers.engine``) is the real
    one; this keeps the ``audit --inside`` tests independent of it.
    """
    from dockward.models.location import Location
    from dockward.models.workload import Capability, Device, Mount, SecurityOpt, Workload

    name = inspect["Name"].lstrip("/")
    host = inspect["HostConfig"]
    at = Location(subject=name)
    w = Workload(name=name, source_kind="container", anchor=at)
    w.privileged = bool(host.get("Privileged"))
    w.cap_add = [Capability(c, at) for c in host.get("CapAdd") or []]
    w.cap_drop = [Capability(c, at) for c in host.get("CapDrop") or []]
    for key, attr in (("PidMode", "pid_mode"), ("NetworkMode", "network_mode"),
                      ("IpcMode", "ipc_mode"), ("UTSMode", "uts_mode"),
                      ("UsernsMode", "userns_mode")):
        setattr(w, attr, host.get(key) or None)
    w.mounts = [Mount(m["Type"], m.get("Source") or m.get("Name"), m["Destination"], at,
                      read_only=not m.get("RW", True)) for m in inspect.get("Mounts") or []]
    w.devices = [Device(d["PathOnHost"], d["PathInContainer"], at)
                 for d in host.get("Devices") or []]
    w.user = inspect["Config"].get("User") or None
    w.security_opts = [SecurityOpt.parse(s, at) for s in host.get("SecurityOpt") or []]
    w.read_only = bool(host.get("ReadonlyRootfs"))
    w.memory = host.get("Memory") or None
    nano = host.get("NanoCpus") or 0
    quota, period = host.get("CpuQuota") or 0, host.get("CpuPeriod") or 100000
    w.cpus = nano / 1e9 if nano else (quota / period if quota > 0 else None)
    w.pids_limit = host.get("PidsLimit") or None
    return w
