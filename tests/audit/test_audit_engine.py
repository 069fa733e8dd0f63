"""``dockward audit`` against real private dockerd instances (tests/engine/harness.py).

Every demo of the seed guide that can run on the reference machine is started for real and
audited; each container must get exactly the expected codes.  Every container without
hardening shares a baseline (no cap_drop, no no-new-privileges, root, writable rootfs, no
limits); each demo then adds or removes exactly the codes of its own problem.  Two
substitutions, both forced by the machine: ``--cpus 2`` instead of the seed's ``--cpus 4``
(dockerd refuses more CPUs than the host has), and the privileged container is created but
not started (starting it fails here) and audited with ``--all``.
"""

from __future__ import annotations

import grp
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dockward.cli.app import app
from dockward.readers.engine.connect import endpoint_label
from tests.engine.audit_helpers import RecordingProxy
from tests.engine.harness import BUSYBOX_TAG, PrivateEngine, free_tcp_port

SECRET = "my secret"
BASE = {"DW103", "DW112", "DW113", "DW114", "DW301", "DW302", "DW303"}

# name -> (docker run args before the image, expected codes)
RUNNING: dict[str, tuple[list[str], set[str]]] = {
    "seed-plain": ([], BASE),
    "seed-sock": (["-v", "{sock}:/var/run/docker.sock"], BASE | {"DW201"}),
    "seed-pidhost": (["--pid=host"], BASE | {"DW104"}),
    # the seed's capability demo: every capability dropped but NET_ADMIN, in the container's
    # own network namespace (DW102 at medium: the nf_tables escapes need it)
    "seed-caps": (["--cap-drop=ALL", "--cap-add=CAP_NET_ADMIN"], BASE - {"DW103"} | {"DW102"}),
    "seed-limits": (["--memory", "256m", "--cpus", "2"], BASE - {"DW301", "DW302"}),
    "seed-onfailure": (["--restart", "on-failure:5"], BASE),
    "seed-always": (["--restart", "always"], BASE | {"DW304"}),
    "seed-nethost": (["--network=host"], BASE | {"DW105"}),
}
CREATED = {"seed-privileged": (["--privileged"], BASE - {"DW103"} | {"DW101"})}
LEAKY = ("seed-leaky", BASE)  # runs the seed's test-arg image
IMAGES = {BUSYBOX_TAG: {"DW503"}, "test-arg:latest": {"DW501", "DW503"}}


# ------------------------------------------------------------------ helpers


def audit(*args: str) -> tuple[int, dict[str, Any]]:
    """Run ``dockward audit ... -f json`` in-process; (exit code, parsed report)."""
    result = CliRunner().invoke(app, ["audit", *args, "-f", "json"])
    try:
        return result.exit_code, json.loads(result.stdout)
    except ValueError:
        raise AssertionError(f"not JSON (exit {result.exit_code}):\n{result.stdout}\n"
                             f"{result.stderr}") from result.exception


def by_subject(report: dict[str, Any], prefix: str = "DW") -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in report["findings"]:
        if f["code"].startswith(prefix):
            out.setdefault(f["subject"], set()).add(f["code"])
    return out


def label(engine: PrivateEngine) -> str:
    return endpoint_label(engine.base_url)


