"""DW701: a container-runtime API answers from inside the container."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.observation import Observation, RuntimeSocketView
from dockward.rules.registry import RuleContext, rule

# How the escape goes, per runtime: the one command an attacker types next.
ESCAPES: dict[str, str] = {
    "docker": "docker -H {address} run -it -v /:/host busybox chroot /host",
    "podman": "podman --url {address} run -it --privileged -v /:/host alpine chroot /host",
    "containerd": "ctr -a {path} run --privileged --mount "
                  "type=bind,src=/,dst=/host,options=rbind <image> x chroot /host",
    "cri-o": "crictl -r {address} runp/create/start a pod with a hostPath / mount",
    "buildkit": "buildctl --addr {address} build with a privileged RUN "
                "(--allow security.insecure)",
}
NAMES: dict[str, str] = {
    "docker": "Docker Engine API", "podman": "Podman API", "containerd": "containerd API",
    "cri-o": "CRI-O API", "cri-dockerd": "CRI API of cri-dockerd",
    "dockershim": "dockershim CRI API", "buildkit": "BuildKit API", "frakti": "frakti API",
    "unknown": "container-runtime API",
}


def _identity(s: RuntimeSocketView) -> str:
    parts = []
    if s.platform:
        parts.append(s.platform)
    elif s.server:
        parts.append(s.server)
    if s.engine_version and s.engine_version not in " ".join(parts):
        parts.append(s.engine_version)
    if s.api_version:
        parts.append(f"API {s.api_version}")
    return f" ({', '.join(parts)})" if parts else ""


def _message(s: RuntimeSocketView) -> str:
    where = s.path or s.address
    name = NAMES.get(s.runtime, NAMES["unknown"])
    if s.protocol == "http":
        seen = f"answers GET /_ping from inside this container{_identity(s)}"
    else:
        seen = "accepts connections from inside this container"
    if s.host_source and s.host_source != s.path:
        seen += f"; it is the host's {s.host_source}"
    elif s.address.startswith("tcp://"):
        seen += " without TLS"
    command = ESCAPES.get(s.runtime, ESCAPES["docker"]).format(
        address=s.address, path=s.path or s.address)
    return (f"the {name} at {where} {seen}: the escape is one command away, "
            f"`{command}` starts a container the host's daemon creates with the host's "
            "root filesystem mounted, which is root on the host")


@rule(
    code="DW701",
    name="runtime-socket-reachable",
    model=Observation,
    severity=Severity.CRITICAL,
    fix=FixSafety.NONE,
    refs=("CIS-5.32", "OWASP-D1", "ATTACK-T1611", "ATTACK-T1610", "ATTACK-T1552.007"),
)
def check(o: Observation, ctx: RuleContext) -> Iterator[Hit]:
    """A container-runtime API answers from inside the container: escape is one command.

    ## What it does
    Seen only by `dockward inside`. The probe looks for runtime sockets (`docker.sock`,
    `podman.sock`, `containerd.sock`, `crio.sock`, ...) wherever they can be: a mount
    point that is a socket file under any name, a runtime socket inside any mounted
    directory, the usual places under `/run` and `/var/run`, and a plain-TCP
    `DOCKER_HOST`. It then sends the read-only `GET /_ping` and `GET /version` (gRPC
    runtimes are only connected to). Reports every endpoint that answers (HTTP) or accepts
    the connection (gRPC). A socket that is mounted but refuses this user (permission
    denied) is DW201's alone.

    ## Why it matters
    DW201 says a socket is mounted; this says it *works* from here, for this user, right
    now, which is exactly what the seed's demo uses next: with the Docker API answering,
    `docker run -v /:/psm ubuntu:24.04` is created by the host's daemon and mounts the
    host's real root filesystem (`cat /psm/etc/hostname` prints the host's name). Any
    process in the container that gets code execution owns the host. It also catches
    what a configuration scan cannot see: a socket reached through a mounted parent
    directory, a renamed socket, or a `DOCKER_HOST` that points at an unprotected TCP
    listener.

    ## Bad
    ```sh
    docker run -v /var/run/docker.sock:/var/run/docker.sock alpine:3.20 sh
    # inside: dockward inside  ->  DW701 the Docker Engine API at /var/run/docker.sock ...
    ```

    ## Good
    ```sh
    docker run -e DOCKER_HOST=tcp://socket-proxy:2375 alpine:3.20 sh
    # socket-proxy allows only GET /containers/json and /events, on an internal network
    ```

    ## Fix
    Automatic fix: none. this is what a container can see from the inside; fix the
    container's configuration (the related DW1xx/DW2xx findings) and re-create it.

    Remove the mount (see DW201). If the container truly needs the API, give it a
    filtering proxy that allows only the read-only endpoints it uses, never the socket
    itself; for TCP, require TLS client certificates (`--tlsverify`).

    ## References
    - CIS Docker Benchmark v1.6, 5.32: the Docker socket is not mounted inside any
      containers (`CIS-5.32`)
    - OWASP Docker Security Cheat Sheet, rule 1: do not expose the Docker daemon socket
      (`OWASP-D1`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`); T1610, Deploy Container
      (`ATTACK-T1610`); T1552.007, Container API (`ATTACK-T1552.007`)
    """
    for s in o.sockets:
        if s.reachable:
            yield Hit(s.origin, _message(s), f"{s.address} reachable",
                      extra={"runtime": s.runtime, "protocol": s.protocol,
                             "api_version": s.api_version})
