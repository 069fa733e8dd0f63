"""Benchmark one ``dockward audit`` of a fleet: 20 private engines with 20 containers each.

    sudo .venv/bin/python benchmarks/audit/fleet.py [--engines 20] [--containers 20] [--runs 5]

Starts the engines concurrently (tests/engine/harness.py), runs the containers of mixed
settings on each (the same mix as run.py), writes a hosts file listing every engine, then
times the whole ``python -m dockward audit --hosts-file FILE -f json`` process (median of
``--runs`` after a warm-up) for several ``--host-workers`` values.  Output: a Markdown table
for RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.audit.run import make_containers  # noqa: E402
from tests.engine.harness import PrivateEngine  # noqa: E402


def time_fleet(inventory: str, runs: int, host_workers: int) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "dockward", "audit", "--hosts-file", inventory, "--all",
           "--host-workers", str(host_workers), "-f", "json"]
    subprocess.run(cmd, capture_output=True, check=False)  # warm-up
    walls, cpus, phases = [], [], []
    report: dict[str, Any] = {}
    for _ in range(runs):
        before = os.times()
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, check=False, text=True)
        walls.append(time.perf_counter() - started)
        after = os.times()
        cpus.append((after.children_user - before.children_user)
                    + (after.children_system - before.children_system))
        report = json.loads(proc.stdout)
        phases.append(report["summary"]["seconds"])
    return {"host_workers": host_workers, "wall": statistics.median(walls),
            "min": min(walls), "max": max(walls), "cpu": statistics.median(cpus),
            "phase": statistics.median(phases), "hosts": report["summary"]["hosts_audited"],
            "containers": report["summary"]["containers"],
            "api_calls": report["summary"]["api_calls"], "errors": report["errors"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", type=int, default=20)
    parser.add_argument("--containers", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--host-workers", type=int, nargs="+", default=[4, 8, 20])
    args = parser.parse_args()
    engines = [PrivateEngine() for _ in range(args.engines)]
    try:
        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.engines) as pool:
            list(pool.map(lambda e: (e.start(), e.import_busybox()), engines))
            list(pool.map(lambda e: make_containers(e, 0, args.containers), engines))
        print(f"<!-- {args.engines} engines x {args.containers} containers ready in "
              f"{time.perf_counter() - t0:.1f} s -->")
        with tempfile.NamedTemporaryFile("w", suffix=".hosts", delete=False) as fh:
            fh.write("".join(f"{e.base_url}\n" for e in engines))
        rows = [time_fleet(fh.name, args.runs, hw) for hw in args.host_workers]
    finally:
        with ThreadPoolExecutor(max_workers=args.engines) as pool:
            list(pool.map(lambda e: e.stop(), engines))
    load = os.getloadavg()[0]
    print(f"{args.engines} engines x {args.containers} containers, `--all`, median of "
          f"{args.runs} runs, load average {load:.1f} at the end:\n")
    print("| --host-workers | whole process, median | min / max | CPU time, median "
          "| audit phase, median | hosts | containers | API calls |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['host_workers']} | {r['wall']:.2f} s | {r['min']:.2f} / {r['max']:.2f} s "
              f"| {r['cpu']:.2f} s | {r['phase']:.2f} s | {r['hosts']} | {r['containers']} "
              f"| {r['api_calls']} |")
        if r["errors"]:
            print(f"\nerrors: {r['errors']}")


if __name__ == "__main__":
    main()
