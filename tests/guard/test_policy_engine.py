"""Policies against a real dockerd: exceptions, lookups of named objects, TLS users.

Objects the default policy refuses are created through a narrow exception, then used by
a request the exception does not cover: the guard must judge what the reference brings
(a bind volume, another container's mounts or namespaces, a container started later).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.guard.helpers import guarded_engine
from tests.guard.tls import make_pki

pytestmark = [pytest.mark.engine, pytest.mark.slow]

DENIED = "authorization denied by plugin"

HOLDERS = '''
[[exceptions]]
name = "holders may hold host paths and namespaces"
rules = ["DW202", "DW104"]
container = "holder*"
'''


def test_references_to_allowed_objects_are_judged_at_use(
        make_private_engine: Callable[..., Any]) -> None:
    with guarded_engine(make_private_engine, policy=HOLDERS) as guard:
        made = guard.docker("volume", "create", "--opt", "type=none", "--opt", "o=bind",
                            "--opt", "device=/root", "holder-vol")
        assert made.returncode == 0, made.stderr
        holder = guard.docker("run", "-d", "--name", "holder1", "--pid", "host",
                              "-v", "/root:/hostroot:ro", "busybox:dw", "sleep", "60")
        assert holder.returncode == 0, holder.stderr
        cases = [
            (["-v", "holder-vol:/x"], "DW202"),  # S5: a bind volume, at use
            (["--volumes-from", "holder1"], "DW202"),  # S7
            (["--pid", "container:holder1"], "DW104"),  # S11
        ]
        for args, code in cases:
            result = guard.docker("create", "--name", "user1", *args, "busybox:dw", "true")
            assert f"{DENIED} {guard.name}: {code}" in result.stderr, (args, result.stderr)
        assert [n for n in guard.engine.client.api.containers(all=True)
                if "/user1" in n["Names"]] == []
        waived = guard.wait_decision(lambda r: r.get("waived") and r["decision"] == "allow")
        assert waived["waived"] == [
            "DW202 by 'holders may hold host paths and namespaces'"]


def test_s19_start_of_a_container_created_under_an_older_policy(
        make_private_engine: Callable[..., Any]) -> None:
    loose = '[[exceptions]]\nname = "legacy"\nrules = ["DW101"]\ncontainer = "legacy"\n'
    with guarded_engine(make_private_engine, policy=loose) as guard:
        created = guard.docker("create", "--name", "legacy", "--privileged", "busybox:dw",
                               "true")
        assert created.returncode == 0, created.stderr
        (guard.tmp / "policy.toml").write_text("")  # the policy tightens
        guard.kill_plugin()
        guard.start_plugin()
        result = guard.docker("start", "legacy")
        assert f"{DENIED} {guard.name}: DW101 runs privileged" in result.stderr
        state = guard.engine.client.api.inspect_container("legacy")["State"]
        assert state["Status"] == "created"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_tls_user_from_the_client_certificate(make_private_engine: Callable[..., Any],
                                              tmp_path: Path) -> None:
    """dockerd passes the client certificate's CN as User: "CN=ci may build"."""
    pki = make_pki(tmp_path / "pki")
    port = _free_port()
    policy = ('deny-routes = ["build"]\n[[exceptions]]\nname = "ci may build"\n'
              'user = "ci"\nroutes = ["build"]\n')
    tls_args = ("--tlsverify", f"--tlscacert={pki}/ca.pem", f"--tlscert={pki}/server.pem",
                f"--tlskey={pki}/server-key.pem", f"-H=tcp://127.0.0.1:{port}")
    with guarded_engine(make_private_engine, policy=policy, dockerd_args=tls_args) as guard:
        ctx = tmp_path / "ctx"
        ctx.mkdir()
        (ctx / "Dockerfile").write_text("FROM busybox:dw\nRUN true\n")

        def build(cn: str) -> subprocess.CompletedProcess[str]:
            env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
            env.update(DOCKER_BUILDKIT="0", DOCKER_CONFIG=str(tmp_path / f"cfg-{cn}"))
            return subprocess.run(
                [guard.engine.docker_cli, "-H", f"tcp://127.0.0.1:{port}", "--tlsverify",
                 f"--tlscacert={pki}/ca.pem", f"--tlscert={pki}/{cn}.pem",
                 f"--tlskey={pki}/{cn}-key.pem", "build", "-t", f"tls-{cn}", str(ctx)],
                capture_output=True, text=True, env=env, timeout=120, check=False)

        ci = build("ci")
        assert ci.returncode == 0, ci.stderr
        alice = build("alice")
        assert f"{DENIED} {guard.name}: POST /build (route build) is refused" in alice.stderr
        local = guard.engine.docker("build", "-t", "tls-local", str(ctx), check=False,
                                    env={"DOCKER_BUILDKIT": "0"})
        assert "is refused by the guard's policy" in local.stderr
        # an allowed request's line waits for its response (AuthZRes), written in batches
        ci_record = guard.wait_decision(lambda r: r["user"] == "ci"
                                        and r["route"] == "POST /build")
        users = {(r["user"], r["decision"]) for r in guard.decisions()
                 if r["route"] == "POST /build"}
        assert users == {("ci", "allow"), ("alice", "deny"), ("local", "deny")}
        assert json.dumps(ci_record).count("BEGIN CERTIFICATE") == 0
