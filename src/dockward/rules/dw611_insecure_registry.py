"""DW611: images are pulled from a registry over plain HTTP or without TLS verification."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from dockward.findings import FixSafety, Hit, Severity
from dockward.models.daemon import Daemon
from dockward.models.location import Location
from dockward.rules.registry import RuleContext, rule

# dockerd always trusts loopback registries this way; it is not a choice the admin made.
DEFAULT_INSECURE_CIDRS = frozenset({"127.0.0.0/8", "::1/128"})


@rule(
    code="DW611",
    name="insecure-registry",
    model=Daemon,
    severity=Severity.MEDIUM,
    fix=FixSafety.NONE,
    refs=("CIS-2.5", "ATTACK-T1525", "ATTACK-T1557"),
)
def check(d: Daemon, ctx: RuleContext) -> Iterator[Hit]:
    """The daemon talks to a registry without TLS verification (an insecure registry).

    ## What it does
    Reports each `--insecure-registry` / `insecure-registries` entry and each `http://`
    registry mirror, wherever the daemon's configuration is seen. On a live daemon it also
    reads `docker info` (`RegistryConfig`). Registries marked not secure and insecure CIDRs
    are reported there too, which catches settings made somewhere the audit cannot read.
    Loopback (`127.0.0.0/8`), which dockerd always trusts, is not reported.

    ## Why it matters
    For an insecure registry, dockerd accepts plain HTTP or any certificate. Anyone on the
    network path (a compromised router, ARP spoofing, a rogue Wi-Fi, DNS) can then serve
    their own image under a trusted name, and the next `docker pull` or restart runs
    their code. Credentials sent with `docker login` to such a registry travel in clear
    text.

    ## Bad
    ```json
    { "insecure-registries": ["registry.internal:5000"] }
    ```

    ## Good
    ```sh
    # give the registry a certificate from your CA and trust it explicitly
    /etc/docker/certs.d/registry.internal:5000/ca.crt
    ```

    ## Fix
    Automatic fix: none. `dockward fix` does not change a daemon's or a host's
    configuration: it needs a restart of the daemon or changes outside containers, which is
    the host owner's call.

    Serve the registry over TLS and install its CA under
    `/etc/docker/certs.d/<registry>/ca.crt`, then remove it from `insecure-registries` and
    use `https://` mirrors only.

    ## References
    - CIS Docker Benchmark v1.6, 2.5: insecure registries are not used (`CIS-2.5`)
    - MITRE ATT&CK T1525, Implant Internal Image (`ATTACK-T1525`); T1557,
      Adversary-in-the-Middle (`ATTACK-T1557`)
    """
    reported: set[str] = set()
    for setting in d.settings("insecure-registries"):
        name = str(setting.value).strip()
        if not name or name in DEFAULT_INSECURE_CIDRS or name in reported:
            continue
        reported.add(name)
        yield _hit(setting.origin, name)
    for setting in d.settings("registry-mirrors"):
        mirror = str(setting.value).strip()
        if mirror.lower().startswith("http://") and mirror not in reported:
            reported.add(mirror)
            yield Hit(setting.origin, f"registry mirror {mirror} is plain HTTP: anyone on "
                      "the network path can serve their own images to this daemon",
                      f"registry-mirror {mirror}")
    if not d.is_live:
        return
    registry = d.info.get("RegistryConfig") or {}
    base = d.anchor.child("info.RegistryConfig")
    for cidr in registry.get("InsecureRegistryCIDRs") or []:
        if str(cidr) in DEFAULT_INSECURE_CIDRS or str(cidr) in reported:
            continue
        reported.add(str(cidr))
        yield _hit(base.child("InsecureRegistryCIDRs"), str(cidr))
    for name, index in sorted((registry.get("IndexConfigs") or {}).items()):
        if not isinstance(index, dict) or index.get("Secure", True) or name in reported:
            continue
        if _is_loopback(name):
            continue
        reported.add(name)
        yield _hit(base.child(f"IndexConfigs.{name}"), name)


def _hit(origin: Location, name: str) -> Hit:
    return Hit(origin, f"registry {name} is insecure (plain HTTP or unverified TLS): anyone "
               "on the network path can serve their own image under a trusted name, and "
               "logins to it travel in clear text", f"insecure-registry {name}")


def _is_loopback(name: str) -> bool:
    host = name.rsplit(":", 1)[0].strip("[]") if name.count(":") <= 1 else name.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
