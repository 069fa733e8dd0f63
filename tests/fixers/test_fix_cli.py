"""``dockward fix`` as a user runs it: in place, --diff, exit codes, what is left and why."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed-demo"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dockward", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"})


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_diff_writes_nothing_and_exits_1_when_there_is_something_to_fix(tmp_path: Path) -> None:
    work = tmp_path / "seed"
    shutil.copytree(SEED, work)
    before = snapshot(work)
    out = run("fix", "seed", "--diff", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert snapshot(work) == before
    assert "+    pids_limit: 200\n" in out.stdout
    assert out.stdout.startswith("--- a/seed/compose.yaml\n+++ b/seed/compose.yaml\n")
    assert "Would fix 23 findings in 2 files." in out.stderr
    assert "cap_drop" not in out.stdout  # unsafe fixes need --unsafe-fixes


def test_fix_in_place_then_nothing_left_to_change(tmp_path: Path) -> None:
    work = tmp_path / "seed"
    shutil.copytree(SEED, work)
    first = run("fix", "seed", "--unsafe-fixes", cwd=tmp_path)
    assert first.returncode == 1, first.stderr  # findings that need a human remain
    assert "Fixed " in first.stdout
    after = snapshot(work)
    assert after != snapshot(SEED)
    again = run("fix", "seed", "--unsafe-fixes", "--diff", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout == ""
    assert snapshot(work) == after


def test_leftovers_say_why(tmp_path: Path) -> None:
    work = tmp_path / "seed"
    shutil.copytree(SEED, work)
    out = run("fix", "seed", "--unsafe-fixes", cwd=tmp_path)
    left = out.stdout.split("left:\n", 1)[1].splitlines()
    assert left == [
        "  seed/Dockerfile.build-args:2:5 DW401 secret-build-arg: --build-arg SECRET at "
        "seed/build.sh:4 has its value written in the file: decide where the secret is "
        "kept, then pass it as a build secret",
        "  seed/build.sh:4:58 DW401 secret-build-arg: --build-arg SECRET at seed/build.sh:4 "
        "has its value written in the file: decide where the secret is kept, then pass it as "
        "a build secret",
        "  seed/run.sh:29:40 DW601 daemon-tcp-without-tls: `dockward fix` does not change a "
        "daemon's or a host's configuration: it needs a restart of the daemon or changes "
        "outside containers, which is the host owner's call.",
    ]


def test_without_unsafe_fixes_the_unsafe_ones_are_left_with_that_reason(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text("docker run --privileged alpine:3.20 sh\n")
    out = run("fix", "run.sh", "--select", "DW101,DW303", cwd=tmp_path)
    assert out.returncode == 1
    assert (tmp_path / "run.sh").read_text() == \
        "docker run --privileged --pids-limit 200 alpine:3.20 sh\n"
    assert "DW101 privileged: the fix may change what the workload does; apply it with " \
           "--unsafe-fixes" in out.stdout


def test_clean_input_exits_0(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text("docker run --pids-limit 100 alpine:3.20 sh\n")
    out = run("fix", "run.sh", "--select", "DW303", cwd=tmp_path)
    assert out.returncode == 0, out.stdout
    assert out.stdout == "Fixed 0 findings in 0 files.\n"


def test_scan_fix_is_an_alias(tmp_path: Path) -> None:
    (tmp_path / "run.sh").write_text("docker run alpine:3.20 sh\n")
    out = run("scan", "run.sh", "--fix", "--select", "DW303", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "run.sh").read_text() == "docker run --pids-limit 200 alpine:3.20 sh\n"


def test_usage_errors(tmp_path: Path) -> None:
    assert run("fix", "nope", cwd=tmp_path).returncode == 2
    stdin = run("fix", "-", cwd=tmp_path)
    assert stdin.returncode == 2 and "cannot read stdin" in stdin.stderr
    live = run("fix", "--apply", cwd=tmp_path)
    assert live.returncode == 2 and "need --container" in live.stderr
    both = run("fix", ".", "--container", "x", cwd=tmp_path)
    assert both.returncode == 2 and "give no paths" in both.stderr


def test_the_diff_never_shows_a_secret_whole(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  db:\n    image: postgres:17\n    environment:\n"
        "      POSTGRES_PASSWORD: s3cr3t-Passw0rd-value\n")
    out = run("fix", ".", "--diff", "--select", "DW303", cwd=tmp_path)
    assert out.returncode == 1
    assert "+    pids_limit: 200" in out.stdout
    assert "s3cr3t-Passw0rd-value" not in out.stdout
    assert "POSTGRES_PASSWORD: s3***ue" in out.stdout


def test_a_file_that_does_not_parse_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web: [\n")
    out = run("fix", ".", cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert (tmp_path / "compose.yaml").read_text() == "services:\n  web: [\n"
    assert "DW000 unreadable-input: the file could not be read" in out.stdout


def test_writes_keep_mode_and_symlinks(tmp_path: Path) -> None:
    real = tmp_path / "scripts" / "run.sh"
    real.parent.mkdir()
    real.write_text("docker run alpine:3.20 sh\n")
    real.chmod(0o751)
    link = tmp_path / "run.sh"
    link.symlink_to(real)
    out = run("fix", "run.sh", "--select", "DW303", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert link.is_symlink()
    assert real.read_text() == "docker run --pids-limit 200 alpine:3.20 sh\n"
    assert real.stat().st_mode & 0o777 == 0o751
    assert not list(tmp_path.rglob(".dockward-fix-*"))
