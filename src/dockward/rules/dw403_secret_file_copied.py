"""DW403: a credential file is copied into the image."""

from __future__ import annotations

import fnmatch
import posixpath
from collections.abc import Iterator

from dockward.findings import Confidence, FixSafety, Hit, Severity
from dockward.models.build import Build, CopyInstruction, Stage
from dockward.rules.registry import RuleContext, rule
from dockward.secrets import scrub

# (pattern on the basename or on a path suffix, what it is)
SECRET_FILES: tuple[tuple[str, str], ...] = (
    ("id_rsa", "an SSH private key"),
    ("id_dsa", "an SSH private key"),
    ("id_ecdsa", "an SSH private key"),
    ("id_ed25519", "an SSH private key"),
    ("*.pem", "a PEM file (private keys live in these)"),
    ("*.key", "a private key"),
    ("*.p12", "a PKCS#12 key store"),
    ("*.pfx", "a PKCS#12 key store"),
    ("*.jks", "a Java key store"),
    ("*.keystore", "a key store"),
    ("*.kdbx", "a KeePass database"),
    (".env", "a .env file"),
    (".env.*", "a .env file"),
    (".npmrc", "an npm config (registry tokens)"),
    (".yarnrc.yml", "a yarn config (registry tokens)"),
    (".pypirc", "a PyPI config (upload credentials)"),
    (".netrc", "a .netrc (login credentials)"),
    ("_netrc", "a .netrc (login credentials)"),
    (".git-credentials", "stored git credentials"),
    (".pgpass", "a PostgreSQL password file"),
    (".my.cnf", "a MySQL client config (passwords)"),
    (".vault-token", "a Vault token"),
    (".htpasswd", "a password file"),
    (".aws/credentials", "AWS credentials"),
    (".aws", "AWS credentials"),
    (".docker/config.json", "Docker registry credentials"),
    (".kube/config", "a kubeconfig (cluster credentials)"),
    ("kubeconfig", "a kubeconfig (cluster credentials)"),
    ("*.kubeconfig", "a kubeconfig (cluster credentials)"),
    (".ssh", "an SSH directory (private keys)"),
    (".gnupg", "a GnuPG home (private keys)"),
    ("credentials.json", "a credentials file"),
    ("*-credentials.json", "a credentials file"),
    ("service-account*.json", "a cloud service-account key"),
    ("application_default_credentials.json", "Google Cloud credentials"),
)
# Template files that document which variables exist, not their values.
_EXEMPT = ("*.example", "*.sample", "*.template", "*.dist", "*.tmpl", "*.tpl", "*.pub",
           "*.defaults", ".env.test")
_SHELL_REMOVERS = frozenset({"rm", "shred", "unlink"})


def secret_file_kind(path: str) -> str | None:
    """What credential ``path`` names, by its basename or a known path suffix, or None."""
    norm = path.replace("\\", "/").rstrip("/")
    if not norm or norm in (".", "/"):
        return None
    base = posixpath.basename(norm)
    if any(fnmatch.fnmatch(base.lower(), pat) for pat in _EXEMPT):
        return None
    for pattern, what in SECRET_FILES:
        if "/" in pattern:
            if norm == pattern or norm.endswith("/" + pattern):
                return what
        elif fnmatch.fnmatchcase(base, pattern):
            return what
    return None


