"""Inline ignores count only inside real comments of the file's own syntax (issue 17).

Each case is a file that runs a privileged container and carries an ignore-file directive
somewhere: in a real comment it silences the file, anywhere else (a YAML string, an echo
argument, a LABEL value, Markdown prose) it must not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockward.config import Config
from dockward.readers.base import SourceFile
from dockward.readers.comments import comment_starts
from dockward.suppression import parse_directives
from dockward.usecases.scan import scan_paths
from tests.hostile.helpers import run_cli, text

IGNORE = "dockward: ignore-file[DW]"
ONLY_DW101 = Config(select=["DW101"])


def _codes(path: Path) -> list[tuple[str, int, bool]]:
    result = scan_paths([str(path)], ONLY_DW101)
    return [(f.code, f.location.line, f.suppressed) for f in result.findings]


# (file name, content, whether the directive is a real comment)
CASES = [
    # the issue's reproduction: a YAML string value
    ("compose.yaml", "services:\n  web:\n    image: x\n    privileged: true\n"
     f'    environment: {{NOTE: "see docs # {IGNORE}"}}\n', False),
    ("compose.yaml", "services:\n  web:\n    image: x\n    privileged: true\n"
     f"    labels: ['a # {IGNORE}']\n", False),
    ("compose.yaml", "services:\n  web:\n    image: x\n    privileged: true\n"
     f"    command: |\n      echo hi\n      # {IGNORE}\n", False),
    ("compose.yaml", "services:\n  web:\n    image: x\n    privileged: true\n"
     f"    command: >-\n      echo\n      # {IGNORE}\n", False),
    ("compose.yaml", "services:\n  web:\n    image: x\n    privileged: true\n"
     "    entrypoint: sh#dockward:ignore-file[DW]\n", False),
    ("compose.yaml", "services:\n  web:\n    image: x\n    privileged: true\n"
     f"    x-note: \"multi\n      line # {IGNORE}\"\n", False),
    ("compose.yaml", "services:\n  web:\n    image: x\n    privileged: true\n"
     f"    x-note: 'it''s # {IGNORE}'\n", False),
    ("compose.yaml", f"# {IGNORE}\nservices:\n  web:\n    image: x\n    privileged: true\n",
     True),
    ("compose.yaml", "services:\n  web:\n    image: x\n    privileged: true  # "
     f"{IGNORE}\n", True),
    ("compose.yaml", "services:\n  web:\n    image: x\n    privileged: true\n"
     f"    command: |  # {IGNORE}\n      echo hi\n", True),
    ("compose.yaml", f"services: {{web: {{image: x, privileged: true}}}} # {IGNORE}\n", True),
    # shell: an echo argument, quoted or escaped, a heredoc body
    ("run.sh", f'docker run --privileged x\necho "# {IGNORE}"\n', False),
    ("run.sh", f"docker run --privileged x\necho '# {IGNORE}'\n", False),
    ("run.sh", f"docker run --privileged x\necho \\# {IGNORE}\n", False),
    ("run.sh", f"docker run --privileged x\necho a#{IGNORE}\n", False),
    ("run.sh", f"docker run --privileged x\ncat <<EOF\n# {IGNORE}\nEOF\n", False),
    ("run.sh", f"docker run --privileged x\n# {IGNORE}\n", True),
    ("run.sh", f"docker run --privileged x  # {IGNORE}\n", True),
    # Dockerfile: a LABEL value, a COPY heredoc, an echo in RUN
    ("Dockerfile", f'FROM alpine\nLABEL note="x # {IGNORE}"\n'
     "RUN docker run --privileged x\n", False),
    ("Dockerfile", f"FROM alpine\nCOPY <<EOF /etc/x\n# {IGNORE}\nEOF\n"
     "RUN docker run --privileged x\n", False),
    ("Dockerfile", f"FROM alpine\nRUN echo '# {IGNORE}' && docker run --privileged x\n",
     False),
    ("Dockerfile", f"FROM alpine\n# {IGNORE}\nRUN docker run --privileged x\n", True),
    # Markdown: prose, inline code, an HTML-looking sentence; a code block comment counts
    ("README.md", f"Note: # {IGNORE}\n\n```sh\ndocker run --privileged x\n```\n", False),
    ("README.md", f"Run `echo # {IGNORE}` first.\n\n```sh\ndocker run --privileged x\n```\n",
     False),
    ("README.md", f"```sh\ndocker run --privileged x\necho '# {IGNORE}'\n```\n", False),
    ("README.md", f"```sh\n# {IGNORE}\ndocker run --privileged x\n```\n", True),
    # Makefile: a recipe's echo argument; make's own comment counts
    ("Makefile", f"run:\n\tdocker run --privileged x\n\techo '# {IGNORE}'\n", False),
    ("Makefile", f"# {IGNORE}\nrun:\n\tdocker run --privileged x\n", True),
]


@pytest.mark.parametrize(("name", "content", "real"), CASES)
def test_only_real_comments_suppress(tmp_path: Path, name: str, content: str,
                                     real: bool) -> None:
    path = tmp_path / name
    path.write_text(content)
    found = _codes(path)
    assert found, content
    assert all(suppressed is real for _code, _line, suppressed in found), (content, found)


def test_issue_reproduction_exits_1_with_the_critical_finding(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  web:\n    image: x\n    privileged: true\n"
        '    environment: {NOTE: "see docs # dockward: ignore-file[DW]"}\n')
    proc = run_cli("scan", str(tmp_path / "compose.yaml"), "--fail-on", "critical")
    assert proc.returncode == 1, text(proc)
    assert "DW101" in proc.stdout.decode()


def test_dw000_is_never_suppressed_inline(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(f"# {IGNORE}\nservices:\n  web: [\n")
    result = scan_paths([str(path)])
    assert [(f.code, f.suppressed) for f in result.findings] == [("DW000", False)]


_YAML_SCALARS = st.text(alphabet=st.sampled_from(list("ab #'\":-[]{}|>\\\n\t")), max_size=30)


@given(_YAML_SCALARS, _YAML_SCALARS)
@settings(max_examples=300, deadline=None)
def test_yaml_comments_agree_with_the_value_libyaml_reads(before: str, inside: str) -> None:
    """Whatever the quoting, a directive reported as a comment never appears in a value
    the YAML parser reads, and a directive in a value is never taken for a comment."""
    import yaml

    body = f"a: {before}# dockward: ignore[DW1] {inside}\n"
    src = SourceFile(path="", display="f", text=body, kind="compose")
    try:
        values = yaml.safe_load(body)
    except yaml.YAMLError:
        return
    directives = parse_directives(body, comment_starts(src))
    in_value = "dockward" in repr(values)
    assert not (directives and in_value), (body, values)
    if not in_value:
        assert directives, (body, values)
