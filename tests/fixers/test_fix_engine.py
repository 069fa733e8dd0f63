"""Fixed configurations still start, on a real private dockerd (tests/engine/harness.py).

- ``docker run`` lines fixed in a script and in a Markdown transcript are run as a user
  would run them (the script with ``sh``, the transcript's command without its prompts),
  and ``inspect`` shows the limits and options the fixes added;
- a fixed compose service becomes a create body (``body_from_workload``) that starts;
- ``dockward fix --host/--container --apply`` changes exactly the four settings the update
  endpoint owns and nothing else on the engine.
"""

from __future__ import annotations

import os
import re
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

from dockward.config import Config
from dockward.engine_body import body_from_workload
from dockward.models.workload import Workload
from dockward.readers.base import SourceFile
from dockward.readers.compose import read_compose
from dockward.usecases.fix import fix_paths, write_changes
from dockward.usecases.fix_live import fix_container
from tests.engine.harness import BUSYBOX_TAG, PrivateEngine

pytestmark = [pytest.mark.engine, pytest.mark.slow]

FIXED_HOST_CONFIG = {
    "Memory": 512 * 1024 * 1024,
    "NanoCpus": 1_000_000_000,
    "PidsLimit": 200,
    "ReadonlyRootfs": True,
    "CapDrop": ["ALL"],
    "Tmpfs": {"/tmp": ""},
}


def _fix(path: Path) -> None:
    write_changes(fix_paths([str(path)], Config(), unsafe=True))


def _check(engine: PrivateEngine, name: str, extra: dict[str, Any] | None = None) -> None:
    data = engine.client.api.inspect_container(name)
    assert data["State"]["Running"], data["State"]
    hc = data["HostConfig"]
    for key, value in {**FIXED_HOST_CONFIG, **(extra or {})}.items():
        assert hc[key] == value, (key, hc[key])
    assert "no-new-privileges" in hc["SecurityOpt"]
    assert data["Config"]["User"] == "10001:10001"
    assert not hc["Privileged"] and not hc["CapAdd"] and hc["PidMode"] == ""


