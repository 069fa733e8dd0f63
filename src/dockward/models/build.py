"""The Build model: how an image is built, and which build args and secrets reach it.

Two kinds of Build exist, because a Dockerfile and the command that builds it are often in
different files (and either may be missing from a scan):

* a **Dockerfile Build** (``source_kind == "dockerfile"``): stages, ARG scoping, ENV,
  USER, RUN with its ``--mount`` flags and parsed shell, COPY/ADD, parser directives;
* an **invocation Build** (``source_kind`` ``"build-command"`` for ``docker build`` and
  friends, ``"compose-build"`` for a compose service's ``build:``): the build args and
  ``--secret``\\ s given from outside, the context and the Dockerfile it names.

An invocation knows ``dockerfile_path`` (resolved against its context; ``None`` when it is
stdin, a URL or inline).  The linker (:mod:`dockward.linking`) sets
``invocation.dockerfile`` to the Dockerfile Build when that file exists, and appends the
invocation to ``dockerfile_build.invocations``, so a rule on either side can tell the
whole story ("ARG SECRET at Dockerfile:2 receives a secret from build.sh:5").
``dockerfile_known`` says whether that link was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dockward.models.location import Location

# Build args the builder defines itself (their values never come from the user's secrets,
# and the proxy ones are kept out of the history on purpose).
PREDEFINED_ARGS: frozenset[str] = frozenset({
    "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
    "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
    "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
    "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
    "BUILDKIT_INLINE_CACHE", "BUILDKIT_SYNTAX", "BUILDKIT_MULTI_PLATFORM",
    "BUILDKIT_SANDBOX_HOSTNAME", "BUILDKIT_CONTEXT_KEEP_GIT_DIR", "SOURCE_DATE_EPOCH",
})


@dataclass(slots=True)
class Directive:
    """A parser directive at the top of a Dockerfile (``# syntax=``, ``# escape=``)."""

    name: str
    value: str
    origin: Location


@dataclass(slots=True)
class ArgDecl:
    """One ``ARG`` declaration.

    ``default`` is the default as written (quotes removed), ``value`` the default with
    earlier ARG/ENV references expanded (``None`` when there is no default or it depends
    on something unknown).  A stage re-declaring a global ARG without a default
    (``inherits_global``) takes the global's value, as BuildKit does.
    """

    name: str
    default: str | None
    origin: Location
    scope: str = "stage"  # global | stage
    stage: int | None = None
    value: str | None = None
    inherits_global: bool = False


@dataclass(slots=True)
class EnvSetting:
    """One ``KEY=value`` pair of an ``ENV`` instruction (either syntax).

    ``refs`` are the variables its value reads (``ENV TOKEN=$TOKEN`` copies the build arg
    TOKEN into the image config, where every container and ``docker inspect`` shows it).
    """

    key: str
    value: str
    origin: Location
    stage: int
    resolved: str | None = None
    refs: tuple[str, ...] = ()


@dataclass(slots=True)
class UserSetting:
    """A ``USER`` instruction; ``resolved`` is None when it depends on an unknown ARG."""

    user: str
    origin: Location
    stage: int
    resolved: str | None = None


@dataclass(slots=True)
class RunMount:
    """A ``RUN --mount=...`` flag: ``type`` plus its ``key=value`` options.

    Secret and ssh mounts are the *safe* way to use a credential during a build: the value
    is never written to a layer or to the history.
    """

    type: str
    options: dict[str, str]
    raw: str
    origin: Location

    @property
    def target(self) -> str | None:
        return self.options.get("target") or self.options.get("dst") or self.options.get(
            "destination")

    @property
    def id(self) -> str | None:
        """The secret/ssh id; a secret mount defaults to the basename of its target."""
        ident = self.options.get("id")
        if ident or self.type != "secret":
            return ident or ("default" if self.type == "ssh" else None)
        target = self.target
        return target.rstrip("/").rsplit("/", 1)[-1] if target else None

    @property
    def env(self) -> str | None:
        """``env=NAME`` on a secret mount: the secret is exposed as that variable."""
        return self.options.get("env")

    @property
    def source(self) -> str | None:
        return self.options.get("source") or self.options.get("src")

    @property
    def is_secret_channel(self) -> bool:
        return self.type in ("secret", "ssh")


@dataclass(slots=True)
class ShellCommand:
    """One simple command of a RUN script, with its words after quote removal.

    ``argv_start`` skips assignments and wrappers (``sudo``, ``env``) so ``argv[0]`` is
    the program; ``piped_from_previous`` is True when the previous command's output is
    piped into this one (``curl ... | sh``).
    """

    words: tuple[str, ...]
    line: int
    column: int = 1
    argv_start: int = 0
    piped_from_previous: bool = False
    text: str = ""

    @property
    def argv(self) -> tuple[str, ...]:
        return self.words[self.argv_start:]

    @property
    def program(self) -> str:
        argv = self.argv
        return argv[0].rsplit("/", 1)[-1] if argv else ""


@dataclass(slots=True)
class HeredocBody:
    """A heredoc attached to RUN/COPY/ADD; ``line`` is its first content line."""

    name: str
    content: str
    line: int


@dataclass(slots=True)
class RunInstruction:
    """A ``RUN`` (or ``ONBUILD RUN``) with its mounts, script and parsed commands.

    ``script`` is the text the shell runs: the shell-form command, or the heredoc body
    when the instruction is only a heredoc; ``exec_form`` RUNs have no shell at all.
    ``refs`` are the variable names the instruction mentions anywhere (command line and
    heredocs), used to decide whether a build arg is read.
    """

    origin: Location
    stage: int
    script: str
    exec_form: bool = False
    mounts: list[RunMount] = field(default_factory=list)
    heredocs: list[HeredocBody] = field(default_factory=list)
    commands: list[ShellCommand] = field(default_factory=list)
    refs: frozenset[str] = frozenset()
    flags: dict[str, str] = field(default_factory=dict)
    shell: tuple[str, ...] = ("/bin/sh", "-c")
    onbuild: bool = False

    @property
    def secret_mounts(self) -> list[RunMount]:
        return [m for m in self.mounts if m.is_secret_channel]

    @property
    def secret_envs(self) -> frozenset[str]:
        """Variables that secret mounts set for this RUN (``--mount=type=secret,env=X``)."""
        return frozenset(m.env for m in self.mounts if m.type == "secret" and m.env)


@dataclass(slots=True)
class CopyInstruction:
    """``COPY`` or ``ADD``: sources, destination and flags (``--from``, ``--chown``...)."""

    instruction: str  # COPY | ADD
    sources: list[str]
    destination: str
    origin: Location
    stage: int
    flags: dict[str, str] = field(default_factory=dict)
    heredocs: list[HeredocBody] = field(default_factory=list)
    onbuild: bool = False

    @property
    def from_ref(self) -> str | None:
        return self.flags.get("from")

    @property
    def chown(self) -> str | None:
        return self.flags.get("chown")

    @property
    def checksum(self) -> str | None:
        return self.flags.get("checksum")

    @property
    def remote_sources(self) -> list[str]:
        """Sources fetched over the network by ADD (http(s) URLs and git repositories)."""
        if self.instruction != "ADD":
            return []
        return [s for s in self.sources if is_remote_source(s)]


def is_remote_source(source: str) -> bool:
    low = source.lower()
    return low.startswith(("http://", "https://", "git@", "git://", "ssh://"))


@dataclass
class Stage:
    """One ``FROM`` and everything up to the next one."""

    index: int
    base: str
    origin: Location  # the FROM line
    name: str | None = None
    platform: str | None = None
    base_resolved: str | None = None
    args: list[ArgDecl] = field(default_factory=list)
    env: list[EnvSetting] = field(default_factory=list)
    users: list[UserSetting] = field(default_factory=list)
    runs: list[RunInstruction] = field(default_factory=list)
    copies: list[CopyInstruction] = field(default_factory=list)
    shell: tuple[str, ...] = ()  # the last SHELL instruction, if any

    @property
    def label(self) -> str:
        return self.name or str(self.index)

    @property
    def last_user(self) -> UserSetting | None:
        return self.users[-1] if self.users else None

    def instructions(self) -> list[RunInstruction | CopyInstruction | EnvSetting | ArgDecl
                                  | UserSetting]:
        """Everything in this stage, in source order."""
        items: list[Any] = [*self.args, *self.env, *self.users, *self.runs, *self.copies]
        items.sort(key=lambda i: (i.origin.line, i.origin.column))
        return items


@dataclass(slots=True)
class ExternalArg:
    """A build arg given from outside the Dockerfile.

    ``value_kind``: ``literal`` (written in the file), ``placeholder`` (``$X``,
    ``${{ secrets.X }}``: a reference, still recorded in the history once built) or
    ``environment`` (``--build-arg NAME`` / compose ``args: [NAME]``: taken from the
    caller's environment).  ``via`` names the surface for messages.
    """

    name: str
    value: str | None
    value_kind: str
    origin: Location
    via: str = "--build-arg"


@dataclass(slots=True)
class BuildSecret:
    """A secret handed to BuildKit (``--secret id=x,src=f`` / compose ``build.secrets``)."""

    id: str
    origin: Location
    source: str | None = None
    env: str | None = None
    raw: str = ""


@dataclass
class Build:
    """A Dockerfile, or one invocation of a build; see the module docstring."""

    name: str
    source_kind: str  # dockerfile | build-command | compose-build
    anchor: Location
    dockerfile_path: str | None = None  # filesystem path (resolved), None when unknown
    context: str | None = None
    target: str | None = None
    directives: list[Directive] = field(default_factory=list)
    global_args: list[ArgDecl] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    external_args: list[ExternalArg] = field(default_factory=list)
    secrets: list[BuildSecret] = field(default_factory=list)
    dockerfile: Build | None = None  # on invocations: the linked Dockerfile Build
    invocations: list[Build] = field(default_factory=list)  # on Dockerfile Builds
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def is_dockerfile(self) -> bool:
        return self.source_kind == "dockerfile"

    @property
    def dockerfile_known(self) -> bool:
        """True for a Dockerfile, or an invocation linked to the Dockerfile it builds."""
        return self.is_dockerfile or self.dockerfile is not None

    @property
    def final_stage(self) -> Stage | None:
        """The stage that becomes the image (``--target`` of a linked invocation aside)."""
        return self.stages[-1] if self.stages else None

    def stage_named(self, ref: str) -> Stage | None:
        """An earlier stage by ``AS`` name (case-insensitive) or index (``--from=0``)."""
        low = ref.lower()
        for stage in self.stages:
            if stage.name and stage.name.lower() == low:
                return stage
        if ref.isdigit() and int(ref) < len(self.stages):
            return self.stages[int(ref)]
        return None

    def ancestry(self, stage: Stage) -> list[Stage]:
        """``stage`` and the earlier stages it is built ``FROM``, nearest first."""
        chain = [stage]
        seen = {stage.index}
        current = stage
        while True:
            parent = self.stage_named(current.base_resolved or current.base)
            if parent is None or parent.index in seen or parent.index >= current.index:
                return chain
            chain.append(parent)
            seen.add(parent.index)
            current = parent

    def effective_user(self, stage: Stage | None = None) -> UserSetting | None:
        """The last USER in force in ``stage`` (default: final), inherited via FROM."""
        stage = stage or self.final_stage
        if stage is None:
            return None
        for member in self.ancestry(stage):
            if member.users:
                return member.users[-1]
        return None

    def declared_args(self) -> set[str]:
        """Every ARG name declared in a stage (the ones a ``--build-arg`` can reach)."""
        return {a.name for s in self.stages for a in s.args}

    def arg_decls(self, name: str) -> list[ArgDecl]:
        return [a for s in self.stages for a in s.args if a.name == name]

    def linked_external_args(self, name: str) -> list[ExternalArg]:
        """Build args named ``name`` given from outside (the linker attaches them)."""
        return [a for a in self.external_args if a.name == name]

    def describe(self) -> str:
        kind = {"dockerfile": "Dockerfile", "build-command": "build command",
                "compose-build": "compose build"}.get(self.source_kind, self.source_kind)
        return f"{kind} '{self.name}'" if self.name else kind
