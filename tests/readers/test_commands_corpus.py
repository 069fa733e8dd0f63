"""The run-line reader over real-world scripts, docs, Makefiles and Dockerfiles.

``runlines/`` holds 406 occurrences of the text ``docker run`` (its README).  Not all of
them are commands: 38 are prose ("recreate the container with the same docker run
parameters", `` `docker run` `` mentioned inline without an image, one a ``#`` comment in a
script), and two are snippets in the friendica docs whose ``--network some-network`` line
lacks its trailing backslash, so the image is on a line of its own and the command has no
image — the docker CLI would refuse it too.  One ``docker create`` adds a Workload.  That
gives 367; the floor below leaves room for deliberate changes at the margins
(inline-code commands, new prompt styles) while catching a regression in any one
source family (the largest single file, jessfraz's ``.dockerfunc``, holds 98).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from dockward.models.daemon import Daemon
from dockward.models.workload import Workload
from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.commands import read_commands

CORPUS = Path("/work/shared/corpus/realworld")
RUNLINES = sorted((CORPUS / "runlines").glob("*")) if (CORPUS / "runlines").is_dir() else []
DOCKERFILES = sorted((CORPUS / "dockerfile").glob("*")) if (CORPUS / "dockerfile").is_dir() \
    else []

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not RUNLINES, reason=f"corpus not available at {CORPUS}"),
]

EXPECTED_OCCURRENCES = 406
EXPECTED_WORKLOADS = 367
FLOOR = 360


def kind_of(path: Path, text: str) -> str:
    """By extension: .md markdown, .sh/.bash shell, Makefile; others by their shebang."""
    name = path.name
    if name.endswith(".md"):
        return "markdown"
    if name.endswith((".sh", ".bash")):
        return "shell"
    if name.endswith("Makefile"):
        return "makefile"
    if text.startswith("#!") and any(s in text.split("\n", 1)[0] for s in ("sh", "bash")):
        return "shell"
    return "shell"  # jessfraz's .dockerfunc has a bash shebang; nothing else is left


def read(path: Path, kind: str | None = None) -> tuple[SourceFile, list[object]]:
    text = path.read_text(encoding="utf-8", errors="replace")
    src = SourceFile(path=str(path), display=path.name, text=text,
                     kind=kind or kind_of(path, text))
    return src, list(read_commands(src))


def test_runlines_corpus() -> None:
    start = time.perf_counter()
    results = [read(path) for path in RUNLINES]
    elapsed = time.perf_counter() - start
    occurrences = sum(src.text.count("docker run") for src, _ in results)
    workloads = [(src, m) for src, models in results for m in models
                 if isinstance(m, Workload)]
    kinds = Counter(src.kind for src, _ in workloads)
    print(f"\n{len(RUNLINES)} files, {occurrences} `docker run` occurrences, "
          f"{len(workloads)} run-line Workloads {dict(kinds)}, {elapsed * 1000:.0f} ms")
    assert len(RUNLINES) == 85
    assert occurrences == EXPECTED_OCCURRENCES
    assert FLOOR <= len(workloads) <= EXPECTED_OCCURRENCES
    assert not any(isinstance(m, ParseProblem) for _, models in results for m in models)


def test_every_position_points_at_what_it_names() -> None:
    """The anchor is the runtime word; every flag origin is a flag word (`-v`, `--mount`)."""
    for path in RUNLINES:
        src, models = read(path)
        lines = src.text.split("\n")
        for workload in (m for m in models if isinstance(m, Workload)):
            anchor = workload.anchor
            assert lines[anchor.line - 1][anchor.column - 1:].startswith(
                ("docker", "podman", "nerdctl")), anchor.describe()
            for item in [*workload.mounts, *workload.ports, *workload.env,
                         *workload.cap_add, *workload.devices]:
                text = lines[item.origin.line - 1][item.origin.column - 1:]
                assert text.startswith("-"), (item.origin.describe(), text[:30])


def test_known_facts_of_the_corpus() -> None:
    """A few Workloads checked field by field, one per source family."""
    def find(name: str, line: int) -> Workload:
        _, models = read(CORPUS / "runlines" / name)
        return next(m for m in models if isinstance(m, Workload) and m.anchor.line == line)

    bench = find("docker-bench-security__README.md", 63)
    assert (bench.network_mode, bench.pid_mode, bench.userns_mode) == ("host", "host", "host")
    assert [c.name for c in bench.cap_add] == ["AUDIT_CONTROL"]
    assert any(m.target == "/var/run/docker.sock" for m in bench.mounts)

    sock = find("deepce__tests__docker-ubuntu-sock.sh", 18)
    # scriptPath="$(dirname "$PWD")/deepce.sh" earlier in the script: expanded as far as
    # a static reader can, the command substitution stays unresolved
    assert [(m.source, m.target, m.unresolved) for m in sock.mounts] == [
        ('$(dirname "$PWD")/deepce.sh', "/root/deepce.sh", True),
        ("/var/run/docker.sock", "/var/run/docker.sock", False)]
    assert sock.mounts[1].origin.line == 20

    qemu = find("kubernetes-examples__web__guestbook__php-redis__Makefile", 66)
    assert qemu.privileged and qemu.image == "multiarch/qemu-user-static:register"


def test_dockerfile_corpus_comments_are_not_commands() -> None:
    """84 Dockerfiles (mostly jessfraz's) show `docker run` lines in comments: none counts."""
    start = time.perf_counter()
    commented = 0
    found: list[Workload] = []
    for path in DOCKERFILES:
        src, models = read(path, "dockerfile")
        commented += any(line.lstrip().startswith("#") and "docker run" in line
                         for line in src.text.split("\n"))
        found += [m for m in models if isinstance(m, Workload)]
        assert not any(isinstance(m, Daemon | ParseProblem) for m in models)
    print(f"\n{len(DOCKERFILES)} Dockerfiles, {commented} with `docker run` in comments, "
          f"{len(found)} run-line Workloads, {(time.perf_counter() - start) * 1000:.0f} ms")
    assert commented >= 80
    assert found == []
