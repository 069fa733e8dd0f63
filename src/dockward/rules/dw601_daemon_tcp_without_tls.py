"""DW601: the Docker daemon is reachable over TCP without TLS client verification."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.daemon import Daemon, Listener
from dockward.rules.registry import RuleContext, rule

PLAINTEXT_PORT = 2375


@rule(
    code="DW601",
    name="daemon-tcp-without-tls",
    model=Daemon,
    severity=Severity.CRITICAL,
    fix=FixSafety.NONE,
    refs=("CIS-2.7", "OWASP-D1", "ATTACK-T1610", "ATTACK-T1133", "ATTACK-T1611"),
)
def check(d: Daemon, ctx: RuleContext) -> Iterator[Hit]:
    r"""The Docker daemon listens on TCP without TLS client verification: root for anyone.

    ## What it does
    Reports each TCP address dockerd listens on (`dockerd -H tcp://...`, `hosts` in
    `daemon.json`) without `--tlsverify`, including `--tls` without verification. It also
    reports a client pointed at a daemon over plaintext TCP (`DOCKER_HOST=tcp://...:2375`,
    `docker -H tcp://...` without TLS), which is evidence that such a daemon exists. A
    listener on `127.0.0.1` is still reported: every local user and every container with
    host networking can reach it, and it needs no `docker` group membership (suggested
    severity high instead of critical).

    ## Why it matters
    The Docker API is root on the host: as the seed shows for the socket, a client can
    start `docker run -v /:/host ...` and own the machine. The UNIX socket at least checks
    file permissions; a TCP listener without TLS client verification checks nothing, so
    anyone who can open a connection to port 2375 can do the same. Exposed 2375 ports are
    found by internet-wide scans within hours and used to run cryptominers and pivot into
    networks. `--tls` alone encrypts the traffic but still accepts every client.

    ## Bad
    ```sh
    dockerd -H unix:///var/run/docker.sock -H tcp://0.0.0.0:2375
    export DOCKER_HOST=tcp://build-host:2375
    ```

    ## Good
    ```sh
    dockerd -H unix:///var/run/docker.sock -H tcp://0.0.0.0:2376 --tlsverify \
      --tlscacert=/etc/docker/ca.pem --tlscert=/etc/docker/cert.pem \
      --tlskey=/etc/docker/key.pem
    export DOCKER_HOST=ssh://deploy@build-host
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's or a host's
    configuration: it needs a restart of the daemon or changes outside containers, which is
    the host owner's call.

    Remove the TCP listener, or require client certificates: `--tlsverify` with
    `--tlscacert`, `--tlscert` and `--tlskey` (port 2376). For remote administration,
    `DOCKER_HOST=ssh://user@host` uses SSH's authentication and needs no TCP listener.

    ## References
    - CIS Docker Benchmark v1.6, 2.7: TLS authentication for the Docker daemon is
      configured (`CIS-2.7`)
    - OWASP Docker Security Cheat Sheet, rule 1: do not expose the Docker daemon socket
      (`OWASP-D1`)
    - MITRE ATT&CK T1610, Deploy Container (`ATTACK-T1610`); T1133, External Remote
      Services (`ATTACK-T1133`); T1611, Escape to Host (`ATTACK-T1611`)
    """
    for listener in d.listeners:
        if not listener.is_tcp:
            continue
        if listener.role == "client":
            hit = _client_hit(listener)
        else:
            hit = _daemon_hit(listener)
        if hit is not None:
            yield hit


def _loopback_note(listener: Listener) -> str:
    return (
        " It is bound to loopback only, but every local user and every container with host "
        "networking can still reach it, without being in the docker group."
        if listener.is_loopback
        else ""
    )


def _daemon_hit(listener: Listener) -> Hit | None:
    if listener.tls_verify:
        return None
    addr = listener.address
    if listener.tls:
        what = (f"dockerd listens on {addr} with TLS but without --tlsverify: traffic is "
                "encrypted, but any client that connects controls the daemon and so the host")
    else:
        what = (f"dockerd listens on {addr} without TLS: anyone who can connect gets "
                "unauthenticated control of the daemon, which is root on the host "
                "(docker -H ... run -v /:/host ...)")
    return Hit(listener.origin, what + "." + _loopback_note(listener),
               f"listen {addr} tls={listener.tls} tlsverify={listener.tls_verify}",
               severity=Severity.HIGH if listener.is_loopback else None)


def _client_hit(listener: Listener) -> Hit | None:
    plaintext_port = listener.port == PLAINTEXT_PORT
    if listener.tls and not plaintext_port:
        return None
    addr = listener.address
    reason = "without TLS" if not listener.tls else "on port 2375, Docker's plaintext port"
    what = (f"the client talks to a daemon at {addr} over plaintext TCP ({reason}): that "
            "daemon accepts unauthenticated API calls, which are root on its host, and the "
            "session can be read or hijacked on the way")
    return Hit(listener.origin, what + "." + _loopback_note(listener),
               f"client {addr} tls={listener.tls}",
               severity=Severity.HIGH if listener.is_loopback else None)
