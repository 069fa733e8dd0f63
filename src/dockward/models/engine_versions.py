"""Which dockerd versions forward request bodies to authorization plugins reliably.

Two flaws let a client hide a request body from an authorization plugin while dockerd
still runs the request in full (research/enforcement.md, section 4):

* CVE-2024-41110: chunked bodies (``Content-Length`` -1) were never forwarded.  Fixed in
  18.09.1, regressed in 19.03, fixed again in 23.0.15, 25.0.6, 26.1.5 and 27.1.1.
  Upstream 20.10 and 24.0 never got the fix; Debian backported it to 20.10.24 in
  ``20.10.24+dfsg1-1+deb12u1``.
* CVE-2026-34040: bodies over 1 MiB are dropped instead of refused.  Fixed in 29.3.1;
  no distribution backport is known (Debian's 20.10.24+dfsg1-1+deb12u1+b6 was checked and
  is vulnerable).

dockerd also accepted API versions down to 1.12 until 25.0 raised the floor to 1.24
(``DOCKER_MIN_API_VERSION`` can lower it again).
"""

from __future__ import annotations

import re

Version = tuple[int, int, int]

# (first fixed version, first version of the next line) for CVE-2024-41110.
CVE_2024_41110_FIXED: tuple[tuple[Version, Version], ...] = (
    ((18, 9, 1), (19, 0, 0)),
    ((23, 0, 15), (24, 0, 0)),
    ((25, 0, 6), (26, 0, 0)),
    ((26, 1, 5), (27, 0, 0)),
    ((27, 1, 1), (999, 0, 0)),
)
CVE_2026_34040_FIXED: Version = (29, 3, 1)
# Distribution packages whose changelog says the CVE-2024-41110 fix was backported:
# (package, upstream version, Debian revision prefix, first fixed update number).
CVE_2024_41110_BACKPORTS: tuple[tuple[str, str, str, int], ...] = (
    ("docker.io", "20.10.24+dfsg1", "1+deb12u", 1),
)
MIN_API_FLOOR_RAISED: Version = (25, 0, 0)  # dockerd >= 25 refuses API < 1.24 by default


def parse_version(text: str) -> Version | None:
    """``20.10.24+dfsg1`` -> (20, 10, 24); ``27.1.1-ce`` -> (27, 1, 1)."""
    found = re.match(r"^\s*v?(\d+)\.(\d+)(?:\.(\d+))?", text or "")
    if not found:
        return None
    return int(found.group(1)), int(found.group(2)), int(found.group(3) or 0)


def backported_41110(package: str, package_version: str) -> bool:
    """True when the distribution package carries the CVE-2024-41110 backport."""
    upstream, _, revision = package_version.rpartition("-")
    for name, base, prefix, first in CVE_2024_41110_BACKPORTS:
        if package != name or not package_version.startswith(base + "-"):
            continue
        found = re.search(re.escape(prefix) + r"(\d+)", package_version[len(base) + 1:])
        if found and int(found.group(1)) >= first:
            return True
    del upstream, revision
    return False


def vulnerable_41110(version: Version, package: str = "", package_version: str = "") -> bool:
    if any(low <= version < high for low, high in CVE_2024_41110_FIXED):
        return False
    return not (package and backported_41110(package, package_version))


def vulnerable_34040(version: Version) -> bool:
    return version < CVE_2026_34040_FIXED
