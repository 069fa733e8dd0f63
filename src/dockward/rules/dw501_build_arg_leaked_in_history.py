"""DW501: a secret build arg is readable in the image's history."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from dockward.findings import Confidence, FixSafety, Hit, Severity
from dockward.models.build import PREDEFINED_ARGS
from dockward.models.image import HistoryEntry, Image
from dockward.rules.registry import RuleContext, rule
from dockward.secrets import hardcoded_secret, redact, redact_assignment

# ``|2 A=1 B=x y /bin/sh -c ...`` (classic builder) or ``RUN |1 A=1 /bin/sh -c ... # buildkit``
_ARGS_PREFIX = re.compile(r"^(?:RUN\s+)?\|(\d+)\s+", re.S)
_KEY = re.compile(r"(?:(?<=\s)|^)([A-Za-z_][A-Za-z0-9_]*)=")
# Where the RUN command starts after the last value: the shell of a shell-form RUN.
_COMMAND_START = re.compile(
    r"\s(?=(?:/bin/|/usr/bin/)(?:ba|da|z|a|k)?sh\s|/usr/bin/env\s|cmd /S /C |powershell )")
_ARG_DECL = re.compile(r"(?:#\(nop\)\s+|^)ARG\s+([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True, slots=True)
class LeakedArg:
    """One ``KEY=value`` pair of a history line, with where the value sits in the text."""

    key: str
    value: str
    start: int  # offset of the value in created_by
    end: int


def parse_history_args(created_by: str, known: frozenset[str] = frozenset()) -> list[LeakedArg]:
    """The build args a RUN history line carries (``|N K=V ...``), values unquoted.

    Values may contain spaces, so pairs are split at the next ``KEY=`` (preferring names
    declared by an ``ARG`` earlier in the history) and the last value ends where the shell
    of the RUN begins.  When that cannot be found, the value runs to the end of the line:
    over-redacting a command is better than printing part of a secret.
    """
    prefix = _ARGS_PREFIX.match(created_by)
    if prefix is None:
        return []
    count = int(prefix.group(1))
    if count <= 0:
        return []
    body_start = prefix.end()
    text = created_by
    end_of_text = len(text)
    if text.endswith(" # buildkit"):
        end_of_text -= len(" # buildkit")
    candidates = [m for m in _KEY.finditer(text, body_start, end_of_text)]
    preferred = [m for m in candidates if m.group(1) in known]
    keys = preferred if known and len(preferred) >= count else candidates
    keys = keys[:count]
    if not keys or keys[0].start() != body_start:
        return []
    out: list[LeakedArg] = []
    for index, match in enumerate(keys):
        value_start = match.end()
        if index + 1 < len(keys):
            value_end = keys[index + 1].start() - 1
        else:
            command = _COMMAND_START.search(text, value_start, end_of_text)
            value_end = command.start() if command else end_of_text
        value_end = max(value_start, value_end)
        out.append(LeakedArg(match.group(1), text[value_start:value_end], value_start,
                             value_end))
    return out


def declared_args(history: list[HistoryEntry]) -> frozenset[str]:
    """Names of the ``ARG`` instructions recorded in the history."""
    names = set()
    for entry in history:
        found = _ARG_DECL.search(entry.created_by)
        if found:
            names.add(found.group(1))
    return frozenset(names)


def redacted_line(created_by: str, leaks: list[LeakedArg]) -> str:
    """The history line with every build-arg value redacted (for evidence and reports)."""
    out = created_by
    for leak in sorted(leaks, key=lambda x: x.start, reverse=True):
        out = out[: leak.start] + redact(leak.value) + out[leak.end:]
    return out


@rule(
    code="DW501",
    name="build-arg-leaked-in-history",
    model=Image,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    confidence=Confidence.MEDIUM,
    refs=("CIS-4.10", "OWASP-D12", "ATTACK-T1552.001", "ATTACK-T1552.007"),
)
def check(image: Image, ctx: RuleContext) -> Iterator[Hit]:
    """A secret passed with --build-arg is stored in clear text in the image's history.

    ## What it does
    Reads each `RUN` line of the image history (`docker history --no-trunc`, the
    `created_by` field). The builder writes the build args in scope in front of the
    command, as `|1 SECRET=my secret /bin/sh -c ...`. The rule reports every arg whose
    name says it holds a secret (`SECRET`, `NPM_TOKEN`, `DB_PASSWORD`) or whose value looks
    like a credential (a token format, a private key, a long random string). It reports
    one finding per arg and image, with the value redacted. This is the seed's
    `docker history test-arg` demo, found on images that exist on the host.

    ## Why it matters
    Build args are not secret. Every `RUN` after an `ARG` records its value in the image
    history. The history travels with the image to every registry and every host that
    pulls it, and `docker history` shows it to anyone who can run that command. A later
    layer cannot remove it. If such an image is pushed to a public registry, the secret is
    public. Rotating the secret is the only real fix.

    ## Bad
    ```dockerfile
    FROM alpine:3.20.0
    ARG SECRET
    RUN echo $SECRET
    ```
    ```sh
    docker build --build-arg SECRET="my secret" -t test-arg .
    docker history --no-trunc test-arg   # |1 SECRET=my secret /bin/sh -c echo $SECRET
    ```

    ## Good
    ```dockerfile
    # syntax=docker/dockerfile:1
    FROM alpine:3.20.0
    RUN --mount=type=secret,id=mysecret cat /run/secrets/mysecret
    ```
    ```sh
    docker build --secret id=mysecret,src=$PWD/SECRET -t test-secret .
    ```

    ## Fix
    Automatic fix: none. the secret is already in a published image: rotate it, rebuild with
    a build secret, and remove the old image from the registry.

    Rotate the leaked secret first: it has been in every copy of the image. Then rebuild
    with a secret mount (`RUN --mount=type=secret`, `docker build --secret`) or an SSH
    mount instead of `ARG`, and delete the old image and its tags from every registry.
    Deleting only the local copy does not help.

    ## References
    - CIS Docker Benchmark v1.6, 4.10: secrets are not stored in Dockerfiles (`CIS-4.10`)
    - OWASP Docker Security Cheat Sheet, rule 12: use secrets management (`OWASP-D12`)
    - MITRE ATT&CK T1552.001 Credentials In Files, T1552.007 Container API
      (`ATTACK-T1552.001`, `ATTACK-T1552.007`)
    """
    if not image.history_known:
        return
    known = declared_args(image.history)
    found: dict[str, list[tuple[HistoryEntry, LeakedArg, str]]] = {}
    for entry in image.history:
        leaks = parse_history_args(entry.created_by, known)
        for leak in leaks:
            if leak.key in PREDEFINED_ARGS:
                continue
            why = hardcoded_secret(leak.key, leak.value)
            if why is None:
                continue
            found.setdefault(leak.key, []).append(
                (entry, leak, redacted_line(entry.created_by, leaks)))
    for key, places in found.items():
        entry, leak, line = places[-1]  # the oldest layer: where the value was first baked in
        layers = ", ".join(p[0].origin.path for p in reversed(places))
        why = hardcoded_secret(key, leak.value) or "secret-like"
        yield Hit(
            entry.origin,
            f"{image.describe()} keeps build arg {key} in its history ({why}): "
            f"`docker history --no-trunc` shows it to anyone who can pull or inspect the "
            f"image ({len(places)} layer{'s' if len(places) != 1 else ''}: {layers}); "
            "rotate it and rebuild with a secret mount (RUN --mount=type=secret)",
            redact_assignment(key, leak.value),
            extra={"history": line, "layers": len(places)},
        )