def test_fixed_script_lines_start(engine: PrivateEngine, tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        set -e
        # the seed's insecure habits, on the image the private engine has
        docker run -d --name fixed-a --privileged --pid=host {BUSYBOX_TAG} sleep 300
        docker run -d --name fixed-b \\
          --cap-add SYS_ADMIN \\
          --security-opt seccomp=unconfined \\
          --restart always \\
          -p 8080:80 \\
          {BUSYBOX_TAG} sleep 300
        """))
    _fix(script)
    fixed = script.read_text()
    assert "--privileged" not in fixed and "seccomp=unconfined" not in fixed
    assert "# the seed's insecure habits, on the image the private engine has" in fixed
    subprocess.run(["sh", str(script)], check=True, env=engine.cli_env(
        {"PATH": os.path.dirname(engine.docker_cli or "/usr/bin/docker") + ":/usr/bin:/bin"}),
        capture_output=True, timeout=120)
    _check(engine, "fixed-a")
    _check(engine, "fixed-b", {"RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 5},
                               "PortBindings": {"80/tcp": [{"HostIp": "127.0.0.1",
                                                            "HostPort": "8080"}]}})


def test_fixed_markdown_transcript_starts(engine: PrivateEngine, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(textwrap.dedent(f"""\
        Start it:

        ```console
        $ docker run -d --name fixed-md \\
        >   --ipc host \\
        >   {BUSYBOX_TAG} sleep 300
        0123abcd
        ```
        """))
    _fix(readme)
    lines = readme.read_text().split("```console\n", 1)[1].split("```", 1)[0].splitlines()
    command = "\n".join(re.sub(r"^(\$|>) ", "", line) for line in lines
                        if line.startswith(("$ ", "> ")))
    assert "--ipc host" not in command and command.startswith("docker run -d --name fixed-md")
    subprocess.run(["sh", "-c", command], check=True, capture_output=True, timeout=120,
                   env=engine.cli_env({"PATH": os.path.dirname(engine.docker_cli or "") +
                                       ":/usr/bin:/bin"}))
    _check(engine, "fixed-md")
    assert engine.client.api.inspect_container("fixed-md")["HostConfig"]["IpcMode"] != "host"


def test_fixed_compose_service_create_body_starts(engine: PrivateEngine, tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text(textwrap.dedent(f"""\
        services:
          app:
            image: {BUSYBOX_TAG}
            command: ["sleep", "300"]
            privileged: true
            cap_add: [SYS_ADMIN]
            security_opt: ["apparmor=unconfined"]
            restart: unless-stopped
            ports:
              - "9090:90"
        """))
    _fix(compose)
    text = compose.read_text()
    services = [m for m in read_compose([SourceFile(str(compose), "c", text, "compose")], {})
                if isinstance(m, Workload)]
    assert len(services) == 1
    body = body_from_workload(services[0])
    api = engine.client.api
    created = api._result(api._post_json(api._url("/containers/create"), data=body,
                                         params={"name": "fixed-compose"}), True)
    api.start(created["Id"])
    _check(engine, "fixed-compose", {
        "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 5},
        "PortBindings": {"90/tcp": [{"HostIp": "127.0.0.1", "HostPort": "9090"}]}})


def _engine_state(engine: PrivateEngine) -> tuple[list[str], list[str], list[str], list[str]]:
    api = engine.client.api
    images = sorted(i["Id"] for i in api.images(all=True))
    return (sorted(engine.container_ids()), images, sorted(engine.network_ids()),
            sorted(engine.volume_names()))


_UPDATED = ("Memory", "MemorySwap", "NanoCpus", "PidsLimit", "RestartPolicy")


def test_live_fix_changes_only_what_update_owns(engine: PrivateEngine) -> None:
    target = engine.run_container("--name", "live-web", "--restart", "always", "-p", "8080:80",
                                  BUSYBOX_TAG, "sleep", "300")
    bystander = engine.run_container("--name", "live-other", BUSYBOX_TAG, "sleep", "300")
    api = engine.client.api
    before, other_before = api.inspect_container(target), api.inspect_container(bystander)
    state_before = _engine_state(engine)

    dry = fix_container(api, "live-web", Config(), unsafe=True, apply=False)
    assert not dry.applied
    assert dry.update_command == ["docker", "update", "--memory", "512m", "--memory-swap",
                                  "1g", "--cpus", "1", "--pids-limit", "200", "--restart",
                                  "on-failure:5", "live-web"]
    assert api.inspect_container(target) == before  # printing changes nothing

    done = fix_container(api, "live-web", Config(), unsafe=True, apply=True)
    assert done.applied and sorted(f.code for f in done.updated) == \
        ["DW301", "DW302", "DW303", "DW304"]
    assert {f.code for f in done.after} & {"DW301", "DW302", "DW303", "DW304"} == set()
    assert "--read-only" in done.recreate_command and "--user" in done.recreate_command

    after = api.inspect_container(target)
    hc = after["HostConfig"]
    assert (hc["Memory"], hc["MemorySwap"], hc["NanoCpus"], hc["PidsLimit"]) == \
        (512 << 20, 1 << 30, 1_000_000_000, 200)
    assert hc["RestartPolicy"] == {"Name": "on-failure", "MaximumRetryCount": 5}
    unchanged = {k: v for k, v in before["HostConfig"].items() if k not in _UPDATED}
    assert {k: v for k, v in hc.items() if k not in _UPDATED} == unchanged
    for key in ("Config", "Mounts", "Name", "Image", "RestartCount", "Created"):
        assert after[key] == before[key], key
    assert after["State"]["StartedAt"] == before["State"]["StartedAt"]
    assert api.inspect_container(bystander) == other_before
    assert _engine_state(engine) == state_before
