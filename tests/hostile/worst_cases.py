"""Generators of the worst-case inputs the issues list: each is a file a hostile repository
can write under the 5 MB size limit that used to take seconds to minutes to scan.

Shared by ``tests/hostile/test_worst_cases.py`` (which scans each under the per-file time
budget) and ``scripts/fuzz.py`` (which mixes them into its runs).
"""

from __future__ import annotations

from collections.abc import Callable

SIZE = 1_400_000  # about the size the issue used; under the default 5 MB limit


def long_heredoc(size: int = SIZE) -> tuple[str, str]:
    lines = size // 7
    return "Dockerfile", "FROM alpine\nRUN <<EOF\n" + "echo a\n" * lines + "EOF\n"


def many_heredocs(size: int = SIZE) -> tuple[str, str]:
    block = "RUN <<EOF\n" + "echo a\n" * 1_900 + "EOF\n"
    return "Dockerfile", "FROM alpine\n" + block * (size // len(block))


def continued_run(size: int = SIZE) -> tuple[str, str]:
    lines = size // 9
    return "Dockerfile", "FROM alpine\nRUN true \\\n" + "  && a \\\n" * lines + "  && b\n"


def huge_run_line(size: int = SIZE) -> tuple[str, str]:
    options = size // 12
    return "run.sh", "docker run " + "-e A=1 -v /:/x " * (options // 2) + "alpine\n"


def long_letter_line(size: int = SIZE) -> tuple[str, str]:
    return "Dockerfile", "FROM alpine\nRUN echo " + "a" * size + "\n"


def long_digit_line(size: int = SIZE) -> tuple[str, str]:
    return "run.sh", "docker run -e X=" + "7" * size + " alpine\n"


def unclosed_expansions(size: int = SIZE) -> tuple[str, str]:
    return "run.sh", "docker run -e TOKEN=" + "${" * (size // 2) + " alpine\n"


def many_anchors(size: int = SIZE) -> tuple[str, str]:
    count = size // 40
    anchors = "".join(f"x-a{i}: &a{i} {{privileged: true}}\n" for i in range(count))
    return "compose.yaml", anchors + "services:\n  web:\n    image: x\n    <<: *a0\n"


def many_documents(size: int = SIZE) -> tuple[str, str]:
    doc = "---\napiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, image: x}]}\n"
    return "pods.k8s.yaml", doc * (size // len(doc))


def many_services(size: int = SIZE) -> tuple[str, str]:
    count = size // 60
    services = "".join(f"  s{i}:\n    image: x\n    privileged: true\n" for i in range(count))
    return "compose.yaml", "services:\n" + services


def aliased_secrets(size: int = 35_000) -> tuple[str, str]:
    """The issue's 35 KB compose file: 200 secret-named variables alias one 30 KB string."""
    value = "Ab3" * 10_000
    env = "".join(f"      DB_PASSWORD_{i}: *big\n" for i in range(200))
    return "compose.yaml", (f"x-big: &big \"{value}\"\nservices:\n  web:\n    image: x\n"
                            f"    environment:\n{env}")


def long_spaces(size: int = SIZE) -> tuple[str, str]:
    return "compose.yaml", ("services:\n  web:\n    image: x\n    environment:\n"
                            "      DB_PASSWORD: a" + " " * size + "b\n")


WORST_CASES: dict[str, Callable[..., tuple[str, str]]] = {
    f.__name__: f for f in (long_heredoc, many_heredocs, continued_run, huge_run_line,
                            long_letter_line, long_digit_line, unclosed_expansions,
                            many_anchors, many_documents, many_services, aliased_secrets,
                            long_spaces)
}
