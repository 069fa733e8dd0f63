"""Run the probe inside a running container through the Engine API (``docker exec``).

Used by ``dockward audit --inside CONTAINER``: the configured view comes from
``inspect``, the observed one from the container itself.  The probe runs as the
container's own user with the container's own capabilities, seccomp profile and cgroup
(``exec`` inherits them), so it sees what the application would.

Transport: the zipapp is copied in with ``put_archive`` (into the first writable of
``/tmp``, ``/var/tmp``, ``/dev/shm``, ``/run``) and run with the image's ``python3``; when
nothing can be written (a read-only root filesystem) the same probe is passed as a
``python3 -c`` program instead.  The copied file is removed afterwards.
"""

from __future__ import annotations

import io
import json
import secrets
import tarfile
import time
from typing import Any

from dockward.inside import zipapp

PYTHON_CANDIDATES = ("python3", "/usr/bin/python3", "/usr/local/bin/python3", "python",
                     "/usr/bin/python", "/usr/local/bin/python")
UPLOAD_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/run")
_VERSION_CHECK = "import sys; print('%d.%d' % sys.version_info[:2])"


class InsideUnavailable(RuntimeError):
    """The probe cannot run in this container (not running, no Python 3.8+)."""


def _api(client: Any) -> Any:
    """A ``docker.DockerClient`` or its low-level ``APIClient``: use the latter."""
    return getattr(client, "api", client)


def _container_id(container: Any) -> str:
    return str(getattr(container, "id", container))


def exec_run(client: Any, container: str, cmd: list[str], timeout: float = 60.0
             ) -> tuple[int | None, bytes, bytes]:
    """Run ``cmd`` in the container; ``(exit code, stdout, stderr)``.

    A missing executable is not an API error on every engine version (runc reports it as
    exit code 126/127 with a message on stdout), so callers look at the code.
    """
    import docker.errors

    api = _api(client)
    try:
        exec_id = api.exec_create(container, cmd, stdout=True, stderr=True, stdin=False,
                                  tty=False)["Id"]
        out, err = api.exec_start(exec_id, demux=True)
    except docker.errors.APIError as exc:
        return None, b"", str(exc).encode()
    code = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = api.exec_inspect(exec_id)
        if not info.get("Running"):
            code = info.get("ExitCode")
            break
        time.sleep(0.05)
    return code, out or b"", err or b""


def find_python(client: Any, container: str) -> tuple[str, str] | None:
    """``(interpreter, "3.X")`` of the first Python 3.8+ in the container, or None."""
    for candidate in PYTHON_CANDIDATES:
        code, out, _ = exec_run(client, container, [candidate, "-c", _VERSION_CHECK],
                                timeout=30)
        if code != 0:
            continue
        version = out.decode(errors="replace").strip()
        try:
            major, minor = (int(x) for x in version.split(".")[:2])
        except ValueError:
            continue
        if (major, minor) >= (3, 8):
            return candidate, version
    return None


def _tar_of(name: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(data), 0o644, int(time.time())
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def upload_zipapp(client: Any, container: str) -> str | None:
    """Copy the zipapp into the first directory that accepts it; its path, or None."""
    import docker.errors

    api = _api(client)
    name = f".dockward-inside-{secrets.token_hex(4)}.pyz"
    archive = _tar_of(name, zipapp.build_pyz_bytes())
    for directory in UPLOAD_DIRS:
        try:
            if api.put_archive(container, directory, archive):
                return f"{directory}/{name}"
        except docker.errors.APIError:
            continue
    return None


def observe_container(client: Any, container_id: Any, probe_sockets: bool = True,
                      timeout: float = 120.0) -> dict[str, Any]:
    """Run the probe inside a running container and return its observation dict.

    ``client`` is a ``docker.DockerClient`` or ``APIClient``.  Raises
    :class:`InsideUnavailable` when the container has no Python 3.8+ or the probe fails.
    The result carries a ``transport`` entry saying how the probe got in.
    """
    import docker.errors

    cid = _container_id(container_id)
    try:
        state = _api(client).inspect_container(cid).get("State") or {}
    except docker.errors.NotFound:
        raise InsideUnavailable(f"no such container: {cid}") from None
    if not state.get("Running") or state.get("Paused"):
        raise InsideUnavailable(f"container {cid[:12]} is not running: nothing to look at "
                                "from inside")
    found = find_python(client, cid)
    if found is None:
        raise InsideUnavailable(
            f"no Python 3.8+ in container {cid[:12]} (tried {', '.join(PYTHON_CANDIDATES)}): "
            "copy dist/dockward-inside.pyz into an image that has python3, or run "
            "'dockward inside' there")
    python, version = found
    extra = ["--compact"] + ([] if probe_sockets else ["--no-socket-probe"])
    path = upload_zipapp(client, cid)
    if path is not None:
        cmd, method = [python, path, *extra], "put_archive"
    else:
        cmd, method = [python, "-c", zipapp.bootstrap_source(), *extra], "argv"
    try:
        code, out, err = exec_run(client, cid, cmd, timeout=timeout)
    finally:
        if path is not None:
            exec_run(client, cid, [python, "-c", "import os, sys; os.unlink(sys.argv[1])",
                                   path], timeout=30)
    if code != 0:
        raise InsideUnavailable(
            f"the probe failed in container {cid[:12]} (exit {code}): "
            f"{err.decode(errors='replace').strip()[-800:]}")
    try:
        obs: dict[str, Any] = json.loads(out.decode("utf-8", "replace"))
    except ValueError as exc:
        raise InsideUnavailable(f"the probe printed no JSON in {cid[:12]}: {exc}") from None
    obs["transport"] = {"container": cid, "python": python, "python_version": version,
                        "method": method, "path": path}
    return obs
