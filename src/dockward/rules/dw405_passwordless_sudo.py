"""DW405: the image lets its user become root through sudo."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.build import Build, RunInstruction, ShellCommand
from dockward.rules.dw404_final_stage_runs_as_root import is_root
from dockward.rules.registry import RuleContext, rule
from dockward.text import split_lines

_NOPASSWD = re.compile(r"\bNOPASSWD\s*:", re.IGNORECASE)
_INSTALLERS = {
    "apt-get": ("install",), "apt": ("install",), "aptitude": ("install",),
    "apk": ("add",), "yum": ("install",), "dnf": ("install",), "microdnf": ("install",),
    "tdnf": ("install",), "zypper": ("install", "in"), "pacman": ("-S", "-Sy", "-Syu"),
    "emerge": ("",),
}
_SUDO_PACKAGES = frozenset({"sudo", "sudo-rs", "doas", "opendoas"})


def _installs_sudo(cmd: ShellCommand) -> bool:
    argv = cmd.argv
    verbs = _INSTALLERS.get(cmd.program)
    if verbs is None or len(argv) < 2:
        return False
    if verbs != ("",) and not any(v in argv[1:] for v in verbs):
        return False
    return any(w in _SUDO_PACKAGES for w in argv[1:])


def _nopasswd_line(run: RunInstruction) -> int | None:
    """Line of the first NOPASSWD grant in the RUN (command line or heredoc)."""
    for cmd in run.commands:
        if _NOPASSWD.search(cmd.text):
            return cmd.line
    if _NOPASSWD.search(run.script) or any(_NOPASSWD.search(h.content) for h in run.heredocs):
        for heredoc in run.heredocs:
            for offset, text in enumerate(split_lines(heredoc.content)):
                if _NOPASSWD.search(text):
                    return heredoc.line + offset
        return run.origin.line
    return None


@rule(
    code="DW405",
    name="passwordless-sudo",
    model=Build,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CIS-4.1", "OWASP-D2", "ATTACK-T1548.003"),
)
def check(b: Build, ctx: RuleContext) -> Iterator[Hit]:
    """The image lets its user become root through sudo.

    ## What it does
    In the stages that make the final image, reports a `NOPASSWD` sudoers grant written
    by a `RUN` (`echo "app ALL=(ALL) NOPASSWD: ALL" >> /etc/sudoers`, heredocs included)
    or by a `COPY` heredoc, and `sudo`/`doas` installed in an image whose final `USER` is
    not root (installed for the runtime user, it is the way back to root).

    ## Why it matters
    A non-root `USER` is only worth something if that user cannot become root again.
    With passwordless sudo, anyone who gets code execution as the application user - a
    dependency, an RCE, a `docker exec` - is root in the container with one command, and
    every host-escape technique that needs root is back on the table.

    ## Bad
    ```dockerfile
    FROM debian:12
    RUN apt-get update && apt-get install -y sudo \\
     && useradd -m app && echo "app ALL=(ALL) NOPASSWD: ALL" >> /etc/sudoers
    USER app
    ```

    ## Good
    ```dockerfile
    FROM debian:12
    RUN useradd -m app
    USER app
    ```

    ## Fix
    Automatic fix: none. which commands the user really needs to run as root is a decision
    for the image's author.

    Do the root work in `RUN` steps before `USER`, and do not ship sudo. If a process
    must start as root and drop privileges, use an entrypoint with `gosu`/`su-exec`/
    `setpriv` and no sudoers entry.

    ## References
    - CIS Docker Benchmark v1.6, 4.1: a user for the container has been created (`CIS-4.1`)
    - OWASP Docker Security Cheat Sheet, rule 2: set a user (`OWASP-D2`)
    - MITRE ATT&CK T1548.003, Abuse Elevation Control Mechanism: Sudo and Sudo Caching
      (`ATTACK-T1548.003`)
    """
    if not b.is_dockerfile or b.final_stage is None:
        return
    chain = b.ancestry(b.final_stage)
    user = b.effective_user(b.final_stage)
    runtime_user = user.resolved if user is not None else None
    non_root = runtime_user is not None and not is_root(runtime_user)
    for stage in reversed(chain):
        for run in stage.runs:
            if run.onbuild:
                continue
            line = _nopasswd_line(run)
            if line is not None:
                yield Hit(
                    run.origin.child("NOPASSWD", line=line),
                    "grants passwordless sudo (NOPASSWD): any process running as that user "
                    "becomes root with one command; drop sudo and do root work before USER",
                    "NOPASSWD",
                )
            if not non_root:
                continue
            for cmd in run.commands:
                if _installs_sudo(cmd):
                    yield Hit(
                        run.origin.child("sudo", line=cmd.line, column=cmd.column),
                        f"installs {_package(cmd)} in an image that runs as {runtime_user}: "
                        "it is the way back to root for that user; remove it and do root "
                        "work before USER",
                        f"{cmd.program} {_package(cmd)}",
                    )
        for copy in stage.copies:
            for heredoc in copy.heredocs:
                for offset, text in enumerate(split_lines(heredoc.content)):
                    if _NOPASSWD.search(text):
                        yield Hit(
                            copy.origin.child("NOPASSWD", line=heredoc.line + offset),
                            f"writes a passwordless sudo grant (NOPASSWD) to "
                            f"{copy.destination}: any process running as that user "
                            "becomes root with one command",
                            "NOPASSWD",
                        )


def _package(cmd: ShellCommand) -> str:
    return next((w for w in cmd.argv[1:] if w in _SUDO_PACKAGES), "sudo")
