"""No output format ever shows a secret whole.

Files full of canary secrets (in every place a secret can hide: ENV, ARG defaults,
``--build-arg``, compose ``environment`` and ``build.args``, ``docker run -e``, URLs with
credentials) are scanned end to end and rendered with every reporter; no canary may
appear in any of the outputs.
"""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from dockward.report import Report
from dockward.reporters import FORMATS, get_renderer
from dockward.usecases.scan import ScanResult, scan_paths

CANARIES = {
    "npm": "npm_" + "Dw0ckwardCanary0000000000000000000001",
    "github": "ghp_" + "Dw0ckwardCanary0000000000000000000002",
    "password": "Dw0ckward-canary-pw-0003",
    "url_password": "Dw0ckwardCanaryUrlPw0004",
    "build_arg": "Dw0ckward-canary-arg-0005",
    "compose_env": "Dw0ckward-canary-env-0006",
    "run_env": "Dw0ckward-canary-run-0007",
    "stripe": "sk_live_" + "Dw0ckwardCanary00000008",
}


def _write(root: Path) -> None:
    c = CANARIES
    (root / "Dockerfile").write_text(textwrap.dedent(f"""\
        FROM node:22-alpine AS build
        ARG NPM_TOKEN={c["npm"]}
        RUN npm ci
        ENV GITHUB_TOKEN={c["github"]}
        ENV DB_PASSWORD {c["password"]}
        RUN curl -fsSL https://bot:{c["url_password"]}@get.example.com/i.sh | sh
        ADD https://bot:{c["url_password"]}@files.example.com/x.tgz /opt/
        FROM build
        ARG STRIPE_KEY
        ENV STRIPE_KEY=$STRIPE_KEY
        """))
    (root / "build.sh").write_text(textwrap.dedent(f"""\
        #!/bin/sh
        docker build --build-arg STRIPE_KEY={c["stripe"]} --build-arg API_TOKEN="{c["build_arg"]}" .
        docker run -d -e MYSQL_ROOT_PASSWORD={c["run_env"]} --privileged mysql:8
        """))
    (root / "compose.yaml").write_text(textwrap.dedent(f"""\
        services:
          db:
            image: postgres:17
            environment:
              POSTGRES_PASSWORD: {c["compose_env"]}
          app:
            build:
              context: .
              args:
                NPM_TOKEN: {c["npm"]}
        """))


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScanResult]:
    """The scan of the canary folder, run from inside it (paths display relative)."""
    root = tmp_path_factory.mktemp("canaries")
    _write(root)
    cwd = os.getcwd()
    os.chdir(root)  # the text reporter re-reads source lines relative to the cwd
    try:
        yield scan_paths(["."])
    finally:
        os.chdir(cwd)


def test_the_scan_reports_the_secrets(scanned: ScanResult) -> None:
    codes = {f.code for f in scanned.findings}
    assert {"DW401", "DW402", "DW406", "DW407"} <= codes, sorted(codes)
    for f in scanned.findings:
        for canary in CANARIES.values():
            assert canary not in f.message and canary not in f.evidence, (f.code, f.message)
            assert canary not in repr(f.extra), f.code


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_reporter_prints_a_canary(scanned: ScanResult, fmt: str) -> None:
    report = Report(command="scan", findings=scanned.findings, root=".",
                    stats={"files_scanned": scanned.files_scanned}, show_suppressed=True)
    out = io.StringIO()
    get_renderer(fmt)(report, out, color=False)
    text = out.getvalue()
    assert text.strip(), f"{fmt} rendered nothing"
    leaked = [name for name, canary in CANARIES.items() if canary in text]
    assert not leaked, f"{fmt} output shows {leaked} whole"
