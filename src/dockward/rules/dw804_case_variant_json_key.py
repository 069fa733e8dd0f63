"""DW804: a JSON key is an Engine API field name in another case."""

from __future__ import annotations

from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.request import ApiRequest
from dockward.rules.registry import RuleContext, rule


@rule(
    code="DW804",
    name="case-variant-json-key",
    model=ApiRequest,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    refs=("CWE-178", "CWE-863"),
)
def check(r: ApiRequest, ctx: RuleContext) -> Iterator[Hit]:
    """A request body spells an API field in another case (`privileged`), which dockerd still reads.

    ## What it does
    Reports keys of a request body that match an Engine API field only
    case-insensitively: `hostconfig`, `PRIVILEGED`, or Unicode look-alikes that Go folds
    to ASCII (`ſ` to `s`, the Kelvin sign to `k`). Keys of free-form maps (label names,
    volume paths, driver options, network names) are not field names and are not checked.

    ## Why it matters
    Go's JSON decoder matches struct fields case-insensitively with Unicode folding, so
    dockerd reads `{"HostConfig": {"privileged": true}}` as a privileged container. A check
    that looks for `Privileged` exactly, as most policy engines do, sees nothing. Every
    real client writes the canonical spelling.

    ## Bad
    ```json
    {"Image": "alpine", "hostconfig": {"privileged": true, "binds": ["/:/host"]}}
    ```

    ## Good
    ```json
    {"Image": "alpine", "HostConfig": {"ReadonlyRootfs": true}}
    ```

    ## Fix
    Automatic fix: none. This judges one API request as the guard receives it; there is no file
    to rewrite, and the client that sent it must change.

    Spell API fields exactly as the Engine API reference does (`HostConfig`,
    `Privileged`, `SecurityOpt`).

    ## References
    - CWE-178, Improper Handling of Case Sensitivity (`CWE-178`)
    - CWE-863, Incorrect Authorization (`CWE-863`)
    """
    for path, canonical in r.case_variant_keys:
        yield Hit(
            r.anchor.child(f"body.{path}"),
            f"the body spells the field {canonical} as {path.rsplit('.', 1)[-1]!r}: dockerd "
            "reads it all the same, checks that compare names exactly do not",
            f"{path} for {canonical}",
        )
