"""DW401: a secret is passed as a build arg, so it is written into the image history."""

from __future__ import annotations

import re
from collections.abc import Iterator

from dockward.findings import Change, Confidence, FixSafety, Hit, Remedy, Severity
from dockward.models.build import PREDEFINED_ARGS, ArgDecl, Build, ExternalArg, Stage
from dockward.rules.registry import RuleContext, rule
from dockward.secrets import (
    classify_name,
    classify_value,
    hardcoded_secret,
    placeholder_is_secret,
    placeholder_refs,
    redact_assignment,
)

HISTORY = ("build args are stored in plain text in the image history, so `docker history "
           "--no-trunc` shows the value to anyone who can pull the image")


def fix_hint(name: str) -> str:
    ident = name.lower().replace("_", "-")
    return (f"pass it as a build secret instead: `RUN --mount=type=secret,id={ident},"
            f"env={name} ...` in the Dockerfile and `docker build --secret id={ident},"
            f"src=FILE` (or `,env={name}`)")


def external_secret_reason(arg: ExternalArg) -> str | None:
    """Why a build arg given from outside carries a secret, or None."""
    if arg.name in PREDEFINED_ARGS:
        return None
    verdict = classify_name(arg.name)
    if verdict:
        return "its name says it is a secret"
    if arg.value_kind == "placeholder" and placeholder_is_secret(arg.value):
        refs = ", ".join(placeholder_refs(arg.value)[:2])
        return f"its value comes from {refs}"
    if arg.value_kind == "literal":
        why = hardcoded_secret(arg.name, arg.value)
        if why:
            return why
    return None


def arg_secret_reason(build: Build, arg: ArgDecl) -> str | None:
    """Why an ARG of a Dockerfile holds a secret: its name, its default, or what it gets."""
    if arg.name in PREDEFINED_ARGS:
        return None
    if classify_name(arg.name):
        return "its name says it is a secret"
    if arg.default is not None:
        kind = classify_value(arg.default)
        if kind and hardcoded_secret(arg.name, arg.default):
            return f"its default looks like a {kind.replace('-', ' ')}"
    for ext in build.linked_external_args(arg.name):
        if external_secret_reason(ext):
            return f"it receives a secret from {ext.origin.file}:{ext.origin.line}"
    return None


def _literal_secret_default(arg: ArgDecl) -> bool:
    return arg.default is not None and bool(hardcoded_secret(arg.name, arg.default))


def arg_use(stage: Stage, arg: ArgDecl, in_scope_counts: bool) -> str | None:
    """How the stage uses the ARG after declaring it, or None when nothing reads it.

    A RUN that reads the variable only through a secret mount (``env=NAME``) does not
    count.  When ``in_scope_counts`` (the ARG certainly has a value), any later RUN is a
    use: every RUN records all build args in scope in its history entry.
    """
    after = arg.origin.line
    first_run = None
    for run in stage.runs:
        if run.origin.line <= after or run.onbuild:
            continue
        if arg.name in run.refs and arg.name not in run.secret_envs:
            return f"used by RUN at line {run.origin.line}"
        first_run = first_run or run
    for env in stage.env:
        if env.origin.line > after and arg.name in env.refs:
            return f"copied into ENV {env.key} at line {env.origin.line}"
    if in_scope_counts and first_run is not None:
        return (f"in scope of RUN at line {first_run.origin.line} (each RUN records every "
                "build arg in scope)")
    return None