@rule(
    code="DW403",
    name="secret-file-copied",
    model=Build,
    severity=Severity.HIGH,
    fix=FixSafety.NONE,
    confidence=Confidence.MEDIUM,
    refs=("CIS-4.10", "OWASP-D12", "ATTACK-T1552.001", "ATTACK-T1552.004"),
)
def check(b: Build, ctx: RuleContext) -> Iterator[Hit]:
    """A credential file is copied into the image.

    ## What it does
    Reports `COPY`/`ADD` in the stages that make the final image when a source or the
    destination is a credential file: SSH keys (`id_rsa`, `id_ed25519`, `.ssh/`),
    `*.pem`, `*.key`, key stores, `.env`, `.npmrc`, `.pypirc`, `.netrc`,
    `.git-credentials`, `.aws/credentials`, `.docker/config.json`, kubeconfigs, cloud
    service-account keys. Templates (`.env.example`, `*.pub`) are not reported. Builder
    stages are not judged: copying a file there and only its results onward is the
    classic multi-stage workaround (a secret mount is still better).

    ## Why it matters
    A `COPY` creates a layer, and a layer is forever: deleting the file in a later `RUN`
    only adds a layer that hides it, the bytes still ship with the image and come back
    with `docker save` and `tar`. Whoever can pull the image gets the key, the registry
    token or the cluster credentials.

    ## Bad
    ```dockerfile
    FROM node:22-alpine
    COPY .npmrc /root/.npmrc
    RUN npm ci && rm /root/.npmrc
    ```

    ## Good
    ```dockerfile
    FROM node:22-alpine
    RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
    ```

    ## Fix
    Automatic fix: none. the image may need the credential at run time, from a secret, or
    only during the build, through a secret mount: only its owner knows which.

    Mount the file only for the `RUN` that needs it: `RUN --mount=type=secret,id=npmrc,
    target=/root/.npmrc npm ci` with `docker build --secret id=npmrc,src=$HOME/.npmrc`,
    or `--mount=type=ssh` for git over SSH. Add the file to `.dockerignore` so `COPY .`
    cannot pick it up, and rotate any credential that was already built into an image.

    ## References
    - CIS Docker Benchmark v1.6, 4.10: secrets are not stored in Dockerfiles (`CIS-4.10`)
    - OWASP Docker Security Cheat Sheet, rule 12: use secrets management (`OWASP-D12`)
    - MITRE ATT&CK T1552.001 Credentials In Files, T1552.004 Private Keys
      (`ATTACK-T1552.001`, `ATTACK-T1552.004`)
    """
    if not b.is_dockerfile or b.final_stage is None:
        return
    chain = b.ancestry(b.final_stage)
    for stage in chain:
        for copy in stage.copies:
            if copy.onbuild:
                continue
            found = _secret_in(copy)
            if found is None:
                continue
            path, what = found
            removal = _later_removal(chain, copy, path)
            note = (f" The `rm` at line {removal} does not help: the file stays in the "
                    f"{copy.instruction} layer." if removal else
                    " Deleting it in a later RUN would not help: the layer keeps it.")
            yield Hit(
                copy.origin,
                f"{copy.instruction} puts {what} ({scrub(path)}) into the image, where anyone "
                f"who pulls it can read it.{note} Use `RUN --mount=type=secret` (or "
                "`--mount=type=ssh`) instead",
                f"{copy.instruction} {scrub(path)}",
                extra={"file": path},
            )


def _secret_in(copy: CopyInstruction) -> tuple[str, str] | None:
    for source in copy.sources:
        what = secret_file_kind(source)
        if what:
            return source, what
    dest = copy.destination
    if dest and not dest.endswith(("/", "\\", ".")):
        what = secret_file_kind(dest)
        if what and (copy.heredocs or len(copy.sources) == 1):
            return dest, what
    return None


def _later_removal(chain: list[Stage], copy: CopyInstruction, path: str) -> int | None:
    """Line of a later RUN that deletes the copied file (``rm``), if any."""
    base = posixpath.basename(path.replace("\\", "/").rstrip("/"))
    dest_base = posixpath.basename(copy.destination.rstrip("/"))
    for stage in chain:
        for run in stage.runs:
            if run.origin.line <= copy.origin.line:
                continue
            for cmd in run.commands:
                if cmd.program not in _SHELL_REMOVERS:
                    continue
                for word in cmd.argv[1:]:
                    wbase = posixpath.basename(word.rstrip("/"))
                    if wbase and wbase in (base, dest_base):
                        return cmd.line
            if not run.commands and base and ("rm " in run.script and base in run.script):
                return run.origin.line
    return None
