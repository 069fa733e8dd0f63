"""DW808: no Engine API route matches the request."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.request import ApiRequest
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW808",
    name="unknown-api-route",
    model=ApiRequest,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CWE-863", "CWE-285"),
)
def check(r: ApiRequest, ctx: RuleContext) -> Iterator[Hit]:
    """The request matches no Engine API endpoint the guard knows, so it is refused by default.

    ## What it does
    Reports requests whose method and decoded path match none of the Engine API routes of
    API versions 1.24 to 1.47 (the route table of `dockward guard`): misspelled paths,
    case variants (`/Containers/json`), trailing slashes, `HEAD` on routes that only
    answer `GET`, and endpoints newer than the guard.

    ## Why it matters
    A guard that allows what it does not recognize fails open: the next API release, or
    a spelling the daemon accepts and the guard does not parse, walks through. dockerd
    itself answers 404 to most of these, so refusing them costs nothing; an endpoint
    that is new to the guard is refused until its route is added.

    ## Bad
    ```sh
    curl --unix-socket /var/run/docker.sock http://docker/v1.41/Containers/json
    ```

    ## Good
    ```sh
    curl --unix-socket /var/run/docker.sock http://docker/v1.41/containers/json
    ```

    ## Fix
    Automatic fix: none. This judges one API request as the guard receives it; there is no file
    to rewrite, and the client that sent it must change.

    Use the endpoint's documented path and method. If a legitimate new endpoint is
    refused, update dockward, or ignore `DW808` in the guard's policy for that client.

    ## References
    - CWE-863, Incorrect Authorization (`CWE-863`)
    - CWE-285, Improper Authorization (`CWE-285`)
    """
    if not r.route:
        yield Hit(
            r.anchor.child("RequestUri"),
            f"{r.method} {r.path or r.uri} matches no Engine API route the guard knows: "
            "refused rather than allowed unchecked",
            f"{r.method} {r.path or r.uri}",
        )