@rule(
    code="DW401",
    name="secret-build-arg",
    model=Build,
    severity=Severity.HIGH,
    fix=FixSafety.UNSAFE,
    confidence=Confidence.MEDIUM,
    refs=("CIS-4.10", "OWASP-D12", "ATTACK-T1552.001"),
)
def check(b: Build, ctx: RuleContext) -> Iterator[Hit]:
    """A secret is passed as a build arg, so it is written into the image history.

    ## What it does
    In a Dockerfile, reports an `ARG` whose name says it is a secret (`SECRET`,
    `NPM_TOKEN`, `DB_PASSWORD`...), whose default looks like a credential, or that
    receives a secret from a `docker build` line or a compose `build.args` entry, when a
    `RUN` or `ENV` of its stage reads it (an ARG with a literal secret default is
    reported as soon as any `RUN` follows it). On the command line and in compose files,
    reports each `--build-arg` / `build.args` entry that carries a secret, at that word:
    by name, by a value that looks like a token, or by a CI placeholder that points to a
    secret (`${{ secrets.NPM_TOKEN }}`). When the Dockerfile is known and declares no
    such ARG, the build arg is ignored by the builder and nothing is reported.
    `RUN --mount=type=secret` and `--mount=type=ssh` are never reported.

    ## Why it matters
    Every `RUN` records the build args in scope in the image history
    (`|1 SECRET=my secret /bin/sh -c echo $SECRET`), and the history ships with the
    image. Anyone who can pull the image reads the secret with
    `docker history --no-trunc`, long after the build. The seed's `Dockerfile.build-args`
    demo shows exactly this. A CI secret passed as `--build-arg` is masked in the CI log,
    but not in the image.

    ## Bad
    ```dockerfile
    FROM alpine:3.20.0
    ARG SECRET
    RUN echo $SECRET
    ```
    ```sh
    docker build --build-arg SECRET="my secret" -f Dockerfile.build-args .
    ```

    ## Good
    ```dockerfile
    FROM alpine:3.20.0
    RUN --mount=type=secret,id=mysecret cat /run/secrets/mysecret
    ```
    ```sh
    docker build --secret id=mysecret,src=$PWD/SECRET -f Dockerfile.secret .
    ```

    ## Fix
    Automatic fix: unsafe. `--unsafe-fixes` moves the build arg to a BuildKit secret
    everywhere at once: the `ARG` goes, every `RUN` that reads it gets
    `--mount=type=secret,id=<id>,env=<NAME>` (so the script still reads `$NAME`), and every
    `docker build --build-arg` and compose `build.args` that feeds it becomes `--secret
    id=<id>,env=<VAR>` or `build.secrets` with a top-level `secrets` entry. When a value is
    written in the file, or the ARG has a default or is copied into `ENV`, where the secret
    should live is left to a human. Unsafe: the build needs BuildKit (Dockerfile syntax 1.10
    for `env=`), and builds started elsewhere must pass `--secret`.

    Replace the ARG with a secret mount: `RUN --mount=type=secret,id=npm,env=NPM_TOKEN
    npm ci` (or read `/run/secrets/<id>`), and pass it with `docker build --secret
    id=npm,env=NPM_TOKEN` or compose `build.secrets`. For private repositories use
    `--mount=type=ssh` with `docker build --ssh default`. Rotate any secret that was
    already built into an image.

    ## References
    - CIS Docker Benchmark v1.6, 4.10: secrets are not stored in Dockerfiles (`CIS-4.10`)
    - OWASP Docker Security Cheat Sheet, rule 12: use secrets management (`OWASP-D12`)
    - MITRE ATT&CK T1552.001, Unsecured Credentials: Credentials In Files
      (`ATTACK-T1552.001`)
    - Docker docs, "Build secrets": https://docs.docker.com/build/building/secrets/
    """
    if b.is_dockerfile:
        yield from _dockerfile_args(b)
    else:
        yield from _invocation_args(b)


def _dockerfile_args(b: Build) -> Iterator[Hit]:
    for stage in b.stages:
        for arg in stage.args:
            why = arg_secret_reason(b, arg)
            if why is None:
                continue
            given = [e for e in b.linked_external_args(arg.name) if external_secret_reason(e)]
            certain = _literal_secret_default(arg) or bool(given)
            use = arg_use(stage, arg, in_scope_counts=certain)
            if use is None:
                continue
            where = "" if stage is b.final_stage else f" in build stage '{stage.label}'"
            source = ""
            if given and not why.startswith("it receives"):
                origins = ", ".join(f"{e.origin.file}:{e.origin.line}" for e in given[:3])
                source = f"; it receives a secret from {origins}"
            hit = Hit(
                arg.origin,
                f"ARG {arg.name}{where} holds a secret ({why}) and is {use}{source}: "
                f"{HISTORY}; {fix_hint(arg.name)}",
                redact_assignment(arg.name, arg.default),
                extra={"arg": arg.name, "stage": stage.label},
            )
            _attach(hit, secret_move(b, arg.name))
            yield hit


