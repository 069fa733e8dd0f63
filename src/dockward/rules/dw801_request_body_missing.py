"""DW801: a request that carries (or must carry) a body reached the guard without it."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.request import ApiRequest
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW801",
    name="request-body-missing",
    model=ApiRequest,
    severity=Severity.CRITICAL,
    fix=FixSafety.NONE,
    refs=("CWE-863", "CWE-444", "ATTACK-T1611"),
)
def check(r: ApiRequest, ctx: RuleContext) -> Iterator[Hit]:
    """A request announces a JSON body, or needs one, but the guard never saw it.

    ## What it does
    Reports a request that the guard must judge blind: a route whose JSON body decides
    what a container may do (`containers/create`, `exec`, `update`, `services/create`,
    `volumes/create`, `plugins/pull`, `swarm/init`, ...) without a body, and any request
    with a JSON `Content-Type` or a `Content-Length` above 0 whose body was not passed on.
    A `Content-Length: 0` or a tar upload (`build`, `images/load`) is not reported.

    ## Why it matters
    dockerd forwards a request body to its authorization plugins only under conditions:
    before the CVE-2024-41110 fix it dropped chunked bodies, and up to 29.3.1 it drops
    any body over 1 MiB (CVE-2026-34040), while still running the request in full. A
    create request padded past 1 MiB with a long label reaches the plugin with no body,
    so a plugin that judges "no body" as "nothing dangerous" lets `--privileged -v /:/host`
    through. The Debian 20.10 daemon is still vulnerable to the second.

    ## Bad
    ```sh
    # a create body of 1.2 MiB (Privileged + a padding label): the plugin sees no body
    curl --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' \
         --data @padded-privileged.json http://docker/v1.41/containers/create
    ```

    ## Good
    ```sh
    docker run --rm alpine:3.20 true
    ```

    ## Fix
    Automatic fix: none. This judges one API request as the guard receives it; there is no file
    to rewrite, and the client that sent it must change.

    Send request bodies below 1 MiB (no real client needs more for a create), and update
    dockerd to 29.3.1 or later, which refuses oversize bodies instead of hiding them.

    ## References
    - CWE-863, Incorrect Authorization (`CWE-863`); CWE-444, Inconsistent Interpretation
      of HTTP Requests (`CWE-444`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    """
    if r.body_seen:
        return
    announced = (r.content_length or 0) > 0 or (r.is_json_content and r.content_length is None
                                                  and r.method in ("POST", "PUT"))
    if r.body_required:
        yield Hit(
            r.anchor.child("RequestBody"),
            f"{r.describe()} arrived without its JSON body, so what it would do cannot be "
            "checked (dockerd drops bodies over 1 MiB, and chunked ones on unpatched "
            "versions, while still running the request)",
            "no request body",
        )
    elif announced and r.body_kind not in ("tar", "raw"):
        size = f"Content-Length {r.content_length}" if r.content_length else \
            "a chunked JSON body"
        yield Hit(
            r.anchor.child("RequestBody"),
            f"{r.describe()} announces a body ({size}) that the guard never received: the "
            "daemon would run it unchecked",
            "body announced but missing",
        )
