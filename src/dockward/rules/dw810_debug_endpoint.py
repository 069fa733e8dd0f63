"""DW810: the request reaches dockerd's debug endpoints (pprof, expvar)."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.request import ApiRequest
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW810",
    name="debug-endpoint",
    model=ApiRequest,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CWE-215", "CWE-489"),
)
def check(r: ApiRequest, ctx: RuleContext) -> Iterator[Hit]:
    """The request reads dockerd's debug endpoints (`/debug/pprof/*`, `/debug/vars`).

    ## What it does
    Reports requests to `/debug/vars` and `/debug/pprof/...`, which dockerd serves on its
    API socket without a version prefix.

    ## Why it matters
    The profiling endpoints dump every goroutine's stack (with arguments), the daemon's
    command line and its memory profile, and `profile` or `trace` keep a CPU busy for as
    long as the caller asks. Nothing but a debugging session needs them, and an
    authorization plugin sees them like any other request.

    ## Bad
    ```sh
    curl --unix-socket /var/run/docker.sock http://docker/debug/pprof/goroutine?debug=2
    ```

    ## Good
    ```sh
    curl --unix-socket /var/run/docker.sock http://docker/v1.41/info
    ```

    ## Fix
    Automatic fix: none. This judges one API request as the guard receives it; there is no file
    to rewrite, and the client that sent it must change.

    Debug the daemon through its own debug mode on a host you control; if an operator
    needs these endpoints, allow them with a policy exception for that operator's user.

    ## References
    - CWE-215, Insertion of Sensitive Information Into Debugging Code (`CWE-215`)
    - CWE-489, Active Debug Code (`CWE-489`)
    """
    if r.debug_route:
        yield Hit(r.anchor.child("RequestUri"),
                  f"{r.method} {r.path} is a dockerd debug endpoint: stacks, command line "
                  "and profiles of the daemon",
                  r.path)
