"""The compose reader over real-world compose files: no crash, known facts found."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from dockward.models.workload import Workload
from dockward.readers.base import ParseProblem, ReadError, SourceFile
from dockward.readers.compose import read_compose

CORPUS = Path("/work/shared/corpus/realworld/compose")
FILES = sorted(CORPUS.glob("*")) if CORPUS.is_dir() else []

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not FILES, reason=f"corpus not available at {CORPUS}"),
]


def read(path: Path) -> list[Workload | ParseProblem]:
    file = SourceFile(path=str(path), display=path.name,
                      text=path.read_text(encoding="utf-8"), kind="compose")
    try:
        return list(read_compose([file]))
    except ReadError:  # allowed by the contract, though the reader reports ParseProblems
        return []


def services(name: str) -> dict[str, Workload]:
    return {w.name: w for w in read(CORPUS / name) if isinstance(w, Workload)}


def test_every_corpus_file_reads_without_exceptions() -> None:
    start = time.perf_counter()
    results = [item for path in FILES for item in read(path)]
    elapsed = time.perf_counter() - start
    workloads = [w for w in results if isinstance(w, Workload)]
    problems = [p for p in results if isinstance(p, ParseProblem)]
    print(f"{len(FILES)} files, {len(workloads)} services, {len(problems)} problems, "
          f"{elapsed * 1000:.0f} ms")
    assert len(FILES) >= 200
    assert len(workloads) >= 350  # 361 when written
    assert problems == []


def test_portainer_mounts_the_docker_socket() -> None:
    portainer = services("awesome-compose__portainer__compose.yaml")["portainer"]
    sockets = [m for m in portainer.mounts if m.source == "/var/run/docker.sock"]
    assert len(sockets) == 1
    assert (sockets[0].type, sockets[0].target, sockets[0].read_only) == (
        "bind", "/var/run/docker.sock", False)
    assert (sockets[0].origin.line, sockets[0].origin.path) == (9, "services.portainer.volumes[0]")
    assert portainer.restart is not None and portainer.restart.name == "always"
    assert [(p.host_port, p.container_port) for p in portainer.ports] == [("9000", "9000")]


def test_cadvisor_is_privileged_with_kmsg() -> None:
    cadvisor = services("boilerplates__docker-compose__cadvisor__compose.yaml")["cadvisor"]
    assert cadvisor.privileged
    assert cadvisor.where("privileged").line == 16
    assert [(d.host_path, d.origin.line) for d in cadvisor.devices] == [("/dev/kmsg", 15)]
    assert ("bind", "/", "/rootfs", True) in [
        (m.type, m.source, m.target, m.read_only) for m in cadvisor.mounts]


def test_plex_uses_the_host_network_and_an_unresolved_media_path() -> None:
    plex = services("awesome-compose__plex__compose.yaml")["plex"]
    assert plex.network_mode == "host"
    assert plex.where("network_mode").line == 5
    (media,) = plex.mounts
    assert (media.source, media.unresolved, media.origin.line) == (
        "${PLEX_MEDIA_PATH}", True, 10)


def test_dockprom_exporters() -> None:
    found = services("dockprom__docker-compose.exporters.yml")
    assert {name: (w.network_mode, w.privileged) for name, w in found.items()} == {
        "nodeexporter": ("host", False), "cadvisor": ("host", True)}
    # ``$$`` in the command is compose's escape for a literal ``$``
    assert found["nodeexporter"].command[-1].endswith("($|/)")
