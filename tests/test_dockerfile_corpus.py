"""The real-world Dockerfile corpus: everything parses, and the secret findings are known.

The corpus (``../shared/corpus/realworld/dockerfile``, 427 files) includes what trips other
linters: heredocs with a comment right after the terminator, ``FROM image:sha256:...``,
Windows images with PowerShell RUNs (``# escape=`` is covered by the reader tests: the
corpus has none).  Every file must become a Build
(or a DW000 with a message), never a traceback.

The secret rules' results were reviewed one by one; the counts below are that review, so a
change in them is a change in behaviour to look at, not noise:

* DW402 ``jessfraz-dockerfiles__slapd.Dockerfile:38`` - ``ENV LDAP_ROOTPASS=fsociety``:
  true positive, the LDAP admin password is baked into the image config.
* DW402 ``jessfraz-dockerfiles__telize.Dockerfile:8`` - ``ENV LICENSE_KEY <16 chars>``:
  true positive, a MaxMind license key hard-coded and used by the RUNs that follow.
* DW401: none (no ARG in the corpus has a secret-like name or default).
* DW403: none (no COPY/ADD of a credential file).

Non-secrets that must stay quiet (and do): TARGETARCH/TARGETOS, *_VERSION, *_URL, *_SHA256,
GPG_KEY/GPG_KEYS fingerprints used for verification, DOCKER_AUTH_VERSION, OAUTH2_PROXY_VERSION.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dockward.config import Config
from dockward.models.build import Build
from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.dockerfile import read_dockerfile
from dockward.usecases.scan import scan_paths

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "realworld" / "dockerfile"
if not CORPUS.is_dir():  # the corpus lives next to the repository on the reference machine
    CORPUS = Path("/work/shared/corpus/realworld/dockerfile")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="real-world corpus not present"),
]

EXPECTED_SECRET_FINDINGS = {
    ("DW402", "jessfraz-dockerfiles__slapd.Dockerfile", 38),
    ("DW402", "jessfraz-dockerfiles__telize.Dockerfile", 8),
}


def test_every_corpus_dockerfile_is_read() -> None:
    files = sorted(p for p in CORPUS.iterdir() if p.is_file())
    assert len(files) == 427
    kinds: Counter[str] = Counter()
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        models = list(read_dockerfile(SourceFile(str(path), path.name, text, "dockerfile")))
        assert len(models) == 1, path.name
        model = models[0]
        if isinstance(model, ParseProblem):
            assert model.message and model.location.line >= 1, path.name
            kinds["problem"] += 1
            continue
        assert isinstance(model, Build)
        assert model.stages, f"{path.name}: no FROM found"
        kinds["heredoc"] += any(r.heredocs or "\n" in r.script for s in model.stages
                                for r in s.runs)
        kinds["windows"] += any(s.shell and s.shell[0].lower() in ("powershell", "pwsh", "cmd")
                                for s in model.stages)
    assert kinds["problem"] == 0
    assert kinds["heredoc"] >= 20 and kinds["windows"] >= 5


def test_secret_findings_are_the_reviewed_ones() -> None:
    result = scan_paths([str(CORPUS)],
                        Config(select=["DW401", "DW402", "DW403", "DW000"]))
    got = {(f.code, Path(f.location.file).name, f.location.line) for f in result.findings}
    assert got == EXPECTED_SECRET_FINDINGS
    counts = Counter(code for code, _, _ in got)
    assert (counts["DW401"], counts["DW402"], counts["DW403"]) == (0, 2, 0)
    for f in result.findings:
        assert "fsociety" not in f.message + f.evidence
        assert "lgNvGyhnUKpa5PJi" not in f.message + f.evidence
