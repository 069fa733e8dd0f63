"""Relate builds across files: invocations to Dockerfiles, compose services to images.

A secret passed with ``--build-arg`` in ``build.sh`` only matters through the ``ARG`` of
the Dockerfile it reaches, and the user a compose service runs as may come from the
Dockerfile it builds.  Readers see one file at a time, so this step runs after reading,
over all models:

* every compose service with ``build:`` becomes an invocation Build (its ``build.args``
  and ``build.secrets``, anchored in the compose file), added to the models;
* every invocation (compose or ``docker build`` line) is linked to the Dockerfile Build it
  names: one of the scanned files, or the file read on demand (size-limited; a file that
  cannot be read or parsed just leaves the invocation unlinked);
* the invocation's external args and secrets are attached to the Dockerfile Build, so
  rules on either side can tell the whole story;
* a compose service (or a ``docker run`` of a tag built in a scanned script) learns the
  final-stage USER of its Dockerfile as ``Workload.image_user``, so DW113 does not guess
  root for an image that sets a non-root user.  A runtime ``user:`` still wins; DW113
  reads it first.

A scan streams file by file, so it does not run this over every model at once: each file's
:func:`link_keys` (the Dockerfiles it names, defines, tags and runs: a few strings) go into
a small index, and only the files that index connects are read again together and linked
here (:mod:`dockward.scanning.components`).  Everything else is linked on its own, which
gives the same result because nothing outside it links to it.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from dockward.link_keys import LinkKeys
from dockward.models.build import Build, BuildSecret, ExternalArg
from dockward.models.workload import Workload
from dockward.readers.base import SourceFile
from dockward.secrets import is_placeholder

log = logging.getLogger(__name__)

MAX_DOCKERFILE_BYTES = 1 << 20


class _Dockerfiles:
    """Dockerfile Builds by real path: the scanned ones, plus those read on demand."""

    def __init__(self, models: list[Any]) -> None:
        self.by_path: dict[str, Build | None] = {}
        for m in models:
            if isinstance(m, Build) and m.is_dockerfile and m.dockerfile_path:
                self.by_path.setdefault(_real(m.dockerfile_path), m)

    def get(self, path: str | None) -> Build | None:
        if not path:
            return None
        key = _real(path)
        if key not in self.by_path:
            self.by_path[key] = load_dockerfile(path)
        return self.by_path[key]


def is_regular_file(path: str) -> bool:
    from dockward.readers.files import is_regular_file as regular

    return regular(path)


def _real(path: str) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return os.path.abspath(path)


def load_dockerfile(path: str, text: str | None = None, display: str | None = None
                    ) -> Build | None:
    """Parse a Dockerfile that was not among the scanned files; None when it cannot be."""
    from dockward.readers.dockerfile import read_dockerfile

    try:
        if text is None:
            from dockward.readers.files import Refused, decode_text, read_bytes

            try:  # inside the scanned roots, regular, bounded: never a FIFO or /proc file
                data = read_bytes(path, MAX_DOCKERFILE_BYTES)
            except Refused:
                return None
            if b"\x00" in data[:8192]:
                return None
            text = decode_text(data, path)[0]
        if display is None:
            display = _display(path)
        src = SourceFile(path=path, display=display, text=text, kind="dockerfile")
        for model in read_dockerfile(src):
            if isinstance(model, Build):
                return model
    except (OSError, ValueError, RecursionError) as exc:
        log.debug("cannot read Dockerfile %s: %s", path, exc)
    return None


def _display(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def link_builds(models: list[Any]) -> None:
    """Link invocations to Dockerfiles and images to the services that run them; the
    invocations of compose ``build:`` sections are added to ``models``."""
    models.extend(invocation for _, invocation in link_models(models))


def link_models(models: list[Any]) -> list[tuple[Workload, Build]]:
    """Link ``models`` to each other; the compose services with ``build:`` and the
    invocation Build made for each (new models, in the order of their services)."""
    dockerfiles = _Dockerfiles(models)
    added: list[tuple[Workload, Build]] = []
    for model in models:
        if isinstance(model, Workload) and model.build is not None:
            invocation = compose_invocation(model)
            added.append((model, invocation))
            target = _target_of(invocation, dockerfiles)
            if target is not None:
                _link(invocation, target)
                inform_workload(model, target)
    for model in models:
        if isinstance(model, Build) and model.source_kind == "build-command":
            target = dockerfiles.get(model.dockerfile_path)
            if target is not None:
                _link(model, target)
    _link_run_tags(models)
    return added


def link_keys(models: list[Any]) -> LinkKeys:
    """The :class:`LinkKeys` of one file's models, without linking anything.

    Mirrors :func:`link_models`: an invocation with an inline Dockerfile links to nothing
    outside its file, any other with a Dockerfile path may; only tags of invocations that
    may link are names a run line can learn a USER from.
    """
    keys = LinkKeys()
    for model in models:
        if isinstance(model, Workload):
            if model.build is not None:
                invocation = compose_invocation(model)
                inline = invocation.facts.get("dockerfile_inline")
                if not (isinstance(inline, str) and inline.strip()) and invocation.dockerfile_path:
                    keys.targets.append(invocation.dockerfile_path)
            if model.source_kind == "run-line" and model.image:
                keys.images.append(model.image)
        elif isinstance(model, Build):
            if model.is_dockerfile and model.dockerfile_path:
                keys.defines.append(model.dockerfile_path)
            if model.source_kind == "build-command" and model.dockerfile_path:
                keys.targets.append(model.dockerfile_path)
                keys.tags.extend(_tag_names(model))
    return keys


def real_path(path: str) -> str:
    """The key files are linked by: symlinks resolved, as :class:`_Dockerfiles` keys them."""
    return _real(path)


def _tag_names(build: Build) -> list[str]:
    """The names a ``docker run`` may use for the image ``build`` tags (``app`` and
    ``app:latest`` for ``-t app``)."""
    names: list[str] = []
    for tag in build.facts.get("tags") or []:
        names.append(str(tag))
        if ":" not in str(tag).rsplit("/", 1)[-1]:
            names.append(f"{tag}:latest")
    return names


def _target_of(invocation: Build, dockerfiles: _Dockerfiles) -> Build | None:
    inline = invocation.facts.get("dockerfile_inline")
    if isinstance(inline, str) and inline.strip():
        where = invocation.anchor
        return load_dockerfile("", text=inline,
                               display=f"{where.file}:{where.line} (dockerfile_inline)")
    return dockerfiles.get(invocation.dockerfile_path)


def _link(invocation: Build, target: Build) -> None:
    if invocation in target.invocations:
        return
    invocation.dockerfile = target
    target.invocations.append(invocation)
    target.external_args.extend(invocation.external_args)
    target.secrets.extend(invocation.secrets)


def compose_invocation(w: Workload) -> Build:
    """The invocation Build of a compose service's ``build:`` section."""
    spec = w.build
    assert spec is not None
    anchor = spec.location
    build = Build(name=f"service '{w.name}' build", source_kind="compose-build", anchor=anchor,
                  context=w.build_context)
    for arg in spec.args:
        if arg.value is None:
            kind = "environment"
        else:
            kind = "placeholder" if is_placeholder(arg.value) else "literal"
        build.external_args.append(ExternalArg(
            name=arg.name, value=arg.value, value_kind=kind, origin=arg.origin,
            via="build.args"))
    for secret in spec.secrets:
        build.secrets.append(BuildSecret(id=secret, origin=anchor, raw=secret))
    if spec.dockerfile_inline:
        build.facts["dockerfile_inline"] = spec.dockerfile_inline
    build.facts["service"] = w.name
    build.dockerfile_path = _compose_dockerfile(w.build_context, spec.dockerfile)
    return build


