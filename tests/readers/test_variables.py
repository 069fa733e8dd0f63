"""Shell and make variables of one file, expanded the way the shell (and make) would."""

from __future__ import annotations

import itertools
import textwrap
import time

import pytest

from dockward.models.workload import Workload
from dockward.readers.base import SourceFile
from dockward.readers.commands import iter_commands, read_commands
from dockward.readers.commands.docker_run import HIDDEN_OPTION_FIELDS
from dockward.readers.commands.variables import MakeVariables, expand_command


def source(text: str, kind: str = "shell") -> SourceFile:
    return SourceFile(path="f", display="f", text=textwrap.dedent(text).lstrip("\n"), kind=kind)


def argvs(text: str, kind: str = "shell") -> list[list[tuple[str, bool]]]:
    """The expanded arguments (after ``docker run``) of every docker command."""
    out = []
    for command in iter_commands(source(text, kind)):
        if command.argv and command.program == "docker":
            out.append([(w.text, w.expands) for w in expand_command(command).argv[2:]])
    return out


def workloads(text: str, kind: str = "shell") -> list[Workload]:
    return [m for m in read_commands(source(text, kind)) if isinstance(m, Workload)]


# --- shell expansion ------------------------------------------------------------------------


def test_unquoted_values_split_and_quoted_ones_do_not() -> None:
    assert argvs("""
        O="--memory 1g"
        O="$O --user 1000"
        docker run $O "$O" a
        """) == [[("--memory", False), ("1g", False), ("--user", False), ("1000", False),
                  ("--memory 1g --user 1000", False), ("a", False)]]


def test_arrays_keep_their_elements_apart() -> None:
    got = argvs("""
        args=(--privileged -v "/a b:/c")
        args+=(
          --cap-add=SYS_ADMIN  # a comment inside the array
        )
        docker run "${args[@]}" a
        docker run ${args[@]} b
        docker run "${args[*]}" c
        docker run "x${args[@]}y" d
        docker run "${args[1]}" ${args} e
        """)
    assert got[0] == [("--privileged", False), ("-v", False), ("/a b:/c", False),
                      ("--cap-add=SYS_ADMIN", False), ("a", False)]
    assert [t for t, _ in got[1]][:4] == ["--privileged", "-v", "/a", "b:/c"]
    assert got[2][0] == ("--privileged -v /a b:/c --cap-add=SYS_ADMIN", False)
    assert [t for t, _ in got[3]] == ["x--privileged", "-v", "/a b:/c", "--cap-add=SYS_ADMINy",
                                      "d"]
    assert [t for t, _ in got[4]] == ["-v", "--privileged", "e"]


def test_empty_values_make_no_word_but_quoted_empty_strings_do() -> None:
    assert argvs("""
        E=()
        N=
        docker run "${E[@]}" $N "" "$N" a
        """) == [[("", False), ("", False), ("a", False)]]


def test_defaults_alternatives_and_unset() -> None:
    assert argvs("""
        docker run ${O:-"--pids-limit 10" --read-only} a
        O=--init
        docker run ${O:-x} ${O:+--rm} ${P:+--rm} b
        unset O
        docker run ${O:-} $O c
        """) == [
        [("--pids-limit 10", False), ("--read-only", False), ("a", False)],
        [("--init", False), ("--rm", False), ("${P:+--rm}", True), ("b", False)],
        [("$O", True), ("c", False)],
    ]


def test_the_environment_keeps_its_own_value_over_a_default() -> None:
    assert argvs('docker run -v "${HOME:-/root}/.ssh:/k" a\n') == [
        [("-v", False), ("${HOME:-/root}/.ssh:/k", True), ("a", False)]]


def test_only_assignments_before_the_use_count() -> None:
    assert argvs("""
        docker run $O a
        O=--privileged
        docker run $O b
        O=--rm
        docker run $O c
        """) == [[("$O", True), ("a", False)], [("--privileged", False), ("b", False)],
                 [("--rm", False), ("c", False)]]


def test_unresolved_parts_stay_whole_and_keep_their_text() -> None:
    assert argvs("""
        O="$(cat opts.txt) --rm"
        docker run $O `#optional` a
        """) == [[("$(cat opts.txt)", True), ("--rm", False), ("a", False)]]


def test_declarations_and_their_flags() -> None:
    assert argvs("""
        export A=--rm B="--init"
        declare -a C=(--tty)
        local D='$HOME'
        docker run $A $B ${C[0]} $D a
        """) == [[("--rm", False), ("--init", False), ("--tty", False), ("$HOME", False),
                  ("a", False)]]  # single quotes: a literal dollar sign


def test_a_command_prefix_assignment_is_not_a_shell_variable() -> None:
    assert argvs("O=--privileged true\ndocker run $O a\n") == [[("$O", True), ("a", False)]]


def test_words_from_a_variable_sit_at_the_reference_and_say_where_it_was_set() -> None:
    [w] = workloads("""
        OPTS="--network host"

        docker run --rm $OPTS nginx:1.27
        """)
    origin = w.where("network_mode")
    assert (origin.line, origin.column, origin.via) == (3, 17, "$OPTS set at line 1")


def test_expansion_stays_bounded_on_hostile_input() -> None:
    elements = " ".join(f"-e X{i}=1" for i in range(3000))
    uses = " ".join(['"${a[@]}"'] * 200)
    text = f"a=({elements})\ndocker run {uses} img\n"
    start = time.perf_counter()
    [command] = [c for c in iter_commands(source(text)) if c.argv]
    # one expansion may give as many words as the array has; the command stops growing
    # after that instead of repeating it 200 times
    assert len(expand_command(command).argv) <= 6000 + 4096 + 202
    assert time.perf_counter() - start < 5


