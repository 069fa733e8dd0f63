"""``audit`` against a real dockerd that requires mutual TLS (certificates made in the test).

The bug this guards against: ``requests`` lets ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE``
replace the CA the user named, so an engine's own CA lost (``certificate verify failed``)
on machines that set those variables.  Every way of naming the CA (flags,
``DOCKER_CERT_PATH``/``DOCKER_TLS_VERIFY``, a context, a hosts-file ``tls-dir``) is run
with and without those variables pointing at an unrelated CA bundle.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dockward.cli.app import app
from tests.audit.test_connect import make_context
from tests.engine.certs import CertAuthority, Issued
from tests.engine.harness import (
    EngineUnavailable,
    PrivateEngine,
    engine_unavailable_reason,
    free_tcp_port,
    skip_or_fail,
)

pytestmark = pytest.mark.engine

ENV_BUNDLES = [None, "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"]


class TLSSetup:
    def __init__(self, root: Path) -> None:
        self.ca = CertAuthority(root / "ca")
        self.server = self.ca.issue("server", server=True)
        self.client = self.ca.issue("client")
        self.expired = self.ca.issue("expired-client", expired=True)
        self.other_ca = CertAuthority(root / "other", name="other-ca")  # unrelated bundle
        self.other_client = self.other_ca.issue("other-client")
        self.port = free_tcp_port()
        self.url = f"tcp://127.0.0.1:{self.port}"
        self.label = f"127.0.0.1:{self.port}"

    def flags(self, client: Issued | None = None, ca: Path | None = None) -> list[str]:
        client = client or self.client
        return ["-H", self.url, "--tlsverify", "--tlscacert", str(ca or self.ca.path),
                "--tlscert", str(client.cert), "--tlskey", str(client.key)]


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TLSSetup]:
    reason = engine_unavailable_reason()
    if reason:
        skip_or_fail(reason)
    setup = TLSSetup(tmp_path_factory.mktemp("tls"))
    eng = PrivateEngine("-H", setup.url, "--tlsverify", "--tlscacert", str(setup.ca.path),
                        "--tlscert", str(setup.server.cert), "--tlskey", str(setup.server.key))
    try:
        eng.start()
    except EngineUnavailable as exc:
        eng.stop()
        skip_or_fail(str(exc))
    try:
        yield setup
    finally:
        eng.stop()


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    for var in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH",
                "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker-config"))
    return monkeypatch


def set_bundle(env: pytest.MonkeyPatch, var: str | None, tls: TLSSetup) -> None:
    if var:
        env.setenv(var, str(tls.other_ca.path))


def audit(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["audit", *args, "--select", "DW601", "-f", "json"])
    return result.exit_code, json.loads(result.stdout)


def assert_audited(code: int, report: dict[str, Any]) -> None:
    assert report["errors"] == []
    assert report["summary"]["hosts_audited"] == 1
    # reached with TLS and a client certificate: not "TCP without TLS"
    assert report["findings"] == [] and code == 0


@pytest.mark.parametrize("bundle", ENV_BUNDLES)
def test_mutual_tls_with_flags(tls: TLSSetup, clean_env: pytest.MonkeyPatch,
                               bundle: str | None) -> None:
    set_bundle(clean_env, bundle, tls)
    assert_audited(*audit(*tls.flags()))


@pytest.mark.parametrize("bundle", ENV_BUNDLES)
def test_mutual_tls_from_docker_cert_path(tls: TLSSetup, clean_env: pytest.MonkeyPatch,
                                          tmp_path: Path, bundle: str | None) -> None:
    set_bundle(clean_env, bundle, tls)
    clean_env.setenv("DOCKER_CERT_PATH", str(tls.ca.client_dir(tmp_path / "certs", tls.client)))
    clean_env.setenv("DOCKER_TLS_VERIFY", "1")
    clean_env.setenv("DOCKER_HOST", tls.url)
    assert_audited(*audit())


@pytest.mark.parametrize("bundle", ENV_BUNDLES)
def test_mutual_tls_from_a_context(tls: TLSSetup, clean_env: pytest.MonkeyPatch,
                                   tmp_path: Path, bundle: str | None) -> None:
    set_bundle(clean_env, bundle, tls)
    config = tmp_path / "docker-config"
    make_context(config, "secure", tls.url, tls=True)
    from dockward.readers.engine.connect import context_id

    tls.ca.client_dir(config / "contexts" / "tls" / context_id("secure") / "docker", tls.client)
    code, report = audit("--context", "secure")
    assert_audited(code, report)
    assert report["subjects"][0]["host"] == "secure"


@pytest.mark.parametrize("bundle", ENV_BUNDLES)
def test_mutual_tls_from_a_hosts_file_tls_dir(tls: TLSSetup, clean_env: pytest.MonkeyPatch,
                                              tmp_path: Path, bundle: str | None) -> None:
    set_bundle(clean_env, bundle, tls)
    tls.ca.client_dir(tmp_path / "fleet" / "db1", tls.client)
    inventory = tmp_path / "fleet" / "hosts.txt"
    inventory.write_text(f"# one TLS engine\n{tls.url}  tls-dir=db1 label=db1\n")
    code, report = audit("--hosts-file", str(inventory))
    assert_audited(code, report)
    assert report["subjects"][0]["host"] == "db1"


@pytest.mark.parametrize("bundle", ENV_BUNDLES)
def test_wrong_ca_fails_even_when_the_environment_bundle_is_right(
        tls: TLSSetup, clean_env: pytest.MonkeyPatch, bundle: str | None) -> None:
    if bundle:  # the environment names the RIGHT CA: the named (wrong) one must still win
        clean_env.setenv(bundle, str(tls.ca.path))
    code, report = audit(*tls.flags(ca=tls.other_ca.path))
    assert code == 2 and report["summary"]["hosts_audited"] == 0
    [error] = report["errors"]
    assert error.startswith(f"{tls.label} ({tls.url}): cannot audit: ")
    assert "certificate verify failed" in error


@pytest.mark.parametrize("bundle", ENV_BUNDLES)
def test_expired_client_certificate_is_refused(tls: TLSSetup, clean_env: pytest.MonkeyPatch,
                                               bundle: str | None) -> None:
    set_bundle(clean_env, bundle, tls)
    code, report = audit(*tls.flags(client=tls.expired))
    assert code == 2
    [error] = report["errors"]
    assert error.startswith(f"{tls.label} ({tls.url}): cannot audit: ")


@pytest.mark.parametrize("bundle", ENV_BUNDLES)
def test_client_certificate_of_another_ca_is_refused(
        tls: TLSSetup, clean_env: pytest.MonkeyPatch, bundle: str | None) -> None:
    set_bundle(clean_env, bundle, tls)
    code, report = audit(*tls.flags(client=tls.other_client))
    assert code == 2 and len(report["errors"]) == 1


@pytest.mark.parametrize("bundle", ENV_BUNDLES)
def test_plain_client_against_the_tls_port(tls: TLSSetup, clean_env: pytest.MonkeyPatch,
                                           bundle: str | None) -> None:
    set_bundle(clean_env, bundle, tls)
    code, report = audit("-H", tls.url)
    assert code == 2
    [error] = report["errors"]
    assert error.startswith(f"{tls.label} ({tls.url}): cannot audit: ")
    assert "HTTP request to an HTTPS server" in error


def test_tls_without_verification_ignores_the_environment_bundle(
        tls: TLSSetup, clean_env: pytest.MonkeyPatch) -> None:
    """``--tls`` (no verify) with a client certificate: the unrelated bundle in the
    environment must not turn verification back on."""
    clean_env.setenv("REQUESTS_CA_BUNDLE", str(tls.other_ca.path))
    _code, report = audit("-H", tls.url, "--tls", "--tlscert", str(tls.client.cert),
                         "--tlskey", str(tls.client.key))
    assert report["errors"] == [] and report["summary"]["hosts_audited"] == 1


def test_the_sdk_alone_lets_the_environment_bundle_win(
        tls: TLSSetup, clean_env: pytest.MonkeyPatch) -> None:
    """Why :func:`keep_named_ca` exists: the same TLS settings through the plain SDK fail
    as soon as ``REQUESTS_CA_BUNDLE`` is set (if this starts passing, the library fixed it)."""
    import docker
    import requests

    clean_env.setenv("REQUESTS_CA_BUNDLE", str(tls.other_ca.path))
    config = docker.tls.TLSConfig(client_cert=(str(tls.client.cert), str(tls.client.key)),
                                  ca_cert=str(tls.ca.path), verify=True)
    client = docker.APIClient(base_url=tls.url, tls=config, version="1.41")
    with pytest.raises(requests.exceptions.SSLError, match="certificate verify failed"):
        client.info()
    clean_env.delenv("REQUESTS_CA_BUNDLE")
    assert client.info()["ID"]
