"""Every rule's documented examples behave as documented: each ``## Bad`` block that dockward
can scan yields that rule, each ``## Good`` block does not.

The blocks are scanned as files of the kind their fence names (``yaml``: compose or
Kubernetes by content, ``sh``, ``dockerfile``).  Blocks of kinds no scan reads (``json`` for
daemon.json, ``text``) are documentation only.  Rules on models that only a live host or a
container gives (Image, Host, Observation, Drift, and daemon settings whose absence only a
fully read live daemon proves) show how the problem arises rather than a file to scan; they
are tested on live models in tests/audit and tests/inside.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dockward.config import Config
from dockward.rules.registry import Rule, all_rules
from dockward.usecases.scan import scan_paths

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
FILE_NAMES = {"yaml": "compose.yaml", "yml": "compose.yaml", "sh": "run.sh", "bash": "run.sh",
              "console": "run.sh", "shell": "run.sh", "dockerfile": "Dockerfile"}
# Daemon rules that judge only a live daemon whose flags, daemon.json and /info were all read.
LIVE_DAEMON_ONLY = {"DW604", "DW605", "DW606", "DW608", "DW610", "DW612", "DW614", "DW615"}


def in_scope(r: Rule) -> bool:
    """Rules whose documented examples are files a scan reads."""
    from dockward.models.build import Build
    from dockward.models.daemon import Daemon
    from dockward.models.workload import Workload

    if set(r.models) & {Workload, Build}:
        return True
    return Daemon in r.models and r.code not in LIVE_DAEMON_ONLY


def blocks(r: Rule, heading: str) -> list[tuple[str, str]]:
    """The fenced blocks (language, text) of one section of a rule's doc."""
    start = r.doc.find(heading)
    if start < 0:
        return []
    end = r.doc.find("\n## ", start + len(heading))
    section = r.doc[start:end if end >= 0 else None]
    return [(m.group(1).lower(), m.group(2)) for m in FENCE.finditer(section)]


def file_name(language: str, text: str) -> str | None:
    name = FILE_NAMES.get(language)
    if name == "compose.yaml" and re.search(r"^(apiVersion|kind)\s*:", text, re.MULTILINE):
        return "pod.k8s.yaml"
    return name


CASES = [
    pytest.param(r, heading, index, language, text, id=f"{r.code}-{heading[3:].lower()}{index}")
    for r in all_rules()
    if in_scope(r)
    for heading in ("## Bad", "## Good")
    for index, (language, text) in enumerate(blocks(r, heading))
    if file_name(language, text)
]


@pytest.mark.parametrize(("rule", "heading", "index", "language", "text"), CASES)
def test_documented_example(rule: Rule, heading: str, index: int, language: str, text: str,
                            tmp_path: Path) -> None:
    name = file_name(language, text)
    assert name is not None
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = scan_paths([str(path)], Config(select=[rule.code, "DW000"]))
    codes = [f.code for f in result.findings if not f.suppressed]
    assert "DW000" not in codes, [f.message for f in result.findings]
    if heading == "## Bad":
        assert rule.code in codes, f"{rule.code}'s Bad example is not reported:\n{text}"
    else:
        assert rule.code not in codes, (
            f"{rule.code}'s Good example is reported:\n{text}\n"
            + "\n".join(f.message for f in result.findings))


def test_every_file_rule_documents_a_scannable_bad_example() -> None:
    """Rules that judge files show at least one example dockward can check."""
    from dockward.models.build import Build
    from dockward.models.workload import Workload

    missing = [r.code for r in all_rules()
               if set(r.models) & {Workload, Build}
               and not any(file_name(lang, text) for lang, text in blocks(r, "## Bad"))]
    assert missing == []
