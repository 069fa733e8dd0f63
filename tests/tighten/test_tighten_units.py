"""The parts of tighten that need no engine: trial bodies, tmpfs plans, users, limits,
stats, rendering, and the reader additions it relies on."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from dockward.models.location import Location
from dockward.models.workload import Workload
from dockward.readers.base import SourceFile
from dockward.readers.commands.docker_run import workload_from_argv
from dockward.readers.compose import read_compose
from dockward.tighten import render
from dockward.tighten.candidate import Candidate, original_capabilities, runs_as_root
from dockward.tighten.conditions import TrialConditions, trial_body
from dockward.tighten.filesystem import plan_tmpfs
from dockward.tighten.limits import Limits, format_bytes, limits_from_usage
from dockward.tighten.result import Decision, TightenResult
from dockward.tighten.stats import Usage, UsageSampler
from dockward.tighten.trial import Change, TrialOutcome
from dockward.tighten.users import parse_passwd, user_candidates
from dockward.usecases.tighten import TightenInputError, workload_from_run_argv

MIB = 1024 * 1024


def run_line(*args: str) -> Workload:
    w = workload_from_argv(["docker", "run", *args])
    assert w is not None
    return w


# --------------------------------------------------------------------------- readers


def test_argv_reader_reads_what_starting_needs() -> None:
    args = ["-w", "/srv", "--health-cmd", "wget -q -O- localhost", "--health-retries", "3",
            "--health-start-period", "1m30s", "img", "serve"]
    w = run_line(*args)
    assert w.facts["workdir"] == "/srv"
    assert w.facts["healthcheck"] == {"Test": ["CMD-SHELL", "wget -q -O- localhost"],
                                      "Retries": 3, "StartPeriod": 90_000_000_000}
    assert (w.image, w.command, w.source_kind) == ("img", ["serve"], "run-line")
    # columns are those of the words in the shell-quoted line
    line = shlex.join(["docker", "run", *args])
    assert w.where("image").column == line.index(" img ") + 2


def test_run_argv_errors_are_clear() -> None:
    with pytest.raises(TightenInputError, match="no docker run command"):
        workload_from_run_argv([])
    with pytest.raises(TightenInputError, match="not a docker run command: docker ps"):
        workload_from_run_argv(["docker", "ps"])


def test_compose_reader_records_entrypoint_workdir_healthcheck_env_file(tmp_path: Path) -> None:
    text = (
        "services:\n"
        "  web:\n"
        "    image: nginx\n"
        "    entrypoint: /init --verbose\n"
        "    working_dir: /srv\n"
        "    env_file: [web.env, {path: extra.env}]\n"
        "    sysctls: {net.core.somaxconn: 1024}\n"
        "    healthcheck:\n"
        "      test: curl -f localhost\n"
        "      interval: 10s\n"
        "      retries: 2\n"
    )
    path = tmp_path / "compose.yaml"
    [w] = [m for m in read_compose([SourceFile(str(path), str(path), text, "compose")])]
    assert w.facts["entrypoint"] == ["/init", "--verbose"]  # type: ignore[union-attr]
    assert w.facts["workdir"] == "/srv"  # type: ignore[union-attr]
    assert w.facts["env_file"] == [str(tmp_path / "web.env"),  # type: ignore[union-attr]
                                   str(tmp_path / "extra.env")]
    assert w.facts["sysctls"] == {"net.core.somaxconn": "1024"}  # type: ignore[union-attr]
    assert w.facts["healthcheck"] == {  # type: ignore[union-attr]
        "Test": ["CMD-SHELL", "curl -f localhost"], "Interval": 10_000_000_000, "Retries": 2}


# --------------------------------------------------------------------------- candidates


def test_original_capabilities() -> None:
    assert original_capabilities(run_line("img")) == frozenset({
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID",
        "SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE"})
    assert original_capabilities(run_line("--cap-drop", "ALL", "--cap-add", "NET_ADMIN",
                                          "img")) == frozenset({"NET_ADMIN"})
    assert original_capabilities(run_line("--cap-drop", "MKNOD,NET_RAW", "img")) == \
        original_capabilities(run_line("img")) - {"MKNOD", "NET_RAW"}


def test_runs_as_root() -> None:
    assert runs_as_root(run_line("img"))
    assert runs_as_root(run_line("-u", "0:0", "img"))
    assert not runs_as_root(run_line("-u", "1000", "img"))
    w = run_line("img")
    w.image_user = "app"
    assert not runs_as_root(w)


def test_candidate_apply() -> None:
    w = run_line("--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined",
                 "--tmpfs", "/run", "img")
    c = Candidate(capabilities=frozenset({"CHOWN"}), user="65534:65534", read_only=True,
                  tmpfs=("/data", "/run"), no_new_privileges=True, seccomp_default=True,
                  memory=64 * MIB, pids_limit=80, cpus=0.5, restart=True)
    out = c.apply(w)
    assert [x.name for x in out.cap_drop] == ["ALL"] and [x.name for x in out.cap_add] == \
        ["CHOWN"]
    assert out.user == "65534:65534" and out.read_only
    assert [(m.type, m.target) for m in out.mounts] == [("tmpfs", "/run"), ("tmpfs", "/data")]
    assert [(o.key, o.value) for o in out.security_opts] == [("no-new-privileges", "true")]
    assert (out.memory, out.pids_limit, out.cpus) == (64 * MIB, 80, 0.5)
    assert out.restart is not None and (out.restart.name, out.restart.max_retries) == \
        ("on-failure", 5)
    assert [x.name for x in w.cap_add] == ["SYS_ADMIN"]  # the original is not changed


# --------------------------------------------------------------------------- trial bodies


def test_trial_body_never_touches_what_the_original_uses() -> None:
    w = run_line("--name", "web", "-p", "8080:80", "-P", "--restart", "always",
                 "--network", "container:db", "--pid", "container:db", "-v", "data:/data",
                 "-v", "/srv/conf:/conf", "-v", "/srv/ro:/ro:ro", "--health-cmd", "true",
                 "--health-interval", "30s", "img")
    conditions = TrialConditions(run_id="r1", network="dockward-tighten-r1")
    body = trial_body(w, conditions, 7)
    hc = body["HostConfig"]
    assert body["Labels"] == {"dockward.tighten": "r1", "dockward.tighten.trial": "7"}
    assert conditions.container_name(7) == "dockward-trial-r1-7"
    assert "PortBindings" not in hc and "PublishAllPorts" not in hc
    assert hc["RestartPolicy"] == {"Name": ""}
    assert hc["NetworkMode"] == "dockward-tighten-r1" and "PidMode" not in hc
    assert hc["Mounts"] == [
        {"Type": "volume", "Target": "/data"},  # a fresh anonymous volume
        {"Type": "bind", "Target": "/conf", "Source": "/srv/conf", "ReadOnly": True},
        {"Type": "bind", "Target": "/ro", "Source": "/srv/ro", "ReadOnly": True},
    ]
    assert body["Healthcheck"]["Interval"] == 1_000_000_000
    shared = trial_body(w, TrialConditions(run_id="r1", network="none", share_binds=True), 1)
    assert shared["HostConfig"]["Mounts"][1] == {"Type": "bind", "Target": "/conf",
                                                 "Source": "/srv/conf"}


def test_trial_body_uses_the_images_healthcheck_faster() -> None:
    w = run_line("img")
    image_check = {"Test": ["CMD", "true"], "Interval": 30_000_000_000, "Retries": 3}
    body = trial_body(w, TrialConditions(run_id="r", network="none",
                                         image_healthcheck=image_check), 1)
    assert body["Healthcheck"] == {"Test": ["CMD", "true"], "Interval": 1_000_000_000,
                                   "Retries": 3, "StartInterval": 1_000_000_000}
    off = trial_body(run_line("--no-healthcheck", "img"),
                     TrialConditions(run_id="r", network="none", image_healthcheck=image_check),
                     1)
    assert off["Healthcheck"] == {"Test": ["NONE"]}  # switched off stays off


# --------------------------------------------------------------------------- tmpfs plans


def _entries(folders: dict[str, int]) -> Callable[[str], int | None]:
    return lambda path: folders.get(path)


def test_tmpfs_on_the_topmost_folder_the_trial_created() -> None:
    changes = [Change("/data", "A", True), Change("/data/x", "A", True),
               Change("/data/x/f", "A", False), Change("/tmp", "C", True),
               Change("/tmp/sock", "A", False), Change("/mnt/vol/file", "A", False)]
    plan = plan_tmpfs(changes, ["/mnt/vol"], _entries({"/tmp": 0}))
    assert plan.targets == ("/data", "/tmp")
    assert plan.written == {"/data": ("/data/x/f",), "/tmp": ("/tmp/sock",)}
    assert plan.blockers == ()


def test_an_added_empty_folder_is_its_own_tmpfs() -> None:
    plan = plan_tmpfs([Change("/cache", "A", True)], [], _entries({}))
    assert plan.targets == ("/cache",) and plan.blockers == ()


def test_writes_in_folders_the_image_fills_block_read_only() -> None:
    changes = [Change("/etc", "C", True), Change("/etc/passwd", "C", False),
               Change("/marker", "A", False)]
    plan = plan_tmpfs(changes, [], _entries({"/etc": 12}))
    assert plan.blockers == (
        "/marker is written in / itself, which cannot be a tmpfs",
        "/etc/passwd is written in /etc, which the image fills (a tmpfs would hide its "
        "files; use a volume there)",
    )


def test_nothing_written_means_read_only_without_tmpfs() -> None:
    plan = plan_tmpfs([], [], _entries({}))
    assert (plan.targets, plan.blockers) == ((), ())


# --------------------------------------------------------------------------- users


PASSWD = """root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
broken line
nginx:x:101:101:nginx user:/nonexistent:/bin/false
"""


def test_user_candidates_prefer_the_images_own_user() -> None:
    accounts = parse_passwd(PASSWD)
    assert [a.name for a in accounts] == ["root", "daemon", "www-data", "nobody", "nginx"]
    assert user_candidates(accounts) == [
        ("101:101", "the image's user nginx"), ("65534:65534", "nobody"),
        ("10001:10001", "a uid no image uses")]
    assert user_candidates([])[0] == ("65534:65534", "nobody")


# --------------------------------------------------------------------------- limits and stats


def test_limits_headroom() -> None:
    assert limits_from_usage(Usage(memory=4 * MIB + 1, pids=1, cpus=0.0), 2) == \
        Limits(memory=37 * MIB, pids_limit=33, cpus=0.5)
    assert limits_from_usage(Usage(memory=100 * MIB, pids=41, cpus=0.3), 2) == \
        Limits(memory=200 * MIB, pids_limit=82, cpus=0.75)
    assert limits_from_usage(Usage(memory=0, pids=0, cpus=3.0), 2).cpus == 2.0
    assert format_bytes(37 * MIB) == "37m" and format_bytes(2 * 1024 * MIB) == "2g"


def test_stats_v1_uses_the_kernels_high_water_mark() -> None:
    sampler = UsageSampler()
    sampler.add({"memory_stats": {"usage": 500_000, "max_usage": 4_000_000},
                 "pids_stats": {"current": 3},
                 "cpu_stats": {"cpu_usage": {"total_usage": 1_000_000_000}}}, at=10.0)
    sampler.add({"memory_stats": {"usage": 600_000, "max_usage": 4_100_000},
                 "pids_stats": {"current": 41},
                 "cpu_stats": {"cpu_usage": {"total_usage": 1_500_000_000}}}, at=11.0)
    assert sampler.usage() == Usage(memory=4_100_000, pids=41, cpus=0.5)


def test_stats_v2_has_no_max_usage() -> None:
    sampler = UsageSampler()
    for usage, at in ((700_000, 1.0), (2_000_000, 1.5), (900_000, 2.0)):
        sampler.add({"memory_stats": {"usage": usage, "stats": {"anon": 1}},
                     "pids_stats": {"current": 2}, "cpu_stats": {}}, at=at)
    assert sampler.usage() == Usage(memory=2_000_000, pids=2, cpus=0.0)
    sampler.add({}, at=3.0)  # a stopped container answers with empty stats
    assert sampler.samples == 4


# --------------------------------------------------------------------------- rendering


def _result(*args: str, candidate: Candidate | None = None) -> TightenResult:
    original = run_line(*args)
    final = candidate or Candidate(capabilities=frozenset({"CHOWN"}), user="1000:1000",
                                   read_only=True, tmpfs=("/data",), no_new_privileges=True,
                                   memory=37 * MIB, pids_limit=33, cpus=0.5, restart=True)
    proof = TrialOutcome(5, "with everything", final, True, "running after 1 s")
    return TightenResult(original=original, candidate=final,
                         decisions=[Decision("capabilities", "CHOWN", ["trial #4 ..."])],
                         trials=[proof], proof=5, peak=Usage(4 * MIB, 1, 0.0),
                         notes=["trials published no ports"])


def test_run_line_is_complete_and_masks_secrets() -> None:
    result = _result("-d", "-p", "127.0.0.1:8080:80", "-v", "/srv:/srv:ro", "-e",
                     "GITHUB_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345", "-e", "MODE=prod",
                     "--entrypoint", "/init", "img:1", "serve")
    argv = render.run_argv(result.to_workload())
    assert argv == [
        "docker", "run", "-d", "--user", "1000:1000", "--cap-drop", "ALL", "--cap-add",
        "CHOWN", "--read-only", "--mount", "type=bind,source=/srv,target=/srv,readonly",
        "--tmpfs", "/data", "--security-opt", "no-new-privileges", "--memory", "37m",
        "--pids-limit", "33", "--cpus", "0.5", "--restart", "on-failure:5", "-p",
        "127.0.0.1:8080:80/tcp", "-e", "GITHUB_TOKEN=gh***45", "-e", "MODE=prod",
        "--entrypoint", "/init", "img:1", "serve"]
    text = render.result_text(result, 3.2)
    assert "ghp_0123" not in text and "GITHUB_TOKEN=gh***45" in text
    assert text.splitlines()[0] == "dockward tighten: docker run 'img:1' (img:1): 1 trials " \
                                   "in 3.2 s"


def test_json_fields() -> None:
    data = render.result_dict(_result("img"))
    assert {k: data[k] for k in ("cap_add", "cap_drop", "user", "read_only", "tmpfs",
                                  "memory", "pids_limit", "cpus", "security_opt", "restart",
                                  "proof")} == {
        "cap_add": ["CHOWN"], "cap_drop": ["ALL"], "user": "1000:1000", "read_only": True,
        "tmpfs": ["/data"], "memory": 37 * MIB, "pids_limit": 33, "cpus": 0.5,
        "security_opt": ["no-new-privileges"], "restart": "on-failure:5", "proof": 5}
    assert data["run"].startswith("docker run --user 1000:1000 --cap-drop ALL")
    assert data["trials"] == [{"number": 5, "purpose": "with everything", "passed": True,
                               "reason": "running after 1 s", "seconds": 0.0,
                               "usage": {"memory": 0, "pids": 0, "cpus": 0.0},
                               "abandoned": False}]
    # without a separate basis, the limits' peak is the overall peak
    assert data["peak"] == data["limits_peak"] == {"memory": 4 * MIB, "pids": 1, "cpus": 0.0}
    result = _result("img")
    result.limits_peak = Usage(3 * MIB, 1, 0.0)
    assert render.result_dict(result)["limits_peak"]["memory"] == 3 * MIB


def test_compose_fragment() -> None:
    text = render.compose_fragment(_result("img"))
    assert text.startswith("# dockward tighten: proven by trial #5")
    assert yaml.safe_load(text) == {"services": {"img": {
        "user": "1000:1000", "cap_drop": ["ALL"], "cap_add": ["CHOWN"], "read_only": True,
        "tmpfs": ["/data"], "security_opt": ["no-new-privileges:true"], "mem_limit": "37m",
        "pids_limit": 33, "cpus": 0.5, "restart": "on-failure:5"}}}


def test_k8s_fragment() -> None:
    text = render.k8s_fragment(_result("img"))
    assert "podPidsLimit (the trials suggest 33)" in text
    assert yaml.safe_load(text) == {
        "containers": [{
            "name": "img",
            "securityContext": {
                "runAsUser": 1000, "runAsGroup": 1000, "runAsNonRoot": True,
                "allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                "capabilities": {"drop": ["ALL"], "add": ["CHOWN"]},
                "seccompProfile": {"type": "RuntimeDefault"}},
            "resources": {"limits": {"memory": "37Mi", "cpu": "500m"}},
            "volumeMounts": [{"name": "tmpfs-data", "mountPath": "/data"}]}],
        "volumes": [{"name": "tmpfs-data", "emptyDir": {"medium": "Memory"}}]}


def test_to_workload_is_what_fixers_write() -> None:
    result = _result("--cap-add", "NET_ADMIN", "img")
    w = result.to_workload()
    assert [c.name for c in w.cap_drop] == ["ALL"] and [c.name for c in w.cap_add] == ["CHOWN"]
    assert w.where("user") == Location(subject="dockward tighten", path="tighten")
