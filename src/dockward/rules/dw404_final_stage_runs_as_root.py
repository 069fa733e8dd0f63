"""DW404: the image's final stage runs as root."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockward.findings import Change, FixSafety, Hit, Remedy, Severity
from dockward.models.build import Build, Stage
from dockward.models.knowledge import is_root_user
from dockward.rules.registry import RuleContext, rule

# Base images documented to run as a non-root user by default.
_NON_ROOT_BASE = re.compile(r"[:@-]nonroot\b|:rootless\b|-rootless\b", re.IGNORECASE)
_WINDOWS_ROOT = frozenset({"containeradministrator", "administrator"})


def is_root(user: str) -> bool:
    """Root on Linux (``root``, ``0``, ``0:0``) or the Windows container administrator."""
    return is_root_user(user) or user.strip().split(":", 1)[0].lower() in _WINDOWS_ROOT


@rule(
    code="DW404",
    name="final-stage-runs-as-root",
    model=Build,
    severity=Severity.MEDIUM,
    fix=FixSafety.UNSAFE,
    refs=("CIS-4.1", "OWASP-D2", "ATTACK-T1611"),
)
def check(b: Build, ctx: RuleContext) -> Iterator[Hit]:
    """The image's final stage runs as root.

    ## What it does
    Looks at the final stage of a Dockerfile (the last `FROM`, following `FROM <stage>`
    to the stages it builds on) and reports it when no `USER` is set, at the `FROM` line,
    or when the last `USER` is `root`/`0`, at that `USER` line. Builder stages are not
    judged: only the final stage becomes the image. A `USER` that depends on a build arg
    without a default is not judged either, and neither is a base image whose tag says it
    runs as non-root (`:nonroot`).

    ## Why it matters
    The image's `USER` is what every `docker run`, compose service and Kubernetes pod gets
    unless it overrides the user. Root in the container is root on the host kernel,
    held back only by capabilities and LSM profiles; with a writable mount or a kernel
    bug, it is root on the host. A non-root default turns most escapes into
    "permission denied".

    ## Bad
    ```dockerfile
    FROM python:3.13-slim
    COPY app /app
    CMD ["python", "/app/main.py"]
    ```

    ## Good
    ```dockerfile
    FROM python:3.13-slim
    RUN useradd --uid 10001 --no-create-home app
    COPY --chown=10001:10001 app /app
    USER 10001
    CMD ["python", "/app/main.py"]
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` adds `USER` with the config's `[fix] user` after
    the final stage's build steps, preceded by a `RUN` that creates the account with
    `adduser` (Alpine, BusyBox) or `useradd` (Debian, Ubuntu, Fedora and images built on
    them) when the base is known to have it; a stage that switched back to root switches
    back to its earlier user. Unsafe: files the program writes must belong to that user.

    Create an unprivileged user in the final stage and switch to it with `USER` (a
    numeric UID works with Kubernetes `runAsNonRoot`). Give it ownership of what it
    writes; bind ports above 1024. Keep root-only steps (package installs) before `USER`.

    ## References
    - CIS Docker Benchmark v1.6, 4.1: a user for the container has been created (`CIS-4.1`)
    - OWASP Docker Security Cheat Sheet, rule 2: set a user (`OWASP-D2`)
    - MITRE ATT&CK T1611, Escape to Host (`ATTACK-T1611`)
    """
    if not b.is_dockerfile:
        return
    final = b.final_stage
    if final is None:
        return
    setting = b.effective_user(final)
    if setting is None:
        root_base = b.ancestry(final)[-1]
        if _NON_ROOT_BASE.search(root_base.base_resolved or root_base.base):
            return
        yield Hit(
            final.origin,
            f"the final stage (FROM {final.base}) never sets USER: the image runs as root "
            "unless its base image chose another user; add `USER <non-root uid>`",
            "USER missing",
            remedy=user_remedy(b, final, ctx.fix.user),
        )
        return
    if setting.resolved is None:
        return  # depends on a build arg
    if is_root(setting.resolved):
        yield Hit(
            setting.origin,
            f"the final stage's last USER is {setting.resolved}: the image runs as root; "
            "switch to a non-root user after the steps that need root",
            f"USER {setting.resolved}",
            remedy=_back_to_user(b, final, ctx.fix.user),
        )


# Base images whose user tools are known: busybox's adduser, or shadow's useradd.
_BUSYBOX_BASES = re.compile(r"(?:^|/)(?:alpine|busybox)(?::|@|$)|[:-]alpine", re.IGNORECASE)
_SHADOW_BASES = re.compile(
    r"(?:^|/)(?:debian|ubuntu|fedora|centos|rockylinux|almalinux|amazonlinux|oraclelinux"
    r"|python|node|golang|ruby|php|perl|openjdk|eclipse-temurin|amazoncorretto|maven"
    r"|gradle|nginx|httpd|postgres|redis|mysql|mariadb|buildpack-deps)(?::|@|$)",
    re.IGNORECASE)
_NUMERIC_USER = re.compile(r"(\d+)(?::(\d+))?")


def user_tool(b: Build, stage: Stage) -> str | None:
    """``busybox`` or ``shadow`` when the stage's base is known to have ``adduser`` or
    ``useradd`` (by the image's name, or by the package manager its RUNs call)."""
    chain = b.ancestry(stage)
    base = chain[-1].base_resolved or chain[-1].base
    if _BUSYBOX_BASES.search(base):
        return "busybox"
    if _SHADOW_BASES.search(base):
        return "shadow"
    programs = {c.program for member in chain for run in member.runs for c in run.commands}
    if programs & {"apk", "adduser", "addgroup"}:
        return "busybox"
    if programs & {"apt-get", "apt", "dnf", "yum", "useradd", "groupadd"}:
        return "shadow"
    return None


def _back_to_user(b: Build, final: Stage, default: str) -> Remedy:
    earlier = _earlier_user(b, final)
    if earlier is not None:  # the account exists: switch back to it, create nothing
        return Remedy(Change.SET, "stage_user", earlier, final.origin)
    return user_remedy(b, final, default)


def user_remedy(b: Build, final: Stage, user: str) -> Remedy:
    """``USER <uid>`` at the end of the final stage's build steps, after a RUN that creates
    the account when the base image has the tools for it."""
    remedy = Remedy(Change.SET, "stage_user", user, final.origin)
    numeric = _NUMERIC_USER.fullmatch(user.strip())
    tool = user_tool(b, final)
    if numeric is None or tool is None:
        return remedy
    uid = numeric.group(1)
    gid = numeric.group(2) or uid
    account = Remedy(Change.ADD, "user_account", (uid, gid, tool), final.origin)
    return Remedy(Change.SET, "stage_user", user, final.origin, also=(account,))


def _earlier_user(b: Build, final: Stage) -> str | None:
    """The stage's last non-root USER before it switched back to root (``USER node`` ...
    ``USER root``): switching back to it keeps the files it owns usable."""
    for member in b.ancestry(final):
        for setting in reversed(member.users):
            if setting.resolved is not None and not is_root(setting.resolved):
                return setting.resolved
    return None
