"""DW206: a container publishes the Docker API port (2375/2376)."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.workload import Workload
from dockward.rules._common import port_numbers, port_spec
from dockward.rules.registry import RuleContext, rule

PLAINTEXT_PORT = 2375
TLS_PORT = 2376


@rule(
    code="DW206",
    name="daemon-port-published",
    model=Workload,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CIS-2.7", "OWASP-D1", "ATTACK-T1610", "ATTACK-T1133"),
)
def check(w: Workload, ctx: RuleContext) -> Iterator[Hit]:
    """A container publishes the Docker API port (2375 plaintext, 2376 TLS) to the host.

    ## What it does
    Reports a published port whose container side is 2375 or 2376, the ports a Docker
    daemon (Docker-in-Docker, `docker:dind`) or a Docker API proxy listens on.
    Publishing 2375, the plaintext port, is the worse case. Port 2376 published on the
    loopback address only (`127.0.0.1:2376:2376`) with TLS turned on (a non-empty
    `DOCKER_TLS_CERTDIR`, or `--tlsverify` in the command) is Docker's own recommended
    Docker-in-Docker setup and is not reported; 2376 on other interfaces, or on loopback
    without TLS, is.

    ## Why it matters
    Whoever reaches the Docker API controls the daemon behind it: they can start a
    privileged container, mount the daemon host's filesystem, and read every secret in it.
    On 2375 there is neither encryption nor authentication, so any host that can connect
    gets that power; Docker-in-Docker containers are privileged, so that daemon's "host"
    is effectively yours too. Publishing the port takes that API from a private network
    onto the host's interfaces, and (see DW205) usually onto every one of them. Scanners
    look for open 2375 ports continuously to run cryptominers.

    ## Bad
    ```yaml
    services:
      dind:
        image: docker:27-dind
        privileged: true
        environment:
          DOCKER_TLS_CERTDIR: ""
        ports:
          - "2375:2375"
    ```
    ```sh
    docker run --privileged -p 2375:2375 -e DOCKER_TLS_CERTDIR= docker:27-dind
    ```

    ## Good
    ```yaml
    services:
      dind:
        image: docker:27-dind
        privileged: true
        environment:
          DOCKER_TLS_CERTDIR: /certs
        volumes:
          - dind-certs:/certs
    volumes:
      dind-certs:
    ```
    ```sh
    docker run --privileged --network ci -e DOCKER_TLS_CERTDIR=/certs docker:27-dind
    ```

    ## Fix
    Automatic fix: none. who needs the Docker API, and over which protected channel, is a
    decision for the host's owner; removing the port may break the tooling that uses it.

    Do not publish the daemon's port. Let only the containers that need the API reach it
    over a private network, with TLS and client certificates (`DOCKER_TLS_CERTDIR`,
    port 2376), or use SSH (`DOCKER_HOST=ssh://user@host`).

    ## References
    - CIS Docker Benchmark v1.6, 2.7: TLS authentication for the Docker daemon is
      configured (`CIS-2.7`)
    - OWASP Docker Security Cheat Sheet, rule 1: do not expose the Docker daemon socket
      over TCP without protection (`OWASP-D1`)
    - MITRE ATT&CK T1610, Deploy Container (`ATTACK-T1610`); T1133, External Remote
      Services (`ATTACK-T1133`)
    """
    tls = _tls_configured(w)
    for p in w.ports:
        if not p.published or p.protocol.lower() not in ("tcp", ""):
            continue
        numbers = port_numbers(p.container_port)
        host = f"host port {p.host_port}" if p.host_port else "a random host port"
        if TLS_PORT in numbers and PLAINTEXT_PORT not in numbers and _loopback(p.host_ip):
            if tls:
                continue  # Docker's recommended Docker-in-Docker setup, reachable locally only
            yield Hit(
                p.origin,
                f"publishes the Docker API port 2376 on {p.host_ip}:{p.host_port or '(random)'} "
                "but nothing here turns TLS on (DOCKER_TLS_CERTDIR empty or unset, no "
                "--tlsverify): every local user and process gets unauthenticated control "
                "of that daemon; set DOCKER_TLS_CERTDIR=/certs so it verifies client "
                "certificates",
                f"port {port_spec(p)}",
            )
            continue
        if PLAINTEXT_PORT in numbers:
            yield Hit(
                p.origin,
                f"publishes the plaintext Docker API port 2375 on {host}: anyone who can "
                "connect gets unauthenticated control of that daemon (start privileged "
                "containers, mount its host's filesystem)",
                f"port {port_spec(p)}",
                severity=Severity.CRITICAL,
            )
        elif TLS_PORT in numbers:
            yield Hit(
                p.origin,
                f"publishes the Docker API TLS port 2376 on {host}: the daemon is safe only "
                "if it verifies client certificates (--tlsverify); keep the API on a "
                "private network instead",
                f"port {port_spec(p)}",
            )


def _loopback(host_ip: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: reachable from the host itself only."""
    text = host_ip.strip().strip("[]").lower()
    return text == "localhost" or text == "::1" or text.startswith("127.")


def _tls_configured(w: Workload) -> bool:
    """Docker-in-Docker with TLS: a non-empty ``DOCKER_TLS_CERTDIR`` (the image then
    generates certificates and runs ``dockerd --tlsverify``), or ``--tlsverify`` given to
    the daemon in the command."""
    for env in w.env:
        if env.key == "DOCKER_TLS_CERTDIR" and env.value and env.value.strip("'\" "):
            return True
    args = [a.lower() for a in w.command]
    return any(a in ("--tlsverify", "--tlsverify=true", "--tlsverify=1") for a in args)
