"""Secrets a hostile (or careless) repository writes must never be printed whole, in any
format (issue 17, "Secrets printed in clear"); secret detection stays linear (issue 17,
"Hangs and memory")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockward.redaction import scrub
from dockward.secrets import MASK
from tests.hostile.helpers import run_cli, text

SECRET = "Hunter2Canary"  # short and low entropy: only context can tell it is a secret


@pytest.mark.parametrize(("line", "shown"), [
    ("ENV DB_PASSWORD my Hunter2Canary pass", "ENV DB_PASSWORD my***ss"),
    ("  DB_PASSWORD: my Hunter2Canary pass  # note", "  DB_PASSWORD: my***ss  # note"),
    ("docker run -e DB_PASSWORD='my Hunter2Canary' --name x alpine",
     "docker run -e DB_PASSWORD='my***ry' --name x alpine"),
    ('docker run -e DB_PASSWORD="a \\"Hunter2Canary\\" b" alpine',
     'docker run -e DB_PASSWORD="a *** b" alpine'),
    ("export DB_PASSWORD=my\\ Hunter2Canary", "export DB_PASSWORD=my***ry"),
    ("docker login -u me -p Hunter2Canary registry.example.com",
     "docker login -u me -p Hu***ry registry.example.com"),
    ("docker login -pHunter2Canary registry", "docker login -pHu***ry registry"),
    ("mysql -uroot -pHunter2Canary db", "mysql -uroot -pHu***ry db"),
    ("mysqladmin --password Hunter2Canary status", "mysqladmin --password Hu***ry status"),
    ("app --password=Hunter2Canary", "app --password=Hu***ry"),
    ("curl -u admin:Hunter2Canary https://x", "curl -u admin:Hu***ry https://x"),
    ("curl --user admin:Hunter2Canary https://x", "curl --user admin:Hu***ry https://x"),
    ("sshpass -p Hunter2Canary ssh host", "sshpass -p Hu***ry ssh host"),
    ("environment: {DB: {PASSWORD: Hunter2Canary, USER: bob}}",
     "environment: {DB: {PASSWORD: Hu***ry, USER: bob}}"),
    ("DOCKER_HOST=tcp://user:Hunter2Canary@host:2375", "DOCKER_HOST=tcp://user:Hu***ry@host:2375"),
    ("curl https://api.example.com/x?token=Hunter2Canary&page=2",
     "curl https://api.example.com/x?token=Hu***ry&page=2"),
])
def test_the_detector_masks_values_in_every_spelling(line: str, shown: str) -> None:
    assert scrub(line) == shown


@pytest.mark.parametrize("line", [
    "docker run -p 8080:80 -u 1000:1000 alpine",
    "docker build --secret id=npm,src=.npmrc .",
    "docker login --password-stdin < pw.txt",
    "docker build --build-arg TOKEN=$TOKEN .",
    "use a secrets file (`*_FILE` + `secrets:`) or take the value from the environment",
])
def test_context_is_kept(line: str) -> None:
    assert scrub(line) == line


FILES = {
    "compose.yaml": "services:\n  web:\n    image: nginx\n    environment:\n"
                    "      - DB_PASSWORD=my Hunter2Canary pass\n"
                    "      - API_TOKEN=\"quoted Hunter2Canary\"\n"
                    "    labels:\n      DB:\n        PASSWORD: Hunter2Canary\n",
    "login.sh": "docker login -u me -p Hunter2Canary registry.example.com\n"
                "mysql -uroot -pHunter2Canary -e 'select 1' && docker run --privileged x\n"
                "curl -u admin:Hunter2Canary https://x | sh && docker run --pid=host x\n"
                "export DOCKER_HOST=tcp://user:Hunter2Canary@10.0.0.5:2375\n",
    "Dockerfile": "FROM alpine\nENV DB_PASSWORD my Hunter2Canary pass\n"
                  "RUN docker run -e TOKEN='a Hunter2Canary' --privileged x\n",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("leaks")
    for name, content in FILES.items():
        (root / name).write_text(content)
    return root


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "markdown",
                                 "csv", "html"])
def test_no_format_prints_the_secret(repo: Path, fmt: str) -> None:
    proc = run_cli("scan", str(repo), "-f", fmt, "--show-suppressed")
    out = text(proc)
    assert proc.returncode == 1, out
    assert SECRET not in out, fmt


def test_dw601_message_masks_the_password_in_docker_host(repo: Path) -> None:
    """The issue's reproduction: DW601 printed ``tcp://user:PASSWORD@host`` whole."""
    data = json.loads(run_cli("scan", str(repo / "login.sh"), "--select", "DW601",
                              "-f", "json").stdout)
    messages = [f["message"] for f in data["findings"]]
    assert messages and all("tcp://user:Hu***ry@10.0.0.5:2375" in m for m in messages)


@given(st.sampled_from(["a", "aB3", " ", "${", "$(", "{{", "://", "x:", "=", "PASSWORD=",
                        "-p", "{", "\\", "'", '"', "-----BEGIN RSA PRIVATE KEY-----"]),
       st.integers(min_value=2_000, max_value=40_000))
@settings(max_examples=40, deadline=None)
def test_detection_is_linear_on_long_runs(piece: str, size: int) -> None:
    """Long runs of one piece (the worst cases of the old patterns: letters, unclosed
    expansions, blanks) cost a bounded number of steps per character: the budget below is
    a step count measured by ``sys.setprofile``-free counting of regex calls is not
    possible, so the check is the scaling itself: doubling the input at most ~2.5x the
    work, measured in CPU time of many repetitions (robust to noise by taking minima)."""
    import time

    from dockward.secrets import classify_value, is_placeholder

    def cost(n: int) -> float:
        value = piece * (n // len(piece) + 1)
        best = float("inf")
        for _ in range(3):
            started = time.process_time()
            scrub(value)
            classify_value(value + "x")  # no cache hit
            is_placeholder(value)
            best = min(best, time.process_time() - started)
        return best

    small, large = cost(size), cost(8 * size)
    assert large < 8 * 3 * max(small, 0.002), (piece, size, small, large)


def test_mask_is_short() -> None:
    assert MASK == "***"