@pytest.fixture(scope="module")
def seed(docker_engine: PrivateEngine, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[PrivateEngine]:
    """The seed's containers and images on the session engine, for this module's tests."""
    eng = docker_engine
    made: list[str] = []
    context = tmp_path_factory.mktemp("test-arg")
    (context / "Dockerfile").write_text(f"FROM {BUSYBOX_TAG}\nARG SECRET\nRUN echo $SECRET\n")
    eng.build(context, "test-arg", build_args={"SECRET": SECRET})
    try:
        for name, (args, _) in RUNNING.items():
            words = [a.format(sock=eng.socket_path) for a in args]
            made.append(eng.run_container("--name", name, *words, BUSYBOX_TAG, "sleep", "1d"))
        for name, (args, _) in CREATED.items():
            made.append(eng.docker("create", "--name", name, *args, BUSYBOX_TAG)
                        .stdout.strip())
        made.append(eng.run_container("--name", LEAKY[0], "test-arg", "sleep", "1d"))
        yield eng
    finally:
        eng.remove_containers(made)


def expected_daemon_codes(info: dict[str, Any]) -> set[str]:
    """Daemon findings implied by what the engine reports about itself."""
    names = {str(o).split(",")[0].removeprefix("name=") for o in info["SecurityOptions"] or []}
    out = set()
    if not names & {"userns", "rootless"}:
        out.add("DW604")
    if not (info.get("Plugins") or {}).get("Authorization"):
        out.add("DW605")
    if not names & {"apparmor", "selinux"}:
        out.add("DW608")
    if not info.get("LiveRestoreEnabled"):
        out.add("DW610")
    return out


# ------------------------------------------------------------------ the seed, exactly


def test_seed_containers_exact_findings(seed: PrivateEngine) -> None:
    code, report = audit("-H", seed.base_url, "--all")
    host = label(seed)
    found = by_subject(report)
    expected = {f"{host}/{n}": codes for n, (_, codes) in {**RUNNING, **CREATED}.items()}
    expected[f"{host}/{LEAKY[0]}"] = LEAKY[1]
    for subject, codes in expected.items():
        assert found.get(subject, set()) == codes, subject
    for ref, codes in IMAGES.items():
        assert found.get(f"{host}/{ref}") == codes, ref
    assert code == 1
    assert report["errors"] == []
    # each problem once per container
    per_container = Counter((f["subject"], f["code"]) for f in report["findings"])
    assert max(per_container.values()) == 1


def test_findings_name_host_container_id_and_image(seed: PrivateEngine) -> None:
    _, report = audit("-H", seed.base_url)
    host = label(seed)
    ids = {c["Names"][0].lstrip("/"): c["Id"] for c in seed.client.api.containers()}
    sock = [f for f in report["findings"] if f["code"] == "DW201"]
    assert len(sock) == 1
    f = sock[0]
    assert f["subject"] == f"{host}/seed-sock" and f["path"] == "HostConfig.Binds[0]"
    assert f["extra"]["host"] == host and f["extra"]["container"] == "seed-sock"
    assert f["extra"]["container_id"] == ids["seed-sock"][:12]
    assert f["extra"]["image"] == BUSYBOX_TAG
    leak = next(f for f in report["findings"] if f["code"] == "DW501")
    assert leak["subject"] == f"{host}/test-arg:latest" and leak["extra"]["image"] == (
        "test-arg:latest")
    assert leak["extra"]["image_id"]


def test_daemon_and_host_findings_follow_the_engines_own_facts(seed: PrivateEngine) -> None:
    _, report = audit("-H", seed.base_url, "--select", "DW6")
    host = label(seed)
    daemon = by_subject(report).get(host, set())
    info = seed.client.api.info()
    expected = expected_daemon_codes(info)
    assert expected <= daemon
    assert daemon - expected <= {"DW603", "DW607", "DW612"}  # depend on /etc on this machine
    assert "DW601" not in daemon and "DW609" not in daemon  # no TCP, --bridge=none


def test_text_output_from_the_real_command(seed: PrivateEngine) -> None:
    """The done criterion, as a user sees it: `dockward audit` prints each seed problem."""
    res = subprocess.run([sys.executable, "-m", "dockward", "audit", "-H", seed.base_url,
                          "--all", "--no-color"], capture_output=True, text=True, timeout=120,
                         check=False)
    assert res.returncode == 1, res.stderr
    host = label(seed)
    groups = text_groups(res.stdout)
    for name, code in (("seed-sock", "DW201"), ("seed-pidhost", "DW104"),
                       ("seed-limits", "DW303"), ("seed-always", "DW304"),
                       ("seed-nethost", "DW105"), ("seed-privileged", "DW101")):
        hits = [ln for ln in groups[f"{host}/{name}"] if f" {code} " in ln]
        assert len(hits) == 1, (name, code, groups[f"{host}/{name}"])
    assert not [ln for ln in groups[f"{host}/seed-onfailure"] if "DW304" in ln]
    assert not [ln for ln in groups[f"{host}/seed-caps"] if "DW103" in ln]
    [caps] = [ln for ln in groups[f"{host}/seed-caps"] if "DW102" in ln]
    assert "medium" in caps and "own network namespace" in caps
    assert any("DW501" in ln for ln in groups[f"{host}/test-arg:latest"])
    assert SECRET not in res.stdout and SECRET not in res.stderr


def text_groups(text: str) -> dict[str, list[str]]:
    """The text report's groups: an unindented header (the object), then its findings."""
    groups: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        if line and not line.startswith(" "):
            current = line.strip()
            groups.setdefault(current, [])
        elif line.strip() and current:
            groups[current].append(line)
    return groups


def test_history_leak_redacted_everywhere(seed: PrivateEngine, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["audit", "-H", seed.base_url, "-f", "json",
                                      "-o", str(out)])
    assert result.exit_code == 1
    text = out.read_text(encoding="utf-8")
    assert SECRET not in text and SECRET not in result.stdout
    leak = [f for f in json.loads(text)["findings"] if f["code"] == "DW501"]
    assert len(leak) == 1
    assert leak[0]["evidence"] == "SECRET=***"
    assert leak[0]["extra"]["history"] == "|1 SECRET=*** /bin/sh -c echo $SECRET"



def test_history_leak_redacted_in_every_format(seed: PrivateEngine, tmp_path: Path) -> None:
    """Other reporters embed rule docs that quote the seed's own example value, so this
    uses a canary value that appears nowhere else."""
    canary = "dw-canary-7Hq2x9"
    (tmp_path / "Dockerfile").write_text(
        f"FROM {BUSYBOX_TAG}\nARG DEPLOY_TOKEN\nRUN true\n")
    seed.build(tmp_path, "seed-leak2:1", build_args={"DEPLOY_TOKEN": canary})
    try:
        for fmt in ("text", "json", "sarif", "markdown", "csv", "junit", "github", "html"):
            res = CliRunner().invoke(app, ["audit", "-H", seed.base_url, "--images", "all",
                                           "-f", fmt])
            assert res.exit_code == 1, (fmt, res.stdout[-500:])
            assert "seed-leak2" in res.stdout, fmt
            assert canary not in res.stdout and canary not in res.stderr, fmt
    finally:
        seed.client.api.remove_image("seed-leak2:1", force=True)


def test_privileged_created_only_needs_all(seed: PrivateEngine) -> None:
    _, running = audit("-H", seed.base_url)
    assert not any("seed-privileged" in f["subject"] for f in running["findings"])
    _, everything = audit("-H", seed.base_url, "-a")
    codes = by_subject(everything)[f"{label(seed)}/seed-privileged"]
    assert "DW101" in codes


def test_exclude_container_by_name_and_glob(seed: PrivateEngine) -> None:
    _, report = audit("-H", seed.base_url, "--exclude-container", "seed-sock",
                      "--exclude-container", "seed-n*")
    subjects = {f["subject"].partition("/")[2] for f in report["findings"]}
    assert "seed-sock" not in subjects and "seed-nethost" not in subjects
    assert "seed-pidhost" in subjects
    host = report["subjects"][0]
    assert {"seed-sock", "seed-nethost"} <= set(host["excluded"])
    assert "seed-sock" not in {c["name"] for c in host["containers"]}


def test_images_modes(seed: PrivateEngine, tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        f"FROM {BUSYBOX_TAG}\nENV GITHUB_TOKEN=ghp_{'A1b2C3d4' * 5}\nUSER 1000\n")
    seed.build(tmp_path, "seed-unused:1")
    try:
        _, used = audit("-H", seed.base_url)
        _, every = audit("-H", seed.base_url, "--images", "all")
        _, none = audit("-H", seed.base_url, "--images", "none")
        host = label(seed)
        assert f"{host}/seed-unused:1" not in by_subject(used)
        assert by_subject(every)[f"{host}/seed-unused:1"] == {"DW502"}
        assert not [f for f in none["findings"] if f["code"].startswith("DW50")]
        assert none["summary"]["images"] == 0
        token = f"ghp_{'A1b2C3d4' * 5}"
        assert token not in json.dumps(every)
    finally:
        seed.client.api.remove_image("seed-unused:1", force=True)


def test_exit_codes_and_json_match_scan(seed: PrivateEngine, tmp_path: Path) -> None:
    code, report = audit("-H", seed.base_url, "--exit-zero")
    assert code == 0 and report["summary"]["total"] > 0
    code, _ = audit("-H", seed.base_url, "--select", "DW105", "--fail-on", "critical")
    assert code == 0
    code, _ = audit("-H", seed.base_url, "--select", "DW201", "--fail-on", "critical")
    assert code == 1
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n")
    scan = CliRunner().invoke(app, ["scan", str(tmp_path), "-f", "json"])
    assert set(json.loads(scan.stdout)) == set(report)
    assert report["command"] == "audit" and report["schema"] == "dockward-report/1"


def test_one_api_call_per_object_and_read_only(seed: PrivateEngine) -> None:
    """The read-only guarantee, proven on the wire: only GET/HEAD reach the daemon."""
    with RecordingProxy(seed.socket_path) as proxy:
        code, report = audit("-H", proxy.url, "--all", "--images", "all")
        requests = list(proxy.requests)
    assert code == 1 and report["errors"] == []
    assert {r.method for r in requests} <= {"GET", "HEAD"}, Counter(r.method for r in requests)
    paths = Counter(r.path.split("?", 1)[0].split("/", 2)[-1] for r in requests)
    containers = seed.client.api.containers(all=True)
    images = seed.client.api.images()
    inspects = [p for p in paths if p.startswith("containers/") and p.endswith("/json")
                and p != "containers/json"]
    assert len(inspects) == len(containers) and all(paths[p] == 1 for p in inspects)
    image_inspects = [p for p in paths if p.startswith("images/") and p.endswith("/json")
                      and p != "images/json"]
    histories = [p for p in paths if p.endswith("/history")]
    assert len(image_inspects) == len(images) == len(histories)
    assert all(paths[p] == 1 for p in image_inspects + histories)
    assert report["summary"]["api_calls"] == len(requests)
    listing = {"version", "info", "containers/json", "images/json", "networks/bridge"}
    assert {p for p in paths if "/" not in p or p in listing} == listing


def test_unreachable_host_is_an_error_and_others_go_on(seed: PrivateEngine, tmp_path: Path
                                                       ) -> None:
    bogus = f"unix://{tmp_path}/no-such-daemon.sock"
    code, report = audit("-H", bogus, "-H", seed.base_url)
    assert code == 1
    assert len(report["errors"]) == 1 and "no-such-daemon" in report["errors"][0]
    assert report["summary"]["hosts"] == 2 and report["summary"]["hosts_audited"] == 1
    assert any(f["subject"].startswith(label(seed) + "/") for f in report["findings"])
    code, report = audit("-H", bogus)
    assert code == 2 and report["findings"] == [] and report["errors"]


def test_progress_bar_does_not_disturb_output(seed: PrivateEngine) -> None:
    result = CliRunner().invoke(app, ["audit", "-H", seed.base_url, "-f", "json",
                                      "--progress"])
    assert json.loads(result.stdout)["command"] == "audit"


# ------------------------------------------------------------------ other daemons


def test_second_daemon_tcp_without_tls_is_dw601(make_private_engine: Callable[...,
                                                                             PrivateEngine]
                                                ) -> None:
    second = make_private_engine(tcp=True)
    assert second.tcp_url is not None
    for url in (second.base_url, second.tcp_url):
        _, report = audit("-H", url, "--select", "DW601")
        found = [f for f in report["findings"] if f["code"] == "DW601"]
        assert len(found) == 1, (url, found)
        assert second.tcp_url in found[0]["message"]
        assert found[0]["path"].startswith("dockerd.argv[")


def test_socket_group_and_mode(make_private_engine: Callable[..., PrivateEngine]) -> None:
    """A socket handed to group nogroup (whose primary member is nobody), then made 0666."""
    try:
        nogroup = grp.getgrnam("nogroup")
    except KeyError:
        pytest.skip("no group 'nogroup' on this machine")
    eng = make_private_engine("--group", "nogroup")
    _, report = audit("-H", eng.base_url, "--select", "DW602,DW603")
    host = label(eng)
    dw602 = [f for f in report["findings"] if f["code"] == "DW602"]
    assert len(dw602) == 1 and "group nogroup" in dw602[0]["message"]
    assert dw602[0]["subject"] == host
    members = {f["extra"]["user"] for f in report["findings"] if f["code"] == "DW603"}
    assert "nobody" in members or nogroup.gr_mem
    _, trusted = audit("-H", eng.base_url, "--select", "DW603",
                       "--config", _config_with(eng, members))
    assert trusted["findings"] == []
    os.chmod(eng.socket_path, 0o666)
    _, report = audit("-H", eng.base_url, "--select", "DW602")
    assert "writable by every local user" in report["findings"][0]["message"]


def _config_with(eng: PrivateEngine, users: set[str]) -> str:
    assert eng.tmpdir is not None
    path = eng.tmpdir / "dockward.toml"
    quoted = ", ".join(f'"{u}"' for u in sorted(users))
    path.write_text(f"[rules.DW603]\ntrusted_users = [{quoted}]\n")
    return str(path)


def test_daemon_json_from_config_file_flag(make_private_engine: Callable[..., PrivateEngine],
                                           tmp_path: Path) -> None:
    """dockerd --config-file is found on its command line; its settings and mode count."""
    config = tmp_path / "daemon.json"
    config.write_text(json.dumps({"no-new-privileges": True, "live-restore": True,
                                  "insecure-registries": ["10.1.2.3:5000"]}, indent=2))
    eng = make_private_engine("--config-file", str(config))
    os.chmod(config, 0o666)
    _, report = audit("-H", eng.base_url, "--select", "DW6")
    codes = by_subject(report).get(label(eng), set())
    assert {"DW611", "DW612"} <= codes
    assert not codes & {"DW607", "DW610"}
    registry = next(f for f in report["findings"] if f["code"] == "DW611")
    assert registry["file"] == str(config) and registry["line"] == 4
    mode = next(f for f in report["findings"] if f["code"] == "DW612"
                and str(config) in f["message"])
    assert "writable by everyone" in mode["message"]


def test_userns_remap_daemon(make_private_engine: Callable[..., PrivateEngine]) -> None:
    eng = make_private_engine("--userns-remap=default")
    _, report = audit("-H", eng.base_url, "--select", "DW604")
    assert report["findings"] == []


def test_swarm_services_become_workloads(make_private_engine: Callable[..., PrivateEngine]
                                        ) -> None:
    eng = make_private_engine(busybox=True)
    eng.docker("swarm", "init", "--advertise-addr", "127.0.0.1",
               "--listen-addr", f"127.0.0.1:{free_tcp_port()}")
    eng.docker("service", "create", "--detach", "--name", "svc-sock", "--mount",
               "type=bind,src=/var/run/docker.sock,dst=/var/run/docker.sock",
               "--cap-add", "SYS_ADMIN", BUSYBOX_TAG, "sleep", "1d")
    eng.docker("service", "create", "--detach", "--name", "svc-host", "--network", "host",
               "--restart-condition", "on-failure", "--restart-max-attempts", "5",
               BUSYBOX_TAG, "sleep", "1d")
    _, report = audit("-H", eng.base_url)
    host = label(eng)
    found = by_subject(report)
    assert {"DW201", "DW102", "DW304"} <= found[f"{host}/svc-sock"]
    assert "DW105" in found[f"{host}/svc-host"] and "DW304" not in found[f"{host}/svc-host"]
    assert "DW610" not in found.get(host, set())  # live restore does not apply to swarm
    svc = next(f for f in report["findings"] if f["code"] == "DW201")
    assert svc["extra"]["service"] == "svc-sock"
    assert report["summary"]["services"] == 2
    # the swarm itself: one node listening on 127.0.0.1, defaults otherwise; only the
    # missing autolock is reported (DW618-DW621 pass: no workers, a specific listen
    # address, 90-day certificates, a CA made just now)
    swarm = [(f["code"], f["subject"]) for f in report["findings"]
             if f["code"] in ("DW613", "DW616", "DW618", "DW619", "DW620", "DW621")]
    assert swarm == [("DW613", f"{host}/swarm")]
    [subject] = report["subjects"]
    assert subject["swarm"]["managers"] == 1 and subject["swarm"]["autolock"] is False
    assert subject["swarm"]["listen_addr"].startswith("127.0.0.1:")


def test_many_hosts_in_one_audit(seed: PrivateEngine,
                                 make_private_engine: Callable[..., PrivateEngine]) -> None:
    other = make_private_engine(busybox=True)
    other.run_container("--name", "other-sock", "-v", f"{other.socket_path}:/var/run/docker.sock",
                        BUSYBOX_TAG, "sleep", "1d")
    code, report = audit("-H", seed.base_url, "-H", other.base_url, "--workers", "4")
    assert code == 1 and report["summary"]["hosts_audited"] == 2
    found = by_subject(report)
    assert "DW201" in found[f"{label(other)}/other-sock"]
    assert "DW201" in found[f"{label(seed)}/seed-sock"]
    assert [s["host"] for s in report["subjects"]] == [label(seed), label(other)]
