"""Writing a wanted Workload into a compose service or a run line (for ``tighten``)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dockward.fixers.base import Unfixable
from dockward.fixers.workload import write_workload
from dockward.models.location import Location
from dockward.models.workload import Capability, Mount, RestartPolicy, Workload

HERE = Location()


def wanted() -> Workload:
    """What a tighten run might learn: no capabilities but one, a user, limits."""
    return Workload(
        name="web", source_kind="container", anchor=HERE, image="nginx:1.27",
        cap_drop=[Capability("ALL", HERE)], cap_add=[Capability("NET_BIND_SERVICE", HERE)],
        user="101:101", read_only=True, memory=64 << 20, cpus=0.5, pids_limit=50,
        restart=RestartPolicy("on-failure", HERE, 3),
        mounts=[Mount("tmpfs", None, "/var/cache/nginx", HERE), Mount("tmpfs", None, "/run",
                                                                       HERE)])


def test_compose_service(tmp_path: Path) -> None:
    compose = tmp_path / "compose.yaml"
    compose.write_text(textwrap.dedent("""\
        services:
          web:
            image: nginx:1.27  # the front door
            cap_add: [SYS_ADMIN]
            restart: always
            ports: ["8080:80"]
          db:
            image: postgres:17
        """))
    text = write_workload(str(compose), "services.web", wanted(), kind="compose")
    # SYS_ADMIN was cap_add's only item, so the key went; the next pass added it anew
    assert text == textwrap.dedent("""\
        services:
          web:
            image: nginx:1.27  # the front door
            restart: on-failure:3
            ports: ["8080:80"]
            cap_drop: [ALL]
            user: "101:101"
            mem_limit: 64m
            cpus: 0.5
            pids_limit: 50
            read_only: true
            tmpfs: [/var/cache/nginx, /run]
            cap_add: [NET_BIND_SERVICE]
          db:
            image: postgres:17
        """)
    assert compose.read_text().count("SYS_ADMIN") == 1  # nothing is written to disk


def test_run_line(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text("docker run -d --restart always -p 8080:80 nginx:1.27\n")
    text = write_workload(str(script), "run[0]", wanted(), kind="shell")
    assert text == (
        "docker run -d --restart on-failure:3 -p 8080:80 --cap-drop ALL --cap-add "
        "NET_BIND_SERVICE --user 101:101 --memory 64m --cpus 0.5 --pids-limit 50 --read-only "
        "--tmpfs /var/cache/nginx --tmpfs /run nginx:1.27\n")


def test_unknown_workload(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text("docker run -d nginx:1.27\n")
    with pytest.raises(Unfixable, match=r"no workload run\[5\]"):
        write_workload(str(script), "run[5]", wanted(), kind="shell")
