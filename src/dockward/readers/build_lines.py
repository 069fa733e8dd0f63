"""Read ``docker build`` command lines into invocation :class:`Build` models.

Covers ``docker build``, ``docker image build``, ``docker builder build``,
``docker buildx build`` (and ``buildx b``), ``podman build``, ``nerdctl build`` and
``buildah bud``/``buildah build`` wherever the shared command extractor finds commands:
shell scripts, Makefiles, Markdown, CI YAML and comments-free Dockerfile RUNs.  What
matters for secrets is kept: every ``--build-arg`` with its exact word location and
whether its value is a literal, a placeholder or taken from the environment, every
``--secret``, the context, ``-f`` and ``--target``.

The Dockerfile is resolved the way the CLI does: ``-f`` relative to the working
directory (taken to be the script's folder, or the repository root for CI files under
``.github/``), else ``<context>/Dockerfile``.  It is only recorded when it exists; the
linker then attaches the invocation to that Dockerfile's Build.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from dockward.models.build import Build, BuildSecret, ExternalArg
from dockward.models.location import Location
from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.commands.extract import CONTAINER_PROGRAMS
from dockward.secrets import is_placeholder

# long name -> (short, takes a value): the build flags of docker, buildx, podman, buildah
_BUILD_FLAGS: dict[str, tuple[str, bool]] = {
    "add-host": ("", True), "allow": ("", True), "annotation": ("", True),
    "attest": ("", True), "build-arg": ("", True), "build-arg-file": ("", True),
    "build-context": ("", True), "builder": ("", True), "cache-from": ("", True),
    "cache-to": ("", True), "call": ("", True), "cgroup-parent": ("", True),
    "check": ("", False), "compress": ("", False), "cpu-period": ("", True),
    "cpu-quota": ("", True), "cpu-shares": ("c", True), "cpuset-cpus": ("", True),
    "cpuset-mems": ("", True), "disable-content-trust": ("", False), "file": ("f", True),
    "force-rm": ("", False), "iidfile": ("", True), "isolation": ("", True),
    "label": ("", True), "load": ("", False), "memory": ("m", True),
    "memory-swap": ("", True), "metadata-file": ("", True), "network": ("", True),
    "no-cache": ("", False), "no-cache-filter": ("", True), "output": ("o", True),
    "platform": ("", True), "progress": ("", True), "provenance": ("", True),
    "pull": ("", False), "push": ("", False), "quiet": ("q", False), "rm": ("", False),
    "sbom": ("", True), "secret": ("", True), "security-opt": ("", True),
    "shm-size": ("", True), "squash": ("", False), "ssh": ("", True), "tag": ("t", True),
    "target": ("", True), "ulimit": ("", True), "debug": ("D", False),
    # podman / buildah
    "arch": ("", True), "authfile": ("", True), "cap-add": ("", True),
    "cap-drop": ("", True), "cert-dir": ("", True), "creds": ("", True),
    "decryption-key": ("", True), "device": ("", True), "dns": ("", True),
    "dns-option": ("", True), "dns-search": ("", True), "env": ("", True),
    "format": ("", True), "from": ("", True), "hooks-dir": ("", True), "ipc": ("", True),
    "jobs": ("", True), "layers": ("", False), "logfile": ("", True),
    "manifest": ("", True), "os": ("", True), "pid": ("", True), "runtime": ("", True),
    "runtime-flag": ("", True), "signature-policy": ("", True), "timestamp": ("", True),
    "unsetenv": ("", True), "unsetlabel": ("", True), "userns": ("", True),
    "uts": ("", True), "variant": ("", True), "volume": ("v", True),
}
_BUILD_SHORTS = {short: long for long, (short, _) in _BUILD_FLAGS.items() if short}
_BUILD_ACTIONS = frozenset({"build", "buildx build", "bud", "build-using-dockerfile"})
_BUILDAH_GLOBALS_WITH_VALUE = frozenset({"--root", "--runroot", "--storage-driver",
                                         "--storage-opt", "--log-level", "--registries-conf",
                                         "--registries-conf-dir", "--cgroup-manager"})
_PROGRAMS = CONTAINER_PROGRAMS  # the same pre-filter as run lines: the file is lexed once


def read_build_lines(src: SourceFile) -> Iterator[Build | ParseProblem]:
    """One invocation Build per build command line in ``src``."""
    from dockward.readers.commands import iter_commands, parse_cli, parse_flags
    from dockward.readers.commands.variables import expand_command

    problems: list[ParseProblem] = []
    for written in iter_commands(src, programs=_PROGRAMS, problems=problems):
        command = expand_command(written)  # `docker build $BUILD_ARGS .`
        words = command.argv
        if command.program == "buildah":
            start = _buildah_args_start([w.text for w in words])
            if start is None:
                continue
        else:
            cli = parse_cli(command)
            if cli is None or cli.action not in _BUILD_ACTIONS:
                continue
            start = cli.args_start
        flags, positional = parse_flags(words, start, _BUILD_FLAGS, _BUILD_SHORTS)
        context = words[positional].text if positional < len(words) else None
        values = [(f.name, f.value, f.index, f.expands) for f in flags]
        yield build_from_flags(src, command.program, values, context,
                               [command.location(i, f"argv[{i}]") for i in range(len(words))])
    # problems of CI YAML files are reported by the run-line reader already
    if src.kind == "ci-yaml":
        from dockward.readers.ci_build_steps import read_ci_build_steps

        yield from read_ci_build_steps(src)


def _buildah_args_start(argv: Sequence[str]) -> int | None:
    """Index after ``buildah [globals] bud|build``, or None for other subcommands."""
    i = 1
    while i < len(argv) and argv[i].startswith("-"):
        flag = argv[i].split("=", 1)[0]
        i += 2 if flag in _BUILDAH_GLOBALS_WITH_VALUE and "=" not in argv[i] else 1
    if i < len(argv) and argv[i] in ("bud", "build", "build-using-dockerfile"):
        return i + 1
    return None


def build_from_flags(
    src: SourceFile,
    program: str,
    flags: Sequence[tuple[str, str | None, int, bool]],
    context: str | None,
    locations: Sequence[Location],
) -> Build:
    """An invocation Build from parsed flags ``(name, value, argv index, expands)``."""
    anchor = locations[0] if locations else Location(file=src.display)
    build = Build(name=f"{program} build", source_kind="build-command", anchor=anchor)
    tags: list[str] = []
    dockerfile_spec: str | None = None
    for name, value, index, _expands in flags:
        where = locations[index] if index < len(locations) else anchor
        if name == "build-arg" and value is not None:
            build.external_args.append(external_arg(value, where, "--build-arg"))
        elif name == "secret" and value is not None:
            build.secrets.append(parse_secret_spec(value, where))
        elif name == "file" and value:
            dockerfile_spec = value
        elif name == "tag" and value:
            tags.append(value)
        elif name == "target" and value:
            build.target = value
        elif name == "ssh" and value:
            build.facts.setdefault("ssh", []).append(value)
    build.facts["tags"] = tags
    build.facts["dockerfile_spec"] = dockerfile_spec
    build.facts["program"] = program
    if tags:
        build.name = f"{program} build -t {tags[0]}"
    base = _working_dir(src)
    build.context = _resolve_dir(context, base)
    build.dockerfile_path = _resolve_dockerfile(dockerfile_spec, build.context, base, program)
    return build


def external_arg(text: str, origin: Location, via: str) -> ExternalArg:
    """``K=V`` (literal or placeholder) or ``K`` (value from the environment)."""
    name, sep, value = text.partition("=")
    if not sep:
        return ExternalArg(name=name, value=None, value_kind="environment", origin=origin,
                           via=via)
    kind = "placeholder" if is_placeholder(value) else "literal"
    return ExternalArg(name=name, value=value, value_kind=kind, origin=origin, via=via)


def parse_secret_spec(text: str, origin: Location) -> BuildSecret:
    """``id=x,src=f`` / ``id=x,env=V`` / ``type=file,id=x,source=f``; a bare word is an id."""
    fields: dict[str, str] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if sep:
            fields[key.strip().lower()] = value.strip()
        elif part.strip():
            fields.setdefault("id", part.strip())
    return BuildSecret(id=fields.get("id", ""), origin=origin,
                       source=fields.get("src") or fields.get("source"),
                       env=fields.get("env"), raw=text)


def _working_dir(src: SourceFile) -> str | None:
    """Where relative paths of a command start: the repository root for CI under
    ``.github``/``.gitlab``, otherwise the folder of the file that holds the command."""
    if not src.path:
        return None
    path = os.path.abspath(src.path)
    for marker in ("/.github/", "/.gitlab/"):
        if marker in path:
            return path.split(marker, 1)[0]
    return os.path.dirname(path)


def _usable(text: str | None) -> bool:
    if not text or text == "-":
        return False
    if "://" in text or text.startswith(("git@", "github.com/")):
        return False
    stripped = text.replace("$PWD", "").replace("${PWD}", "").replace("$(pwd)", "")
    return "$" not in stripped and "`" not in stripped


def _resolve_dir(context: str | None, base: str | None) -> str | None:
    if base is None or not _usable(context):
        return None
    assert context is not None
    text = _pwd(context, base)
    return os.path.normpath(os.path.join(base, os.path.expanduser(text)))


def _pwd(text: str, base: str) -> str:
    for form in ("${PWD}", "$PWD", "$(pwd)"):
        text = text.replace(form, base)
    return text


def _resolve_dockerfile(spec: str | None, context: str | None, base: str | None,
                        program: str) -> str | None:
    """The Dockerfile the command builds, when it exists on disk."""
    candidates: list[str] = []
    if spec is not None:
        if not _usable(spec) or base is None:
            return None
        text = os.path.expanduser(_pwd(spec, base))
        candidates.append(os.path.join(base, text))
        if context:
            candidates.append(os.path.join(context, text))
    elif context:
        candidates.append(os.path.join(context, "Dockerfile"))
        if program in ("podman", "buildah"):
            candidates.append(os.path.join(context, "Containerfile"))
    from dockward.readers.files import is_regular_file

    for path in candidates:
        if is_regular_file(path):
            return os.path.normpath(path)
    return None
