"""DW201: the container runtime's API socket is mounted into the container."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.kinds import GUARD_PROXY_HOST
from dockward.models.knowledge import is_runtime_socket_path, normalize_host_path
from dockward.models.workload import Mount, Workload
from dockward.rules._common import is_host_mode, mount_spec
from dockward.rules.registry import RuleContext, rule

RUNTIME_BY_SOCKET: dict[str, str] = {
    "docker.sock": "Docker",
    "containerd.sock": "containerd",
    "containerd-shim.sock": "containerd",
    "podman.sock": "Podman",
    "crio.sock": "CRI-O",
    "cri-dockerd.sock": "cri-dockerd",
    "dockershim.sock": "dockershim",
    "buildkitd.sock": "BuildKit",
    "frakti.sock": "frakti",
}

WINDOWS_ENGINE_PIPES = ("docker_engine", "containerd-containerd")


def _what(path: str) -> str:
    """``the Docker socket /var/run/docker.sock`` or ``/run, which holds runtime sockets``."""
    norm = normalize_host_path(path)
    runtime = RUNTIME_BY_SOCKET.get(posixpath.basename(norm))
    if runtime is not None:
        return f"the {runtime} socket {path}"
    if norm.startswith("/run/user/"):
        return f"{path}, which holds the rootless Docker/Podman socket"
    return f"{path}, the directory that holds the runtime's socket (docker.sock, " \
           "containerd.sock, ...)"


def _is_engine_pipe(m: Mount) -> bool:
    source = (m.source or "").lower()
    return m.type == "npipe" or (source.startswith(("\\\\.\\pipe\\", "//./pipe/"))
                                 and any(p in source for p in WINDOWS_ENGINE_PIPES))


@rule(
    code="DW201",
    name="runtime-socket-mounted",
    model=Workload,
    severity=Severity.CRITICAL,
    fix=FixSafety.UNSAFE,
    refs=("CIS-5.32", "OWASP-D1", "ATTACK-T1611", "ATTACK-T1610", "ATTACK-T1552.007",
          "PSS-baseline-hostpath-volumes"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    r"""The container runtime's socket is mounted into the container: root on the host.

    ## What it does
    Reports bind mounts of a container runtime's API socket (`docker.sock`,
    `containerd.sock`, `podman.sock`, `crio.sock`, `buildkitd.sock`, ...), of a directory
    that holds one (`/var/run`, `/run`, `/run/containerd`, a rootless `/run/user/<uid>`),
    and of the Windows engine pipe `\\.\pipe\docker_engine`. Read-only mounts are
    reported too. A mount whose source could not be resolved (`${SOCK}`) is reported when
    its target is where a runtime socket lives, such as `/var/run/docker.sock`.

    ## Why it matters
    The socket is the Docker API, and the API can start containers with any settings. From
    inside a container that has it, one command gives root on the host, exactly as the
    seed demonstrates:

    ```sh
    docker run -it -v /:/host ubuntu:24.04 chroot /host
    ```

    The new container is created by the host's daemon, so `-v /:/host` mounts the host's
    real root filesystem; `--privileged` or `--pid=host` work just as well. `:ro` does not
    help: read-only applies to the socket file, not to the requests sent through it, and
    the API still accepts writes. Tools that "only read" the API (reverse proxies,
    dashboards) become the host's weakest point.

    ## Bad
    ```yaml
    services:
      proxy:
        image: traefik:v3.1
        volumes:
          - /var/run/docker.sock:/var/run/docker.sock:ro
    ```
    ```sh
    docker run -v /var/run/docker.sock:/var/run/docker.sock alpine:3.20 sh
    ```

    ## Good
    ```yaml
    services:
      proxy:
        image: traefik:v3.1
        environment:
          DOCKER_HOST: tcp://socket-proxy:2375
    ```
    ```sh
    docker run -e DOCKER_HOST=tcp://socket-proxy:2375 alpine:3.20 sh
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` removes the mount. A compose service that
    mounted the Docker socket instead gets a `dockward-proxy` service running `dockward
    guard proxy --profile read-only` in front of the socket,
    `DOCKER_HOST=tcp://dockward-proxy:2375` in its environment and a `depends_on` on the
    proxy (a tool with its own endpoint setting, such as Traefik's
    `providers.docker.endpoint`, needs that setting changed too). A Kubernetes `hostPath`
    volume goes with its last mount. Unsafe: whatever the container did through the API is
    now refused or read-only.

    Do not mount the socket. If a tool needs container metadata, give it a filtering
    proxy that allows only the read-only endpoints it uses: `dockward guard proxy
    --listen unix:/run/dockward/proxy/traefik.sock --profile read-only` runs on the
    host, and the container mounts the proxy's directory instead of the socket (see
    `examples/guard-proxy`). Otherwise use the runtime's TLS-protected TCP or SSH endpoint
    with client certificates, or a rootless daemon whose socket is not worth root on the
    host.

    ## References
    - CIS Docker Benchmark v1.6, 5.32: the Docker socket is not mounted inside any
      containers (`CIS-5.32`)
    - OWASP Docker Security Cheat Sheet, rule 1: do not expose the Docker daemon socket,
      not even read-only (`OWASP-D1`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`); T1610, Deploy Container
      (`ATTACK-T1610`); T1552.007, Unsecured Credentials: Container API
      (`ATTACK-T1552.007`)
    - Kubernetes Pod Security Standards, baseline: HostPath Volumes
      (`PSS-baseline-hostpath-volumes`)
    """
    for m in w.mounts:
        if _is_engine_pipe(m):
            yield Hit(
                m.origin,
                f"mounts the Docker engine pipe {m.source} into the container: it can call "
                "the Docker API and start a container with the host's drives mounted, which "
                "is administrator on the host",
                f"mount {mount_spec(m)}",
                remedy=Remedy(Change.REMOVE, "mounts", mount_spec(m), m.origin),
            )
            continue
        if m.type not in ("bind", "") or not m.source:
            continue
        if is_runtime_socket_path(m.source):
            ro = (
                " read-only: read-only does not help, the API still accepts writes, so"
                if m.read_only
                else ":"
            )
            yield Hit(
                m.origin,
                f"mounts {_what(m.source)}{ro} the container can use the runtime's API to "
                "start a new container with -v /:/host (or --privileged) and take over the "
                "host",
                f"mount {mount_spec(m)}",
                remedy=socket_remedy(w, m),
            )
        elif m.unresolved and m.target and is_runtime_socket_path(m.target):
            yield Hit(
                m.origin,
                f"mounts {m.source} (not resolved) at {m.target}, where clients look for "
                "the runtime socket: if that is the socket, the container can start a new "
                "container with -v /:/host and take over the host",
                f"mount {mount_spec(m)}",
                remedy=Remedy(Change.REMOVE, "mounts", mount_spec(m), m.origin),
            )


def socket_remedy(w: Workload, m: Mount) -> Remedy:
    """Remove the mount; a compose service that used the Docker socket gets a dockward guard
    proxy instead, its client pointed at it with DOCKER_HOST (unless it runs in the host's
    network, or sets DOCKER_HOST itself)."""
    remove = Remedy(Change.REMOVE, "mounts", mount_spec(m), m.origin)
    docker = posixpath.basename(normalize_host_path(m.source or "")) == "docker.sock"
    if (w.source_kind != "compose-service" or not docker or is_host_mode(w.network_mode)
            or any(e.key == "DOCKER_HOST" for e in w.env)):
        return remove
    return Remedy(Change.REMOVE, "mounts", mount_spec(m), m.origin, also=(
        Remedy(Change.ADD, "socket_proxy", m.source, w.anchor),
        Remedy(Change.ADD, "env", f"DOCKER_HOST={GUARD_PROXY_HOST}", w.anchor),
    ))
