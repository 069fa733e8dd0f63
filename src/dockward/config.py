"""Configuration: ``.dockward.toml`` or ``[tool.dockward]`` in pyproject.toml.

Discovery walks up from the scanned path (as ruff and flake8 do), so a repository's policy
applies wherever the scan starts; ``--config`` names a file explicitly.  Unknown keys are an
error rather than silently ignored: a typo in a central policy must not weaken it.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dockward.findings import Severity

CONFIG_FILE = ".dockward.toml"
DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024
# Seconds one file may take to read before it is reported as DW000 and skipped: the second
# line of defence after linear-time readers (a hostile file must not stall a CI job).
DEFAULT_FILE_TIME_BUDGET = 10.0

_KNOWN_KEYS = {
    "select", "ignore", "extend-select", "per-file-ignores", "severity", "fail-on",
    "baseline", "allow-inline-ignores", "exclude", "max-file-size", "rules",
    "respect-gitignore", "report-unused-ignores", "fix", "file-time-budget",
}
_FIX_KEYS = {"memory", "cpus", "pids", "user", "restart-retries", "cap-add"}


@dataclass(frozen=True)
class FixDefaults:
    """The values fixes write (the ``[fix]`` table), documented in the README.

    A memory limit of 512 MiB, one CPU and 200 processes suit a typical web service and
    stop a runaway one long before it starves the host; uid/gid 10001 is outside the range
    distributions give system and login users, so it owns nothing on the host;
    ``on-failure:5`` restarts a crashing container a few times, then leaves it stopped for a
    human to look at.  ``cap_add`` lists what ``cap_drop: [ALL]`` adds back (none by default).
    """

    memory: str = "512m"
    cpus: float = 1.0
    pids: int = 200
    user: str = "10001:10001"
    restart_retries: int = 5
    cap_add: tuple[str, ...] = ()


class ConfigError(Exception):
    """A configuration that cannot be used; the CLI exits with code 2."""


@dataclass
class Config:
    """The effective policy for one run (file config merged with command-line options)."""

    select: list[str] = field(default_factory=lambda: ["DW"])
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    fail_on: Severity = Severity.LOW
    baseline: str | None = None
    allow_inline_ignores: bool = True
    report_unused_ignores: bool = True
    exclude: list[str] = field(default_factory=list)
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    file_time_budget: float = DEFAULT_FILE_TIME_BUDGET
    respect_gitignore: bool = True
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    fix: FixDefaults = field(default_factory=FixDefaults)
    source: str | None = None  # the file this was read from, shown with --verbose

    def is_enabled(self, code: str, file: str = "") -> bool:
        """Longest matching selector wins between select and ignore (ruff's rule)."""
        best_select = _longest_match(code, self.select)
        best_ignore = _longest_match(code, self.ignore + self._file_ignores(file))
        if best_select < 0:
            return False
        return best_select > best_ignore

    def _file_ignores(self, file: str) -> list[str]:
        if not file or not self.per_file_ignores:
            return []
        out: list[str] = []
        posix = file.replace("\\", "/")
        for pattern, codes in self.per_file_ignores.items():
            if fnmatch.fnmatch(posix, pattern) or fnmatch.fnmatch(Path(posix).name, pattern):
                out.extend(codes)
        return out

    def severity_for(self, code: str, default: Severity) -> Severity:
        return self.severity_overrides.get(code, default)

    def options_for(self, code: str, defaults: dict[str, Any]) -> dict[str, Any]:
        merged = dict(defaults)
        merged.update(self.rule_options.get(code, {}))
        return merged


def _longest_match(code: str, selectors: list[str]) -> int:
    """Length of the longest selector that is a prefix of ``code`` (-1 if none)."""
    best = -1
    for sel in selectors:
        key = _expand_selector(sel)
        for k in key:
            if code.startswith(k) and len(k) > best:
                best = len(k)
    return best


def _expand_selector(selector: str) -> list[str]:
    """A selector is a code prefix (``DW2``) or a rule name (``privileged``)."""
    text = selector.strip()
    if text.upper() == "ALL":
        return ["DW"]
    if text[:2].upper() == "DW":
        return [text.upper()]
    from dockward.rules.registry import lookup

    found = lookup(text)
    return [found.code] if found else [text.upper()]


def find_config_file(start: Path) -> Path | None:
    """Walk up from ``start`` to the filesystem root for .dockward.toml or pyproject.toml.

    A folder that cannot be searched (no execute permission) is passed over: nothing below
    it can be scanned either, and those files are reported as unreadable.
    """
    try:
        here = start if start.is_dir() else start.parent
    except OSError:
        here = start.parent
    try:
        here = here.resolve()
    except OSError:
        return None
    for folder in (here, *here.parents):
        try:
            candidate = folder / CONFIG_FILE
            if candidate.is_file():
                return candidate
            pyproject = folder / "pyproject.toml"
            if pyproject.is_file() and _has_tool_section(pyproject):
                return pyproject
        except OSError:
            continue
    return None


def _has_tool_section(pyproject: Path) -> bool:
    try:
        return "[tool.dockward" in pyproject.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def load_config(explicit: str | None = None, start: Path | None = None) -> Config:
    """Read the config named by ``--config`` or discovered from ``start``."""
    path: Path | None
    if explicit:
        path = Path(explicit)
        try:
            found = path.is_file()
        except OSError as exc:
            raise ConfigError(f"cannot read config {explicit}: {exc.strerror}") from None
        if not found:
            raise ConfigError(f"config file not found: {explicit}")
    else:
        path = find_config_file(start or Path.cwd())
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config {path}: {exc}") from None
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("dockward", {})
    elif "tool" in data and "dockward" in data.get("tool", {}):
        data = data["tool"]["dockward"]
    config = config_from_mapping(data, str(path))
    config.source = str(path)
    return config


def config_from_mapping(data: dict[str, Any], where: str = "config") -> Config:
    """Validate a parsed TOML table into a Config."""
    unknown = set(data) - _KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s): {', '.join(sorted(unknown))}")
    cfg = Config()
    if "select" in data:
        cfg.select = _str_list(data["select"], "select", where)
    if "extend-select" in data:
        cfg.select = cfg.select + _str_list(data["extend-select"], "extend-select", where)
    if "ignore" in data:
        cfg.ignore = _str_list(data["ignore"], "ignore", where)
    if "exclude" in data:
        cfg.exclude = _str_list(data["exclude"], "exclude", where)
    pfi = data.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(f"{where}: per-file-ignores must be a table of glob = [codes]")
    cfg.per_file_ignores = {str(k): _str_list(v, f"per-file-ignores.{k}", where)
                            for k, v in pfi.items()}
    sev = data.get("severity", {})
    if not isinstance(sev, dict):
        raise ConfigError(f"{where}: severity must be a table of CODE = \"level\"")
    try:
        cfg.severity_overrides = {str(k).upper(): Severity.parse(str(v)) for k, v in sev.items()}
        if "fail-on" in data:
            cfg.fail_on = Severity.parse(str(data["fail-on"]))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    if "baseline" in data:
        cfg.baseline = str(data["baseline"])
    if "allow-inline-ignores" in data:
        cfg.allow_inline_ignores = _bool(data["allow-inline-ignores"], "allow-inline-ignores",
                                         where)
    if "report-unused-ignores" in data:
        cfg.report_unused_ignores = _bool(data["report-unused-ignores"],
                                          "report-unused-ignores", where)
    if "respect-gitignore" in data:
        cfg.respect_gitignore = _bool(data["respect-gitignore"], "respect-gitignore", where)
    if "max-file-size" in data:
        size = data["max-file-size"]
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise ConfigError(f"{where}: max-file-size must be a positive number of bytes")
        cfg.max_file_size = size
    if "file-time-budget" in data:
        budget = data["file-time-budget"]
        if (not isinstance(budget, int | float) or isinstance(budget, bool)
                or not 0 < budget <= 3600):
            raise ConfigError(f"{where}: file-time-budget must be a number of seconds above 0 "
                              f"(at most 3600); got {budget!r}")
        cfg.file_time_budget = float(budget)
    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError(f"{where}: [rules] must be a table of per-rule options")
    for key, value in rules.items():
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: [rules.{key}] must be a table of options, "
                              f"not {value!r}")
    cfg.rule_options = {str(k).upper(): dict(v) for k, v in rules.items()}
    if "fix" in data:
        cfg.fix = _fix_defaults(data["fix"], where)
    return cfg


