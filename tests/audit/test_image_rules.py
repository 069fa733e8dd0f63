"""Image model and the image rules DW501-DW503 on images captured from a real engine.

``images/test-arg.json`` is the seed's ``docker build --build-arg SECRET="my secret"``
demo built with the classic builder (plus ``ENV DB_PASSWORD=hunter2`` and ``USER 1000``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dockward.config import Config
from dockward.findings import Finding
from dockward.models.image import Image
from dockward.readers.engine.images import image_from_inspect, image_ref
from dockward.rules.dw501_build_arg_leaked_in_history import (
    declared_args,
    parse_history_args,
    redacted_line,
)
from dockward.rules.runner import RuleRunner

FIXTURES = Path(__file__).parent / "fixtures" / "images"
SECRET = "my secret"


def load(name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    inspect = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    history = json.loads((FIXTURES / f"{name}.history.json").read_text(encoding="utf-8"))
    return inspect, history


def image(name: str, used_by: tuple[str, ...] = ()) -> Image:
    inspect, history = load(name)
    return image_from_inspect(inspect, history, "h", used_by)


def findings(model: object, select: str) -> list[Finding]:
    return RuleRunner(Config(select=[select])).check(model)


def test_image_model_from_fixture() -> None:
    img = image("test-arg", ("h/leaky",))
    assert img.ref == "test-arg:latest" and img.tags == ["test-arg:latest"]
    assert img.anchor.subject == "h/test-arg:latest"
    assert img.user == "1000" and img.where("user").path == "Config.User"
    assert [e.key for e in img.env] == ["PATH", "DB_PASSWORD"]
    assert img.env[1].origin.path == "Config.Env[1]"
    assert img.history_known and len(img.history) == 5
    assert img.history[2].created_by == f"|1 SECRET={SECRET} /bin/sh -c echo $SECRET"
    assert img.history[2].origin.path == "history[2]"
    assert img.used_by == ["h/leaky"]
    assert img.describe() == f"image 'test-arg:latest' ({img.short_id})"


def test_untagged_image_ref_is_short_id() -> None:
    assert image_ref({"Id": "sha256:" + "ab" * 32, "RepoTags": ["<none>:<none>"]}) == "ab" * 6


def test_history_unknown_means_silence() -> None:
    inspect, _ = load("test-arg")
    img = image_from_inspect(inspect, None, "h")
    assert not img.history_known
    assert findings(img, "DW501") == []


# ------------------------------------------------------------------ DW501


def test_dw501_finds_the_seed_leak_redacted() -> None:
    found = findings(image("test-arg"), "DW501")
    assert [(f.code, f.location.subject, f.location.path) for f in found] == [
        ("DW501", "h/test-arg:latest", "history[2]")]
    f = found[0]
    assert f.evidence == "SECRET=***"
    assert f.extra["history"] == "|1 SECRET=*** /bin/sh -c echo $SECRET"
    assert SECRET not in json.dumps([f.message, f.evidence, f.extra])


def test_dw501_silent_on_clean_image() -> None:
    assert findings(image("busybox"), "DW501") == []


@pytest.mark.parametrize(("line", "known", "pairs"), [
    ("|1 SECRET=my secret /bin/sh -c echo $SECRET", {"SECRET"}, [("SECRET", "my secret")]),
    ("|2 A=1 B=2 /bin/sh -c echo $A $B", set(), [("A", "1"), ("B", "2")]),
    ("RUN |1 TOKEN=a b c /bin/sh -c true # buildkit", set(), [("TOKEN", "a b c")]),
    ("|1 SECRET=x B=y /bin/sh -c true", {"SECRET"}, [("SECRET", "x B=y")]),
    ("|2 A=1 B=2 echo exec form", {"A", "B"}, [("A", "1"), ("B", "2 echo exec form")]),
    ("/bin/sh -c #(nop)  ARG SECRET", set(), []),
    ("|0 /bin/sh -c true", set(), []),
])
def test_parse_history_args(line: str, known: set[str], pairs: list[tuple[str, str]]) -> None:
    assert [(a.key, a.value) for a in parse_history_args(line, frozenset(known))] == pairs


def test_redacted_line_never_shows_a_value_whole() -> None:
    line = "|2 NPM_TOKEN=npm_0123456789abcdefghijklmnopqrstuvwxyz USER=x /bin/sh -c npm ci"
    args = parse_history_args(line)
    out = redacted_line(line, args)
    assert "0123456789abcdef" not in out and out.endswith("/bin/sh -c npm ci")


def test_declared_args_classic_and_buildkit() -> None:
    img = image("test-arg")
    assert declared_args(img.history) == frozenset({"SECRET"})


def test_dw501_one_finding_per_arg_across_layers_and_value_format() -> None:
    inspect, _ = load("busybox")
    token = "ghp_" + "A1b2C3d4" * 5
    history = [
        {"CreatedBy": f"|2 GH={token} N=1 /bin/sh -c make", "Id": "<missing>"},
        {"CreatedBy": f"|2 GH={token} N=1 /bin/sh -c true", "Id": "<missing>"},
        {"CreatedBy": "/bin/sh -c #(nop)  ARG N", "Id": "<missing>"},
        {"CreatedBy": "/bin/sh -c #(nop)  ARG GH", "Id": "<missing>"},
        {"CreatedBy": "", "Id": "sha256:1"},
    ]
    found = findings(image_from_inspect(inspect, history, "h"), "DW501")
    assert len(found) == 1
    f = found[0]
    assert f.location.path == "history[1]" and f.extra["layers"] == 2
    assert "github token" in f.message and token not in json.dumps([f.message, f.evidence,
                                                                   f.extra])


# ------------------------------------------------------------------ DW502 / DW503


def test_dw502_secret_in_image_env() -> None:
    found = findings(image("test-arg"), "DW502")
    assert [(f.location.path, f.evidence) for f in found] == [("Config.Env[1]",
                                                              "DB_PASSWORD=***")]
    assert "hunter2" not in found[0].message


def test_dw502_silent_on_path_only() -> None:
    assert findings(image("busybox"), "DW502") == []


def test_dw503_root_image() -> None:
    img = image("busybox", ("h/a", "h/b"))
    found = findings(img, "DW503")
    assert [(f.code, f.location.subject, f.location.path) for f in found] == [
        ("DW503", "h/busybox:dw", "Config.User")]
    assert "used by a, b" in found[0].message


@pytest.mark.parametrize(("user", "fires"), [("", True), ("root", True), ("0:0", True),
                                            ("1000", False), ("app", False)])
def test_dw503_users(user: str, fires: bool) -> None:
    img = image("busybox")
    img.user = user
    assert bool(findings(img, "DW503")) is fires
