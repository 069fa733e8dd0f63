"""DW602: the Engine API socket is owned or shared more widely than root:docker 0660."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.host import Host
from dockward.rules._common import string_list
from dockward.rules.registry import RuleContext, rule

MAX_MODE = 0o660


@rule(
    code="DW602",
    name="docker-socket-permissions",
    model=Host,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CIS-3.15", "CIS-3.16", "OWASP-D1", "ATTACK-T1548"),
    options={"allowed_groups": ["docker", "root"]},
)
def check(host: Host, ctx: RuleContext) -> Iterator[Hit]:
    """The Docker socket is not owned by root:docker, or its mode is wider than 0660.

    ## What it does
    Looks at the unix socket the audit connected to (`ls -l /var/run/docker.sock`). It
    reports an owner other than root, a group not in the allowed list (`docker` or `root`),
    and any permission bit beyond `rw-rw----` (0660). A socket that others can write to
    is the worst case. A rootless daemon's socket belongs to its user, so for it only the
    mode is checked. Remote hosts (tcp://, ssh://) have no socket to check.

    ## Why it matters
    Whoever can connect to the socket controls the daemon, and the daemon is root: the
    seed's demo shows `docker run -v /:/psm ...` reading the host's files through it. The
    socket's owner, group and mode decide who can connect. A world-writable socket makes
    every local user and every service account root. A socket owned by another group
    gives that group's members root without anyone noticing. A socket owned by a normal
    user gives that user root.

    ## Bad
    ```sh
    $ ls -l /var/run/docker.sock
    srw-rw-rw- 1 root docker 0 Jun 22 11:21 /var/run/docker.sock
    ```

    ## Good
    ```sh
    $ ls -l /var/run/docker.sock
    srw-rw---- 1 root docker 0 Jun 22 11:21 /var/run/docker.sock
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's or a host's
    configuration: it needs a restart of the daemon or changes outside containers, which is
    the host owner's call.

    `chown root:docker /var/run/docker.sock && chmod 660 /var/run/docker.sock`. To make it
    last, fix the unit that creates the socket (`SocketMode=0660`, `SocketGroup=docker` in
    `docker.socket`) or dockerd's `--group`, and remove any `chmod 666` from startup scripts.

    ## Options
    - `allowed_groups`: groups that may own the socket (default `["docker", "root"]`).

    ## References
    - CIS Docker Benchmark v1.6, 3.15: Docker socket file ownership is root:docker
      (`CIS-3.15`); 3.16: its permissions are 660 or more restrictive (`CIS-3.16`)
    - OWASP Docker Security Cheat Sheet, rule 1: do not expose the Docker daemon socket
      (`OWASP-D1`)
    - MITRE ATT&CK T1548, Abuse Elevation Control Mechanism (`ATTACK-T1548`)
    """
    sock = host.socket
    if sock is None:
        return
    allowed = set(string_list(ctx.option("allowed_groups", ["docker", "root"])))
    problems: list[str] = []
    if not host.rootless:
        if sock.uid != 0:
            problems.append(f"owned by {sock.owner}, not root (that user is root-equivalent)")
        if sock.group not in allowed and sock.gid != 0:
            problems.append(f"group {sock.group} is not one of {', '.join(sorted(allowed))} "
                            "(its members are root-equivalent)")
    extra_bits = sock.wider_than(MAX_MODE)
    if extra_bits & 0o002:
        problems.append("writable by every local user (o+w): anyone on the host is root")
    elif extra_bits & 0o004:
        problems.append("readable by every local user (o+r)")
    if extra_bits & ~0o006:
        problems.append(f"has permission bits beyond 0660 ({extra_bits:04o})")
    if not problems:
        return
    yield Hit(
        sock.origin,
        f"the Engine API socket {sock.path} is {sock.owner}:{sock.group} {sock.mode_text} "
        f"({sock.symbolic}): {'; '.join(problems)}; whoever can connect to it controls "
        "the daemon, which is root on the host. Set root:docker 0660",
        f"{sock.path} {sock.owner}:{sock.group} {sock.mode_text}",
    )
