"""Benchmark ``dockward guard``: what the plugin and the proxy add to Engine API calls.

    sudo .venv/bin/python benchmarks/guard/run.py [--requests 400] [--rounds 3]

One private dockerd (tests/engine/harness.py) started with ``--config-file``; the
authorization plugin is switched on and off *on the same daemon* by rewriting
``authorization-plugins`` in that file and sending SIGHUP, so every figure compares the
same process.  Rounds alternate without/with the plugin to expose drift.

* keep-alive ``GET /v1.41/containers/json`` (5 stopped containers): one client, one
  connection, ``--requests`` requests after 20 warm-ups; median, mean, p95 per round;
* create + start + wait + remove of ``busybox:dw true`` through the API, 10 per round;
* the proxy (read-only profile) against the daemon's own socket: requests per second of
  ``GET /containers/json`` with 1 and 4 keep-alive clients, and the keep-alive median.

Output: Markdown on stdout (RESULTS.md holds the last run), ``--json`` for raw figures.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.engine.harness import BUSYBOX_TAG, PrivateEngine  # noqa: E402

SPEC_DIR = Path("/etc/docker/plugins")
# `docker ps -a` on 5 stopped containers (a 3 KB answer), and `docker ps` with none
# running (`[]`, the request research/enforcement.md timed).
LIST = b"GET /v1.41/containers/json?all=1 HTTP/1.1\r\nHost: docker\r\n\r\n"
EMPTY = b"GET /v1.41/containers/json HTTP/1.1\r\nHost: docker\r\n\r\n"


class KeepAlive:
    """A minimal keep-alive HTTP client on a unix socket (Content-Length responses)."""

    def __init__(self, path: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.buffer = b""

    def get(self, request: bytes = LIST) -> int:
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(65536)
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        length = 0
        chunked = False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
            elif name.lower() == b"transfer-encoding":
                chunked = True
        if chunked:
            while not rest.endswith(b"0\r\n\r\n"):
                rest += self.sock.recv(65536)
            self.buffer = b""
        else:
            while len(rest) < length:
                rest += self.sock.recv(65536)
            self.buffer = rest[length:]
        return int(head.split(b" ", 2)[1])

    def close(self) -> None:
        self.sock.close()


def latency(path: str, count: int, request: bytes = LIST) -> dict[str, float]:
    client = KeepAlive(path)
    for _ in range(20):
        client.get(request)
    times = []
    for _ in range(count):
        started = time.perf_counter()
        status = client.get(request)
        times.append(time.perf_counter() - started)
        assert status == 200, status
    client.close()
    times.sort()
    return {"median_ms": statistics.median(times) * 1000,
            "mean_ms": statistics.fmean(times) * 1000,
            "p95_ms": times[int(len(times) * 0.95)] * 1000}


def throughput(path: str, clients: int, seconds: float = 3.0) -> float:
    done = [0] * clients
    stop = time.monotonic() + seconds

    def work(index: int) -> None:
        client = KeepAlive(path)
        while time.monotonic() < stop:
            client.get()
            done[index] += 1
        client.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / seconds


def create_start(engine: PrivateEngine, count: int = 20) -> float:
    api = engine.client.api
    times = []
    for _ in range(count):
        started = time.perf_counter()
        cid = api.create_container(BUSYBOX_TAG, ["true"])["Id"]
        api.start(cid)
        api.wait(cid)
        api.remove_container(cid)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def set_plugin(engine: PrivateEngine, config: Path, name: str | None) -> None:
    """Switch the plugin with a configuration reload (``/info`` keeps showing the plugins
    of start-up, so the daemon's log tells when the reload is done)."""
    before = Path(engine.log_path).read_text(errors="replace").count("Reloaded configuration")
    config.write_text(json.dumps({"authorization-plugins": [name] if name else []}))
    assert engine.proc is not None
    engine.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        text = Path(engine.log_path).read_text(errors="replace")
        if text.count("Reloaded configuration") > before:
            time.sleep(0.2)
            return
        time.sleep(0.05)
    raise RuntimeError(f"plugin {name!r} not (de)activated by SIGHUP")


def start(cmd: list[str], ready: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{cmd} did not start")
        time.sleep(0.05)
    return proc


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--plugin-arg", action="append", default=[],
                        help="extra argument for dockward guard plugin (repeatable)")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="dwbench-"))
    name = f"dwbench-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    SPEC_DIR.mkdir(parents=True, exist_ok=True)
    spec = SPEC_DIR / f"{name}.spec"
    spec.write_text(f"unix://{tmp}/guard.sock\n")
    naive_name = f"{name}-naive"
    naive_spec = SPEC_DIR / f"{naive_name}.spec"
    naive_spec.write_text(f"unix://{tmp}/naive.sock\n")
    config = tmp / "daemon.json"
    config.write_text("{}")
    py = [sys.executable, "-m", "dockward", "guard"]
    plugin = start([*py, "plugin", "--socket", str(tmp / "guard.sock"), "--name", name,
                    "--engine", f"unix://{tmp}/engine.sock", "--log",
                    str(tmp / "decisions.jsonl"), *args.plugin_arg], tmp / "guard.sock")
    naive = start([sys.executable, str(Path(__file__).with_name("naive_plugin.py")),
                   str(tmp / "naive.sock")], tmp / "naive.sock")
    results: dict[str, Any] = {"rounds": []}
    proxy = None
    naive = None
    try:
        with PrivateEngine(f"--config-file={config}", f"-H=unix://{tmp}/engine.sock") as engine:
            engine.import_busybox()
            for _ in range(5):
                engine.client.api.create_container(BUSYBOX_TAG, ["true"])
            for _ in range(args.rounds):
                set_plugin(engine, config, None)
                plain = latency(engine.socket_path, args.requests)
                plain["empty_median_ms"] = latency(engine.socket_path, args.requests,
                                                   EMPTY)["median_ms"]
                plain["create_start_ms"] = create_start(engine, 10)
                set_plugin(engine, config, name)
                guarded = latency(engine.socket_path, args.requests)
                guarded["empty_median_ms"] = latency(engine.socket_path, args.requests,
                                                     EMPTY)["median_ms"]
                guarded["create_start_ms"] = create_start(engine, 10)
                set_plugin(engine, config, naive_name)
                simple = latency(engine.socket_path, args.requests)
                simple["empty_median_ms"] = latency(engine.socket_path, args.requests,
                                                    EMPTY)["median_ms"]
                results["rounds"].append({"plain": plain, "plugin": guarded, "naive": simple})
            results["create_start_plain_ms"] = statistics.median(
                r["plain"]["create_start_ms"] for r in results["rounds"])
            results["create_start_plugin_ms"] = statistics.median(
                r["plugin"]["create_start_ms"] for r in results["rounds"])
            set_plugin(engine, config, None)
            proxy = start([*py, "proxy", "--listen", f"unix:{tmp}/proxy.sock", "--upstream",
                           f"unix:{engine.socket_path}", "--profile", "read-only"],
                          tmp / "proxy.sock")
            results["proxy_latency"] = latency(str(tmp / "proxy.sock"), args.requests)
            results["direct_latency"] = latency(engine.socket_path, args.requests)
            for clients in (1, 4):
                results[f"direct_rps_{clients}"] = throughput(engine.socket_path, clients)
                results[f"proxy_rps_{clients}"] = throughput(str(tmp / "proxy.sock"), clients)
    finally:
        for proc in (plugin, naive, proxy):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=10)
        spec.unlink(missing_ok=True)
        naive_spec.unlink(missing_ok=True)
    if args.json:
        print(json.dumps(results, indent=2))
    print(report(results, args))
    return 0


