"""``docker build`` lines into invocation Builds, and their linking to Dockerfiles."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dockward.linking import link_builds
from dockward.models.build import Build
from dockward.models.location import Location
from dockward.models.workload import BuildArgSpec, BuildSpec, Workload
from dockward.readers.base import SourceFile
from dockward.readers.build_lines import read_build_lines
from dockward.readers.dockerfile import read_dockerfile


def builds(text: str, kind: str = "shell", path: str = "") -> list[Build]:
    src = SourceFile(path, path or "build.sh", textwrap.dedent(text), kind)
    out = [m for m in read_build_lines(src) if isinstance(m, Build)]
    assert all(b.source_kind == "build-command" for b in out)
    return out


class TestCommands:
    @pytest.mark.parametrize("line", [
        "docker build -t app .",
        "docker image build -t app .",
        "docker builder build -t app .",
        "docker buildx build --push -t app .",
        "docker buildx b -t app .",
        "docker -H tcp://h:2376 --tls build -t app .",
        "sudo docker build -t app .",
        "podman build -t app .",
        "nerdctl build -t app .",
        "buildah bud -t app .",
        "buildah --storage-driver vfs build -t app .",
    ])
    def test_recognized(self, line: str) -> None:
        (b,) = builds(line)
        assert b.facts["tags"] == ["app"]

    @pytest.mark.parametrize("line", [
        "docker run -e TOKEN=x alpine", "docker buildx bake", "docker compose build",
        "echo docker build is great", "buildah from alpine", "docker buildx create --use",
    ])
    def test_not_build_lines(self, line: str) -> None:
        assert builds(line) == []

    def test_build_args(self) -> None:
        (b,) = builds(
            'docker build --build-arg SECRET="my secret" --build-arg=TOKEN=$TOKEN '
            "--build-arg FROM_ENV --build-arg CI='${{ secrets.NPM }}' -t x .\n")
        args = {a.name: a for a in b.external_args}
        assert args["SECRET"].value == "my secret" and args["SECRET"].value_kind == "literal"
        assert args["TOKEN"].value_kind == "placeholder"
        assert args["FROM_ENV"].value is None and args["FROM_ENV"].value_kind == "environment"
        assert args["CI"].value_kind == "placeholder"
        assert args["SECRET"].origin.line == 1 and args["SECRET"].origin.column == 14
        assert args["SECRET"].via == "--build-arg"

    def test_secrets_target_and_location(self) -> None:
        (b,) = builds("""\
            # comment
            docker buildx build \\
              --secret id=npm,src=$HOME/.npmrc \\
              --secret id=gh,env=GITHUB_TOKEN \\
              --ssh default --target runtime .
            """)
        assert [(s.id, s.source, s.env) for s in b.secrets] == [
            ("npm", "$HOME/.npmrc", None), ("gh", None, "GITHUB_TOKEN")]
        assert [s.origin.line for s in b.secrets] == [3, 4]
        assert b.target == "runtime" and b.facts["ssh"] == ["default"]
        assert b.anchor.line == 2

    def test_makefile_and_markdown(self) -> None:
        (mk,) = builds("build:\n\tdocker build --build-arg NPM_TOKEN=$(NPM_TOKEN) -t app .\n",
                       kind="makefile")
        assert mk.external_args[0].value_kind == "placeholder"
        md = "Build it:\n\n```console\n$ docker build --build-arg KEY=v1 .\n```\n"
        (doc,) = builds(md, kind="markdown")
        assert doc.external_args[0].origin.line == 4


class TestDockerfileResolution:
    def test_file_flag_and_context(self, tmp_path: Path) -> None:
        (tmp_path / "Dockerfile.build-args").write_text("FROM alpine\nARG SECRET\n")
        (tmp_path / "ctx").mkdir()
        (tmp_path / "ctx" / "Dockerfile").write_text("FROM alpine\n")
        script = tmp_path / "build.sh"
        script.write_text("docker build -f Dockerfile.build-args .\n"
                          "docker build ctx\n"
                          "docker build -f $PWD/Dockerfile.build-args .\n"
                          "docker build -f - .\n"
                          "docker build https://github.com/org/repo.git\n"
                          "docker build -f missing.Dockerfile .\n")
        found = builds(script.read_text(), path=str(script))
        paths = [b.dockerfile_path for b in found]
        assert paths[0] == str(tmp_path / "Dockerfile.build-args")
        assert paths[1] == str(tmp_path / "ctx" / "Dockerfile")
        assert paths[2] == str(tmp_path / "Dockerfile.build-args")
        assert paths[3:] == [None, None, None]
        assert found[0].context == str(tmp_path)

    def test_ci_files_resolve_from_repository_root(self, tmp_path: Path) -> None:
        (tmp_path / "Dockerfile").write_text("FROM alpine\n")
        wf = tmp_path / ".github" / "workflows" / "ci.yml"
        wf.parent.mkdir(parents=True)
        wf.write_text(textwrap.dedent("""\
            on: push
            jobs:
              build:
                runs-on: ubuntu-latest
                steps:
                  - run: docker build --build-arg NPM_TOKEN=${{ secrets.NPM_TOKEN }} .
            """))
        (b,) = builds(wf.read_text(), kind="ci-yaml", path=str(wf))
        assert b.dockerfile_path == str(tmp_path / "Dockerfile")
        assert b.external_args[0].value_kind == "placeholder"


class TestLinking:
    def _dockerfile(self, path: Path) -> Build:
        (model,) = read_dockerfile(SourceFile(str(path), path.name, path.read_text(),
                                              "dockerfile"))
        assert isinstance(model, Build)
        return model

    def test_build_line_attaches_to_scanned_dockerfile(self, tmp_path: Path) -> None:
        df = tmp_path / "Dockerfile.build-args"
        df.write_text("FROM alpine:3.20.0\nARG SECRET\nRUN echo $SECRET\n")
        script = tmp_path / "build.sh"
        script.write_text('docker build --file Dockerfile.build-args --build-arg SECRET="s" .\n')
        dockerfile = self._dockerfile(df)
        (inv,) = builds(script.read_text(), path=str(script))
        models: list[object] = [dockerfile, inv]
        link_builds(models)
        assert inv.dockerfile is dockerfile and dockerfile.invocations == [inv]
        assert [a.name for a in dockerfile.linked_external_args("SECRET")] == ["SECRET"]
        assert inv.dockerfile_known and dockerfile.dockerfile_known
        link_builds(models)  # idempotent
        assert len(dockerfile.external_args) == 1

    def test_dockerfile_read_on_demand(self, tmp_path: Path) -> None:
        (tmp_path / "Dockerfile").write_text("FROM alpine\nARG TOKEN\nUSER 10001\n")
        script = tmp_path / "build.sh"
        script.write_text("docker build --build-arg TOKEN=x -t app .\ndocker run app\n")
        (inv,) = builds(script.read_text(), path=str(script))
        run = Workload(name="", source_kind="run-line", anchor=Location(file="build.sh"),
                       image="app")
        models: list[object] = [inv, run]
        link_builds(models)
        assert inv.dockerfile is not None and inv.dockerfile.declared_args() == {"TOKEN"}
        assert run.image_user == "10001"  # learned from the tag built in the same scan
        assert len(models) == 2  # the Dockerfile was not scanned: it is not reported on

    def test_unreadable_dockerfile_leaves_invocation_unlinked(self, tmp_path: Path) -> None:
        (tmp_path / "Dockerfile").write_bytes(b"FROM alpine\nRUN <<EOF\nnever closed\n")
        script = tmp_path / "build.sh"
        script.write_text("docker build .\n")
        (inv,) = builds(script.read_text(), path=str(script))
        link_builds([inv])
        assert inv.dockerfile is None and not inv.dockerfile_known

    def _service(self, tmp_path: Path, **build: object) -> Workload:
        w = Workload(name="app", source_kind="compose-service",
                     anchor=Location(file="compose.yaml", line=2))
        w.build = BuildSpec(location=Location(file="compose.yaml", line=3),
                            **build)  # type: ignore[arg-type]
        w.build_context = str(tmp_path)
        return w

    def test_compose_service_learns_dockerfile_user(self, tmp_path: Path) -> None:
        (tmp_path / "Dockerfile").write_text("FROM alpine AS b\nFROM alpine\nUSER app\n")
        w = self._service(tmp_path, args=[BuildArgSpec("NPM_TOKEN", "${NPM_TOKEN}",
                                                       Location(file="compose.yaml", line=6))],
                          secrets=["npmrc"])
        models: list[object] = [w]
        link_builds(models)
        assert w.image_user == "app" and w.origins["image_user"].line == 3
        inv = models[-1]
        assert isinstance(inv, Build) and inv.source_kind == "compose-build"
        assert inv.dockerfile is not None
        assert [(a.name, a.value_kind, a.via) for a in inv.external_args] == [
            ("NPM_TOKEN", "placeholder", "build.args")]
        assert [s.id for s in inv.secrets] == ["npmrc"]

    def test_runtime_user_is_kept_and_root_is_not_guessed(self, tmp_path: Path) -> None:
        (tmp_path / "Dockerfile").write_text("FROM alpine\nRUN true\n")
        w = self._service(tmp_path)
        link_builds([w])
        assert w.image_user is None  # no USER: the base image decides, DW113 judges
        (tmp_path / "Dockerfile").write_text("FROM alpine\nUSER 10001\n")
        w2 = self._service(tmp_path)
        w2.user = "root"
        link_builds([w2])
        assert w2.image_user == "10001" and w2.user == "root"  # DW113 reads user first

    def test_inline_dockerfile(self, tmp_path: Path) -> None:
        w = self._service(tmp_path, dockerfile_inline="FROM alpine\nUSER nobody\n")
        link_builds([w])
        assert w.image_user == "nobody"


class TestSeedDemo:
    """The seed's "Build time secrets" section, end to end (examples/seed-demo)."""

    ROOT = Path(__file__).resolve().parents[2] / "examples"

    def test_build_arg_leaks_and_secret_mount_does_not(self) -> None:
        from dockward.config import Config
        from dockward.usecases.scan import scan_paths

        demo = self.ROOT / "seed-demo"
        result = scan_paths([str(demo / "Dockerfile.build-args"), str(demo / "Dockerfile.secret"),
                             str(demo / "build.sh")],
                            Config(select=["DW401", "DW402", "DW403", "DW000"]))
        got = sorted((Path(f.location.file).name, f.location.line, f.code)
                     for f in result.findings)
        assert got == [("Dockerfile.build-args", 2, "DW401"), ("build.sh", 4, "DW401")]
        for f in result.findings:
            assert "docker history" in f.message
            assert "--mount=type=secret" in f.message and "--secret" in f.message
            assert "my secret" not in f.message + f.evidence
        script = next(f for f in result.findings if f.location.file.endswith("build.sh"))
        assert "Dockerfile.build-args:2" in script.message
        assert script.location.column == 58  # the --build-arg word
        dockerfile = next(f for f in result.findings if f.location.file.endswith("args"))
        assert "build.sh:4" in dockerfile.message

    def test_hardened_dockerfile_is_clean(self) -> None:
        from dockward.config import Config
        from dockward.usecases.scan import scan_paths

        result = scan_paths([str(self.ROOT / "hardened" / "Dockerfile")],
                            Config(select=["DW4", "DW000"]))
        assert result.findings == []
