"""DW406: a script downloaded during the build is piped straight into a shell."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.build import Build, RunInstruction, ShellCommand
from dockward.rules.registry import RuleContext, rule
from dockward.secrets import scrub

_FETCHERS = frozenset({"curl", "wget", "fetch", "http", "aria2c"})
_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox", "python", "python3",
                     "perl", "ruby", "node", "php"})
# `bash <(curl ...)`, `sh -c "$(wget -qO- ...)"`: the download is the script argument
_SUBSTITUTED = re.compile(r"(?:<\(|\$\(|`)\s*(?:curl|wget)\b")
_URL = re.compile(r"[a-z][a-z0-9+.\-]*://\S+", re.IGNORECASE)


def _fetch_url(cmd: ShellCommand) -> str:
    url = next((w for w in cmd.argv[1:] if _URL.match(w)), "")
    return scrub(url) if url else "a remote script"


def _pipe_hits(run: RunInstruction) -> Iterator[tuple[ShellCommand, str]]:
    """(shell command, url) for every fetch piped into an interpreter."""
    commands = run.commands
    for i, cmd in enumerate(commands):
        if cmd.program in _SHELLS and cmd.piped_from_previous:
            # walk back over the pipeline to its first command
            j = i
            while j > 0 and commands[j].piped_from_previous:
                j -= 1
                if commands[j].program in _FETCHERS:
                    yield cmd, _fetch_url(commands[j])
                    break
        elif cmd.program in _SHELLS and any(_SUBSTITUTED.search(w) for w in cmd.argv[1:]):
            urls = [m.group(0) for w in cmd.argv[1:] if (m := _URL.search(w))]
            yield cmd, scrub(urls[0].rstrip(")\"'`")) if urls else "a remote script"


@rule(
    code="DW406",
    name="remote-script-piped-to-shell",
    model=Build,
    severity=Severity.LOW,
    fix=FixSafety.NONE,
    refs=("OWASP-D13", "ATTACK-T1195.002"),
)
def check(b: Build, ctx: RuleContext) -> Iterator[Hit]:
    """A script downloaded during the build is piped straight into a shell.

    ## What it does
    Reports `RUN` commands where the output of `curl`/`wget` goes straight into an
    interpreter (`curl -fsSL https://x/install.sh | sh`, `| sudo bash -`,
    `bash <(curl ...)`, `sh -c "$(wget -qO- ...)"`), in every stage, at the line of the
    interpreter.

    ## Why it matters
    Whatever the server sends that second runs as root inside the build, with no pinned
    version and no checksum: a compromised or hijacked download site (or a
    man-in-the-middle on a plain-HTTP URL) becomes code in your image. A
    partially-downloaded script can also run half-way. The build log does not keep what
    was executed, so nobody can audit it later.

    ## Bad
    ```dockerfile
    FROM debian:12
    RUN curl -fsSL https://deb.nodesource.com/setup_22.x | bash -
    ```

    ## Good
    ```dockerfile
    FROM debian:12
    ADD --checksum=sha256:<digest> https://deb.nodesource.com/setup_22.x /tmp/setup.sh
    RUN bash /tmp/setup.sh && rm /tmp/setup.sh
    ```

    ## Fix
    Automatic fix: none. the script's checksum or a pinned package must come from its
    publisher; dockward does not download files.

    Download to a file, verify a pinned checksum or signature (`ADD --checksum=`,
    `sha256sum -c`, `gpg --verify`), then run it; better, install from a package
    repository with a pinned key, or copy the tool from a versioned image
    (`COPY --from=tool:1.2.3`).

    ## References
    - OWASP Docker Security Cheat Sheet, rule 13: supply chain (`OWASP-D13`)
    - MITRE ATT&CK T1195.002, Compromise Software Supply Chain (`ATTACK-T1195.002`)
    """
    if not b.is_dockerfile:
        return
    for stage in b.stages:
        for run in stage.runs:
            for cmd, url in _pipe_hits(run):
                yield Hit(
                    run.origin.child("pipe", line=cmd.line, column=cmd.column),
                    f"pipes {url} into {cmd.program}: the download runs unverified as "
                    "build code; download it, check a pinned checksum, then run it",
                    f"{url} | {cmd.program}",
                )
