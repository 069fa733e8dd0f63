"""DW803: the request body repeats a JSON key (exactly or in another case)."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.request import ApiRequest
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW803",
    name="duplicate-json-key",
    model=ApiRequest,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CWE-436", "CWE-863"),
)
def check(r: ApiRequest, ctx: RuleContext) -> Iterator[Hit]:
    """The request body has the same JSON key twice in one object, which parsers read differently.

    ## What it does
    Reports a key that occurs twice in one JSON object of a request body, spelled the
    same or differing only in case (`HostConfig` and `hostconfig`), at any depth.

    ## Why it matters
    dockerd's Go decoder reads a repeated key into the same field: two `HostConfig`
    objects are merged, so `{"HostConfig": {"Privileged": true}, "HostConfig": {}}` is a
    privileged container. Most other JSON parsers keep only the last value and see an
    empty `HostConfig`. A policy engine reading the body that way (OPA's `input.Body` is
    one) approves what the daemon then runs privileged. No client sends duplicate keys.

    ## Bad
    ```json
    {"Image": "alpine", "HostConfig": {"Privileged": true}, "HostConfig": {"Memory": 0}}
    ```

    ## Good
    ```json
    {"Image": "alpine", "HostConfig": {"Memory": 268435456}}
    ```

    ## Fix
    Automatic fix: none. This judges one API request as the guard receives it; there is no file
    to rewrite, and the client that sent it must change.

    Write each key once per object; merge the settings into one object.

    ## References
    - CWE-436, Interpretation Conflict (`CWE-436`)
    - CWE-863, Incorrect Authorization (`CWE-863`)
    """
    for path in r.duplicate_keys:
        yield Hit(
            r.anchor.child(f"body.{path}"),
            f"the body repeats the key {path}: dockerd merges both values, other parsers "
            "keep one, so what is checked and what runs can differ",
            f"duplicate key {path}",
        )
