"""The generated rule index: up to date, and a scan imports only the rules it needs."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

from dockward.models.build import Build
from dockward.models.workload import Workload
from dockward.rules import _index
from dockward.rules.registry import all_rules, model_key, rule_index, rules_for

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("gen_rule_index",
                                               ROOT / "scripts" / "gen_rule_index.py")
assert _spec and _spec.loader
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)


def test_index_is_up_to_date() -> None:
    """Fails after a rule is added, removed or given another model: run
    ``python scripts/gen_rule_index.py``."""
    assert rule_index() == (_index.MODULES, _index.BY_MODEL)
    assert gen.render() == (ROOT / "src" / "dockward" / "rules" / "_index.py").read_text()


def test_index_lists_every_model_a_rule_checks() -> None:
    models = {model_key(m) for r in all_rules() for m in r.models}
    assert set(_index.BY_MODEL) == models
    assert len(_index.BY_MODEL[model_key(Workload)]) == 26
    assert _index.BY_MODEL[model_key(Build)][:3] == (
        "dw401_secret_build_arg", "dw402_secret_in_env", "dw403_secret_file_copied")


def _in_fresh_process(code: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return list(json.loads(out.stdout.splitlines()[-1]))


def test_rules_for_a_model_are_the_same_loaded_alone() -> None:
    """In a fresh process only the workload rule modules are imported, and the rules found
    are exactly those a full load finds for workloads."""
    code = ("import json, sys\nfrom dockward.models.workload import Workload\n"
            "from dockward.rules.registry import rules_for\n"
            "codes = [r.code for r in rules_for(Workload)]\n"
            "mods = [m for m in sys.modules if m.startswith('dockward.rules.dw')]\n"
            "print(json.dumps([codes, len(mods)]))")
    codes, imported = _in_fresh_process(code)
    assert codes == [r.code for r in rules_for(Workload)]
    assert codes == [r.code for r in all_rules() if Workload in r.models]
    # (a rule module may import a helper from another rule module)
    assert len(_index.BY_MODEL[model_key(Workload)]) <= imported < len(_index.MODULES) / 2


def test_a_module_missing_from_the_index_loads_every_rule(tmp_path: Path) -> None:
    """A rule module added without regenerating the index is not skipped: the registry
    notices the index does not list it and imports all rules."""
    code = ("import json, sys\nimport dockward.rules._index as index\n"
            "index.MODULES = index.MODULES[1:]\n"
            "from dockward.models.build import Build\n"
            "from dockward.rules.registry import rules_for\n"
            "rules_for(Build)\n"
            "print(json.dumps([m for m in sys.modules if m.startswith('dockward.rules.dw')]))")
    assert len(_in_fresh_process(code)) == len(_index.MODULES)
