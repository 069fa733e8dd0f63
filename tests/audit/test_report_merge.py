"""``dockward report merge`` on real per-host audits.

Two private engines are audited one at a time, each under the label ``local`` (as every
node's own audit in deploy/ names its engine), with a same-named container on each; the
merged report must keep them apart by engine id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dockward.cli.app import app
from dockward.reporters import FORMATS
from tests.engine.fleet import private_engines
from tests.engine.harness import BUSYBOX_TAG, PrivateEngine


class Audited:
    def __init__(self, engines: list[PrivateEngine], reports: list[Path]) -> None:
        self.engines = engines
        self.reports = reports
        self.ids = [json.loads(r.read_text())["subjects"][0]["engine_id"] for r in reports]


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audited]:
    folder = tmp_path_factory.mktemp("merge")
    with private_engines([((), {}), ((), {})], busybox=True) as engines:
        reports = []
        for index, eng in enumerate(engines):
            eng.run_container("--name", "web", "-v", f"{eng.socket_path}:/var/run/docker.sock",
                              BUSYBOX_TAG, "sleep", "1d")
            inventory = folder / f"hosts{index}"
            inventory.write_text(f"{eng.base_url} label=local\n")
            out = folder / f"node{index}.json"
            result = CliRunner().invoke(app, ["audit", "--hosts-file", str(inventory), "-f",
                                              "json", "-o", str(out)])
            assert result.exit_code == 1, result.output
            reports.append(out)
        yield Audited(engines, reports)


def merge(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["report", "merge", *args, "-f", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_same_label_and_host_name_stay_two_engines(audited: Audited) -> None:
    code, report = merge(*map(str, audited.reports))
    assert code == 1 and report["errors"] == []
    # both daemons run on this machine: same host name, so the second becomes local#2
    assert [s["host"] for s in report["subjects"]] == ["local", "local#2"]
    assert [s["engine_id"] for s in report["subjects"]] == audited.ids
    web = [f for f in report["findings"] if f["code"] == "DW201"]
    assert [(f["subject"], f["extra"]["engine_id"]) for f in web] == [
        ("local#2/web", audited.ids[1]), ("local/web", audited.ids[0])]
    assert web[0]["fingerprint"] != web[1]["fingerprint"]
    single = json.loads(audited.reports[0].read_text())
    assert report["summary"]["hosts"] == 2 and report["summary"]["reports"] == 2
    assert report["summary"]["containers"] == 2 * single["summary"]["containers"]
    assert report["summary"]["total"] == 2 * single["summary"]["total"]


def test_fingerprints_survive_a_merge_without_renaming(audited: Audited) -> None:
    _, report = merge(str(audited.reports[0]))
    original = json.loads(audited.reports[0].read_text())
    assert [f["fingerprint"] for f in report["findings"]] == [
        f["fingerprint"] for f in original["findings"]]


def test_hosts_named_after_their_daemons_when_names_differ(audited: Audited,
                                                           tmp_path: Path) -> None:
    """Each node's report says ``local``; distinct daemon names become the labels."""
    paths = []
    for index, path in enumerate(audited.reports):
        doc = json.loads(path.read_text())
        doc["subjects"][0]["name"] = f"node{index + 1}"
        paths.append(tmp_path / f"n{index}.json")
        paths[-1].write_text(json.dumps(doc))
    _, report = merge(*map(str, paths))
    assert [s["host"] for s in report["subjects"]] == ["node1", "node2"]
    assert {f["subject"] for f in report["findings"] if f["code"] == "DW201"} == {
        "node1/web", "node2/web"}


def test_the_same_engine_twice_is_kept_once(audited: Audited) -> None:
    first = str(audited.reports[0])
    _, report = merge(first, first)
    assert [s["host"] for s in report["subjects"]] == ["local"]
    assert report["errors"] == [
        f"{first}: engine local ({audited.ids[0]}) is also in {first}; kept from {first}"]


def test_unreadable_inputs_are_errors_and_the_rest_is_merged(audited: Audited,
                                                             tmp_path: Path) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    scan = tmp_path / "other.json"
    scan.write_text(json.dumps({"schema": "something-else/2", "findings": []}))
    code, report = merge(str(junk), str(scan), str(audited.reports[1]))
    assert code == 1
    assert report["errors"][0].startswith(f"{junk}: not a JSON report: ")
    assert report["errors"][1] == f"{scan}: not a dockward JSON report (schema dockward-report/1)"
    assert [s["host"] for s in report["subjects"]] == ["local"]
    result = CliRunner().invoke(app, ["report", "merge", str(junk), "-f", "json"])
    assert result.exit_code == 2


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_output_format(audited: Audited, fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"fleet.{fmt}"
    result = CliRunner().invoke(app, ["report", "merge", *map(str, audited.reports), "-f", fmt,
                                      "-o", str(out)])
    assert result.exit_code == 1, result.output
    text = out.read_text(encoding="utf-8").replace("\\", "")  # markdown escapes '#'
    if fmt != "github":  # annotations name the rule, not the object
        assert "local#2/web" in text and "local/web" in text


def test_html_fleet_view(audited: Audited, tmp_path: Path) -> None:
    out = tmp_path / "fleet.html"
    CliRunner().invoke(app, ["report", "merge", *map(str, audited.reports), "-f", "html",
                             "-o", str(out)])
    page = out.read_text(encoding="utf-8")
    fleet = page[page.index('<section id="fleet"'):page.index('<section id="hosts"')]
    rows = re.findall(r'<th scope="row"><a href="#(host-[^"]+)">([^<]+)</a>', fleet)
    assert rows == [("host-local", "local"), ("host-local_2", "local#2")]
    assert re.search(r'href="#rule-DW201">DW201</a> runtime-socket-mounted</th>'
                     r'<td class="num">2</td>', fleet)
    assert 'id="host-local"' in page and 'id="host-local_2"' in page
