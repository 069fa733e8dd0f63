"""DW407: ADD downloads a remote file without a checksum."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.build import Build, CopyInstruction, Stage
from dockward.rules.registry import RuleContext, rule
from dockward.secrets import scrub


@rule(
    code="DW407",
    name="add-remote-url",
    model=Build,
    severity=Severity.LOW,
    fix=FixSafety.UNSAFE,
    refs=("CIS-4.9", "OWASP-D13", "ATTACK-T1195.002"),
)
def check(b: Build, ctx: RuleContext) -> Iterator[Hit]:
    """ADD downloads a remote file without a checksum.

    ## What it does
    Reports `ADD http(s)://...` without `--checksum=sha256:...`, in every stage. Git
    sources (`ADD https://github.com/x/y.git#v1.2`) are reported only when they name no
    ref to pin; `COPY` and local `ADD` sources are not reported.

    ## Why it matters
    `ADD` fetches the URL at build time and trusts whatever comes back: a changed,
    compromised or intercepted download ends up in the image with no error, and the same
    Dockerfile builds different images on different days. CIS asks for `COPY` instead of
    `ADD` for this reason.

    ## Bad
    ```dockerfile
    FROM alpine:3.20
    ADD https://example.com/tool.tar.gz /opt/
    ```

    ## Good
    ```dockerfile
    FROM alpine:3.20
    ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d \
        https://example.com/tool.tar.gz /opt/
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` adds `--checksum=sha256:<digest>` when the
    Dockerfile already states the file's SHA-256 (a later `sha256sum -c` naming the file, or
    an `ARG`/`ENV` named like `TOOL_SHA256`); otherwise the digest must come from the
    publisher. Unsafe: `ADD --checksum` needs BuildKit (Dockerfile syntax 1.6).

    Add `--checksum=sha256:<digest>` (BuildKit verifies it), or download in a `RUN` and
    check the digest with `sha256sum -c`, or copy the file from a pinned image
    (`COPY --from=image@sha256:...`).

    ## References
    - CIS Docker Benchmark v1.6, 4.9: COPY is used instead of ADD (`CIS-4.9`)
    - OWASP Docker Security Cheat Sheet, rule 13: supply chain (`OWASP-D13`)
    - MITRE ATT&CK T1195.002, Compromise Software Supply Chain (`ATTACK-T1195.002`)
    """
    if not b.is_dockerfile:
        return
    for stage in b.stages:
        for copy in stage.copies:
            if copy.instruction != "ADD" or copy.checksum or copy.onbuild:
                continue
            for source in copy.remote_sources:
                low = source.lower()
                if not low.startswith(("http://", "https://")):
                    continue
                if "#" in low and low.split("#", 1)[0].endswith(".git"):
                    continue  # a git source pinned to a ref
                plain = " over plain HTTP" if low.startswith("http://") else ""
                hit = Hit(
                    copy.origin,
                    f"ADD downloads {scrub(source)}{plain} without --checksum: whatever the "
                    "server returns goes into the image; add --checksum=sha256:<digest>",
                    f"ADD {scrub(source)}",
                )
                digest = known_digest(b, stage, copy, source)
                if digest is not None and len(copy.sources) == 1:
                    hit.remedy = Remedy(Change.SET, "add_checksum", f"sha256:{digest}",
                                        copy.origin)
                else:
                    hit.manual = ("the file's SHA-256 is not written in the Dockerfile: take "
                                  "it from the publisher (dockward does not download files)")
                yield hit


_SHA256 = re.compile(r"(?<![0-9a-fA-F])([0-9a-fA-F]{64})(?![0-9a-fA-F])")
_DIGEST_NAME = re.compile(r"(?:SHA256|SHA_256|SHA256SUM|CHECKSUM|DIGEST)$", re.IGNORECASE)


def known_digest(b: Build, stage: Stage, copy: CopyInstruction, url: str) -> str | None:
    """The SHA-256 the Dockerfile already states for this download, if it does: a later
    ``sha256sum -c`` in the stage naming the file, or an ARG/ENV such as ``TINI_SHA256``
    whose prefix names the download (``.../tini-static``)."""
    names = {posixpath.basename(copy.destination.rstrip("/")),
             posixpath.basename(url.split("?", 1)[0].rstrip("/"))} - {""}
    for run in stage.runs:
        text = "\n".join([run.script, *(h.content for h in run.heredocs)])
        if run.origin.line <= copy.origin.line or "sha256sum" not in text:
            continue
        for line in text.splitlines():
            found = _SHA256.search(line)
            if found and any(n in line for n in names):
                return found.group(1).lower()
    values = [(a.name, a.value or a.default) for a in [*b.global_args, *stage.args]]
    values += [(e.key, e.resolved) for e in stage.env]
    for name, value in values:
        if not value or not _DIGEST_NAME.search(name) or not _SHA256.fullmatch(value):
            continue
        prefix = _DIGEST_NAME.sub("", name).rstrip("_")
        if prefix and prefix.lower().replace("_", "-") in url.lower().replace("_", "-"):
            return value.lower()
    return None
