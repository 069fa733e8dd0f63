"""Structure-aware property tests for every reader (issue 16, "Fuzzing as a habit").

Invariants on generated input: no internal error; every finding's position is inside the
file and points at text that exists; no message shows a reader's internals; and the same
settings written as a ``docker run`` line and as a compose service give the same workload
findings.  Bounded for CI; ``scripts/fuzz.py`` runs the same generators for as long as asked.
"""

from __future__ import annotations

import re
import shlex
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockward.config import Config
from dockward.findings import Finding
from dockward.inside.to_workload import build_observed
from dockward.readers.engine.inspect_to_workload import workload_from_create_body
from dockward.rules.runner import RuleRunner
from dockward.text import LineIndex
from dockward.usecases.scan import scan_paths
from tests.hostile.generators import (
    compose_documents,
    create_bodies,
    dockerfiles,
    pod_specs,
    proc_status,
    run_lines,
)

INTERNALS = re.compile(r"_Node\(|object at 0x|<dockward\.|Traceback|<class ")
BOUNDED = settings(max_examples=60, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def check_findings(findings: list[Finding], texts: dict[str, str]) -> None:
    """The invariants every scan must keep, whatever the input."""
    for f in findings:
        assert f.name != "internal-error" and "internal error" not in f.message, f.message
        assert not INTERNALS.search(f.message), f.message
        text = texts.get(Path(f.location.file).name)
        if text is None or not f.location.line:
            continue
        index = LineIndex(text)
        assert 1 <= f.location.line <= index.line_count, (f.code, f.location, text)
        line = index.line(f.location.line)
        assert 1 <= (f.location.column or 1) <= len(line) + 1, (f.code, f.location, line)


def scan_text(name: str, text: str, select: list[str] | None = None) -> list[Finding]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        findings = scan_paths([str(path)], Config(select=select or ["DW"])).findings
    check_findings(findings, {Path(name).name: text})
    return findings


@BOUNDED
@given(compose_documents())
def test_compose(text: str) -> None:
    scan_text("compose.yaml", text)


@BOUNDED
@given(st.lists(run_lines(), min_size=1, max_size=3),
       st.sampled_from(["run.sh", "README.md", "Makefile", ".github/workflows/ci.yml"]))
def test_run_lines_in_every_kind(lines: list[str], name: str) -> None:
    body = "".join(lines)
    if name == "README.md":
        body = "```sh\n" + body + "```\n"
    elif name == "Makefile":
        body = "run:\n" + "".join("\t" + line for line in lines)
    elif name.endswith("ci.yml"):
        body = ("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
                + "".join(f"    - run: {shlex.quote(line.strip())}\n" for line in lines))
    scan_text(name, body)


@BOUNDED
@given(dockerfiles())
def test_dockerfiles(text: str) -> None:
    scan_text("Dockerfile", text)


@BOUNDED
@given(pod_specs())
def test_kubernetes(text: str) -> None:
    scan_text("pod.yaml", text)


@BOUNDED
@given(create_bodies())
def test_create_bodies(body: dict[str, Any]) -> None:
    workload = workload_from_create_body(body, "host/x", "x")
    check_findings(RuleRunner(Config()).run([workload]), {})


@BOUNDED
@given(proc_status())
def test_proc_status_views(status: str) -> None:
    from dockward.inside import probe
    from tests.inside.helpers import FIXTURES, tree_roots, variant

    with tempfile.TemporaryDirectory() as folder:
        tree = variant(Path(folder), "v2-limited", {"proc/self/status": status})
        obs = probe.observe(**tree_roots(tree), probe_sockets=False, environ={})
    workload, observation = build_observed(obs, subject="observed")
    check_findings(RuleRunner(Config()).run([workload, observation]), {})
    assert FIXTURES.is_dir()


# --- one workload, two surfaces ----------------------------------------------------------

# (docker run flags, compose keys): the same setting on both surfaces
SETTINGS: dict[str, tuple[list[str], dict[str, Any]]] = {
    "privileged": (["--privileged"], {"privileged": True}),
    "sys_admin": (["--cap-add=SYS_ADMIN"], {"cap_add": ["SYS_ADMIN"]}),
    "drop_all": (["--cap-drop=ALL"], {"cap_drop": ["ALL"]}),
    "pid_host": (["--pid=host"], {"pid": "host"}),
    "net_host": (["--network=host"], {"network_mode": "host"}),
    "ipc_host": (["--ipc=host"], {"ipc": "host"}),
    "uts_host": (["--uts=host"], {"uts": "host"}),
    "userns_host": (["--userns=host"], {"userns_mode": "host"}),
    "seccomp": (["--security-opt", "seccomp=unconfined"],
                {"security_opt": ["seccomp=unconfined"]}),
    "nnp": (["--security-opt", "no-new-privileges"],
            {"security_opt": ["no-new-privileges:true"]}),
    "root": (["--user", "0"], {"user": "0"}),
    "nonroot": (["--user", "1000:1000"], {"user": "1000:1000"}),
    "read_only": (["--read-only"], {"read_only": True}),
    "socket": (["-v", "/var/run/docker.sock:/var/run/docker.sock"],
               {"volumes": ["/var/run/docker.sock:/var/run/docker.sock"]}),
    "root_mount": (["-v", "/:/host"], {"volumes": ["/:/host"]}),
    "device": (["--device=/dev/sda"], {"devices": ["/dev/sda"]}),
    "port": (["-p", "8080:80"], {"ports": ["8080:80"]}),
    "daemon_port": (["-p", "2375:2375"], {"ports": ["2375:2375"]}),
    "memory": (["--memory=512m"], {"mem_limit": "512m"}),
    "cpus": (["--cpus=1"], {"cpus": 1}),
    "pids": (["--pids-limit=100"], {"pids_limit": 100}),
    "always": (["--restart=always"], {"restart": "always"}),
    "bounded": (["--restart=on-failure:3"], {"restart": "on-failure:3"}),
}
_EXCLUSIVE = [{"root", "nonroot"}, {"always", "bounded"}, {"socket", "root_mount"},
              {"port", "daemon_port"}, {"seccomp", "nnp"}]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sets(st.sampled_from(sorted(SETTINGS)), max_size=8))
def test_a_run_line_and_a_compose_service_agree(chosen: set[str]) -> None:
    import yaml

    for group in _EXCLUSIVE:
        if len(chosen & group) > 1:
            chosen -= set(sorted(chosen & group)[1:])
    flags: list[str] = []
    service: dict[str, Any] = {"image": "nginx"}
    for name in sorted(chosen):
        run_flags, keys = SETTINGS[name]
        flags += run_flags
        for key, value in keys.items():
            if isinstance(value, list) and isinstance(service.get(key), list):
                service[key] = service[key] + value
            else:
                service[key] = value
    line = "docker run " + " ".join(shlex.quote(f) for f in flags) + " nginx\n"
    compose = yaml.safe_dump({"services": {"web": service}}, sort_keys=False)
    workload_rules = ["DW1", "DW2", "DW3"]
    from_run = {f.code for f in scan_text("run.sh", line, workload_rules)}
    from_compose = {f.code for f in scan_text("compose.yaml", compose, workload_rules)}
    assert from_run == from_compose, (sorted(chosen), sorted(from_run ^ from_compose))
