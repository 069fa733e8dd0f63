"""Benchmark ``dockward audit`` on a private dockerd with 50 and 200 containers.

    sudo .venv/bin/python benchmarks/audit/run.py [--sizes 50 200] [--runs 5]
    DOCKER_BENCH_DIR=/path/to/docker-bench-security sudo .venv/bin/python benchmarks/audit/run.py

For each size it starts that many containers of mixed settings (the seed's demos plus
hardened ones) on one private daemon (tests/engine/harness.py), then times the whole
``python -m dockward audit --all -f json`` process, median of ``--runs`` runs after a
warm-up. One audit goes through a recording proxy to count the API calls per kind, which
shows one inspect per container and per image.  With ``DOCKER_BENCH_DIR`` pointing at a
docker-bench-security checkout, its run on the same daemon is timed in the same loop and
the ratio is printed (that project is never vendored).  Output: a Markdown report on
stdout (paste it into RESULTS.md) and, with ``--json``, the raw figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.engine.audit_helpers import RecordingProxy  # noqa: E402
from tests.engine.harness import BUSYBOX_TAG, PrivateEngine  # noqa: E402

# (name, create_host_config kwargs, create_container kwargs); cycled over the containers
MIXES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("plain", {}, {}),
    ("socket", {"binds": ["{sock}:/var/run/docker.sock"]}, {}),
    ("pid-host", {"pid_mode": "host"}, {}),
    ("caps", {"cap_drop": ["ALL"], "cap_add": ["NET_ADMIN"]}, {}),
    ("limits", {"mem_limit": "256m", "nano_cpus": 1_000_000_000}, {}),
    ("on-failure", {"restart_policy": {"Name": "on-failure", "MaximumRetryCount": 5}}, {}),
    ("always", {"restart_policy": {"Name": "always"}}, {}),
    ("net-host", {"network_mode": "host"}, {}),
    ("hardened", {"cap_drop": ["ALL"], "read_only": True, "pids_limit": 100,
                  "security_opt": ["no-new-privileges"], "mem_limit": "64m",
                  "nano_cpus": 500_000_000, "tmpfs": {"/tmp": "size=1m"}},
     {"user": "1000:1000"}),
    ("ports-env", {"port_bindings": {80: ("127.0.0.1", None)}},
     {"ports": [80], "environment": {"API_TOKEN": "not-a-real-token-123"}}),
]

# docker-bench-security's container checks (CIS v1.6, sections 4 and 5) and the dockward
# rule that covers the same concern on a live container ("-" = not covered).
COVERAGE: list[tuple[str, str, str]] = [
    ("4.1", "container user is not root", "DW113 (container), DW503 (image)"),
    ("4.6", "HEALTHCHECK in the image", "-"),
    ("5.2", "AppArmor profile", "DW110 (unconfined), DW608 (daemon has none)"),
    ("5.3", "SELinux options", "DW111 (label=disable), DW608 (daemon has none)"),
    ("5.4", "capabilities added", "DW102 (dangerous added), DW103 (nothing dropped)"),
    ("5.5", "privileged", "DW101"),
    ("5.6", "sensitive host dirs mounted", "DW202"),
    ("5.7", "sshd inside (docker exec ps)", "-"),
    ("5.8", "privileged host ports", "-"),
    ("5.9 / 5.14", "published ports / bound to 0.0.0.0", "DW205, DW206"),
    ("5.10", "host network", "DW105"),
    ("5.11", "memory limit", "DW301"),
    ("5.12", "CPU limit/shares", "DW302"),
    ("5.13", "read-only root filesystem", "DW114"),
    ("5.15", "restart on-failure <= 5", "DW304"),
    ("5.16", "host PID namespace", "DW104"),
    ("5.17", "host IPC namespace", "DW106"),
    ("5.18", "host devices", "DW203"),
    ("5.19", "ulimit override (info)", "-"),
    ("5.20", "shared mount propagation", "DW204"),
    ("5.21", "host UTS namespace", "DW107"),
    ("5.22", "seccomp unconfined", "DW109 (container), DW606 (daemon)"),
    ("5.25", "cgroup parent", "-"),
    ("5.26", "no-new-privileges", "DW112 (container), DW607 (daemon)"),
    ("5.27", "health status at run time", "-"),
    ("5.29", "PIDs limit", "DW303"),
    ("5.30", "default docker0 bridge (info)", "DW609 (icc on the default bridge)"),
    ("5.31", "host user namespace", "DW108"),
    ("5.32", "docker.sock mounted", "DW201 (any runtime socket or its folder)"),
    ("-", "secret in env / history / image env", "DW402, DW501, DW502"),
    ("-", "swarm services' container specs", "all Workload rules"),
]


IDLE_LOAD = 1.5
IDLE_WAIT = [0.0]  # seconds to wait at most for the machine to calm down (--wait-idle)


def wait_idle() -> None:
    """Wait (up to --wait-idle seconds) until the 1-minute load average is low: other
    work on a 2-core machine would otherwise be measured along with the audit."""
    deadline = time.monotonic() + IDLE_WAIT[0]
    while os.getloadavg()[0] > IDLE_LOAD and time.monotonic() < deadline:
        time.sleep(1)


def make_containers(eng: PrivateEngine, start: int, count: int) -> None:
    api = eng.client.api

    def one(index: int) -> None:
        name, hc, extra = MIXES[index % len(MIXES)]
        hc = {k: ([b.format(sock=eng.socket_path) for b in v] if k == "binds" else v)
              for k, v in hc.items()}
        created = api.create_container(BUSYBOX_TAG, ["sleep", "1d"], name=f"b{index:04d}-{name}",
                                       host_config=api.create_host_config(**hc), **extra)
        api.start(created["Id"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(start, start + count)))


def time_audit(url: str, runs: int, workers: int) -> dict[str, Any]:
    """Median wall time of the whole ``dockward audit`` process, plus its own figures."""
    cmd = [sys.executable, "-m", "dockward", "audit", "-H", url, "--all", "-f", "json",
           "--workers", str(workers), "--no-progress"]
    walls: list[float] = []
    inner: list[float] = []
    cpu: list[float] = []
    report: dict[str, Any] = {}
    for attempt in range(runs + 1):  # the first run warms caches and is not counted
        wait_idle()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=600)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if res.returncode not in (0, 1):
            raise RuntimeError(f"audit failed ({res.returncode}): {res.stderr[-2000:]}")
        report = json.loads(res.stdout)
        if attempt:
            walls.append(wall)
            inner.append(float(report["summary"]["seconds"]))
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    summary = report["summary"]
    return {"wall_median": statistics.median(walls), "wall_min": min(walls),
            "cpu_median": statistics.median(cpu),
            "wall_max": max(walls), "audit_median": statistics.median(inner),
            "containers": summary["containers"], "images": summary["images"],
            "findings": summary["total"], "api_calls": summary["api_calls"], "runs": runs,
            "workers": workers}


def count_calls(eng: PrivateEngine) -> Counter[str]:
    """API calls of one audit, by kind, as seen on the wire."""
    from dockward.readers.engine.collect import call_key

    with RecordingProxy(eng.socket_path) as proxy:
        subprocess.run([sys.executable, "-m", "dockward", "audit", "-H", proxy.url, "--all",
                        "-f", "json", "--no-progress"], capture_output=True, check=False,
                       timeout=600)
        requests = list(proxy.requests)
    return Counter(call_key(r.method, f"http://d{r.path}") for r in requests)


def time_docker_bench(bench_dir: str, eng: PrivateEngine, runs: int) -> dict[str, Any]:
    """docker-bench-security on the same daemon (its own checkout, never vendored)."""
    walls: list[float] = []
    env = {**eng.cli_env(), "DOCKER_HOST": eng.base_url}
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(runs + 1):
            started = time.perf_counter()
            res = subprocess.run(["sh", "docker-bench-security.sh", "-l", f"{tmp}/log"],
                                 cwd=bench_dir, env=env, capture_output=True, text=True,
                                 check=False, timeout=3600)
            wall = time.perf_counter() - started
            if res.returncode != 0:
                raise RuntimeError(f"docker-bench-security failed: {res.stderr[-2000:]}")
            if attempt:
                walls.append(wall)
    return {"wall_median": statistics.median(walls), "runs": runs}


def markdown(results: list[dict[str, Any]], calls: dict[int, Counter[str]],
             workers_sweep: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [f"Machine: {meta['machine']}; dockerd {meta['server']}; Python {meta['python']}; "
             f"load average at start {meta['load']}.", "",
             "| containers | dockward audit (whole process, median) | min / max | CPU time "
             "(median) | audit phase (in-process) | API calls | docker-bench-security | ratio |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        bench = r.get("docker_bench")
        bench_cell = f"{bench['wall_median']:.2f} s" if bench else "not run"
        ratio = f"{bench['wall_median'] / r['wall_median']:.0f}x" if bench else "-"
        lines.append(f"| {r['containers']} | {r['wall_median']:.2f} s | {r['wall_min']:.2f} / "
                     f"{r['wall_max']:.2f} s | {r['cpu_median']:.2f} s | "
                     f"{r['audit_median']:.2f} s | {r['api_calls']} | {bench_cell} | {ratio} |")
    if workers_sweep:
        lines += ["", "Threads (`--workers`), largest size:", "",
                  "| workers | whole process (median) | audit phase |", "|---:|---:|---:|"]
        for r in workers_sweep:
            lines.append(f"| {r['workers']} | {r['wall_median']:.2f} s | "
                         f"{r['audit_median']:.2f} s |")
    for size, counter in calls.items():
        lines += ["", f"API calls of one audit with {size} containers (recording proxy):", "",
                  "| call | count |", "|---|---:|"]
        lines += [f"| `{k}` | {v} |" for k, v in sorted(counter.items())]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 4, 16, 32],
                        help="thread counts to compare at the largest size")
    parser.add_argument("--json", help="also write the raw figures to this file")
    parser.add_argument("--wait-idle", type=float, default=0.0,
                        help="before each run, wait up to this many seconds for load < 1.5")
    args = parser.parse_args()
    IDLE_WAIT[0] = args.wait_idle
    bench_dir = os.environ.get("DOCKER_BENCH_DIR")
    results: list[dict[str, Any]] = []
    calls: dict[int, Counter[str]] = {}
    sweep: list[dict[str, Any]] = []
    with PrivateEngine() as eng:
        eng.import_busybox()
        info = eng.client.api.info()
        meta = {"machine": f"{info['NCPU']} CPUs, {info['MemTotal'] // 2**30} GiB, "
                           f"{info['OperatingSystem']}, cgroup v{info.get('CgroupVersion')}",
                "server": info["ServerVersion"], "python": sys.version.split()[0],
                "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}
        made = 0
        for size in sorted(args.sizes):
            make_containers(eng, made, size - made)
            made = size
            print(f"[{size} containers] timing dockward audit ...", file=sys.stderr)
            result = time_audit(eng.base_url, args.runs, 16)
            calls[size] = count_calls(eng)
            if bench_dir:
                print(f"[{size} containers] timing docker-bench-security ...", file=sys.stderr)
                result["docker_bench"] = time_docker_bench(bench_dir, eng, max(1, args.runs // 2))
                ratio = result["docker_bench"]["wall_median"] / result["wall_median"]
                print(f"[{size} containers] docker-bench-security / dockward = {ratio:.1f}",
                      file=sys.stderr)
            results.append(result)
        for workers in args.workers:
            print(f"[{made} containers] --workers {workers} ...", file=sys.stderr)
            sweep.append(time_audit(eng.base_url, args.runs, workers))
    print(markdown(results, calls, sweep, meta))
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "results": results,
                                               "workers": sweep,
                                               "calls": {k: dict(v) for k, v in calls.items()}},
                                              indent=2))


if __name__ == "__main__":
    main()
