"""Finding shell commands in every file kind, with the exact position of every word."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.commands import iter_command_lines, iter_commands, read_commands
from dockward.readers.commands.extract import Command, CommandText, Span, lex_commands

KINDS = ("shell", "makefile", "markdown", "dockerfile", "ci-yaml", "systemd")


def source(text: str, kind: str, name: str = "f") -> SourceFile:
    return SourceFile(path=name, display=name, text=textwrap.dedent(text).lstrip("\n"),
                      kind=kind)


def commands(text: str, kind: str = "shell", **kwargs: object) -> list[Command]:
    return list(iter_commands(source(text, kind), None, **kwargs))  # type: ignore[arg-type]


def argvs(text: str, kind: str = "shell") -> list[list[str]]:
    return [[w.text for w in c.argv] for c in commands(text, kind) if c.argv]


def positions(command: Command) -> list[tuple[str, int, int]]:
    return [(w.text, w.line, w.column) for w in command.argv]


def docker(text: str, kind: str = "shell") -> list[Command]:
    return [c for c in commands(text, kind) if c.program == "docker"]


# --- shell: operators, wrappers, compound commands ------------------------------------------


def test_operators_split_commands() -> None:
    got = argvs("a && docker run x; b | c || d & e\n")
    assert got == [["a"], ["docker", "run", "x"], ["b"], ["c"], ["d"], ["e"]]


def test_wrappers_and_assignments_come_before_the_program() -> None:
    lines = [
        "sudo docker run a",
        "sudo -u root -E docker run b",
        "env X=1 Y=2 docker run c",
        "exec docker run d",
        "time docker run e",
        "time -p docker run f",
        "X=1 docker run g",
        "nohup /usr/bin/docker run h &",
        "timeout 60 docker run i",
        "! docker run j",
    ]
    found = docker("\n".join(lines))
    assert [c.argv[-1].text for c in found] == list("abcdefghij")
    env_cmd = found[2]
    assert [w.text for w in env_cmd.assignments] == ["X=1", "Y=2"]
    assert found[7].argv[0].text == "/usr/bin/docker"


def test_commands_inside_if_for_while_case_and_functions() -> None:
    text = """
    if true; then
      docker run a
    fi
    for i in 1 2; do docker run b; done
    while false; do
      docker run c
    done
    case "$1" in
      start) docker run d ;;
    esac
    run_it() {
      docker run e
    }
    { docker run f; }
    (docker run g)
    """
    assert [c.argv[-1].text for c in docker(text)] == list("abcdefg")


def test_command_substitutions_are_read_too() -> None:
    text = 'id=$(docker run -d a) x=`docker run b` y="$(sudo docker run c)"\n'
    found = docker(text)
    assert [c.argv[-1].text for c in found] == ["a", "b", "c"]
    assert positions(found[0])[0] == ("docker", 1, 6)
    assert positions(found[2])[0] == ("docker", 1, 50)


def test_nested_substitution_and_process_substitution() -> None:
    text = 'diff <(docker run a cat /x) <(echo "$(docker run b)")\n'
    assert sorted(c.argv[2].text for c in docker(text)) == ["a", "b"]


def test_continuation_lines_keep_every_words_own_line() -> None:
    text = """
    docker run -d \\
      --name web \\
      -v /var/run/docker.sock:/var/run/docker.sock \\
      nginx
    """
    [cmd] = docker(text)
    assert positions(cmd) == [
        ("docker", 1, 1), ("run", 1, 8), ("-d", 1, 12),
        ("--name", 2, 3), ("web", 2, 10),
        ("-v", 3, 3), ("/var/run/docker.sock:/var/run/docker.sock", 3, 6),
        ("nginx", 4, 3),
    ]
    assert cmd.end_line == 4


def test_quotes_are_removed_and_expansions_flagged() -> None:
    [cmd] = docker("""docker run -e 'A=$HOME' -e "B=$HOME" -v "$(pwd)":/app -e C=\\$x i\n""")
    words = {w.text: w for w in cmd.argv}
    assert not words["A=$HOME"].expands  # single quotes: literal
    assert words["B=$HOME"].expands
    assert words["$(pwd):/app"].expands and words["$(pwd):/app"].raw == '"$(pwd)":/app'
    assert "C=$x" in words and not words["C=$x"].expands


def test_comments_are_not_commands() -> None:
    assert argvs("# docker run --privileged x\necho hi # docker run y\n") == [["echo", "hi"]]


def test_heredoc_bodies_are_data_unless_a_shell_reads_them() -> None:
    text = """
    cat > /tmp/x <<EOF
    docker run --privileged data
    EOF
    bash <<'SCRIPT'
    docker run --privileged code
    SCRIPT
    ssh host <<-EOS
    \tdocker run remote
    \tEOS
    docker run after
    """
    assert [c.argv[-1].text for c in docker(text)] == ["code", "remote", "after"]
    code = docker(text)[0]
    assert code.argv[0].line == 5


def test_sh_c_and_ssh_scripts_keep_exact_positions() -> None:
    text = "sh -c 'docker run -v /:/host a'\nssh me@box 'sudo docker run b'\n"
    found = docker(text)
    assert positions(found[0])[:3] == [("docker", 1, 8), ("run", 1, 15), ("-v", 1, 19)]
    assert positions(found[1])[0] == ("docker", 2, 18)


def test_variables_resolve_the_program() -> None:
    text = 'DOCKER=${DOCKER:-podman}\n$DOCKER run a\nRUNTIME=docker\n"$RUNTIME" run b\n'
    found = commands(text)
    assert [c.program for c in found if c.argv and c.argv[-1].text in "ab"] == [
        "podman", "docker"]


def test_global_options_before_run_stay_in_argv() -> None:
    [cmd] = docker("docker -H tcp://h:2375 --context x run a\n")
    assert [w.text for w in cmd.argv] == ["docker", "-H", "tcp://h:2375", "--context", "x",
                                          "run", "a"]


def test_unbalanced_quotes_and_substitutions_do_not_raise() -> None:
    for text in ["docker run 'oops\n", 'docker run "x\n', "docker run $(oops\n",
                 "docker run ${x\n", "docker run `x\n", "docker run a <<EOF\n"]:
        found = docker(text)
        assert found and found[0].argv[1].text == "run"


def test_logical_lines_join_continuations() -> None:
    src = source("a \\\n  b\nif x; then\n  c\nfi\n", "shell")
    lines = list(iter_command_lines(src))
    assert [(ct.line, ct.joined) for ct in lines] == [
        (1, "a   b"), (3, "if x; then"), (4, "  c"), (5, "fi")]
    assert lines[0].position(len("a \\\n  ")) == (2, 3)


def test_bashlex_and_lexer_agree() -> None:
    text = """
    result=$(sudo docker run --rm --name "$name" \\
              -v "$scriptPath":/root/x.sh \\
              alpine /root/x.sh -nn)
    if [ -n "$x" ]; then docker run -p 80:80 'a b' img; fi
    """
    lexed = [positions(c) for c in docker(text)]
    parsed = [positions(c) for c in commands(text, use_bashlex=True) if c.program == "docker"]
    assert lexed == parsed
    assert lexed[0][5] == ("-v", 2, 11)


def test_bashlex_failure_falls_back_to_the_lexer() -> None:
    text = "docker run -v /a:/b img; case $x in (a) ;; esac; (( i++ ]]\n"
    with_bashlex = [positions(c) for c in commands(text, use_bashlex=True)
                    if c.program == "docker"]
    assert with_bashlex == [[("docker", 1, 1), ("run", 1, 8), ("-v", 1, 12), ("/a:/b", 1, 15),
                             ("img", 1, 21)]]


def test_program_filter_skips_unrelated_files() -> None:
    src = source("echo hello\nls\n", "shell")
    assert list(iter_commands(src)) == []
    assert len(list(iter_commands(src, None))) == 2


def test_lex_commands_on_a_mapped_text() -> None:
    ct = CommandText(text="docker run x", spans=(Span(0, 7, 5),), origin="shell", file="f")
    [cmd] = lex_commands(ct)
    assert positions(cmd) == [("docker", 7, 5), ("run", 7, 12), ("x", 7, 16)]


# --- Makefiles --------------------------------------------------------------------------------


MAKEFILE = """
DOCKER ?= podman
IMAGE := app