def _invocation_args(b: Build) -> Iterator[Hit]:
    target = b.dockerfile
    for ext in b.external_args:
        why = external_secret_reason(ext)
        if why is None:
            continue
        if target is not None:
            decls = target.arg_decls(ext.name)
            if not decls:
                continue  # not declared: the builder warns and records nothing
            decl = decls[0]
            receiver = f"ARG {ext.name} at {decl.origin.file}:{decl.origin.line}"
            consequence = f"it will be visible in `docker history` ({HISTORY})"
        else:
            receiver = f"build arg {ext.name}"
            consequence = (f"once an ARG {ext.name} reads it, it is visible in `docker "
                           f"history` ({HISTORY})")
        hit = Hit(
            ext.origin,
            f"{ext.via} {ext.name} passes a secret ({why}) to {receiver}: {consequence}; "
            f"{fix_hint(ext.name)}",
            redact_assignment(ext.name, ext.value),
            extra={"arg": ext.name, "value_kind": ext.value_kind},
        )
        _attach(hit, secret_move(target, ext.name) if target is not None else (
            "the Dockerfile this build reads was not found: move the ARG to a secret mount "
            "there, then pass the value with --secret"))
        yield hit


# ``$NAME`` / ``${NAME}``: a value taken whole from one environment variable.
_ONE_VARIABLE = re.compile(r"\$(?:\{(?P<b>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<n>[A-Za-z_][A-Za-z0-9_]*))")


def secret_id(name: str) -> str:
    return name.lower().replace("_", "-")


def _attach(hit: Hit, found: Remedy | str) -> None:
    if isinstance(found, Remedy):
        hit.remedy = found
    else:
        hit.manual = found


def secret_move(dockerfile: Build, name: str) -> Remedy | str:
    """The build arg ``name`` moved to a BuildKit secret, everywhere at once: every ``ARG``
    removed and every ``RUN`` that reads it given ``--mount=type=secret,id=..,env=NAME``
    (the script keeps reading ``$NAME``), and every ``--build-arg``/``build.args`` that
    feeds it turned into ``--secret id=..,env=VAR``/``build.secrets``.  A reason (str)
    instead when a part cannot move without a human's decision."""
    ident = secret_id(name)
    parts: list[Remedy] = []
    for stage in dockerfile.stages:
        for arg in stage.args:
            if arg.name != name:
                continue
            if arg.default is not None or arg.inherits_global:
                return (f"ARG {name} has a default value in the Dockerfile: decide where the "
                        "secret should come from, then use a secret mount")
            for env in stage.env:
                if env.origin.line > arg.origin.line and name in env.refs:
                    return (f"ENV {env.key} copies ARG {name} into the image: remove it by "
                            "hand, then use a secret mount")
            parts.append(Remedy(Change.REMOVE, "arg", name, arg.origin))
            for run in stage.runs:
                if run.origin.line > arg.origin.line and name in run.refs \
                        and name not in run.secret_envs:
                    parts.append(Remedy(Change.ADD, "secret_mount",
                                        f"id={ident},env={name}", run.origin))
    for invocation in dockerfile.invocations:
        for ext in invocation.linked_external_args(name):
            variable = _variable_of(ext)
            if variable is None:
                how = ("has its value written in the file" if ext.value_kind == "literal"
                       else "is not taken from one environment variable")
                return (f"{ext.via} {name} at {ext.origin.file}:{ext.origin.line} {how}: "
                        "decide where the secret is kept, then pass it as a build secret")
            parts.append(Remedy(Change.REMOVE, "build_arg", name, ext.origin))
            parts.append(Remedy(Change.ADD, "build_secret", (ident, variable),
                                invocation.anchor))
    if not parts:
        return f"ARG {name} is not declared in a build stage"
    return Remedy(parts[0].change, parts[0].setting, parts[0].value, parts[0].target,
                  also=tuple(parts[1:]))


def _variable_of(ext: ExternalArg) -> str | None:
    """The environment variable a build arg's value comes from, when it is exactly one."""
    if ext.value_kind == "environment" or ext.value is None:
        return ext.name
    match = _ONE_VARIABLE.fullmatch(ext.value.strip().strip('"'))
    if ext.value_kind == "placeholder" and match is not None:
        return match.group("b") or match.group("n")
    return None
