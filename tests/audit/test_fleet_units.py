"""Small pieces of the fleet audit, without an engine: hosts files, URL redaction, the
swarm CA date, the engine kind, the worker pool."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from dockward.readers.engine.connect import EndpointError, engine_of, resolve_endpoints
from dockward.readers.engine.hosts_file import read_hosts_file
from dockward.readers.engine.swarm import certificate_not_before
from dockward.readers.engine.worker_pool import DaemonThreadPool
from dockward.url_redaction import redact_urls_in
from tests.engine.certs import NOW, CertAuthority


def test_hosts_file_lines_comments_and_options(tmp_path: Path) -> None:
    ca = CertAuthority(tmp_path / "ca")
    ca.client_dir(tmp_path / "db1", ca.issue("client"))
    (tmp_path / "ca-only").mkdir()
    (tmp_path / "ca-only" / "ca.pem").write_bytes(ca.path.read_bytes())
    path = tmp_path / "fleet.txt"
    path.write_text("# fleet\n\n/var/run/docker.sock\nssh://ops@web1   # comment\n"
                    "tcp://10.0.0.5:2376 tls-dir=db1 label=db1 timeout=7.5\n"
                    "10.0.0.6 tls-dir=ca-only\n")
    lines = read_hosts_file(str(path))
    assert [(h.url, h.line, h.label, h.timeout) for h in lines] == [
        ("unix:///var/run/docker.sock", 3, None, None),
        ("ssh://ops@web1", 4, None, None),
        ("tcp://10.0.0.5:2376", 5, "db1", 7.5),
        ("tcp://10.0.0.6:2375", 6, None, None),
    ]
    assert lines[2].tls is not None and lines[2].tls.client_cert == str(tmp_path / "db1/cert.pem")
    assert lines[3].tls is not None and lines[3].tls.client_cert is None
    endpoints = resolve_endpoints(host_lines=lines, env={"HOME": str(tmp_path)})
    assert [(e.label, e.origin, e.host_timeout) for e in endpoints] == [
        ("local", "hosts-file", None), ("web1", "hosts-file", None),
        ("db1", "hosts-file", 7.5), ("10.0.0.6:2375", "hosts-file", None)]
    assert endpoints[2].tls.verify and endpoints[2].tls.ca_cert == str(tmp_path / "db1/ca.pem")


@pytest.mark.parametrize(("line", "message"), [
    ("tcp://h:2376 tls=certs", "unknown option 'tls=certs' (expected URL then tls-dir=..., "
                               "label=..., timeout=...)"),
    ("tcp://h:2376 timeout=soon", "timeout must be a number of seconds, got 'soon'"),
    ("tcp://h:2376 timeout=0", "timeout must be a number of seconds, got '0'"),
    ("tcp://h:2376 label=a/b", "label must be non-empty and without '/', got 'a/b'"),
    ("tcp://h:2376 label=a label=b", "label given twice"),
    ("unix:///x.sock tls-dir=.", "tls-dir applies to tcp:// hosts only"),
    ("tcp://h:2376 tls-dir=nowhere", "tls-dir 'nowhere': no such folder"),
    ("tcp://h:2376 tls-dir=.", "tls-dir '.' has no ca.pem"),
    ("gopher://h", "unsupported host scheme 'gopher' in 'gopher://h'"),
    ("tcp://h 'unclosed", "No closing quotation"),
])
def test_hosts_file_errors_name_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "hosts"
    path.write_text(f"# first\n{line}\n")
    with pytest.raises(EndpointError) as info:
        read_hosts_file(str(path))
    assert str(info.value) == f"{path}:2: {message}"


def test_hosts_file_unreadable_or_binary(tmp_path: Path) -> None:
    with pytest.raises(EndpointError, match="cannot read hosts file"):
        read_hosts_file(str(tmp_path / "missing"))
    (tmp_path / "bin").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(EndpointError, match="is not UTF-8 text"):
        read_hosts_file(str(tmp_path / "bin"))


@pytest.mark.parametrize(("text", "shown"), [
    ("tcp://admin:pw@h:2376", "tcp://admin:***@h:2376"),
    ("x (tcp://a:b@h:1): cannot audit tcp://a:b@h:1", "x (tcp://a:***@h:1): cannot audit "
                                                     "tcp://a:***@h:1"),
    ("https://gw/d?token=abc&x=1: refused", "https://gw/d?token=***&x=***: refused"),
    ("(tcp://h:1/?token=abc)", "(tcp://h:1/?token=***)"),
    ("ssh://ops@web1", "ssh://ops@web1"),
    ("no url here?token=abc", "no url here?token=abc"),
    ("unix:///var/run/docker.sock", "unix:///var/run/docker.sock"),
])
def test_credentials_in_urls_are_masked(text: str, shown: str) -> None:
    assert redact_urls_in(text) == shown


def test_redaction_is_linear_on_long_input() -> None:
    text = "tcp://" + "a" * 200_000 + " ?token=" + "b" * 200_000
    started = time.perf_counter()
    redact_urls_in(text)
    assert time.perf_counter() - started < 2  # quadratic would take minutes


def test_certificate_not_before(tmp_path: Path) -> None:
    ca = CertAuthority(tmp_path, not_before=NOW.replace(year=NOW.year - 2, microsecond=0))
    assert certificate_not_before(ca.path.read_text()) == ca.cert.not_valid_before_utc
    assert certificate_not_before("not a pem") is None
    assert certificate_not_before("-----BEGIN CERTIFICATE-----\nAAAA\n"
                                  "-----END CERTIFICATE-----") is None


def test_engine_kind_from_version() -> None:
    assert engine_of({"Components": [{"Name": "Podman Engine", "Version": "4.3.1"}]}) == "podman"
    assert engine_of({"Components": [{"Name": "Engine"}], "Version": "20.10"}) == "docker"
    assert engine_of("garbage") == "docker"


def test_worker_pool_threads_are_daemons_and_can_grow() -> None:
    pool = DaemonThreadPool(1, name="t")
    stuck = threading.Event()
    done = threading.Event()
    pool.submit(stuck.wait)  # occupies the only thread, like a host that hangs
    pool.submit(done.set)
    assert not done.wait(0.2)
    pool.add_workers(1)
    assert done.wait(5)
    assert all(t.daemon for t in threading.enumerate() if t.name.startswith("t-"))
    stuck.set()
    pool.shutdown()
