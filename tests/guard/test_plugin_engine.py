"""``dockward guard plugin`` in front of a real dockerd, driven by the real docker CLI.

The seed guide's escapes are refused with the rule's message; ordinary work passes; the
decision log records each decision; nothing is left behind (the ``guard`` fixture removes
what a test created, and each denied create is checked not to exist).
"""

from __future__ import annotations

import json

import pytest

from tests.guard.helpers import GuardedEngine

pytestmark = [pytest.mark.engine, pytest.mark.slow]

DENIED = "authorization denied by plugin"

# (docker run/create arguments, rule code, words of the rule's message)
SEED_ESCAPES = [
    (["run", "--rm", "-v", "/:/psm", "busybox:dw", "true"], "DW202",
     "mounts host / writable at /psm"),
    (["run", "--rm", "-v", "/var/run/docker.sock:/var/run/docker.sock", "busybox:dw",
      "true"], "DW201", "mounts the Docker socket /var/run/docker.sock"),
    (["create", "--privileged", "busybox:dw"], "DW101", "runs privileged"),
    (["run", "--rm", "--pid", "host", "busybox:dw", "true"], "DW104",
     "shares the host's PID namespace"),
    (["run", "--rm", "--cap-add", "SYS_ADMIN", "busybox:dw", "true"], "DW102",
     "adds capability SYS_ADMIN"),
    (["run", "--rm", "--security-opt", "seccomp=unconfined", "busybox:dw", "true"], "DW109",
     "disables seccomp"),
]


@pytest.mark.parametrize(("args", "code", "words"), SEED_ESCAPES,
                         ids=[c for _, c, _ in SEED_ESCAPES])
def test_seed_escapes_are_denied_with_the_rule(guard: GuardedEngine, args: list[str],
                                               code: str, words: str) -> None:
    before = set(guard.engine.container_ids())
    result = guard.docker(*args)
    assert result.returncode != 0
    err = result.stderr
    assert f"{DENIED} {guard.name}: {code} {words}" in err, err
    assert "Fix: " in err
    assert set(guard.engine.container_ids()) == before  # nothing was created
    record = guard.wait_decision(lambda r: r["decision"] == "deny" and code in r["rules"])
    assert record["route"] == "POST /containers/create"
    assert record["user"] == "local" and record["mode"] == "plugin"
    assert record["body"].startswith("sha256:") and record["body_size"] > 100
    assert record["message"].startswith(f"{code} {words}")


def test_ordinary_work_passes(guard: GuardedEngine) -> None:
    assert "20.10" in guard.docker("version", "--format", "{{.Server.Version}}").stdout
    assert guard.docker("ps").returncode == 0
    run = guard.docker("run", "--rm", "busybox:dw", "true")
    assert run.returncode == 0, run.stderr
    hardened = guard.docker(
        "run", "--rm", "--read-only", "--cap-drop", "ALL", "--security-opt",
        "no-new-privileges", "--user", "1000", "--memory", "64m", "--pids-limit", "50",
        "-v", "data:/data", "busybox:dw", "sh", "-c", "echo ok")
    assert hardened.returncode == 0 and hardened.stdout.strip() == "ok", hardened.stderr
    cid = guard.docker("run", "-d", "--name", "web", "busybox:dw", "sleep", "30").stdout.strip()
    assert guard.docker("logs", "web").returncode == 0
    assert guard.docker("exec", "web", "true").returncode == 0
    assert guard.docker("inspect", "web").returncode == 0
    assert guard.docker("rm", "-f", cid).returncode == 0
    pull = guard.docker("pull", "registry.invalid/nothing:1")
    assert pull.returncode != 0 and DENIED not in pull.stderr  # the registry fails, not us
    assert guard.docker("volume", "rm", "data").returncode == 0


