"""The live editor: what ``docker update`` can change in a running container.

The Engine changes memory, CPU and PIDs limits and the restart policy of a container in place
(``POST /containers/{id}/update``); everything else (capabilities, user, read-only root,
mounts ...) is fixed only by re-creating the container, for which
:mod:`dockward.fixers.workload_model` writes the ``docker run`` command.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dockward.findings import Remedy
from dockward.kinds import cpus_text, docker_size

UPDATABLE = frozenset({"memory", "cpus", "pids_limit", "restart"})


def updatable(remedy: Remedy) -> bool:
    """True when every part of ``remedy`` is something ``docker update`` changes."""
    return all(part.setting in UPDATABLE for part in remedy.parts())


def update_body(remedies: Iterable[Remedy]) -> dict[str, Any]:
    """The ``/containers/{id}/update`` body for the updatable remedies.

    A new memory limit comes with a swap limit of twice the memory, as ``docker run
    --memory`` gives (the Engine refuses a memory limit above an existing swap limit).
    """
    body: dict[str, Any] = {}
    for remedy in remedies:
        for part in remedy.parts():
            if part.setting == "memory":
                body["Memory"] = int(part.value)
                body["MemorySwap"] = 2 * int(part.value)
            elif part.setting == "cpus":
                body["NanoCpus"] = round(float(part.value) * 1_000_000_000)
            elif part.setting == "pids_limit":
                body["PidsLimit"] = int(part.value)
            elif part.setting == "restart":
                name, retries = part.value
                body["RestartPolicy"] = {"Name": str(name),
                                         "MaximumRetryCount": int(retries or 0)}
    return body


def update_args(container: str, body: dict[str, Any]) -> list[str]:
    """The ``docker update`` command that sends ``body``."""
    args = ["docker", "update"]
    if "Memory" in body:
        args += ["--memory", docker_size(body["Memory"]),
                 "--memory-swap", docker_size(body["MemorySwap"])]
    if "NanoCpus" in body:
        args += ["--cpus", cpus_text(body["NanoCpus"] / 1_000_000_000)]
    if "PidsLimit" in body:
        args += ["--pids-limit", str(body["PidsLimit"])]
    if "RestartPolicy" in body:
        policy = body["RestartPolicy"]
        retries = policy.get("MaximumRetryCount") or 0
        name = policy["Name"]
        args += ["--restart", f"{name}:{retries}" if name == "on-failure" and retries
                 else name]
    args.append(container)
    return args


def send_update(api: Any, container_id: str, body: dict[str, Any]) -> list[str]:
    """``POST /containers/{id}/update`` (the docker SDK's ``update_container`` knows neither
    ``NanoCpus`` nor ``PidsLimit``); returns the Engine's warnings."""
    response = api._post_json(api._url("/containers/{0}/update", container_id), data=body)
    result = api._result(response, True)
    warnings = result.get("Warnings") if isinstance(result, dict) else None
    return [str(w) for w in warnings or []]
