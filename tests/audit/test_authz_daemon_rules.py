"""DW614 and DW615: authorization plugins on daemons that can be talked around."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from dockward.config import Config
from dockward.findings import Finding, Severity
from dockward.models.daemon import Daemon
from dockward.models.engine_versions import backported_41110, parse_version, vulnerable_41110
from dockward.models.location import Location
from dockward.readers.engine.daemon import installed_package
from dockward.rules.runner import RuleRunner

INFO: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "info.json").read_text(encoding="utf-8"))


def daemon(version: str, plugins: list[str], package: dict[str, str] | None = None,
           **facts: Any) -> Daemon:
    info = copy.deepcopy(INFO)
    info["ServerVersion"] = version
    info["Plugins"]["Authorization"] = plugins
    d = Daemon(name="h", anchor=Location(subject="h"), info=info, source_kind="live")
    if package:
        d.facts["package"] = package
    d.facts.update(facts)
    return d


def run(model: Daemon, code: str) -> list[Finding]:
    return RuleRunner(Config(select=[code])).check(model)


DEB_FIXED = {"name": "docker.io", "version": "20.10.24+dfsg1-1+deb12u1+b6"}
DEB_OLD = {"name": "docker.io", "version": "20.10.24+dfsg1-1"}


@pytest.mark.parametrize(("version", "package", "cves"), [
    ("20.10.24+dfsg1", DEB_FIXED, ["CVE-2026-34040"]),
    ("20.10.24+dfsg1", DEB_OLD, ["CVE-2024-41110", "CVE-2026-34040"]),
    ("20.10.24", None, ["CVE-2024-41110", "CVE-2026-34040"]),
    ("24.0.7", None, ["CVE-2024-41110", "CVE-2026-34040"]),
    ("25.0.6", None, ["CVE-2026-34040"]),
    ("26.1.4", None, ["CVE-2024-41110", "CVE-2026-34040"]),
    ("27.1.1", None, ["CVE-2026-34040"]),
    ("29.3.0", None, ["CVE-2026-34040"]),
    ("29.3.1", None, []),
    ("18.09.1", None, ["CVE-2026-34040"]),
])
def test_dw614_version_table(version: str, package: dict[str, str] | None,
                             cves: list[str]) -> None:
    found = run(daemon(version, ["opa-docker-authz"], package), "DW614")
    if not cves:
        assert found == []
        return
    assert len(found) == 1 and found[0].severity == Severity.HIGH
    for cve in ("CVE-2024-41110", "CVE-2026-34040"):
        assert (cve in found[0].message) == (cve in cves), found[0].message
    assert found[0].location.path == "info.ServerVersion"


def test_dw614_needs_a_plugin_and_a_live_daemon() -> None:
    assert run(daemon("20.10.24", []), "DW614") == []
    offline = Daemon(name="f", anchor=Location(file="run.sh"),
                     flags=["--authorization-plugin=authz"])
    assert run(offline, "DW614") == []


def test_dw614_is_low_when_the_plugin_checks_for_missing_bodies() -> None:
    found = run(daemon("20.10.24+dfsg1", ["dockward"], DEB_FIXED), "DW614")
    assert found[0].severity == Severity.LOW
    assert "denies requests whose body it did not receive" in found[0].message
    mixed = run(daemon("20.10.24+dfsg1", ["dockward", "opa"], DEB_FIXED), "DW614")
    assert mixed[0].severity == Severity.HIGH


@pytest.mark.parametrize(("version", "facts", "minimum"), [
    ("20.10.24+dfsg1", {}, "1.12"),
    ("24.0.9", {}, "1.12"),
    ("26.1.0", {"min_api_version": "1.12"}, "1.12"),
    ("26.1.0", {}, None),
    ("26.1.0", {"min_api_version": "1.24"}, None),
])
def test_dw615_minimum_api_version(version: str, facts: dict[str, Any],
                                   minimum: str | None) -> None:
    found = run(daemon(version, ["authz"], **facts), "DW615")
    if minimum is None:
        assert found == []
    else:
        assert [f.evidence for f in found] == [f"MinAPIVersion {minimum}"]
        assert found[0].severity == Severity.MEDIUM
    assert run(daemon(version, [], **facts), "DW615") == []


def test_version_helpers() -> None:
    assert parse_version("20.10.24+dfsg1") == (20, 10, 24)
    assert parse_version("v27.1") == (27, 1, 0) and parse_version("dev") is None
    assert backported_41110("docker.io", "20.10.24+dfsg1-1+deb12u2")
    assert not backported_41110("docker.io", "20.10.24+dfsg1-1+deb12u0")
    assert not backported_41110("docker-ce", "20.10.24+dfsg1-1+deb12u1")
    assert not vulnerable_41110((23, 0, 15)) and vulnerable_41110((23, 0, 14))


def test_installed_package_reads_dpkg_status(tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.write_text("Package: bash\nStatus: install ok installed\nVersion: 5.2\n\n"
                      "Package: docker.io\nStatus: install ok installed\n"
                      "Version: 20.10.24+dfsg1-1+deb12u1+b6\n\n")
    assert installed_package("dockerd", str(status)) == {
        "name": "docker.io", "version": "20.10.24+dfsg1-1+deb12u1+b6"}
    assert installed_package("dockerd", str(tmp_path / "none")) is None
