"""GitHub workflow-command annotations: format, escaping, and default under Actions."""

from __future__ import annotations

import io

from dockward.findings import Finding, Severity
from dockward.models.location import Location
from dockward.report import Report
from dockward.reporters import github
from tests.reporters.conftest import FIXTURES, run_cli
from tests.reporters.synthetic import audit_report


def test_escaping_follows_the_workflow_command_rules() -> None:
    assert github.escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert github.escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_annotation_of_a_file_finding() -> None:
    f = Finding(code="DW201", name="runtime-socket-mounted", severity=Severity.CRITICAL,
                message="mounts the socket\n::error::forged", location=Location(
                    file="deploy/a,b:c.yaml", line=7, column=9, end_line=8), fix="remove it")
    line = github.annotation(f)
    assert line == ("::error file=deploy/a%2Cb%3Ac.yaml,line=7,endLine=8,col=9,"
                    "title=DW201 runtime-socket-mounted (critical)"
                    "::mounts the socket%0A::error::forged%0AFix: remove it")
    assert "\n" not in line  # a message cannot start a second command


def test_levels_per_severity() -> None:
    def cmd(sev: Severity) -> str:
        f = Finding(code="DW1", name="n", severity=sev, message="m",
                    location=Location(file="f", line=1))
        return github.annotation(f).split(" ", 1)[0]

    assert [cmd(s) for s in sorted(Severity, reverse=True)] == [
        "::error", "::error", "::warning", "::notice", "::notice"]


def test_audit_findings_name_their_subject_in_the_title() -> None:
    buf = io.StringIO()
    github.render(audit_report(hostile=False), buf)
    lines = buf.getvalue().splitlines()
    assert all(line.startswith("::") for line in lines[:-1])
    assert any("title=DW101 privileged (critical) in prod-1/app-00::" in line for line in lines)
    assert not any("file=" in line for line in lines)
    assert lines[-1].startswith("dockward audit: ")


def test_suppressed_findings_are_not_annotated() -> None:
    report = audit_report(hostile=False)
    report.show_suppressed = True
    buf = io.StringIO()
    github.render(report, buf)
    assert "accepted for the demo" not in buf.getvalue()
    assert buf.getvalue().count("::") // 2 == sum(1 for f in report.findings if not f.suppressed)


def test_errors_become_error_annotations() -> None:
    buf = io.StringIO()
    github.render(Report(command="scan", findings=[], errors=["bad\ninput"]), buf)
    assert buf.getvalue().splitlines()[0] == "::error title=dockward::bad%0Ainput"


def test_default_format_under_github_actions() -> None:
    proc = run_cli("scan", "project/compose.yaml", cwd=FIXTURES, env={"GITHUB_ACTIONS": "true"})
    assert proc.returncode == 1
    first = proc.stdout.splitlines()[0]
    assert first.startswith(("::error ", "::warning ", "::notice "))
    assert " file=project/compose.yaml,line=" in first
    explicit = run_cli("scan", "project/compose.yaml", "--format", "text", cwd=FIXTURES,
                       env={"GITHUB_ACTIONS": "true"})
    assert "::error" not in explicit.stdout
    plain = run_cli("scan", "project/compose.yaml", cwd=FIXTURES)
    assert "::error" not in plain.stdout
