"""Baselines: adopt dockward on an existing project by reporting only what is new.

A baseline is simply an earlier JSON report (``--write-baseline`` writes one).  Findings are
matched by fingerprint (code + file + source path + evidence, no line number), so edits that
shift lines keep matching while a new problem, or the same problem in another place, does
not.  Matching counts occurrences: if the baseline holds a fingerprint twice, two current
findings with it are known and a third is new.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from dockward.config import Config
from dockward.findings import Finding
from dockward.report import Report


class BaselineError(Exception):
    """A baseline that cannot be read or written; the CLI exits with code 2."""


def load_fingerprints(path: str | Path) -> Counter[str]:
    """Fingerprints in a JSON report written by dockward (``dockward-report/1``)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline file not found: {path} "
                            f"(create it with --write-baseline {path})") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from None
    if not isinstance(data, dict) or not str(data.get("schema", "")).startswith(
            "dockward-report/") or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path} is not a dockward JSON report (dockward scan -f json)")
    found: Counter[str] = Counter()
    for item in data["findings"]:
        if isinstance(item, dict) and isinstance(item.get("fingerprint"), str):
            found[item["fingerprint"]] += 1
    return found


def split_new(findings: Iterable[Finding], known: Counter[str]) -> tuple[list[Finding],
                                                                         list[Finding]]:
    """(new, matched): each baseline entry absorbs at most one current finding."""
    budget = Counter(known)
    new: list[Finding] = []
    matched: list[Finding] = []
    for f in findings:
        fp = f.fingerprint
        if budget[fp] > 0:
            budget[fp] -= 1
            matched.append(f)
        else:
            new.append(f)
    return new, matched


def write_baseline(report: Report, path: str | Path) -> None:
    """Write every current finding (suppressed ones too) as a JSON report."""
    from dockward.output import WriteRefused, write_atomically
    from dockward.reporters.json_report import render

    try:
        write_atomically(str(path), lambda fh: render(report, fh), protected=report.inputs,
                         what="baseline")
    except WriteRefused as exc:
        raise BaselineError(str(exc)) from None


def configured_path(config: Config) -> str | None:
    """The config's ``baseline``, relative to the config file's folder as written there."""
    if not config.baseline:
        return None
    path = Path(config.baseline)
    if not path.is_absolute() and config.source:
        path = Path(config.source).parent / path
    return str(path)


def apply_baseline(report: Report, baseline: str | None, write_to: str | None = None) -> None:
    """Write ``write_to`` from all current findings, then drop those known to ``baseline``.

    Dropped findings leave display and gating alike; their number is kept in
    ``report.stats["baseline_matched"]``.  Writing comes first, so naming the same file for
    both accepts the current state: nothing is new.
    """
    if write_to:
        write_baseline(report, write_to)
    if not baseline:
        return
    known = load_fingerprints(baseline)
    new, matched = split_new(report.findings, known)
    report.findings = new
    report.stats["baseline"] = str(baseline)
    report.stats["baseline_matched"] = len(matched)
