"""File kinds from names and content; folder walks honour .gitignore and skip link loops."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dockward.discovery import kind_from_content, kind_from_name, walk


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Dockerfile", "dockerfile"),
        ("Containerfile", "dockerfile"),
        ("Dockerfile.build-args", "dockerfile"),
        ("api.Dockerfile", "dockerfile"),
        ("linuxserver-plex.Dockerfile.aarch64", "dockerfile"),
        ("compose.yaml", "compose"),
        ("docker-compose.prod.yml", "compose"),
        ("compose.override.yaml", "compose"),
        ("stack.yml", "yaml"),  # content decides: swarm stack or not
        (".gitlab-ci.yml", "ci-yaml"),
        ("values.yaml", "yaml"),
        ("run.sh", "shell"),
        ("Makefile", "makefile"),
        ("build.mk", "makefile"),
        ("README.md", "markdown"),
        ("docker.service", "systemd"),
        ("entrypoint", "maybe-script"),
        ("debug-pod.json", "json"),  # content decides: a Kubernetes manifest or not
        ("photo.png", None),
    ],
)
def test_kind_from_name(name: str, kind: str | None) -> None:
    assert kind_from_name(Path("repo") / name) == kind


@pytest.mark.parametrize(("text", "kind"), [
    ('{"apiVersion": "v1", "kind": "Pod", "spec": {}}', "k8s"),
    ('\n\t{\n\t"kind": "List",\n\t"apiVersion": "v1", "items": []}', "k8s"),
    ('{"name": "app", "version": "1.0.0"}', None),  # package.json
    ('{"kind": "x"}', None),
    ('["apiVersion", "kind"]', None),
])
def test_json_is_kubernetes_when_it_says_so(text: str, kind: str | None) -> None:
    assert kind_from_content("json", b"", text) == kind


def test_github_workflow_is_ci_yaml() -> None:
    assert kind_from_name(Path("repo/.github/workflows/ci.yml")) == "ci-yaml"


def test_walk_honours_gitignore_and_skips_dir_links(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("ignored/\n*.tmp.sh\n")
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "run.sh").write_text("docker run --privileged x\n")
    (tmp_path / "keep.sh").write_text("true\n")
    (tmp_path / "drop.tmp.sh").write_text("true\n")
    (tmp_path / "sub").mkdir()
    os.symlink("..", tmp_path / "sub" / "loop")
    found = sorted(c.path.relative_to(tmp_path).as_posix() for c in walk([str(tmp_path)], [], True))
    assert found == ["keep.sh"]


def test_exclude_globs(tmp_path: Path) -> None:
    (tmp_path / "a.sh").write_text("true\n")
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "b.sh").write_text("true\n")
    found = [c.path.name for c in walk([str(tmp_path)], ["vendor"], True)]
    assert found == ["a.sh"]