.PHONY: run
run: build
\t@echo "running $(IMAGE)"
\t-docker run --rm -v $(PWD):/src \\
\t\t--privileged $(IMAGE)
\t$(DOCKER) run -u $$UID $(IMAGE)

inline: ; docker run inline-img
VAR = docker run not-a-recipe
define HELP
\tdocker run not-a-recipe-either
endef
"""


def test_makefile_recipes() -> None:
    found = [c for c in commands(MAKEFILE, "makefile") if c.argv and c.argv[0].text != "echo"]
    assert [c.program for c in found] == ["docker", "podman", "docker"]
    first = found[0]
    assert positions(first) == [
        ("docker", 7, 3), ("run", 7, 10), ("--rm", 7, 14), ("-v", 7, 19),
        ("$(PWD):/src", 7, 22), ("--privileged", 8, 3), ("$(IMAGE)", 8, 16)]
    assert first.argv[4].expands
    assert positions(found[1])[2:4] == [("-u", 9, 16), ("$$UID", 9, 19)]
    assert positions(found[2])[0] == ("docker", 11, 11)


# --- Markdown ------------------------------------------------------------------------------------


@pytest.mark.parametrize("info", ["sh", "bash", "shell", "console", "zsh", "shell-session",
                                  "Bash", "{.bash}", "bash title=run.sh"])
def test_markdown_shell_fences(info: str) -> None:
    text = f"Intro\n\n```{info}\ndocker run -p 80:80 nginx\n```\n"
    [cmd] = docker(text, "markdown")
    assert positions(cmd)[0] == ("docker", 4, 1)


@pytest.mark.parametrize("info", ["yaml", "text", "dockerfile", "json", "python"])
def test_markdown_other_fences_are_not_commands(info: str) -> None:
    assert docker(f"```{info}\ndocker run -p 80:80 nginx\n```\n", "markdown") == []


def test_markdown_untagged_fence_only_when_it_runs_a_runtime() -> None:
    text = "```\n$ docker run a\n```\n\n```\necho docker run b\n```\n\n```\npodman run c\n```\n"
    found = [c for c in commands(text, "markdown") if c.argv]
    assert [positions(c)[-1] for c in found] == [("a", 2, 14), ("c", 10, 12)]


def test_markdown_tilde_fences_and_prose() -> None:
    text = "Run docker run x now.\n~~~bash\ndocker run a\n~~~\n"
    assert [c.argv[-1].text for c in docker(text, "markdown")] == ["a"]


@pytest.mark.parametrize(
    ("line", "column"),
    [
        ("$ docker run a", 3),
        ("# docker run a", 3),
        ("adam@host ~ > docker run a", 15),
        ("user@host:~$ docker run a", 14),
        ("root@3f2a:/app# docker run a", 17),
        ("[user@host src]$ docker run a", 18),
        ("/ # docker run a", 5),
        ("~/src $ docker run a", 9),
        ("unix> docker run a", 7),
        ("➸ docker run a", 3),
        ("% docker run a", 3),
        ("PS C:\\> docker run a", 9),
    ],
)
def test_console_prompts_are_stripped(line: str, column: int) -> None:
    text = f"```console\n{line}\noutput line\n$ echo done\n```\n"
    [cmd] = docker(text, "markdown")
    assert positions(cmd)[0] == ("docker", 2, column)


def test_console_output_lines_are_skipped_and_continuations_kept() -> None:
    text = """
    ```console
    $ docker run -d \\
        -v /srv:/data \\
        img
    4f2a... (container id)
    docker run output-not-a-command
    $ docker ps
    ```
    """
    found = docker(text, "markdown")
    assert [c.argv[-1].text for c in found] == ["img", "ps"]
    assert positions(found[0])[3] == ("-v", 3, 5)


def test_console_block_without_prompts_is_a_command_list() -> None:
    text = "```console\ndocker run -d a\ndocker run -d b\n```\n"
    assert [c.argv[-1].text for c in docker(text, "markdown")] == ["a", "b"]


def test_bash_block_without_prompts_is_a_script_with_comments() -> None:
    text = "```bash\n# docker run commented-out\ndocker run real\n```\n"
    assert [c.argv[-1].text for c in docker(text, "markdown")] == ["real"]


def test_indented_fences_in_lists_and_blockquotes() -> None:
    text = "1.\tStart it:\n\n\t```console\n\t$ docker run -v /a:/b img\n\t```\n\n" \
           "> ```sh\n> docker run quoted\n> ```\n"
    found = docker(text, "markdown")
    assert [positions(c)[0] for c in found] == [("docker", 4, 4), ("docker", 8, 3)]


def test_markdown_placeholders_are_words_not_redirections() -> None:
    [cmd] = docker("```console\n$ docker run -h <hostname> -d %%IMAGE%%:<tag>\n```\n",
                   "markdown")
    assert [w.text for w in cmd.argv] == ["docker", "run", "-h", "<hostname>", "-d",
                                          "%%IMAGE%%:<tag>"]


def test_markdown_inline_code_commands() -> None:
    text = "Run `docker run -d --name db -p 8091:8091 couchbase` first; the `docker run` " \
           "flag `-v` matters.\n"
    full, mention = docker(text, "markdown")  # the mention has no image: no Workload
    assert positions(full)[0] == ("docker", 1, 6)
    assert full.argv[-1].text == "couchbase"
    assert [w.text for w in mention.argv] == ["docker", "run"]


def test_unclosed_quote_in_a_transcript_does_not_swallow_the_next_command() -> None:
    text = "```console\n$ echo 'oops\n$ docker run a\n```\n"
    assert [c.argv[-1].text for c in docker(text, "markdown")] == ["a"]


# --- Dockerfiles -----------------------------------------------------------------------------


DOCKERFILE = """
FROM docker:cli
# docker run --privileged in-a-comment
RUN docker run --privileged \\
    # a comment inside the continuation
    -v /var/run/docker.sock:/var/run/docker.sock shell-form
