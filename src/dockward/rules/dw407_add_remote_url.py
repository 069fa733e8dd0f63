"""DW407: ADD downloads a remote file without a checksum."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.build import Build
from dockward.rules.registry import RuleContext, rule
from dockward.secrets import scrub


@rule(
    code="DW407",
    name="add-remote-url",
    model=Build,
    severity=Severity.LOW,
    fix=FixSafety.NONE,
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
                yield Hit(
                    copy.origin,
                    f"ADD downloads {scrub(source)}{plain} without --checksum: whatever the "
                    "server returns goes into the image; add --checksum=sha256:<digest>",
                    f"ADD {scrub(source)}",
                )
