"""The ApiRequest model: one Engine API request, as the guard sees it before it runs.

``dockward guard`` (as an authorization plugin or as a socket proxy) reads each request
into this model and into the models its body describes (a create body is a Workload, a
commit body an Image...).  Rules on ApiRequest judge the request *itself*: whether its
body reached the guard, whether its path and JSON are spelled the one way honest clients
spell them, whether it targets the guard.  Rules on the body's models judge what the
request would do, exactly as ``scan`` and ``audit`` judge the same settings elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dockward.models.location import Location
from dockward.models.workload import Mount


@dataclass
class ApiRequest:
    """One request to the Engine API.

    ``uri`` is the target as received; ``path`` is decoded once, without the ``/vX.Y``
    prefix; ``route`` is the name of the endpoint dockerd routes it to ('' when none).
    ``body_seen`` says whether the guard holds the body: an authorization plugin gets it
    only when dockerd forwards it, which it does not for bodies over 1 MiB on dockerd
    < 29.3.1 (CVE-2026-34040) or chunked bodies before the CVE-2024-41110 fix.
    """

    method: str
    uri: str
    anchor: Location
    path: str = ""
    api_version: str | None = None
    api_version_tuple: tuple[int, ...] | None = None
    route: str = ""
    route_template: str = ""
    params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    path_problems: list[str] = field(default_factory=list)
    debug_route: bool = False
    user: str = ""  # TLS client CN, "uid=N" for a proxy's unix peer, '' for local
    mode: str = "plugin"  # plugin | proxy
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = ""
    content_length: int | None = None  # the Content-Length header, None when absent
    body_kind: str = ""  # what the route carries: json | tar | raw | ''
    body_required: bool = False
    body_seen: bool = False
    body_size: int = 0
    json_value: Any = None
    json_error: str = ""
    json_trailing: str = ""
    duplicate_keys: list[str] = field(default_factory=list)
    case_variant_keys: list[tuple[str, str]] = field(default_factory=list)
    top_level_host_config: list[str] = field(default_factory=list)
    mounts: list[Mount] = field(default_factory=list)  # host paths the body would mount
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def is_json_content(self) -> bool:
        media = self.content_type.split(";", 1)[0].strip().lower()
        return media == "application/json"

    def describe(self) -> str:
        return self.route_template or f"{self.method} {self.path or self.uri}"
