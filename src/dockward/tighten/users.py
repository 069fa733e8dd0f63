"""Which non-root users to try, from the image's own ``/etc/passwd`` first.

An image that creates a user for its app (``nginx``, uid 101; ``node``, uid 1000) means it to
run as that user: its files are owned by it.  So the image's own non-root accounts come
first, then ``nobody`` (65534, present almost everywhere), then a fixed uid that exists in
no image (10001), which works for apps that need no file of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

NOBODY = 65534
FIXED_UID = 10001
MAX_IMAGE_USERS = 3
# Accounts that base images ship for the system, not for an app.
_SYSTEM_NAMES = frozenset({
    "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
    "www-data", "backup", "list", "irc", "gnats", "_apt", "systemd-network",
    "systemd-resolve", "systemd-timesync", "messagebus", "halt", "shutdown", "operator",
    "adm", "ftp", "postmaster", "cron", "squid", "xfs", "smmsp", "guest", "at", "sshd",
    "ntp", "nobody", "nogroup", "nfsnobody", "polkitd", "dbus", "ubuntu",
})


@dataclass(frozen=True, slots=True)
class Account:
    """One ``/etc/passwd`` line."""

    name: str
    uid: int
    gid: int

    @property
    def user_spec(self) -> str:
        """``uid:gid``, numeric so it means the same to docker, compose and Kubernetes."""
        return f"{self.uid}:{self.gid}"


def parse_passwd(text: str) -> list[Account]:
    """The accounts of a passwd file; malformed lines are skipped."""
    out: list[Account] = []
    for line in text.splitlines():
        fields = line.strip().split(":")
        if len(fields) < 4 or not fields[0] or fields[0].startswith("#"):
            continue
        try:
            out.append(Account(fields[0], int(fields[2]), int(fields[3])))
        except ValueError:
            continue
    return out


def user_candidates(accounts: list[Account]) -> list[tuple[str, str]]:
    """``(user spec, why)`` to try, in order of preference."""
    own = [a for a in accounts
           if a.uid >= 100 and a.uid != NOBODY and a.name not in _SYSTEM_NAMES]
    # images append their app user last: the most recently added account first
    picked = list(reversed(own))[:MAX_IMAGE_USERS]
    out = [(a.user_spec, f"the image's user {a.name}") for a in picked]
    nobody = next((a for a in accounts if a.uid == NOBODY), None)
    nobody_gid = nobody.gid if nobody else NOBODY
    out.append((f"{NOBODY}:{nobody_gid}", "nobody"))
    out.append((f"{FIXED_UID}:{FIXED_UID}", "a uid no image uses"))
    return out