def _fix_defaults(table: Any, where: str) -> FixDefaults:
    """The ``[fix]`` table, checked key by key: a bad value must not become a bad fix."""
    from dockward.models.values import parse_bytes

    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [fix] must be a table")
    unknown = set(table) - _FIX_KEYS
    if unknown:
        raise ConfigError(f"{where}: [fix]: unknown key(s): {', '.join(sorted(unknown))} "
                          f"(allowed: {', '.join(sorted(_FIX_KEYS))})")

    values: dict[str, Any] = {}
    if "memory" in table:
        memory = table["memory"]
        if not isinstance(memory, str | int) or isinstance(memory, bool) or not (
                parse_bytes(memory) or 0) >= 6 * 1024 * 1024:
            raise ConfigError(f"{where}: [fix] memory must be a size of at least 6m "
                              f"(Docker's minimum), such as \"512m\"; got {memory!r}")
        values["memory"] = str(memory)
    if "cpus" in table:
        cpus = table["cpus"]
        if not isinstance(cpus, int | float) or isinstance(cpus, bool) or not 0 < cpus <= 1024:
            raise ConfigError(f"{where}: [fix] cpus must be a number above 0; got {cpus!r}")
        values["cpus"] = float(cpus)
    for key, field_name, low in (("pids", "pids", 1), ("restart-retries", "restart_retries", 1)):
        if key in table:
            number = table[key]
            if not isinstance(number, int) or isinstance(number, bool) or number < low:
                raise ConfigError(f"{where}: [fix] {key} must be a whole number of at least "
                                  f"{low}; got {number!r}")
            values[field_name] = number
    if "user" in table:
        user = table["user"]
        if not isinstance(user, str) or not user.strip() or user.split(":")[0] in ("0", "root"):
            raise ConfigError(f"{where}: [fix] user must be a non-root user such as "
                              f"\"10001:10001\"; got {user!r}")
        values["user"] = user.strip()
    if "cap-add" in table:
        values["cap_add"] = tuple(_str_list(table["cap-add"], "[fix] cap-add", where))
    return replace(FixDefaults(), **values)


def _bool(value: Any, key: str, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be true or false, not {value!r}")
    return value


def _str_list(value: Any, key: str, where: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{where}: {key} must be a list of strings")
