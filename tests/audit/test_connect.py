"""Endpoint resolution: --host, contexts, DOCKER_HOST/DOCKER_CONTEXT, local sockets, TLS."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from dockward.readers.engine.connect import (
    Endpoint,
    EndpointError,
    TLSOptions,
    context_id,
    endpoint_label,
    local_socket_candidates,
    normalize_url,
    read_contexts,
    resolve_endpoints,
)


def make_context(config: Path, name: str, host: str, tls: bool = False,
                 skip_verify: bool = False) -> None:
    """Write a context the way ``docker context create`` stores it."""
    folder = config / "contexts" / "meta" / context_id(name)
    folder.mkdir(parents=True)
    meta = {"Name": name, "Metadata": {"Description": ""},
            "Endpoints": {"docker": {"Host": host, "SkipTLSVerify": skip_verify}}}
    (folder / "meta.json").write_text(json.dumps(meta))
    if tls:
        tls_dir = config / "contexts" / "tls" / context_id(name) / "docker"
        tls_dir.mkdir(parents=True)
        for pem in ("ca.pem", "cert.pem", "key.pem"):
            (tls_dir / pem).write_text("x")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "docker-config"
    config.mkdir()
    return {"DOCKER_CONFIG": str(config), "HOME": str(tmp_path),
            "XDG_RUNTIME_DIR": str(tmp_path / "run")}


def test_context_id_is_sha256_of_name() -> None:
    assert context_id("default") == (
        "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f")


def test_read_contexts(env: dict[str, str]) -> None:
    config = Path(env["DOCKER_CONFIG"])
    make_context(config, "remote", "ssh://deploy@build-host")
    make_context(config, "prod", "tcp://prod:2376", tls=True)
    (config / "contexts" / "meta" / "broken").mkdir()
    (config / "contexts" / "meta" / "broken" / "meta.json").write_text("{")
    found = read_contexts(config)
    assert sorted(found) == ["prod", "remote"]
    assert found["prod"].tls_dir and found["remote"].tls_dir is None


def test_explicit_hosts_and_labels(env: dict[str, str]) -> None:
    eps = resolve_endpoints(["unix:///tmp/dw-abc/docker.sock", "tcp://10.0.0.5:2376",
                             "ssh://deploy@build-host", "/var/run/docker.sock", "h:2375"],
                            env=env)
    assert [(e.label, e.url, e.origin) for e in eps] == [
        ("dw-abc", "unix:///tmp/dw-abc/docker.sock", "--host"),
        ("10.0.0.5:2376", "tcp://10.0.0.5:2376", "--host"),
        ("build-host", "ssh://deploy@build-host", "--host"),
        ("local", "unix:///var/run/docker.sock", "--host"),
        ("h:2375", "tcp://h:2375", "--host"),
    ]
    assert all("/" not in e.label for e in eps)


def test_duplicate_labels_are_made_unique(env: dict[str, str]) -> None:
    eps = resolve_endpoints(["unix:///a/x/docker.sock", "unix:///b/x/docker.sock",
                             "unix:///a/x/docker.sock"], env=env)
    assert [e.label for e in eps] == ["x", "x#2"]


def test_docker_host_beats_docker_context(env: dict[str, str]) -> None:
    make_context(Path(env["DOCKER_CONFIG"]), "remote", "tcp://r:2375")
    eps = resolve_endpoints(env={**env, "DOCKER_HOST": "tcp://dh:2375",
                                 "DOCKER_CONTEXT": "remote"})
    assert [(e.label, e.url, e.origin) for e in eps] == [("dh:2375", "tcp://dh:2375",
                                                          "DOCKER_HOST")]


def test_docker_context_and_current_context(env: dict[str, str]) -> None:
    config = Path(env["DOCKER_CONFIG"])
    make_context(config, "remote", "tcp://r:2375")
    make_context(config, "other", "tcp://o:2375")
    eps = resolve_endpoints(env={**env, "DOCKER_CONTEXT": "remote"})
    assert [(e.label, e.context) for e in eps] == [("remote", "remote")]
    (config / "config.json").write_text(json.dumps({"currentContext": "other"}))
    assert [e.label for e in resolve_endpoints(env=env)] == ["other"]


def test_context_option_and_all_contexts(env: dict[str, str]) -> None:
    config = Path(env["DOCKER_CONFIG"])
    make_context(config, "b", "tcp://b:2376", tls=True)
    make_context(config, "a", "ssh://a")
    eps = resolve_endpoints(context=["b"], env=env)
    assert eps[0].tls.verify and eps[0].tls.ca_cert and eps[0].tls.client_key
    every = resolve_endpoints(all_contexts=True, env=env)
    assert [e.label for e in every] == ["default", "a", "b"]


def test_unknown_context_is_a_usage_error(env: dict[str, str]) -> None:
    with pytest.raises(EndpointError, match="context 'nope' not found"):
        resolve_endpoints(context="nope", env=env)


@pytest.mark.parametrize("bad", ["", "ftp://x", "tcp://:2375", "unix://"])
def test_bad_hosts(bad: str, env: dict[str, str]) -> None:
    with pytest.raises(EndpointError):
        resolve_endpoints([bad], env=env)


def test_default_falls_back_to_rootless_then_podman(env: dict[str, str], tmp_path: Path
                                                    ) -> None:
    run = Path(env["XDG_RUNTIME_DIR"])
    (run / "podman").mkdir(parents=True)
    podman = socket.socket(socket.AF_UNIX)
    podman.bind(str(run / "podman" / "podman.sock"))
    try:
        candidates = dict((p, o) for o, p in local_socket_candidates(env))
        assert candidates[str(run / "docker.sock")] == "rootless"
        eps = resolve_endpoints(env=env)
        if not Path("/var/run/docker.sock").exists():
            assert [(e.label, e.origin) for e in eps] == [("podman", "podman")]
        rootless = socket.socket(socket.AF_UNIX)
        rootless.bind(str(run / "docker.sock"))
        try:
            eps = resolve_endpoints(env=env)
            if not Path("/var/run/docker.sock").exists():
                assert [(e.label, e.url) for e in eps] == [
                    ("rootless", f"unix://{run}/docker.sock")]
        finally:
            rootless.close()
    finally:
        podman.close()


def test_tls_options_from_env_and_flags(env: dict[str, str], tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    certs.mkdir()
    for pem in ("ca.pem", "cert.pem", "key.pem"):
        (certs / pem).write_text("x")
    eps = resolve_endpoints(["tcp://h:2376", "unix:///s.sock"],
                            env={**env, "DOCKER_TLS_VERIFY": "1",
                                 "DOCKER_CERT_PATH": str(certs)})
    assert eps[0].tls == TLSOptions(True, True, str(certs / "ca.pem"), str(certs / "cert.pem"),
                                    str(certs / "key.pem"))
    assert eps[1].tls == TLSOptions()
    eps = resolve_endpoints(["tcp://h:2376"], tls=TLSOptions(enabled=True, ca_cert="/ca"),
                            env=env)
    assert eps[0].tls.enabled and not eps[0].tls.verify and eps[0].tls.ca_cert == "/ca"


def test_local_detection() -> None:
    assert Endpoint("a", "unix:///x.sock", "--host").is_local
    assert Endpoint("a", "tcp://127.0.0.1:2375", "--host").is_local
    assert Endpoint("a", "tcp://localhost:2375", "--host").is_local
    assert not Endpoint("a", "tcp://10.1.1.1:2375", "--host").is_local
    assert not Endpoint("a", "ssh://u@h", "--host").is_local


def test_normalize_and_label() -> None:
    assert normalize_url("tcp://h") == "tcp://h:2375"
    assert normalize_url("https://h") == "https://h:2376"
    assert endpoint_label("unix:///run/user/1000/podman/podman.sock") == "podman"
    assert endpoint_label("unix:///srv/engine.sock") == "engine"
    assert endpoint_label("ssh://u@h:2222") == "h:2222"
