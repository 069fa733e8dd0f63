"""Swarm rules (DW613, DW616-DW621) on a real two-node swarm of private daemons.

The manager listens on ``0.0.0.0`` (swarm's default, DW619) and advertises 127.0.0.1; a
second daemon joins as a worker.  The tests walk the cluster through its states in order:
one manager with services on a plain and an encrypted overlay network, a worker joining,
hardening (autolock, drained manager) with a one-year certificate lifetime, and a root CA
rotated to a certificate made two years ago.
"""

from __future__ import annotations

import datetime as dt
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

SWARM_RULES = "DW613,DW616,DW617,DW618,DW619,DW620,DW621"


class Cluster:
    def __init__(self, manager: PrivateEngine, worker: PrivateEngine) -> None:
        self.manager = manager
        self.worker = worker
        self.port = free_tcp_port()
        self.label = endpoint_label(manager.base_url)
        self.node_id = ""


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with private_engines([((), {}), ((), {})], busybox=True) as (manager, worker):
        c = Cluster(manager, worker)
        manager.docker("swarm", "init", "--advertise-addr", f"127.0.0.1:{c.port}",
                       "--listen-addr", f"0.0.0.0:{c.port}")
        c.node_id = manager.client.info()["Swarm"]["NodeID"]
        manager.docker("network", "create", "-d", "overlay", "plainnet")
        manager.docker("network", "create", "-d", "overlay", "--opt", "encrypted", "encnet")
        manager.docker("network", "create", "-d", "overlay", "idlenet")
        for name, net in (("svc-plain", "plainnet"), ("svc-enc", "encnet")):
            manager.docker("service", "create", "--detach", "--name", name, "--network", net,
                           BUSYBOX_TAG, "sleep", "1d")
        # a deploy script that forgot to expand the variable, and a secret done right
        manager.docker("service", "create", "--detach", "--name", "svc-env",
                       "--env", "DB_PASSWORD=${DB_PASSWORD}",
                       "--env", "DB_PASSWORD_FILE=/run/secrets/db", BUSYBOX_TAG, "sleep", "1d")
        yield c


def swarm_findings(c: Cluster) -> list[tuple[str, str, str]]:
    result = CliRunner().invoke(app, ["audit", "-H", c.manager.base_url, "--select",
                                      SWARM_RULES, "-f", "json"])
    report: dict[str, Any] = json.loads(result.stdout)
    assert report["errors"] == []
    return [(f["code"], f["subject"], f["message"]) for f in report["findings"]]


def test_one_manager_swarm(cluster: Cluster) -> None:
    c = cluster
    assert swarm_findings(c) == [
        ("DW616", f"{c.label}/network/plainnet",
         "overlay network 'plainnet' (services: svc-plain) is not encrypted: traffic between "
         "nodes on it crosses the network as clear VXLAN; recreate it with docker network "
         "create -d overlay --opt encrypted"),
        ("DW617", f"{c.label}/svc-env",
         "service 'svc-env' gets DB_PASSWORD through its environment (from ${DB_PASSWORD}): "
         "the value is stored in the service spec for anyone who can inspect the service or "
         "its tasks; pass it as a swarm secret (secrets: [...], read from /run/secrets/)"),
        ("DW613", f"{c.label}/swarm",
         "swarm autolock is off: the raft keys that decrypt the cluster state and every swarm "
         "secret are stored in clear on each manager's disk; run docker swarm update "
         "--autolock=true and keep the unlock key outside the cluster"),
        ("DW619", f"{c.label}/swarm",
         f"the swarm manager listens on every interface (0.0.0.0:{c.port}): node joins and "
         "raft traffic are reachable from any network the host is on; rejoin with "
         "--listen-addr set to the management interface"),
    ]


def test_manager_with_a_worker_is_told_to_drain(cluster: Cluster) -> None:
    c = cluster
    token = c.manager.docker("swarm", "join-token", "-q", "worker").stdout.strip()
    port = free_tcp_port()
    c.worker.docker("swarm", "join", "--token", token, "--advertise-addr", f"127.0.0.1:{port}",
                    "--listen-addr", f"127.0.0.1:{port}", f"127.0.0.1:{c.port}")
    found = swarm_findings(c)
    assert [code for code, _, _ in found] == ["DW616", "DW618", "DW617", "DW613", "DW619"]
    assert found[1] == (
        "DW618", f"{c.label}/node/{c.node_id}",
        "manager vm also runs service tasks although the swarm has 1 worker node(s): a "
        "container escape there reaches the raft store, the CA key and every secret; drain "
        "it with docker node update --availability drain vm".replace(
            "vm", c.manager.client.info()["Name"]))


def _drain(c: Cluster) -> None:
    """``docker node update`` races the node's own status updates on a busy machine ("update
    out of sequence": the node object changed between read and write); swarmkit's answer
    is to read again and retry."""
    import time

    from tests.engine.harness import EngineCommandError

    for attempt in range(5):
        try:
            c.manager.docker("node", "update", "--availability", "drain", c.node_id)
            return
        except EngineCommandError as exc:
            if "out of sequence" not in str(exc) or attempt == 4:
                raise
            time.sleep(0.5)


def test_hardened_cluster_with_long_certificates(cluster: Cluster) -> None:
    c = cluster
    c.manager.docker("swarm", "update", "--autolock=true", "--cert-expiry", "8760h")
    _drain(c)
    assert [code for code, _, _ in swarm_findings(c)] == ["DW616", "DW617", "DW619", "DW620"]
    assert swarm_findings(c)[3] == (
        "DW620", f"{c.label}/swarm",
        "swarm node certificates are valid for 365 days (more than 90): a certificate copied "
        "from a node stays usable that long; run docker swarm update --cert-expiry 2160h")


def test_root_ca_made_two_years_ago(cluster: Cluster, tmp_path: Path) -> None:
    c = cluster
    c.manager.docker("swarm", "update", "--cert-expiry", "720h")
    old = CertAuthority(tmp_path, name="old-ca",
                        not_before=dt.datetime.now(dt.UTC) - dt.timedelta(days=730),
                        days=3650)
    c.manager.docker("swarm", "ca", "--rotate", "--ca-cert", str(old.path),
                     "--ca-key", str(old.key_path))
    found = swarm_findings(c)
    assert [code for code, _, _ in found] == ["DW616", "DW617", "DW619", "DW621"]
    assert found[3][2].startswith("the swarm root CA is 730 days old (more than 365)")
