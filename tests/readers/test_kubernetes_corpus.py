"""The Kubernetes reader over real-world manifests: no crash, known facts found."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dockward.models.workload import Workload
from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.kubernetes import read_kubernetes

CORPUS = Path("/work/shared/corpus/realworld/k8s")
FILES = sorted(CORPUS.glob("*")) if CORPUS.is_dir() else []

pytestmark = pytest.mark.skipif(not FILES, reason=f"corpus not available at {CORPUS}")


def read(path: Path) -> list[Workload | ParseProblem]:
    file = SourceFile(path=str(path), display=path.name,
                      text=path.read_text(encoding="utf-8"), kind="k8s")
    return list(read_kubernetes(file))


def containers(name: str) -> dict[str, Workload]:
    return {w.name: w for w in read(CORPUS / name) if isinstance(w, Workload)}


def test_every_corpus_file_reads_without_exceptions() -> None:
    start = time.perf_counter()
    results = [item for path in FILES for item in read(path)]
    elapsed = time.perf_counter() - start
    workloads = [w for w in results if isinstance(w, Workload)]
    problems = [p for p in results if isinstance(p, ParseProblem)]
    groups = {g: sum(1 for w in workloads if w.facts["k8s"]["group"] == g)
              for g in ("containers", "initContainers", "ephemeralContainers")}
    print(f"{len(FILES)} files, {len(workloads)} container workloads {groups}, "
          f"{len(problems)} problems, {elapsed * 1000:.0f} ms")
    assert len(FILES) >= 218
    assert len(workloads) >= 245  # 249 when written: 241 containers + 8 init containers
    assert groups["initContainers"] >= 8
    assert problems == []
    assert all(w.is_unknown("pids_limit") and w.is_unknown("restart") for w in workloads)


def test_sysdig_daemonset_mounts_the_docker_socket_on_the_host_network() -> None:
    agent = containers("kubernetes-examples___archived__sysdig-cloud__sysdig-daemonset.yaml")[
        "DaemonSet/sysdig-agent/sysdig-agent"]
    sockets = [m for m in agent.mounts if m.source == "/var/run/docker.sock"]
    assert [(m.type, m.target, m.read_only, m.origin.line, m.origin.path) for m in sockets] == [
        ("bind", "/host/var/run/docker.sock", False, 59,
         "spec.template.spec.containers[0].volumeMounts[0]")]
    assert (agent.network_mode, agent.where("network_mode").line) == ("host", 38)
    assert (agent.pid_mode, agent.where("pid_mode").line) == ("host", 39)
    assert (agent.privileged, agent.where("privileged").line) == (True, 44)
    assert ("bind", "/proc", "/host/proc", True) in [
        (m.type, m.source, m.target, m.read_only) for m in agent.mounts]


def test_elasticsearch_rc_has_a_privileged_init_container() -> None:
    found = containers("kubernetes-examples___archived__elasticsearch__es-rc.yaml")
    init = found["ReplicationController/es/init-sysctl"]
    assert init.facts["k8s"]["group"] == "initContainers"
    assert (init.privileged, init.where("privileged").line) == (True, 21)
    main = [w for name, w in found.items() if name != "ReplicationController/es/init-sysctl"]
    assert main and not any(w.privileged for w in main)


def test_newrelic_daemonset_shares_every_host_namespace() -> None:
    agent = containers("kubernetes-examples___archived__newrelic__newrelic-daemonset.yaml")[
        "DaemonSet/newrelic-agent/newrelic"]
    assert (agent.pid_mode, agent.ipc_mode, agent.network_mode, agent.uts_mode) == (
        "host", "host", "host", "host")
    assert [agent.where(f).line for f in ("pid_mode", "ipc_mode", "network_mode")] == [21, 22, 23]


def test_microservices_demo_frontend_is_hardened() -> None:
    frontend = containers("microservices-demo__kubernetes-manifests__frontend.yaml")[
        "Deployment/frontend/server"]
    assert frontend.no_new_privileges
    assert frontend.allow_privilege_escalation is False
    assert frontend.run_as_non_root is True
    assert frontend.user == "1000:1000"
    assert [c.name for c in frontend.cap_drop] == ["ALL"]
    assert frontend.read_only
    assert (frontend.memory, frontend.cpus) == (128 * 2**20, 0.2)


def test_kustomize_patch_is_a_fragment() -> None:
    (patch,) = containers(
        "gke-samples__ai-ml__llm-serving-gemma__tgi__tgi-2b-parallel__patch.yaml").values()
    assert patch.facts.get("fragment") is True
    assert patch.image is None
    assert patch.is_unknown("memory") and patch.is_unknown("cap_drop")
