"""The settings a trial varies, and the Workload they make from the original one.

A :class:`Candidate` holds only what tighten decides (capabilities, user, read-only root and
its tmpfs mounts, ``no-new-privileges``, seccomp, limits, restart); everything else (image,
command, environment, mounts, namespaces) comes from the original Workload unchanged.  The
same :meth:`Candidate.apply` makes the workload of every trial and the final proposal, so
what was proven is what is proposed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace

from dockward.models.knowledge import DEFAULT_CAPABILITIES, is_root_user
from dockward.models.location import Location
from dockward.models.workload import Capability, Mount, RestartPolicy, SecurityOpt, Workload

# What `--restart` tighten proposes: bounded retries instead of a crash loop (DW304).
RESTART_POLICY = ("on-failure", 5)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One configuration to try.  ``None`` for a field keeps the original's setting.

    ``capabilities`` is the complete set the container keeps: with a value, the candidate
    drops ALL and adds exactly these back.
    """

    capabilities: frozenset[str] | None = None
    user: str | None = None
    read_only: bool = False
    tmpfs: tuple[str, ...] = ()
    no_new_privileges: bool = False
    seccomp_default: bool = False  # drop a `seccomp=unconfined` of the original
    unprivileged: bool = False  # drop the original's --privileged
    memory: int | None = None
    pids_limit: int | None = None
    cpus: float | None = None
    restart: bool = False

    def but(self, **changes: object) -> Candidate:
        return replace(self, **changes)  # type: ignore[arg-type]

    def apply(self, original: Workload) -> Workload:
        """A copy of ``original`` with this candidate's settings."""
        w = copy.deepcopy(original)
        at = Location(subject="dockward tighten", path="tighten")
        if self.unprivileged:
            w.privileged = False
        if self.capabilities is not None:
            w.cap_drop = [Capability("ALL", at)]
            w.cap_add = [Capability(name, at) for name in sorted(self.capabilities)]
        if self.user is not None:
            w.set("user", self.user, at)
        if self.read_only:
            w.set("read_only", True, at)
            present = {m.target for m in w.mounts}
            w.mounts.extend(Mount(type="tmpfs", source=None, target=t, origin=at)
                            for t in self.tmpfs if t not in present)
        if self.seccomp_default:
            w.security_opts = [o for o in w.security_opts
                               if not (o.key == "seccomp" and o.value.lower() == "unconfined")]
        if self.no_new_privileges and not w.no_new_privileges:
            w.security_opts.append(SecurityOpt("no-new-privileges", "true", at,
                                               "no-new-privileges"))
        for name in ("memory", "pids_limit", "cpus"):
            value = getattr(self, name)
            if value is not None:
                w.set(name, value, at)
        if self.restart:
            w.set("restart", RestartPolicy(RESTART_POLICY[0], at, RESTART_POLICY[1]), at)
        return w


def original_capabilities(w: Workload) -> frozenset[str]:
    """The capabilities the original container runs with, as names without ``CAP_``.

    Docker's default set, minus what it drops (everything for ``ALL``), plus what it adds.
    ``--cap-add ALL`` and ``--privileged`` count as the default set plus the named adds:
    tighten proves a smaller set or reports that the container needs more.
    """
    dropped = {c.name for c in w.cap_drop}
    kept = set() if "ALL" in dropped else set(DEFAULT_CAPABILITIES) - dropped
    kept |= {c.name for c in w.cap_add if c.name != "ALL"}
    return frozenset(kept)


def runs_as_root(w: Workload) -> bool:
    """True when the original's process runs as root (its user, else the image's)."""
    user = w.user if w.user not in (None, "") else w.image_user
    return is_root_user(user)
