"""The bundled examples: every seed problem a file can show is caught at its line, and the
hardened versions scan clean."""

from __future__ import annotations

from pathlib import Path

from dockward.config import Config
from dockward.findings import Severity
from dockward.usecases.scan import scan_paths

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# The findings that are the seed guide's demos (the "missing hardening" family, such as
# DW112/DW113/DW114, is asserted separately below).
SEED_PROBLEMS = {
    ("Dockerfile.build-args", 2, "DW401"),  # ARG SECRET used by RUN: lands in history
    ("build.sh", 4, "DW401"),  # docker build --build-arg SECRET="my secret"
    ("compose.yaml", 9, "DW201"),  # traefik mounts docker.sock (read-only does not help)
    ("compose.yaml", 10, "DW304"),  # restart: always
    ("compose.yaml", 15, "DW104"),  # pid: host
    ("compose.yaml", 16, "DW105"),  # network_mode: host
    ("compose.yaml", 18, "DW102"),  # NET_ADMIN together with the host's network
    ("compose.yaml", 24, "DW101"),  # privileged: true
    ("compose.yaml", 25, "DW304"),  # restart: unless-stopped
    ("run.sh", 7, "DW104"),  # --pid=host
    ("run.sh", 10, "DW102"),  # --cap-add=CAP_NET_ADMIN in its own netns: medium (nf_tables CVEs)
    ("run.sh", 13, "DW101"),  # --privileged
    ("run.sh", 16, "DW201"),  # --volume /var/run/docker.sock:/var/run/docker.sock
    ("run.sh", 23, "DW304"),  # --restart always
    ("run.sh", 26, "DW105"),  # --network=host
    ("run.sh", 29, "DW601"),  # dockerd -H tcp://0.0.0.0:2375
}
MISSING_FAMILY = {"DW103", "DW112", "DW113", "DW114", "DW205", "DW301", "DW302", "DW303", "DW404"}


def _rows(folder: str) -> list[tuple[str, int, str, str]]:
    result = scan_paths([str(EXAMPLES / folder)], Config())
    return [(Path(f.location.file).name, f.location.line, f.code, f.message)
            for f in result.findings]


def test_seed_demo_reports_every_seed_problem_at_its_line() -> None:
    rows = _rows("seed-demo")
    got = {(name, line, code) for name, line, code, _ in rows if code not in MISSING_FAMILY}
    assert got == SEED_PROBLEMS


def test_seed_demo_fork_bomb_and_capabilities() -> None:
    rows = _rows("seed-demo")
    by_line = {(name, line): {c for n, ln, c, _ in rows if (n, ln) == (name, line)}
               for name, line, _, _ in rows}
    # --memory 256m --cpus 4 without a pids limit: the fork bomb still works
    assert "DW303" in by_line[("run.sh", 19)] and "DW301" not in by_line[("run.sh", 19)]
    [msg] = [m for n, ln, c, m in rows if (n, ln, c) == ("run.sh", 19, "DW303")]
    assert "fork bomb" in msg
    # --restart on-failure:5 with every limit: no restart or resource finding
    assert not {"DW301", "DW302", "DW303", "DW304"} & by_line[("run.sh", 22)]
    # --cap-drop=ALL --cap-add=CAP_NET_ADMIN in its own network: every capability but one
    # is dropped, and the one kept still reaches the kernel's netfilter code (medium)
    assert "DW103" not in by_line[("run.sh", 10)]
    result = scan_paths([str(EXAMPLES / "seed-demo" / "run.sh")], Config(select=["DW102"]))
    assert [(f.location.line, f.severity) for f in result.findings] == [(10, Severity.MEDIUM)]
    # Dockerfile.secret + `docker build --secret`: no secret finding at all
    assert not [c for n, _, c, _ in rows if n == "Dockerfile.secret" and c.startswith("DW40")
                and c != "DW404"]
    assert ("build.sh", 6) not in by_line  # docker build --secret id=mysecret,...


def test_seed_demo_messages_explain_the_history_leak() -> None:
    rows = _rows("seed-demo")
    [arg] = [m for n, ln, c, m in rows if (n, ln, c) == ("Dockerfile.build-args", 2, "DW401")]
    assert "docker history" in arg and "--mount=type=secret" in arg


def test_hardened_examples_pass_at_medium() -> None:
    result = scan_paths([str(EXAMPLES / "hardened")], Config())
    assert result.files_scanned == 3
    assert [f for f in result.findings if f.severity >= Severity.MEDIUM] == []
