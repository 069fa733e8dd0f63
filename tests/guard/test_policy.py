"""Policy files: every key is checked; a policy that cannot load never serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockward.findings import Severity
from dockward.guard.policy import PolicyError, load_policy, policy_from_mapping


def test_default_policy() -> None:
    policy = load_policy(None)
    assert policy.deny_at == Severity.HIGH and policy.exceptions == ()
    assert policy.config.severity_for("DW111", Severity.MEDIUM) == Severity.HIGH


def test_full_policy(tmp_path: Path) -> None:
    path = tmp_path / "guard.toml"
    path.write_text('''
select = ["DW"]
ignore = ["DW205"]
deny-at = "critical"
deny-routes = ["debug-*", "build"]
[severity]
DW111 = "medium"
[rules.DW202]
allow = ["/srv/**"]
[[exceptions]]
name = "traefik"
rules = ["DW201"]
container = "traefik"
mount-sources = ["/run/dockward/*"]
read-only = true
''')
    policy = load_policy(str(path))
    assert policy.deny_at == Severity.CRITICAL and policy.source == str(path)
    assert policy.route_denied("debug-vars") and not policy.route_denied("ping")
    assert policy.config.severity_for("DW111", Severity.MEDIUM) == Severity.MEDIUM
    assert policy.exceptions[0].covers_rule("DW201", "runtime-socket-mounted")


@pytest.mark.parametrize(("data", "words"), [
    ({"deny_at": "high"}, "unknown key(s): deny_at"),
    ({"deny-at": "severe"}, "unknown severity"),
    ({"exceptions": [{"name": "x"}]}, "neither which rules nor which routes"),
    ({"exceptions": [{"rules": ["DW201"], "contianer": "x"}]}, "unknown key(s): contianer"),
    ({"exceptions": [{"rules": ["DW201"], "uid": "0"}]}, "uid must be a number"),
    ({"exceptions": [{"rules": ["DW201"], "mode": "both"}]}, "mode must be"),
    ({"exceptions": {"rules": ["DW201"]}}, "array of tables"),
    ({"rules": {"DW202": {"alow": []}}}, "unknown option(s) alow"),
    ({"per-file-ignores": {}}, "unknown key(s): per-file-ignores"),
])
def test_bad_policies_are_errors(data: dict[str, object], words: str) -> None:
    with pytest.raises(PolicyError, match=None) as err:
        policy_from_mapping(data)
    assert words in str(err.value)


def test_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        load_policy(str(tmp_path / "none.toml"))
    broken = tmp_path / "broken.toml"
    broken.write_text("deny-at = \n")
    with pytest.raises(PolicyError, match="cannot read policy"):
        load_policy(str(broken))
