"""The Dockerfile reader: BuildKit's parser plus stages, ARG scope, mounts and shell."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockward.config import Config
from dockward.linking import link_builds
from dockward.models.build import Build
from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.dockerfile import process_word, read_dockerfile
from dockward.rules.runner import RuleRunner


def read(text: str, name: str = "Dockerfile") -> Build:
    models = list(read_dockerfile(SourceFile("", name, textwrap.dedent(text), "dockerfile")))
    assert len(models) == 1 and isinstance(models[0], Build), models
    return models[0]


def problem(text: str) -> ParseProblem:
    models = list(read_dockerfile(SourceFile("", "Dockerfile", textwrap.dedent(text),
                                             "dockerfile")))
    assert len(models) == 1 and isinstance(models[0], ParseProblem), models
    return models[0]


class TestStages:
    def test_names_platform_and_global_args(self) -> None:
        b = read("""\
            ARG BASE=golang:1.23
            ARG RUNTIME
            FROM --platform=$BUILDPLATFORM ${BASE} AS build
            RUN go build ./...
            FROM ${RUNTIME:-gcr.io/distroless/static} as runtime
            COPY --from=build /out /app
            """)
        assert [s.name for s in b.stages] == ["build", "runtime"]
        build, runtime = b.stages
        assert build.platform == "$BUILDPLATFORM"
        assert build.base == "${BASE}" and build.base_resolved == "golang:1.23"
        assert build.origin.line == 3
        assert runtime.base_resolved is None  # RUNTIME has no default: depends on --build-arg
        assert [a.name for a in b.global_args] == ["BASE", "RUNTIME"]
        assert b.final_stage is runtime
        assert b.stage_named("BUILD") is build and b.stage_named("0") is build

    def test_from_stage_inherits(self) -> None:
        b = read("""\
            FROM alpine:3.20 AS base
            USER app
            ENV HOME=/home/app
            FROM base
            RUN echo $HOME
            """)
        final = b.final_stage
        assert final is not None
        assert [s.index for s in b.ancestry(final)] == [1, 0]
        user = b.effective_user()
        assert user is not None and user.user == "app"

    def test_image_with_digest(self) -> None:
        b = read("FROM alpine@sha256:" + "a" * 64 + "\nFROM image:sha256:abc\n")
        assert b.stages[0].base.startswith("alpine@sha256:")
        assert b.stages[1].base == "image:sha256:abc"


class TestArgs:
    def test_scoping_and_defaults(self) -> None:
        b = read("""\
            ARG VERSION=1.2
            ARG TOKEN
            FROM alpine
            ARG VERSION
            ARG TOKEN
            ARG MODE="release build"
            ARG OUT=${VERSION:-0}/${MODE:+x}
            ARG NOTHING=${UNSET:-fallback}
            """)
        stage = b.stages[0]
        version, token, mode, out, nothing = stage.args
        assert version.inherits_global and version.value == "1.2" and version.default == "1.2"
        assert version.scope == "stage" and version.stage == 0
        assert token.inherits_global and token.value is None and token.default is None
        assert mode.default == "release build" and mode.value == "release build"
        assert out.value == "1.2/x"
        assert nothing.value == "fallback"
        assert version.origin.line == 4 and version.origin.column == 5

    def test_stage_does_not_see_undeclared_global(self) -> None:
        b = read("""\
            ARG USERNAME=app
            FROM alpine
            USER ${USERNAME:-root}
            """)
        user = b.stages[0].users[0]
        assert user.resolved == "root"  # not re-declared: the global is out of scope

    def test_several_args_on_one_line(self) -> None:
        b = read("FROM alpine\nARG A=1 B C='x y'\n")
        args = b.stages[0].args
        assert [(a.name, a.default) for a in args] == [("A", "1"), ("B", None), ("C", "x y")]
        assert [a.origin.column for a in args] == [5, 9, 11]


class TestEnvAndUser:
    def test_both_syntaxes_and_lines(self) -> None:
        b = read("""\
            FROM alpine
            ARG TOKEN
            ENV LEGACY some value
            ENV A=1 \\
                B="two words" \\
                COPY_OF=$TOKEN
            USER 1000:1000
            """)
        env = b.stages[0].env
        assert [(e.key, e.value) for e in env] == [
            ("LEGACY", "some value"), ("A", "1"), ("B", "two words"), ("COPY_OF", "$TOKEN")]
        assert [e.origin.line for e in env] == [3, 4, 5, 6]
        assert env[3].refs == ("TOKEN",) and env[3].resolved is None
        user = b.stages[0].users[0]
        assert user.resolved == "1000:1000" and user.origin.line == 7

    def test_users_per_stage(self) -> None:
        b = read("""\
            FROM alpine AS build
            USER root
            FROM alpine
            USER nobody
            USER 10001
            """)
        assert [u.user for u in b.stages[0].users] == ["root"]
        assert [u.user for u in b.stages[1].users] == ["nobody", "10001"]

    def test_process_word(self) -> None:
        word = process_word("'$A'\"$A\"${B:-d}", {"A": "1", "B": None})
        assert word.text == "$A1d" and not word.known and word.refs == ["A", "B"]
        assert process_word(r"a\ b", {}).text == "a b"
        assert process_word("`$X", {"X": "v"}, escape="`").text == "$X"


class TestRun:
    def test_mounts(self) -> None:
        b = read("""\
            FROM alpine
            RUN --mount=type=secret,id=npm,env=NPM_TOKEN \\
                --mount=type=ssh \\
                --mount=type=cache,target=/root/.cache \\
                --mount=target=/src,source=. \\
                --mount=type=secret,target=/run/secrets/pip.conf \\
                npm ci
            """)
        run = b.stages[0].runs[0]
        types = [m.type for m in run.mounts]
        assert types == ["secret", "ssh", "cache", "bind", "secret"]
        assert run.mounts[0].id == "npm" and run.mounts[0].env == "NPM_TOKEN"
        assert run.mounts[1].id == "default"
        assert run.mounts[2].target == "/root/.cache"
        assert run.mounts[4].id == "pip.conf"
        assert run.secret_envs == frozenset({"NPM_TOKEN"})
        assert len(run.secret_mounts) == 3
        assert [m.origin.line for m in run.mounts] == [2, 3, 4, 5, 6]
        assert [c.words for c in run.commands] == [("npm", "ci")]
        assert run.commands[0].line == 7

    def test_env_mount_parses(self) -> None:
        b = read("FROM alpine\nRUN --mount=type=secret,id=t,env=TOKEN echo done\n")
        assert b.stages[0].runs[0].mounts[0].env == "TOKEN"

    def test_heredoc_script(self) -> None:
        b = read("""\
            # syntax=docker/dockerfile:1
            FROM alpine
            RUN <<EOF
            set -e
            curl -fsSL https://example.com/i.sh | sh
            echo $GREETING
            EOF
            # a comment right after the terminator
            RUN <<-EOT bash
            \techo tabs
            \tEOT
            COPY <<EOF /etc/motd
            hello
            EOF
            """)
        first, second = b.stages[0].runs
        assert first.script.startswith("set -e\n")
        assert "GREETING" in first.refs
        programs = [(c.program, c.line, c.piped_from_previous) for c in first.commands]
        assert programs == [("set", 4, False), ("curl", 5, False), ("sh", 5, True),
                            ("echo", 6, False)]
        assert second.origin.line == 9 and second.heredocs[0].name == "EOT"
        copy = b.stages[0].copies[0]
        assert copy.destination == "/etc/motd" and copy.sources == []
        assert copy.heredocs[0].content == "hello\n" and copy.heredocs[0].line == 13

    def test_pipes_across_continuations(self) -> None:
        b = read("""\
            FROM debian
            RUN curl -fsSL https://example.com/setup 2>&1 \\
                  | bash - \\
             && curl -o /tmp/x https://example.com/x || true \\
             && echo ok
            """)
        cmds = b.stages[0].runs[0].commands
        assert [(c.program, c.piped_from_previous) for c in cmds] == [
            ("curl", False), ("bash", True), ("curl", False), ("true", False), ("echo", False)]
        assert cmds[1].line == 3

    def test_exec_form_and_shell(self) -> None:
        b = read("""\
            FROM mcr.microsoft.com/windows/servercore:ltsc2022
            SHELL ["powershell", "-Command"]
            RUN Invoke-WebRequest https://example.com/x.zip -OutFile x.zip; Expand-Archive x.zip
            RUN ["cmd", "/c", "echo %TOKEN%"]
            """)
        ps, exe = b.stages[0].runs
        assert ps.shell == ("powershell", "-Command") and ps.commands == []
        assert exe.exec_form and "TOKEN" in exe.refs

    def test_onbuild_run(self) -> None:
        b = read("FROM alpine\nONBUILD RUN curl https://x | sh\n")
        assert b.stages[0].runs[0].onbuild


class TestCopy:
    def test_flags_and_sources(self) -> None:
        b = read("""\
            FROM alpine AS b
            FROM alpine
            COPY --from=b --chown=10001:10001 --chmod=0400 /a /b /dst/
            ADD --checksum=sha256:abc https://example.com/x.tgz /opt/
            ADD git@github.com:org/repo.git#v1 /src
            COPY ["with space", "/dst"]
            """)
        c1, c2, c3, c4 = b.stages[1].copies
        assert c1.from_ref == "b" and c1.chown == "10001:10001" and c1.sources == ["/a", "/b"]
        assert c1.destination == "/dst/" and c1.flags["chmod"] == "0400"
        assert c2.instruction == "ADD" and c2.checksum == "sha256:abc"
        assert c2.remote_sources == ["https://example.com/x.tgz"]
        assert c3.remote_sources == ["git@github.com:org/repo.git#v1"]
        assert c4.sources == ["with space"]


class TestDirectives:
    def test_syntax_and_escape(self) -> None:
        b = read("""\
            # syntax=docker/dockerfile:1.7
            # escape=`
            FROM mcr.microsoft.com/windows/nanoserver
            ENV DIR=C:\\data `
                OTHER=1
            RUN dir `
                C:\\
            """)
        assert [(d.name, d.value) for d in b.directives] == [
            ("syntax", "docker/dockerfile:1.7"), ("escape", "`")]
        env = b.stages[0].env
        assert [(e.key, e.value) for e in env] == [("DIR", "C:\\data"), ("OTHER", "1")]
        assert b.stages[0].runs[0].origin.line == 6

    def test_directives_stop_at_first_other_line(self) -> None:
        b = read("# hello\n# syntax=x\nFROM alpine\n")
        assert b.directives == []


class TestProblems:
    def test_unterminated_heredoc_has_its_line(self) -> None:
        p = problem("FROM alpine\nRUN echo ok\nRUN <<EOF\necho never closed\n")
        assert p.location.line == 3
        assert "heredoc" in p.message

    def test_env_without_value(self) -> None:
        p = problem("FROM alpine\nRUN true\nENV ONLYKEY\nRUN true\n")
        assert p.location.line == 3
        assert "ENV" in p.message

    @pytest.mark.parametrize("text", ["", "# just a comment\n", "FROM\n", "ARG\nFROM x\n",
                                      "UNKNOWN instruction\n", "RUN echo before from\n"])
    def test_odd_files_do_not_crash(self, text: str) -> None:
        models = list(read_dockerfile(SourceFile("", "Dockerfile", text, "dockerfile")))
        assert len(models) == 1


_TOKENS = st.sampled_from([
    "FROM", "ARG", "ENV", "RUN", "COPY", "ADD", "USER", "ONBUILD", "SHELL", "\\\n", "\n",
    "<<EOF", "EOF", "--mount=type=secret,id=a,env=T", "--from=0", "${A:-x}", "$A", "'", '"',
    "=", "AS", "b", '["a"]', "|", "curl", "sh", "sudo", "NOPASSWD:", "#", "# escape=`", "`",
    "id_rsa", "https://x", "USER root", "--platform=$BUILDPLATFORM",
])


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_TOKENS, max_size=30).map(" ".join))
def test_any_input_reads_and_checks_without_error(text: str) -> None:
    """Garbage in, a Build or a ParseProblem out; no rule crashes on what comes out."""
    models: list[object] = list(read_dockerfile(SourceFile("", "Dockerfile", text,
                                                           "dockerfile")))
    assert len(models) == 1
    link_builds(models)
    for finding in RuleRunner(Config()).run(models):
        assert finding.name != "internal-error", finding.message