RUN ["docker", "run", "--pid=host", "exec-form"]
RUN <<EOF
docker run --net=host heredoc
EOF
RUN --mount=type=cache,target=/x <<-'EOT' bash
\tdocker run -u 0 heredoc-bash
EOT
RUN python3 <<EOF
docker run not-shell
EOF
RUN ["sh", "-c", "docker run sh-c"]
"""


def test_dockerfile_run_instructions() -> None:
    found = docker(DOCKERFILE, "dockerfile")
    assert [c.argv[-1].text for c in found] == [
        "shell-form", "exec-form", "heredoc", "heredoc-bash", "sh-c"]
    shell_form, exec_form, heredoc, heredoc_bash, sh_c = found
    assert positions(shell_form) == [
        ("docker", 3, 5), ("run", 3, 12), ("--privileged", 3, 16), ("-v", 5, 5),
        ("/var/run/docker.sock:/var/run/docker.sock", 5, 8), ("shell-form", 5, 50)]
    assert positions(exec_form) == [("docker", 6, 6), ("run", 6, 16), ("--pid=host", 6, 23),
                                    ("exec-form", 6, 37)]
    assert positions(heredoc)[0] == ("docker", 8, 1)
    assert positions(heredoc_bash)[0] == ("docker", 11, 2)
    assert positions(sh_c)[0] == ("docker", 16, 19)


@pytest.mark.parametrize("directive", ["# escape=`", "#escape=`",
                                       "# syntax=docker/dockerfile:1\n# ESCAPE = `"])
def test_dockerfile_escape_directive_continues_run_lines(directive: str) -> None:
    text = (f"{directive}\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
            "RUN docker run --rm `\n    -v /:/host alpine:3.20 ls `\n    /host\n")
    [found] = docker(text, "dockerfile")
    first = directive.count("\n") + 3
    assert positions(found)[2:] == [("--rm", first, 16), ("-v", first + 1, 5),
                                    ("/:/host", first + 1, 8), ("alpine:3.20", first + 1, 16),
                                    ("ls", first + 1, 28), ("/host", first + 2, 5)]


def test_dockerfile_that_does_not_parse_is_scanned_by_hand() -> None:
    text = "# escape=x\nFROM a\nRUN docker run \\\n  -v /:/host x\n"  # parser: bad escape
    found = docker(text, "dockerfile")
    assert [c.argv[-1].text for c in found] == ["x"]


# --- CI YAML ---------------------------------------------------------------------------------


GITHUB = """
name: ci
on: push
env:
  DOCKER_HOST: tcp://localhost:2375
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker run --rm -v /var/run/docker.sock:/var/run/docker.sock plain
      - name: literal
        run: |
          echo start
          docker run --privileged \\
            -v /:/host literal
      - name: folded
        run: >
          docker run
          --pid=host folded
      - run: "docker run -p 80:80 quoted"
