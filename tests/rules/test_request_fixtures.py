"""ApiRequest rules (DW8xx) on requests as dockerd passes them to a plugin (AuthZReq).

``tests/rules/request_fixtures/DWxxx/fail_*.json`` must give exactly that rule,
``pass_*.json`` nothing from it.  A fixture is an AuthZReq payload; ``RequestBodyText``
may stand for the base64 ``RequestBody`` so the fixtures stay readable.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from dockward.config import Config
from dockward.findings import Severity
from dockward.guard.authz import _raw_request
from dockward.guard.policy import GuardPolicy
from dockward.guard.request_reader import ReadOptions, body_models, read_request
from dockward.models.request import ApiRequest
from dockward.rules.registry import all_rules
from dockward.rules.runner import RuleRunner

FIXTURES = Path(__file__).parent / "request_fixtures"
FILES = sorted(FIXTURES.glob("DW*/*.json"))
REQUEST_RULES = [r.code for r in all_rules() if r.model is ApiRequest]


def load(path: Path) -> ApiRequest:
    data = json.loads(path.read_text(encoding="utf-8"))
    if "RequestBodyText" in data:
        data["RequestBody"] = base64.b64encode(data.pop("RequestBodyText").encode()).decode()
    req, value = read_request(_raw_request(data))
    if req.route != "container-start":  # a start needs an engine lookup
        body_models(req, value, ReadOptions(resolve_symlinks=False))  # fills req.mounts
    return req


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.name}" for p in FILES])
def test_request_fixture(path: Path) -> None:
    code = path.parent.name
    runner = RuleRunner(Config(select=[code]))
    found = runner.run([load(path)])
    if path.name.startswith("fail_"):
        assert [f.code for f in found] == [code], [f.message for f in found]
        assert found[0].severity >= Severity.HIGH
        assert found[0].location.subject.startswith("local ")
    else:
        assert path.name.startswith("pass_")
        assert found == [], [f.message for f in found]


@pytest.mark.parametrize("code", REQUEST_RULES)
def test_every_request_rule_has_fixtures(code: str) -> None:
    names = [p.name for p in (FIXTURES / code).glob("*.json")]
    assert any(n.startswith("fail_") for n in names), code
    assert any(n.startswith("pass_") for n in names), code


def test_request_rules_deny_under_the_default_policy() -> None:
    assert GuardPolicy().deny_at == Severity.HIGH
    for r in all_rules():
        if r.model is ApiRequest:
            assert r.severity >= Severity.HIGH, r.code
