"""One audit of a fleet: six private daemons, a mutual-TLS daemon and a dead endpoint.

Every daemon runs a container named ``web`` with the socket mounted, so the same finding
exists on every engine: each must be traceable to its own engine (label in the subject,
engine id in the extra fields and the fingerprint), the dead endpoint must be the only
error, and the exit code must be 1 (findings), not 2.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dockward.cli.app import app
from dockward.readers.engine.connect import endpoint_label
from tests.engine.certs import CertAuthority
from tests.engine.fleet import private_engines
from tests.engine.harness import BUSYBOX_TAG, PrivateEngine, free_tcp_port

pytestmark = pytest.mark.engine

PLAIN = 6


class Fleet:
    def __init__(self, engines: list[PrivateEngine], tls_url: str, inventory: Path,
                 dead: str) -> None:
        self.engines = engines
        self.tls_url = tls_url
        self.inventory = inventory
        self.dead = dead


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    folder = tmp_path_factory.mktemp("fleet")
    ca = CertAuthority(folder / "ca")
    server, client = ca.issue("server", server=True), ca.issue("client")
    ca.client_dir(folder / "tls-node", client)
    port = free_tcp_port()
    tls_url = f"tcp://127.0.0.1:{port}"
    tls_args = ("-H", tls_url, "--tlsverify", "--tlscacert", str(ca.path),
                "--tlscert", str(server.cert), "--tlskey", str(server.key))
    specs: list[tuple[tuple[str, ...], dict[str, Any]]] = [((), {})] * PLAIN + [(tls_args, {})]
    with private_engines(specs, busybox=True) as engines:
        for eng in engines:
            eng.run_container("--name", "web", "-v", f"{eng.socket_path}:/var/run/docker.sock",
                              BUSYBOX_TAG, "sleep", "1d")
        dead = f"tcp://127.0.0.1:{free_tcp_port()}"
        inventory = folder / "fleet.txt"
        lines = [f"{e.base_url}" for e in engines[:PLAIN]]
        lines.append(f"{tls_url}  tls-dir=tls-node  label=tls-node")
        lines.append(f"{dead}  timeout=5  # switched off")
        inventory.write_text("# the fleet\n" + "\n".join(lines) + "\n")
        yield Fleet(engines, tls_url, inventory, dead)


def test_fleet_audit(fleet: Fleet) -> None:
    result = CliRunner().invoke(app, ["audit", "--hosts-file", str(fleet.inventory),
                                      "--host-workers", "4", "-f", "json"])
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    label = endpoint_label(fleet.dead)
    assert report["errors"] == [f"{label} ({fleet.dead}): cannot audit: Connection refused"]
    assert report["summary"]["hosts"] == PLAIN + 2
    assert report["summary"]["hosts_audited"] == PLAIN + 1
    labels = [endpoint_label(e.base_url) for e in fleet.engines[:PLAIN]] + ["tls-node"]
    subjects = {s["host"]: s for s in report["subjects"]}
    assert sorted(subjects) == sorted([*labels, label])
    web = [f for f in report["findings"] if f["code"] == "DW201"]
    assert sorted(f["subject"] for f in web) == sorted(f"{lbl}/web" for lbl in labels)
    for f in web:  # each finding names its engine, and that engine is the one audited
        host = subjects[f["extra"]["host"]]
        assert f["subject"].startswith(host["host"] + "/")
        assert f["extra"]["engine_id"] == host["engine_id"]
        assert [c["name"] for c in host["containers"]] == ["web"]
    # every daemon of one machine shares /info's ID; the engine ids still differ
    assert len({subjects[lbl]["engine_id"] for lbl in labels}) == len(labels)
    assert len({f["fingerprint"] for f in web}) == len(labels)
    # the TLS engine is not "TCP without TLS"; the plain ones listen on unix sockets only
    assert not [f for f in report["findings"] if f["code"] == "DW601"]