def test_build_passes(guard: GuardedEngine, tmp_path: object) -> None:
    from pathlib import Path

    ctx = Path(str(tmp_path))
    (ctx / "Dockerfile").write_text("FROM busybox:dw\nRUN echo built > /built\n")
    result = guard.engine.docker("build", "-t", "guarded:build", str(ctx), check=False,
                                 env={"DOCKER_BUILDKIT": "0"})
    assert result.returncode == 0, result.stderr
    assert guard.docker("image", "rm", "guarded:build").returncode == 0


def test_docker_info_lists_the_plugin(guard: GuardedEngine) -> None:
    out = guard.docker("info", "--format", "{{.Plugins.Authorization}}").stdout
    assert guard.name in out


def test_privileged_exec_is_denied_and_exec_start_is_tied_to_its_create(
        guard: GuardedEngine) -> None:
    guard.docker("run", "-d", "--name", "ex", "busybox:dw", "sleep", "30", check=True)
    denied = guard.docker("exec", "--privileged", "ex", "true")
    assert f"{DENIED} {guard.name}: DW101 runs privileged" in denied.stderr
    ok = guard.docker("exec", "ex", "true")
    assert ok.returncode == 0, ok.stderr
    create = guard.wait_decision(lambda r: r["route"] == "POST /containers/{name}/exec"
                                 and r["decision"] == "allow" and r.get("exec_id"))
    start = guard.wait_decision(lambda r: r["route"] == "POST /exec/{name}/start"
                                and r["path"] == f"/exec/{create['exec_id']}/start")
    assert start["decision"] == "allow"
    assert start["exec_create"] == create["id"]
    assert create["status"] == 201, json.dumps(create)


def test_decision_log_has_statuses_and_no_secrets(guard: GuardedEngine) -> None:
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    result = guard.docker("create", "-e", f"GITHUB_TOKEN={token}", "busybox:dw")
    assert f"{DENIED} {guard.name}: DW402" in result.stderr
    assert token not in result.stderr
    guard.docker("ps", "-a")
    listing = guard.wait_decision(lambda r: r["route"] == "GET /containers/json")
    assert listing["decision"] == "allow" and listing["status"] == 200
    text = guard.log_path.read_text()
    assert token not in text and token[4:20] not in text


def test_audit_of_the_guarded_daemon_reports_its_weak_spots(guard: GuardedEngine) -> None:
    """``dockward audit`` through the guard: DW605 is gone, DW614/DW615 say why the
    daemon still needs a plugin that refuses missing bodies and old versions."""
    import json
    import subprocess
    import sys

    denies_before = sum(r["decision"] == "deny" for r in guard.decisions())
    result = subprocess.run(
        [sys.executable, "-m", "dockward", "audit", "-H", guard.engine.base_url,
         "--select", "DW6", "--format", "json", "--fail-on", "critical"],
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    codes = {f["code"]: f for f in json.loads(result.stdout)["findings"]}
    assert "DW605" not in codes
    assert "CVE-2026-34040" in codes["DW614"]["message"]
    assert guard.name in codes["DW614"]["message"]
    assert codes["DW615"]["evidence"] == "MinAPIVersion 1.12"
    guard.wait_decision(lambda r: r["route"] == "GET /info")
    # the audit only reads, and the guard let every one of its requests through
    assert sum(r["decision"] == "deny" for r in guard.decisions()) == denies_before


def test_s15_archive_upload_is_allowed_in_plugin_mode(guard: GuardedEngine,
                                                     tmp_path: object) -> None:
    """``docker cp`` into a container writes only where the container could write itself
    (its mounts passed the create rules): the plugin lets it through and logs it."""
    from pathlib import Path

    source = Path(str(tmp_path)) / "f.txt"
    source.write_text("x")
    guard.docker("create", "--name", "cp1", "busybox:dw", "true", check=True)
    result = guard.docker("cp", str(source), "cp1:/tmp/f.txt")
    assert result.returncode == 0, result.stderr
    guard.wait_decision(lambda r: r["route"] == "PUT /containers/{name}/archive"
                        and r["decision"] == "allow")
