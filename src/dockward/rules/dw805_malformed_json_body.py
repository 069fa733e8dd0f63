"""DW805: a request body that is not one well-formed JSON value."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.request import ApiRequest
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW805",
    name="malformed-json-body",
    model=ApiRequest,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CWE-436", "CWE-20"),
)
def check(r: ApiRequest, ctx: RuleContext) -> Iterator[Hit]:
    """A JSON request body does not parse, has data after its first value, or nests too deep.

    ## What it does
    Reports JSON request bodies that cannot be parsed (including `NaN` and `Infinity`,
    which are not JSON), that continue after the first JSON value
    (`{"Image":"a"} {"HostConfig":...}`), or that nest more than 64 levels deep.

    ## Why it matters
    dockerd decodes the first JSON value of a body and ignores the rest; other parsers
    refuse the body, or read a different value. When the checked and the executed
    interpretations can differ, the check proves nothing: the guard refuses what it
    cannot read the way dockerd reads it, rather than guessing.

    ## Bad
    ```json
    {"Image": "alpine"} {"HostConfig": {"Privileged": true}}
    ```

    ## Good
    ```json
    {"Image": "alpine", "HostConfig": {}}
    ```

    ## Fix
    Automatic fix: none. This judges one API request as the guard receives it; there is no file
    to rewrite, and the client that sent it must change.

    Send exactly one JSON object per request, as the Engine API reference describes.

    ## References
    - CWE-436, Interpretation Conflict (`CWE-436`)
    - CWE-20, Improper Input Validation (`CWE-20`)
    """
    if r.json_error:
        yield Hit(r.anchor.child("RequestBody"),
                  f"the JSON body of {r.describe()} cannot be read: {r.json_error}",
                  r.json_error)
    elif r.json_trailing:
        yield Hit(r.anchor.child("RequestBody"),
                  f"the JSON body of {r.describe()} continues after its first value "
                  f"({r.json_trailing!r}): dockerd ignores that part, other readers may not",
                  "trailing data")
