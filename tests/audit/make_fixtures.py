"""Regenerate ``tests/audit/fixtures`` from a real private engine.

    sudo .venv/bin/python -m tests.audit.make_fixtures

Runs the seed's demos on a private dockerd, then saves, trimmed to what dockward reads:
``inspect/<demo>.json`` (``GET /containers/{id}/json``), ``create/<demo>.json`` (the body
the docker CLI sent to ``POST /containers/create``, captured by the recording proxy),
``images/*.json`` (inspect + history), ``info.json`` and ``services.json`` (swarm).  The
private socket path is replaced by ``/var/run/docker.sock`` so the files read naturally.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.engine.audit_helpers import RecordingProxy, docker_at  # noqa: E402
from tests.engine.harness import BUSYBOX_TAG, PrivateEngine, free_tcp_port  # noqa: E402

OUT = Path(__file__).parent / "fixtures"

# demo name -> docker run/create arguments (before the image); the seed's list, with
# --cpus 2 instead of 4 (dockerd refuses more CPUs than the machine has)
DEMOS: dict[str, list[str]] = {
    "plain": [],
    "sock": ["-v", "{sock}:/var/run/docker.sock"],
    "pidhost": ["--pid=host"],
    "caps": ["--cap-drop=ALL", "--cap-add=CAP_NET_ADMIN"],
    "limits": ["--memory", "256m", "--cpus", "2"],
    "onfailure": ["--restart", "on-failure:5"],
    "always": ["--restart", "always"],
    "nethost": ["--network=host"],
    "hardened": ["--cap-drop=ALL", "--security-opt", "no-new-privileges", "--read-only",
                 "-u", "1000:1000", "--memory", "256m", "--cpus", "1", "--pids-limit", "100",
                 "--restart", "on-failure:5", "--tmpfs", "/tmp:size=1m",
                 "--mount", "type=bind,src=/etc,dst=/hostetc,readonly",
                 "-v", "data:/data", "-p", "127.0.0.1:8080:80", "--device",
                 "/dev/null:/dev/xnull", "-e", "API_TOKEN=abc", "--security-opt",
                 "seccomp=unconfined", "--ipc=host", "--uts=host"],
}
CREATE_ONLY = {"privileged": ["--privileged"]}

INSPECT_KEYS = ("Id", "Name", "Image", "Created", "RestartCount", "AppArmorProfile",
                "ProcessLabel", "Mounts")
STATE_KEYS = ("Status", "Running")
CONFIG_KEYS = ("User", "Env", "Cmd", "Entrypoint", "Image", "Labels", "ExposedPorts",
               "Healthcheck")


def _keep_hostconfig(hc: dict[str, Any]) -> dict[str, Any]:
    """Drop empty and zero values, which are most of HostConfig's ~70 keys."""
    return {k: v for k, v in hc.items() if v not in (None, "", 0, [], {}, False)
            or k in ("Privileged", "NetworkMode", "RestartPolicy", "PidMode", "Memory",
                     "PidsLimit")}


def trim_inspect(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: data.get(k) for k in INSPECT_KEYS}
    out["State"] = {k: data.get("State", {}).get(k) for k in STATE_KEYS}
    out["Config"] = {k: data["Config"].get(k) for k in CONFIG_KEYS}
    out["HostConfig"] = _keep_hostconfig(data["HostConfig"])
    return out


def _write(path: Path, data: Any, sock: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, indent=1, sort_keys=True).replace(sock, "/var/run/docker.sock")
    path.write_text(text + "\n", encoding="utf-8")


def main() -> None:
    with PrivateEngine() as eng, RecordingProxy(eng.socket_path) as proxy:
        eng.import_busybox()
        api = eng.client.api
        sock = eng.socket_path
        for name, args in {**DEMOS, **CREATE_ONLY}.items():
            proxy.clear()
            words = [a.format(sock=sock) for a in args]
            verb = ["create"] if name in CREATE_ONLY else ["run", "-d"]
            docker_at(eng, proxy.url, *verb, "--name", name, *words, BUSYBOX_TAG,
                      "sleep", "1000")
            body = next(json.loads(r.body) for r in proxy.requests
                        if r.method == "POST" and "/containers/create" in r.path)
            _write(OUT / "create" / f"{name}.json", body, sock)
            _write(OUT / "inspect" / f"{name}.json", trim_inspect(api.inspect_container(name)),
                   sock)
        folder = tempfile.mkdtemp()
        Path(folder, "Dockerfile").write_text(
            f"FROM {BUSYBOX_TAG}\nARG SECRET\nRUN echo $SECRET\nENV DB_PASSWORD=hunter2\n"
            "USER 1000\n")
        eng.build(folder, "test-arg", build_args={"SECRET": "my secret"})
        for ref, stem in ((BUSYBOX_TAG, "busybox"), ("test-arg", "test-arg")):
            data = api.inspect_image(ref)
            keep = {k: data.get(k) for k in ("Id", "RepoTags", "RepoDigests", "Created",
                                             "Architecture", "Os", "Size")}
            keep["Config"] = {k: data["Config"].get(k) for k in CONFIG_KEYS}
            _write(OUT / "images" / f"{stem}.json", keep, sock)
            _write(OUT / "images" / f"{stem}.history.json", list(api.history(ref)), sock)
        info = api.info()
        _write(OUT / "info.json", {k: info.get(k) for k in (
            "Name", "ServerVersion", "OSType", "SecurityOptions", "Swarm",
            "LiveRestoreEnabled", "Plugins", "RegistryConfig", "DockerRootDir",
            "ExperimentalBuild", "CgroupVersion")}, sock)
        port = free_tcp_port()
        eng.docker("swarm", "init", "--advertise-addr", "127.0.0.1",
                   "--listen-addr", f"127.0.0.1:{port}")
        eng.docker("service", "create", "--detach", "--name", "svc-sock", "--mount",
                   "type=bind,src=/var/run/docker.sock,dst=/var/run/docker.sock",
                   "--cap-add", "SYS_ADMIN", "--limit-memory", "256m", BUSYBOX_TAG,
                   "sleep", "1000")
        eng.docker("service", "create", "--detach", "--name", "svc-host",
                   "--restart-condition", "on-failure", "--restart-max-attempts", "5",
                   "--network", "host", "--limit-cpu", "1", "--limit-pids", "100",
                   "--read-only", "-u", "1000", BUSYBOX_TAG, "sleep", "1000")
        services = []
        networks = {}
        for svc in api.services():
            services.append({"ID": svc["ID"], "Spec": svc["Spec"]})
            for net in svc["Spec"]["TaskTemplate"].get("Networks") or []:
                networks[net["Target"]] = api.inspect_network(net["Target"])["Name"]
        _write(OUT / "services.json", {"services": services, "networks": networks}, sock)
    print(f"fixtures written to {OUT}")


if __name__ == "__main__":
    main()
