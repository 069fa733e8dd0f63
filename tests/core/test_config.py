"""Config discovery, validation and rule selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockward.config import Config, ConfigError, config_from_mapping, load_config
from dockward.findings import Severity


def test_longest_prefix_wins_between_select_and_ignore() -> None:
    cfg = Config(select=["DW", "DW201"], ignore=["DW2"])
    assert cfg.is_enabled("DW101")
    assert not cfg.is_enabled("DW202")
    assert cfg.is_enabled("DW201")  # the more specific select wins


def test_not_selected_is_disabled() -> None:
    cfg = Config(select=["DW1"])
    assert cfg.is_enabled("DW104")
    assert not cfg.is_enabled("DW301")


def test_per_file_ignores_match_globs() -> None:
    cfg = Config(per_file_ignores={"docs/*.md": ["DW3"]})
    assert not cfg.is_enabled("DW301", "docs/x.md")
    assert cfg.is_enabled("DW301", "run.sh")


def test_walk_up_discovery_finds_dockward_toml(tmp_path: Path) -> None:
    (tmp_path / ".dockward.toml").write_text('ignore = ["DW205"]\nfail-on = "high"\n')
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    cfg = load_config(None, deep)
    assert cfg.ignore == ["DW205"]
    assert cfg.fail_on is Severity.HIGH
    assert cfg.source == str(tmp_path / ".dockward.toml")


def test_pyproject_tool_section(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname="x"\n[tool.dockward]\nselect = ["DW1"]\n'
        '[tool.dockward.severity]\nDW205 = "medium"\n'
    )
    cfg = load_config(None, tmp_path)
    assert cfg.select == ["DW1"]
    assert cfg.severity_overrides == {"DW205": Severity.MEDIUM}


def test_pyproject_without_section_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname="x"\n')
    assert load_config(None, tmp_path).source is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"selekt": ["DW1"]}, "unknown key(s): selekt"),
        ({"fail-on": "urgent"}, "unknown severity 'urgent'"),
        ({"select": "DW1", "ignore": [1]}, "ignore must be a list of strings"),
        ({"max-file-size": -1}, "max-file-size must be a positive number"),
    ],
)
def test_invalid_config_is_rejected(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        config_from_mapping(data)


def test_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / ".dockward.toml"
    bad.write_text("select = [\n")
    with pytest.raises(ConfigError, match="cannot read config"):
        load_config(str(bad))
