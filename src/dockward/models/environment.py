"""What surrounds a model and changes its meaning: the daemon's defaults, the image's config.

A create request that sets no user runs as the image's USER; one that sets no
no-new-privileges still gets it when the daemon applies it to every container.  Files alone
cannot say either, so a scan judges without an Environment; the live audit and the guard
know the daemon (and the guard can inspect the image), and pass one to the rule runner so
that what they report or refuse is what the container will really run with.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dockward.models.daemon import Daemon


@dataclass(frozen=True, slots=True)
class DaemonDefaults:
    """What the daemon applies to every container that does not say otherwise."""

    no_new_privileges: bool = False
    seccomp_unconfined: bool = False
    userns_remap: bool = False

    @classmethod
    def of(cls, daemon: Daemon) -> DaemonDefaults:
        """The defaults a daemon's flags, daemon.json and ``/info`` establish."""
        seccomp = daemon.setting("seccomp-profile")
        info_seccomp = daemon.security_options().get("seccomp") or {}
        return cls(
            no_new_privileges=daemon.enabled("no-new-privileges") is True,
            seccomp_unconfined=(
                (seccomp is not None and str(seccomp.value).strip().lower() == "unconfined")
                or info_seccomp.get("profile", "").lower() == "unconfined"),
            userns_remap=bool(daemon.setting("userns-remap"))
            or "userns" in daemon.security_options() or daemon.rootless,
        )


@dataclass(frozen=True, slots=True)
class Environment:
    """The surroundings rules may consult: ``None`` fields are unknown, never assumed."""

    daemon: DaemonDefaults | None = None
    image_users: Mapping[str, str] = field(default_factory=dict)  # image ref or id -> USER

    def image_user(self, image: str | None) -> str | None:
        """The USER the image configures (``""`` for root by default), when known."""
        if not image:
            return None
        return self.image_users.get(image)


NO_ENVIRONMENT = Environment()
