"""Containers a CI file creates without a command line: GitHub job and service containers,
GitLab services that run a command, and build actions' build args."""

from __future__ import annotations

import textwrap

from dockward.models.build import Build
from dockward.models.daemon import Daemon
from dockward.models.workload import Workload
from dockward.readers.base import SourceFile
from dockward.readers.build_lines import read_build_lines
from dockward.readers.commands import read_commands


def src(text: str) -> SourceFile:
    return SourceFile(path="ci.yml", display="ci.yml", text=textwrap.dedent(text).lstrip("\n"),
                      kind="ci-yaml")


def workloads(text: str) -> list[Workload]:
    return [m for m in read_commands(src(text)) if isinstance(m, Workload)]


def daemons(text: str) -> list[Daemon]:
    return [m for m in read_commands(src(text)) if isinstance(m, Daemon)]


GITHUB = """
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    container:
      image: node:22
      options: --privileged --cpus 1
      volumes:
        - /var/run/docker.sock:/var/run/docker.sock
      ports: ["8080:80"]
      env:
        NODE_ENV: test
    services:
      dind:
        image: "docker:27-dind"
        options: >-
          --privileged
          --pid=host  # the flag that matters
      cache:
        image: redis:7
        options: |
          --health-cmd "redis-cli ping"
          --memory 256m
    steps:
      - run: npm test
  plain:
    runs-on: ubuntu-latest
    container: alpine:3.20
    steps:
      - run: true
"""


def test_github_job_and_service_containers_are_docker_create_lines() -> None:
    job, dind, cache, plain = workloads(GITHUB)
    assert [(w.name, w.image, w.source_kind) for w in (job, dind, cache, plain)] == [
        ("build", "node:22", "ci-container"), ("dind", "docker:27-dind", "ci-container"),
        ("cache", "redis:7", "ci-container"), ("plain", "alpine:3.20", "ci-container")]
    assert job.privileged and job.cpus == 1.0
    assert job.where("privileged").line == 7 and job.where("privileged").column == 16
    assert job.where("cpus").column == 29
    [sock] = job.mounts
    assert (sock.source, sock.origin.line, sock.origin.column) == (
        "/var/run/docker.sock", 9, 11)
    assert [(p.host_port, p.container_port, p.origin.line) for p in job.ports] == [
        ("8080", "80", 10)]
    assert [(e.key, e.value, e.origin.line) for e in job.env] == [("NODE_ENV", "test", 12)]
    assert dind.privileged and dind.pid_mode == "host"
    assert (dind.where("pid_mode").line, dind.where("pid_mode").column) == (18, 11)
    assert cache.memory == 256 * 1024 * 1024 and cache.where("memory").line == 23


def test_the_runner_decides_what_the_workflow_leaves_out() -> None:
    *_, plain = workloads(GITHUB)
    for field in ("user", "read_only", "memory", "cpus", "pids_limit", "cap_drop",
                  "no_new_privileges"):
        assert plain.is_unknown(field), field
    job = workloads(GITHUB)[0]
    assert not job.is_unknown("cpus")


def test_gitlab_services_that_run_dockerd_or_a_script() -> None:
    text = """
        stages: [build]
        build:
          services:
            - docker:27-dind
            - name: docker:27-dind
              command: ["--host=tcp://0.0.0.0:2375", "--tls=false"]
            - name: docker:27-dind
              entrypoint: ["dockerd-entrypoint.sh"]
              command: "-H tcp://0.0.0.0:2376 --tlsverify"
            - name: alpine:3.20
              entrypoint: ["sh", "-c", "docker run --privileged alpine:3.20 true"]
            - name: postgres:16
              command: ["postgres", "-H", "tcp://0.0.0.0:2375"]
          script:
            - docker info
        """
    found = daemons(text)
    assert [(d.listeners[0].address, d.listeners[0].tls_verify, d.anchor.line)
            for d in found] == [("tcp://0.0.0.0:2375", False, 5),
                                ("tcp://0.0.0.0:2376", True, 8)]
    assert found[0].listeners[0].origin.column == 18
    [w] = workloads(text)
    assert w.privileged and (w.where("privileged").line, w.where("privileged").column) == (
        11, 44)


def test_broken_and_odd_shapes_do_not_raise() -> None:
    for text in ["jobs:\n  a:\n    container: {}\n", "jobs:\n  a:\n    services: [1, 2]\n",
                 "jobs:\n  a:\n    container:\n      image: [x]\n",
                 "b:\n  services: {name: x}\n", "b:\n  services:\n    - {name: [1]}\n",
                 "jobs:\n  a:\n    container:\n      image: x\n      options: '\"'\n"]:
        list(read_commands(src(text)))


def builds(text: str) -> list[Build]:
    return [m for m in read_build_lines(src(text)) if isinstance(m, Build)]


def test_build_action_inputs_are_build_args_at_their_lines() -> None:
    [action, other] = builds("""
        on: push
        jobs:
          image:
            runs-on: ubuntu-latest
            steps:
              - uses: docker/build-push-action@v6
                with:
                  file: docker/Dockerfile
                  build-args: |
                    VERSION=1.2.3
                    NPM_TOKEN=${{ secrets.NPM_TOKEN }}
                    A=1,B=2
              - uses: other/action@v1
                with:
                  buildArgs: "VERSION, GITHUB_TOKEN"
        """)
    assert [(a.name, a.value, a.value_kind, a.origin.line, a.origin.column, a.via)
            for a in action.external_args] == [
        ("VERSION", "1.2.3", "literal", 10, 13, "build-args"),
        ("NPM_TOKEN", "${{ secrets.NPM_TOKEN }}", "placeholder", 11, 13, "build-args"),
        ("A", "1,B=2", "literal", 12, 13, "build-args")]  # build-args are not split at commas
    assert action.facts["dockerfile_spec"] == "docker/Dockerfile"
    assert [(a.name, a.value_kind, a.origin.column) for a in other.external_args] == [
        ("VERSION", "environment", 23), ("GITHUB_TOKEN", "environment", 32)]
