"""DW603: users who can reach the Engine API socket through its group are root-equivalent."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.host import Host
from dockward.rules._common import string_list
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW603",
    name="docker-group-members",
    model=Host,
    severity=Severity.MEDIUM,
    fix=FixSafety.NONE,
    refs=("CIS-1.1.2", "OWASP-D1", "ATTACK-T1548"),
    options={"trusted_users": []},
)
def check(host: Host, ctx: RuleContext) -> Iterator[Hit]:
    """A user in the Docker socket's group is root-equivalent on the host.

    ## What it does
    Lists the users who can connect to the Engine API socket through its group: those named
    in `/etc/group` (`getent group docker`) and those whose primary group it is. It reports
    one finding per user, unless the user is root or on the `trusted_users` allow-list.
    Nothing is reported when the group cannot write to the socket (mode without `g+w`) or
    when the daemon is rootless.

    ## Why it matters
    Membership in the `docker` group is root without a password prompt, without `sudo`
    logging and without any audit trail: `docker run -v /:/host --privileged ...` is one
    command away, as the seed shows with the socket. Teams add developers and CI users to
    the group "so they don't need sudo", and then forget them. Each member's account, SSH
    key and browser session becomes a path to root on the host.

    ## Bad
    ```sh
    $ getent group docker
    docker:x:974:adam,ci-runner,intern
    ```

    ## Good
    ```sh
    $ getent group docker
    docker:x:974:deploy
    ```
    ```toml
    [tool.dockward.rules.DW603]
    trusted_users = ["deploy"]
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's or a host's
    configuration: it needs a restart of the daemon or changes outside containers, which is
    the host owner's call.

    Remove users who do not need the daemon (`gpasswd -d USER docker`). Give the others
    rootless Docker, a narrowly scoped proxy or `sudo` with logging. List the users you
    accept in `trusted_users`, and raise the severity for production hosts
    (`[tool.dockward.severity] DW603 = "high"`).

    ## Options
    - `trusted_users`: user names accepted as root-equivalent (default: none).

    ## References
    - CIS Docker Benchmark v1.6, 1.1.2: only trusted users are allowed to control the
      Docker daemon (`CIS-1.1.2`)
    - OWASP Docker Security Cheat Sheet, rule 1: do not expose the Docker daemon socket
      (`OWASP-D1`)
    - MITRE ATT&CK T1548, Abuse Elevation Control Mechanism (`ATTACK-T1548`)
    """
    sock = host.socket
    if sock is None or host.rootless or not sock.mode & 0o020:
        return
    trusted = set(string_list(ctx.option("trusted_users", [])))
    for member in host.socket_group_members:
        if member.user in trusted or member.uid == 0 or member.user == "root":
            continue
        how = "a member of" if member.how == "member" else "in (as primary group)"
        yield Hit(
            sock.origin.child(f"group.{member.user}"),
            f"user {member.user} is {how} group {sock.group}, which can write to the "
            f"Engine API socket {sock.path} ({sock.mode_text}): {member.user} can run "
            "`docker run -v /:/host ...` and is root-equivalent on this host; remove the "
            "user from the group or list it in trusted_users",
            f"{sock.group}:{member.user}",
            extra={"group": sock.group, "user": member.user, "how": member.how},
        )
