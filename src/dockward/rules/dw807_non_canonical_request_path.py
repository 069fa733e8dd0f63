"""DW807: the request target is not spelled the one way clients spell it."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.request import ApiRequest
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW807",
    name="non-canonical-request-path",
    model=ApiRequest,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CWE-22", "CWE-177", "CWE-863"),
)
def check(r: ApiRequest, ctx: RuleContext) -> Iterator[Hit]:
    """The request path has encoded characters, `//` or dot segments, or an absolute form.

    ## What it does
    Reports request targets that differ from the canonical `/vX.Y/route` spelling:
    percent-encoded characters in the path (`%2F`, `%2E`, `%65`), `//`, `/./` or `/../`,
    an absolute-form target (`http://docker/v1.41/...`), backslashes or control
    characters, a malformed version prefix (`/v1..41/`), or a method that is not an
    upper-case HTTP method.

    ## Why it matters
    dockerd decodes the path once before routing, so `/containers/x%2Fexec` is an exec
    create on container `x`; a proxy or plugin matching the raw string sees a request for
    a container named `x%2Fexec`. Rules written as prefixes or regexes on the raw URI
    (`^/containers/[^/]+/start`) are defeated by such spellings, and a proxy that forwards
    them lets the daemon interpret what it never checked. No client sends them: the docker
    CLI and the SDKs write canonical paths.

    ## Bad
    ```sh
    curl --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' \
         -d '{"Cmd":["sh"],"Privileged":true}' \
         'http://docker/v1.41/containers/web%2Fexec'
    ```

    ## Good
    ```sh
    curl --unix-socket /var/run/docker.sock -H 'Content-Type: application/json' \
         -d '{"Cmd":["sh"]}' http://docker/v1.41/containers/web/exec
    ```

    ## Fix
    Automatic fix: none. This judges one API request as the guard receives it; there is no file
    to rewrite, and the client that sent it must change.

    Send paths exactly as the Engine API reference writes them, with names that need no
    escaping.

    ## References
    - CWE-22, Path Traversal (`CWE-22`); CWE-177, Improper Handling of URL Encoding
      (`CWE-177`)
    - CWE-863, Incorrect Authorization (`CWE-863`)
    """
    if r.path_problems:
        problems = "; ".join(r.path_problems)
        yield Hit(
            r.anchor.child("RequestUri"),
            f"the request target {r.uri[:120]!r} is not canonical ({problems}): the daemon "
            "may route it differently from how it reads",
            problems,
        )