"""

GITLAB = """
variables:
  DOCKER_HOST: tcp://docker:2375
.base: &base
  before_script:
    - docker info
    - docker run --rm anchored
build:
  <<: *base
  script:
    - docker run --privileged listed
    - |
      docker run \\
        --net=host block
test:
  script: docker run single
  after_script:
    - [docker run nested-list]
"""


def test_github_actions_steps() -> None:
    found = docker(GITHUB, "ci-yaml")
    assert [c.argv[-1].text for c in found] == ["plain", "literal", "folded", "quoted"]
    plain, literal, folded, quoted = found
    assert positions(plain)[:4] == [("docker", 10, 14), ("run", 10, 21), ("--rm", 10, 25),
                                    ("-v", 10, 30)]
    assert positions(literal) == [("docker", 14, 11), ("run", 14, 18),
                                  ("--privileged", 14, 22), ("-v", 15, 13), ("/:/host", 15, 16),
                                  ("literal", 15, 24)]
    assert positions(folded)[0] == ("docker", 18, 11)
    assert positions(quoted)[0] == ("docker", 20, 15)


def test_gitlab_ci_scripts_with_anchors() -> None:
    found = docker(GITLAB, "ci-yaml")
    assert [c.argv[-1].text for c in found] == [
        "info", "anchored", "listed", "block", "single", "nested-list"]
    block = found[3]
    assert positions(block)[2] == ("--net=host", 13, 9)


def test_yaml_alias_bomb_is_not_expanded() -> None:
    bomb = ["a: &a [docker run x]"]
    for i in range(1, 25):
        bomb.append(f"a{i}: &a{i} [*a{i - 1 if i > 1 else ''}, *a{i - 1 if i > 1 else ''}]"
                    .replace("*a0", "*a"))
    bomb.append("job:\n  script: *a24\n")
    found = docker("\n".join(bomb), "ci-yaml")
    assert [c.argv[-1].text for c in found] == ["x"]


def test_invalid_ci_yaml_is_a_parse_problem() -> None:
    problems = list(read_commands(source("jobs: [\n  - run: x\n", "ci-yaml")))
    assert len(problems) == 1 and isinstance(problems[0], ParseProblem)
    assert problems[0].location.line == 2


# --- systemd ---------------------------------------------------------------------------------


def test_systemd_exec_lines() -> None:
    text = "[Service]\nExecStart=\nExecStart=-/usr/bin/dockerd -H fd:// \\\n  -H tcp://0.0.0.0:2375\n"
    [cmd] = commands(text, "systemd")
    assert cmd.program == "dockerd"
    assert positions(cmd) == [("/usr/bin/dockerd", 3, 12), ("-H", 3, 29), ("fd://", 3, 32),
                              ("-H", 4, 3), ("tcp://0.0.0.0:2375", 4, 6)]


# --- robustness ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_empty_and_binary_looking_input(kind: str) -> None:
    for text in ["", "\n\n", "\x00\x01docker\x7f", "```", "\t\\", "run: |", "RUN"]:
        src = SourceFile(path="f", display="f", text=text, kind=kind)
        list(iter_command_lines(src))
        list(iter_commands(src, None))
        list(read_commands(src))


_SHELLISH = st.text(
    alphabet=st.sampled_from(list("docker run -v:/$(){}[]`'\"\\\n\t #;&|<>=@~.%*!x0")),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(text=_SHELLISH, kind=st.sampled_from(KINDS))
def test_random_text_never_raises(text: str, kind: str) -> None:
    src = SourceFile(path="f", display="f", text=text, kind=kind)
    list(iter_command_lines(src))
    list(iter_commands(src, None))
    list(iter_commands(src, None, use_bashlex=True))
    list(read_commands(src))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), kind=st.sampled_from(KINDS))
def test_random_unicode_never_raises(text: str, kind: str) -> None:
    src = SourceFile(path="f", display="f", text=text, kind=kind)
    list(iter_commands(src, None))
    list(read_commands(src))


def test_console_ps2_continuation_prompt_is_stripped() -> None:
    text = "```console\n$ docker run -d \\\n> -v /a:/b \\\n> img\n```\n"
    [cmd] = docker(text, "markdown")
    assert positions(cmd)[2:] == [("-d", 2, 14), ("-v", 3, 3), ("/a:/b", 3, 6), ("img", 4, 3)]


def test_joined_text_maps_back_to_the_file() -> None:
    [line] = list(iter_command_lines(source("docker run \\\n  -v /a:/b \\\n  img\n", "shell")))
    assert line.joined == "docker run   -v /a:/b   img"
    assert line.joined_position(line.joined.index("-v")) == (2, 3)
    assert line.joined_position(line.joined.index("img")) == (3, 3)


@pytest.mark.parametrize("unit", ['docker run "$(', 'docker run $("$(', 'docker run $("`', "$(("])
def test_hostile_nesting_is_read_in_bounded_work(unit: str) -> None:
    """Thousands of unclosed `"$(` once made bracket matching exponential; now it is capped."""
    src = SourceFile(path="f", display="f", text=unit * 1500, kind="shell")
    assert len(list(iter_commands(src, None))) <= 1500
    list(read_commands(src))
