"""A typo in a selector or a rule option cannot weaken the policy: it is exit 2 (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockward.config import ConfigError, config_from_mapping
from dockward.rules.registry import all_rules
from dockward.rules.runner import selector_matches_a_rule, validate_rule_options
from tests.hostile.helpers import run_cli, text

COMPOSE = "services:\n  web:\n    image: nginx\n    privileged: true\n    cap_add: [SYS_ADMIN]\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    return tmp_path


@pytest.mark.parametrize(("args", "message"), [
    (("--select", "BOGUS"), "--select: 'BOGUS' matches no rule"),
    (("--select", ""), "--select is empty"),
    (("--select", "DW1O1"), "--select: 'DW1O1' matches no rule"),
    (("--extend-select", "DW9"), "--extend-select: 'DW9' matches no rule"),
    (("--ignore", "privilegd"), "--ignore: 'privilegd' matches no rule"),
])
def test_cli_selectors_that_match_no_rule_exit_2(project: Path, args: tuple[str, ...],
                                                 message: str) -> None:
    proc = run_cli("scan", str(project), *args)
    assert proc.returncode == 2, text(proc)
    assert message in proc.stderr.decode()


@pytest.mark.parametrize(("toml", "message"), [
    ('select = ["DW1O1"]\n', "select: 'DW1O1' matches no rule"),
    ("select = []\n", "select is empty"),
    ('ignore = ["DW99"]\n', "ignore: 'DW99' matches no rule"),
    ('[per-file-ignores]\n"*.yaml" = ["DWX"]\n', "per-file-ignores.*.yaml: 'DWX' matches"),
    ('[severity]\nDW1 = "low"\n', "severity: 'DW1' is not a rule code or name"),
    ("[rules.DW102]\ncapabilities = [1, 2]\n",
     "[rules.DW102] capabilities must be a list of strings, not [1, 2]"),
    ('[rules.DW102]\ncapabilities = ["SYS_ADMN"]\n',
     "[rules.DW102] capabilities has unknown value(s) 'SYS_ADMN'"),
    ('[rules.DW304]\nmax_retries = "three"\n',
     "[rules.DW304] max_retries must be a whole number, not 'three'"),
    ("[rules.DW304]\nmax_retries = -5\n", "[rules.DW304] max_retries must be at least 1, not -5"),
    ("[rules.DW304]\nmax_retries = true\n", "max_retries must be a whole number, not True"),
    ("[rules]\nDW102 = 3\n", "[rules.DW102] must be a table of options, not 3"),
    ('allow-inline-ignores = "false"\n', "allow-inline-ignores must be true or false"),
    ("file-time-budget = 0\n", "file-time-budget must be a number of seconds above 0"),
])
def test_config_that_would_weaken_the_policy_exits_2(project: Path, toml: str,
                                                     message: str) -> None:
    (project / ".dockward.toml").write_text(toml)
    proc = run_cli("scan", str(project))
    assert proc.returncode == 2, text(proc)
    err = proc.stderr.decode()
    assert message in err and str(project / ".dockward.toml") in err
    assert "Traceback" not in err


def test_options_by_rule_name_and_severity_by_name_take_effect(project: Path) -> None:
    """``[rules.dangerous-capability-added]`` used to validate but never apply."""
    (project / ".dockward.toml").write_text(
        '[rules.dangerous-capability-added]\ncapabilities = ["SYS_MODULE"]\n'
        '[severity]\nprivileged = "low"\n')
    proc = run_cli("scan", str(project), "--select", "DW101,DW102", "-f", "csv")
    rows = [line.split(",")[:2] for line in proc.stdout.decode().splitlines()[1:]]
    assert rows == [["low", "DW101"]]  # SYS_ADMIN is no longer on the configured list


def test_valid_options_still_apply() -> None:
    cfg = config_from_mapping({"rules": {"DW304": {"max_retries": 3}}})
    validate_rule_options(cfg)
    assert cfg.rule_options == {"DW304": {"max_retries": 3}}


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=5),
                 st.booleans(), st.lists(st.integers(), max_size=3),
                 st.lists(st.text(max_size=8), max_size=3)))
@settings(max_examples=200, deadline=None)
def test_every_declared_option_accepts_only_its_type(value: object) -> None:
    """Generated values for every option of every rule: accepted only when they have the
    declared type (and range and items), rejected with a ConfigError otherwise."""
    for r in all_rules():
        for name, spec in r.option_specs.items():
            cfg = config_from_mapping({"rules": {r.code: {name: value}}})
            problem = spec.problem(value)
            if problem is None:
                validate_rule_options(cfg)
                assert isinstance(value, type(spec.default)) or isinstance(spec.default, float)
            else:
                with pytest.raises(ConfigError):
                    validate_rule_options(cfg)


@given(st.text(max_size=8))
@settings(max_examples=300, deadline=None)
def test_a_selector_matches_a_rule_or_is_rejected(selector: str) -> None:
    codes = [r.code for r in all_rules()] + ["DW000", "DW001"]
    names = [r.name for r in all_rules()]
    s = selector.strip()
    expected = bool(s) and (s.upper() == "ALL" or s.lower() in names
                            or (s.upper().startswith("DW")
                                and any(c.startswith(s.upper()) for c in codes)))
    assert selector_matches_a_rule(selector) is expected