def _compose_dockerfile(context: str | None, dockerfile: Any) -> str | None:
    if not context or "://" in context or context.startswith("git@"):
        return None
    name = str(dockerfile) if dockerfile else "Dockerfile"
    if "$" in name:
        return None
    path = os.path.normpath(os.path.join(context, os.path.expanduser(name)))
    if is_regular_file(path):
        return path
    if not dockerfile:
        alt = os.path.join(context, "Containerfile")
        if is_regular_file(alt):
            return alt
    return None


def inform_workload(w: Workload, dockerfile: Build) -> None:
    """Give a workload the USER of the image its Dockerfile builds (final stage)."""
    if w.image_user is not None:
        return
    setting = dockerfile.effective_user()
    if setting is None:
        return  # the base image decides; DW113 keeps its own judgement
    w.image_user = setting.resolved if setting.resolved is not None else setting.user
    w.origins.setdefault("image_user", setting.origin)
    w.facts.setdefault("dockerfile", dockerfile.name)


def _link_run_tags(models: list[Any]) -> None:
    """``docker build -t app .`` then ``docker run app``: the run learns the image USER."""
    by_tag: dict[str, Build] = {}
    for m in models:
        if isinstance(m, Build) and m.source_kind == "build-command" and m.dockerfile:
            for name in _tag_names(m):
                by_tag.setdefault(name, m.dockerfile)
    if not by_tag:
        return
    for m in models:
        if isinstance(m, Workload) and m.source_kind == "run-line" and m.image in by_tag:
            inform_workload(m, by_tag[m.image])