# --- make ------------------------------------------------------------------------------------


def test_make_assignment_operators() -> None:
    make = MakeVariables()
    make.assign("F", "?=", "--rm", 1)
    make.assign("F", "+=", "--privileged", 2)
    make.assign("F", "?=", "--init", 3)  # already set: ignored
    make.assign("S", ":=", "$(F) -it", 4)  # expanded now
    make.assign("F", "+=", "--pid=host", 5)
    make.assign("R", "=", "$(F)", 6)  # expanded when used
    make.assign("C", "!=", "id -u", 7)
    text, used, unresolved = make.expand("$(S) | ${R} | $$HOME | $(C) $(shell id) $@")
    assert text == ("--rm --privileged -it | --rm --privileged --pid=host | $HOME | "
                    "$(shell id -u) $(shell id) $@")
    assert used == ["$(S) set at line 4", "$(R) set at line 6", "$(F) set at lines 1, 2, 5",
                    "$(C) set at line 7"]
    assert unresolved


def test_make_expansion_is_bounded() -> None:
    make = MakeVariables()
    names = [f"V{i}" for i in range(40)]
    make.assign(names[-1], "=", "x", 1)
    for name, nxt in itertools.pairwise(names):
        make.assign(name, "=", f"$({nxt})$({nxt})", 2)
    start = time.perf_counter()
    _, _, unresolved = make.expand("$(V0)")
    assert unresolved and time.perf_counter() - start < 1
    make.assign("A", "=", "$(A) x", 3)
    assert make.expand("$(A)")[2]


def test_makefile_variables_reach_recipes_with_continuations_and_comments() -> None:
    [w] = workloads("""
        FLAGS = --rm \\
                --privileged  # debug only
        FLAGS += -v /:/host
        run:
        \tdocker run $(FLAGS) alpine:3.20
        """, "makefile")
    assert w.privileged and [m.source for m in w.mounts] == ["/"]
    assert w.where("privileged").via == "$(FLAGS) set at lines 1, 3"


def test_each_recipe_line_is_its_own_shell() -> None:
    [w] = workloads("""
        run:
        \tOPTS=--privileged
        \tdocker run $$OPTS alpine:3.20
        """, "makefile")
    assert not w.privileged and w.is_unknown("privileged")


# --- options hidden in what cannot be known -----------------------------------------------


@pytest.mark.parametrize("line", [
    "docker run $DOCKER_OPTS img",
    'docker run "${EXTRA[@]}" img',
    'docker run "$@" img',
    "docker run $* img",
    "docker run $(get_flags) img",
    "docker run $X --rm img",
    "docker run ${{ matrix.docker_args }} img",
    "docker run --rm $RUN_ARGS",
])
def test_unresolved_words_in_option_position_make_every_option_unknown(line: str) -> None:
    [w] = workloads(line + "\n")
    assert set(HIDDEN_OPTION_FIELDS) <= set(w.unknown), line


@pytest.mark.parametrize("line", ["docker run $IMAGE", "docker run $X sh -c 'id'",
                                  "docker run ${REGISTRY}/app:${TAG} --help"])
def test_an_image_in_a_variable_hides_no_option(line: str) -> None:
    found = workloads(line + "\n")
    assert all(not (set(HIDDEN_OPTION_FIELDS) & set(w.unknown)) for w in found)


def test_scalars_set_after_a_hidden_word_are_known_lists_are_not() -> None:
    [w] = workloads("docker run --user root $OPTS --memory 1g --cap-drop ALL img\n")
    assert not w.is_unknown("memory") and w.memory == 1 << 30
    assert w.is_unknown("user")  # $OPTS may set another --user after it
    assert w.is_unknown("cap_drop") and w.is_unknown("security_opts")


def test_unresolved_security_opt_value_is_unknown() -> None:
    [w] = workloads("docker run --security-opt $SECOPT img\n")
    assert w.is_unknown("security_opts") and w.security_opts == []


# --- objects made by one command and used by another -----------------------------------------


def test_named_volumes_that_bind_a_host_folder() -> None:
    found = workloads("""
        docker volume create --driver local --opt type=none --opt o=bind --opt device=/ root
        docker volume create etc -o type=none -o o=rbind,ro -o device=/etc
        docker volume create --name=old --opt type=none --opt o=bind --opt device=/root
        docker volume create --driver rexray --opt type=none --opt o=bind --opt device=/ xv
        docker run -v root:/h -v etc:/e --mount source=old,target=/o -v xv:/x -v yv:/y a
        docker volume create --opt type=none --opt o=bind --opt device=/ yv
        """)
    [w] = found
    assert [(m.type, m.source, m.target, m.read_only) for m in w.mounts] == [
        ("bind", "/", "/h", False), ("bind", "/etc", "/e", True), ("bind", "/root", "/o", False),
        ("volume", "xv", "/x", False), ("volume", "yv", "/y", False)]
    assert w.mounts[0].origin.via == "volume 'root' created at line 1 binds /"


def test_joining_a_named_containers_namespaces() -> None:
    _, second, third, fourth = workloads("""
        docker run -d --name a --network host --pid host --ipc host img
        docker run --network container:a --pid=container:a --ipc container:a img
        docker run -d --name b --network container:a img
        docker run --network container:b img
        """)
    assert (second.network_mode, second.pid_mode, second.ipc_mode) == ("host",) * 3
    assert third.network_mode == fourth.network_mode == "host"  # through b to a
    assert second.where("pid_mode").via == (
        "container:a: container 'a' (line 1) uses the host's PID namespace")