def report(r: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [
        f"Keep-alive `GET /v1.41/containers/json?all=1` (5 containers), {args.requests} "
        "requests per round after 20 warm-ups, same dockerd with the plugin switched by "
        "SIGHUP; the plugin writes its decision log:",
        "",
        "| round | no plugin median / mean / p95 (ms) | dockward median / mean / p95 (ms) | "
        "ratio of medians | naive http.server plugin median (ms), ratio |",
        "|---|---|---|---|---|",
    ]
    ratios: list[float] = []
    naive_ratios: list[float] = []
    for i, rnd in enumerate(r["rounds"], start=1):
        p, g, n = rnd["plain"], rnd["plugin"], rnd["naive"]
        ratio = g["median_ms"] / p["median_ms"]
        ratios.append(ratio)
        naive_ratios.append(n["median_ms"] / p["median_ms"])
        lines.append(f"| {i} | {p['median_ms']:.3f} / {p['mean_ms']:.3f} / {p['p95_ms']:.3f} "
                     f"| {g['median_ms']:.3f} / {g['mean_ms']:.3f} / {g['p95_ms']:.3f} "
                     f"| {ratio:.2f}x | {n['median_ms']:.3f}, {naive_ratios[-1]:.2f}x |")
    empty = [rnd["plugin"]["empty_median_ms"] / rnd["plain"]["empty_median_ms"]
             for rnd in r["rounds"]]
    naive_empty = [rnd["naive"]["empty_median_ms"] / rnd["plain"]["empty_median_ms"]
                   for rnd in r["rounds"]]
    lines += [
        "",
        f"Median ratio over the rounds: **{statistics.median(ratios):.2f}x** for dockward, "
        f"{statistics.median(naive_ratios):.2f}x for the naive plugin.",
        "",
        "The same for `GET /v1.41/containers/json` answering `[]` (no container running), "
        "medians per round (ms): "
        + ", ".join(f"{rnd['plain']['empty_median_ms']:.3f} -> "
                    f"{rnd['plugin']['empty_median_ms']:.3f}" for rnd in r["rounds"])
        + f"; median ratio **{statistics.median(empty):.2f}x** (naive plugin "
        + f"{statistics.median(naive_empty):.2f}x).",
        "",
        f"create + start + wait + remove (`busybox:dw true`, median over the rounds of the "
        "median of 10): "
        f"{r['create_start_plain_ms']:.1f} ms without the plugin, "
        f"{r['create_start_plugin_ms']:.1f} ms with it "
        f"(+{r['create_start_plugin_ms'] - r['create_start_plain_ms']:.1f} ms).",
        "",
        "Proxy (`--profile read-only`) against the daemon's own socket:",
        "",
        "| | keep-alive median (ms) | req/s, 1 client | req/s, 4 clients |",
        "|---|---|---|---|",
        f"| direct | {r['direct_latency']['median_ms']:.3f} | {r['direct_rps_1']:.0f} | "
        f"{r['direct_rps_4']:.0f} |",
        f"| through the proxy | {r['proxy_latency']['median_ms']:.3f} | "
        f"{r['proxy_rps_1']:.0f} | {r['proxy_rps_4']:.0f} |",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
