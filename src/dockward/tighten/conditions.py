"""How a trial copy differs from the workload it copies, whatever the candidate.

A trial must prove something about the workload without touching anything the original
uses, so every trial body is the candidate's Workload (through
:func:`dockward.engine_body.body_from_workload`) with these changes:

* its own name and the run's label (``dockward.tighten=<run id>``), by which every trial
  container is found and removed, also after Ctrl-C;
* no published ports (``PortBindings`` and ``PublishAllPorts`` removed: a copy must not
  take the original's host port, nor open one);
* a throwaway network (``--network none`` when the original has none); a network, PID or
  IPC namespace shared with another container (``container:X``) is not joined;
* named volumes become fresh anonymous volumes (the engine fills them from the image as it
  does a new named volume, and removes them with the trial), writable bind mounts are
  mounted read-only unless the user allows the trials to share them;
* no restart policy (a failing trial must stay failed), and a healthcheck, if there is one,
  probed every second instead of its own interval, so a trial learns its health in seconds.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dockward.engine_body import body_from_workload
from dockward.models.workload import Workload

LABEL = "dockward.tighten"
TRIAL_LABEL = "dockward.tighten.trial"
HEALTH_INTERVAL_NS = 1_000_000_000


@dataclass(frozen=True)
class TrialConditions:
    """What every trial of one run shares."""

    run_id: str
    network: str  # "none" or the throwaway network's name
    check: tuple[str, ...] = ()  # argv run with exec; () for none
    settle: float = 5.0
    share_binds: bool = False
    image_healthcheck: Mapping[str, Any] | None = None
    expect: str = "either"  # running | exit0 | either (the first trial decides)

    def container_name(self, number: int) -> str:
        return f"dockward-trial-{self.run_id}-{number}"


def trial_body(w: Workload, conditions: TrialConditions, number: int) -> dict[str, Any]:
    """The create body of trial ``number`` for the candidate workload ``w``."""
    body = body_from_workload(w)
    body["Labels"] = {LABEL: conditions.run_id, TRIAL_LABEL: str(number)}
    hc: dict[str, Any] = body["HostConfig"]
    hc.pop("PortBindings", None)
    hc.pop("PublishAllPorts", None)
    hc["RestartPolicy"] = {"Name": ""}
    hc["NetworkMode"] = conditions.network
    for key in ("PidMode", "IpcMode"):
        if str(hc.get(key, "")).startswith("container:"):
            hc.pop(key)
    hc["Mounts"] = [_trial_mount(m, conditions.share_binds) for m in hc.get("Mounts", [])]
    if not hc["Mounts"]:
        hc.pop("Mounts")
    health = _trial_healthcheck(body.get("Healthcheck"), conditions.image_healthcheck)
    if health is not None:
        body["Healthcheck"] = health
    return body


def has_healthcheck(w: Workload, image_healthcheck: Mapping[str, Any] | None) -> bool:
    """True when the container will run a healthcheck (its own or the image's)."""
    return _trial_healthcheck(body_from_workload(w).get("Healthcheck"),
                              image_healthcheck) is not None


def _trial_mount(mount: Mapping[str, Any], share_binds: bool) -> dict[str, Any]:
    out = dict(mount)
    if out.get("Type") == "volume":
        out.pop("Source", None)  # a fresh anonymous volume, removed with the trial
    elif out.get("Type") == "bind" and not share_binds:
        out["ReadOnly"] = True
    return out


def _trial_healthcheck(own: object, image: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The healthcheck a trial runs (probed every second), or None when there is none."""
    spec: dict[str, Any] = dict(image or {})
    if isinstance(own, Mapping):
        spec.update(copy.deepcopy(dict(own)))
    test = spec.get("Test") or []
    if not test or test[0] == "NONE":
        return None
    interval = int(spec.get("Interval") or 0)
    if not interval or interval > HEALTH_INTERVAL_NS:
        spec["Interval"] = HEALTH_INTERVAL_NS
    spec["StartInterval"] = HEALTH_INTERVAL_NS
    return spec
