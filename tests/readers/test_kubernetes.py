"""The Kubernetes reader: every mapped field, its exact line, and bad input."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dockward.config import Config
from dockward.models.workload import Workload
from dockward.readers.base import ParseProblem, SourceFile
from dockward.readers.kubernetes import (
    cpu_cores,
    memory_bytes,
    parse_quantity,
    read_kubernetes,
)
from dockward.usecases.scan import scan_paths


def read_list(text: str, name: str = "app.yaml") -> tuple[list[Workload], list[ParseProblem]]:
    src = SourceFile(path=f"/proj/{name}", display=name, text=textwrap.dedent(text), kind="k8s")
    workloads: list[Workload] = []
    problems: list[ParseProblem] = []
    for item in read_kubernetes(src):
        if isinstance(item, ParseProblem):
            problems.append(item)
        else:
            workloads.append(item)
    return workloads, problems


def read_all(text: str, name: str = "app.yaml") -> tuple[dict[str, Workload], list[ParseProblem]]:
    workloads, problems = read_list(text, name)
    by_name = {w.name: w for w in workloads}
    assert len(by_name) == len(workloads), "duplicate workload names"
    return by_name, problems


def read_ok(text: str) -> dict[str, Workload]:
    workloads, problems = read_all(text)
    assert problems == []
    return workloads


def read_one(text: str) -> Workload:
    workloads = read_ok(text)
    assert len(workloads) == 1
    return next(iter(workloads.values()))


def opts(w: Workload) -> list[tuple[str, str, int]]:
    return [(o.key, o.value, o.origin.line) for o in w.security_opts]


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: app
      image: nginx:1.27
"""


# --------------------------------------------------------------------------- objects and names


def test_pod_container_name_anchor_and_defaults() -> None:
    w = read_one(POD)
    assert w.name == "Pod/web/app"
    assert w.source_kind == "k8s"
    assert w.image == "nginx:1.27"
    assert (w.anchor.file, w.anchor.line, w.anchor.column, w.anchor.path) == (
        "app.yaml", 7, 7, "spec.containers[0]")
    assert w.anchor.subject == "Pod/web/app"
    assert w.where("image").line == 8
    # nothing a pod spec leaves out is invented
    assert (w.privileged, w.pid_mode, w.network_mode, w.ipc_mode, w.uts_mode, w.userns_mode,
            w.user, w.memory, w.cpus, w.read_only) == (
        False, None, None, None, None, None, None, None, None, False)
    assert w.cap_add == [] and w.cap_drop == [] and w.security_opts == [] and w.mounts == []
    # not expressible per container: unknown, never missing
    assert w.is_unknown("pids_limit") and w.is_unknown("restart")
    assert w.restart is None and w.pids_limit is None
    assert w.allow_privilege_escalation is True  # the Kubernetes default
    assert "run_as_non_root" not in w.facts
    assert w.facts["seccomp_profile"] is None
    assert w.facts["k8s"] == {"kind": "Pod", "name": "web", "namespace": None,
                              "container": "app", "group": "containers"}


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
                                  "ReplicationController", "Job", "Rollout", "MyOperatorApp"])
def test_every_kind_with_a_pod_template(kind: str) -> None:
    w = read_one(f"""\
        apiVersion: example/v1
        kind: {kind}
        metadata:
          name: x
          namespace: prod
        spec:
          template:
            spec:
              containers:
                - name: c
                  image: busybox:1.36
        """)
    assert w.name == f"{kind}/x/c"
    assert w.anchor.path == "spec.template.spec.containers[0]"
    assert w.anchor.line == 10
    assert w.facts["k8s"]["namespace"] == "prod"


def test_cronjob_nesting() -> None:
    w = read_one("""\
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: report
        spec:
          schedule: "@hourly"
          jobTemplate:
            spec:
              template:
                spec:
                  hostPID: true
                  containers:
                    - name: run
                      image: python:3.12
        """)
    assert w.name == "CronJob/report/run"
    assert w.anchor.path == "spec.jobTemplate.spec.template.spec.containers[0]"
    assert w.anchor.line == 13
    assert (w.pid_mode, w.where("pid_mode").line) == ("host", 11)
    assert w.where("pid_mode").path == "spec.jobTemplate.spec.template.spec.hostPID"


def test_pod_template_kind() -> None:
    w = read_one("""\
        apiVersion: v1
        kind: PodTemplate
        metadata:
          name: tpl
        template:
          spec:
            containers:
              - name: c
                image: busybox:1.36
        """)
    assert w.name == "PodTemplate/tpl/c"


def test_init_ephemeral_and_regular_containers_are_separate_workloads() -> None:
    found = read_ok("""\
        apiVersion: v1
        kind: Pod
        metadata:
          generateName: job-
        spec:
          initContainers:
            - name: init
              image: busybox:1.36
              resources:
                limits: {memory: 16Mi}
          containers:
            - name: main
              image: app:1
          ephemeralContainers:
            - name: debugger
              image: busybox:1.36
        """)
    assert sorted(found) == ["Pod/job-*/debugger", "Pod/job-*/init", "Pod/job-*/main"]
    init = found["Pod/job-*/init"]
    assert init.facts["k8s"]["group"] == "initContainers"
    assert (init.anchor.path, init.anchor.line) == ("spec.initContainers[0]", 7)
    assert init.memory == 16 * 2**20
    debugger = found["Pod/job-*/debugger"]
    assert debugger.anchor.path == "spec.ephemeralContainers[0]"
    # ephemeral containers cannot set resources: the pod's limits apply
    assert debugger.is_unknown("memory") and debugger.is_unknown("cpus")
    assert not found["Pod/job-*/main"].is_unknown("memory")


def test_multi_document_and_list() -> None:
    workloads, problems = read_list("""\
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          ports: [{port: 80}]
        ---
        apiVersion: v1
        kind: List
        items:
          - apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: a
            spec:
              template:
                spec:
                  containers:
                    - name: one
                      image: one:1
          - apiVersion: v1
            kind: Pod
            metadata:
              name: b
            spec:
              containers:
                - name: two
                  image: two:1
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: a
        spec:
          template:
            spec:
              containers:
                - name: one
                  image: one:2
        """)
    assert problems == []
    assert [(w.name, w.image, w.anchor.path, w.anchor.line) for w in workloads] == [
        ("Deployment/a/one", "one:1", "items[0].spec.template.spec.containers[0]", 19),
        ("Pod/b/two", "two:1", "items[1].spec.containers[0]", 27),
        ("Deployment/a/one", "one:2", "spec.template.spec.containers[0]", 38),
    ]


def test_same_path_in_two_documents_gives_distinct_fingerprints(tmp_path: Any) -> None:
    doc = textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {name}
        spec:
          template:
            spec:
              containers:
                - name: app
                  image: nginx:1.27
                  securityContext:
                    privileged: true
        """)
    path = tmp_path / "bundle.yaml"
    path.write_text(doc.format(name="a") + "---\n" + doc.format(name="b"), encoding="utf-8")
    result = scan_paths([str(path)], Config(select=["DW101"]))
    assert result.files_by_kind == {"k8s": 1}
    assert [(f.location.line, f.location.subject) for f in result.findings] == [
        (12, "Deployment/a/app"), (25, "Deployment/b/app")]
    assert {f.location.path for f in result.findings} == {
        "spec.template.spec.containers[0].securityContext.privileged"}
    assert len({f.fingerprint for f in result.findings}) == 2


def test_json_manifests_with_tabs_lists_and_exact_positions() -> None:
    text = ('{\n\t"apiVersion": "v1",\n\t"kind": "List",\n\t"items": [{\n'
            '\t\t"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dbg"},\n'
            '\t\t"spec": {"hostPID": true, "containers": [\n'
            '\t\t\t{"name": "c", "image": "busybox:1.36", '
            '"securityContext": {"privileged": true}}]}\n\t}]\n}\n')
    workloads, problems = read_list(text, "debug.json")
    assert problems == []
    [w] = workloads
    assert w.privileged and w.pid_mode == "host"
    assert (w.where("pid_mode").line, w.where("pid_mode").column) == (6, 12)
    assert (w.where("privileged").line, w.where("privileged").column) == (7, 63)


def test_broken_json_is_one_problem_at_its_line() -> None:
    workloads, problems = read_list('{"apiVersion": "v1",\n "kind": "Pod",\n "spec": {,}}\n',
                                    "bad.json")
    assert workloads == [] and len(problems) == 1 and problems[0].location.line == 3


def test_objects_without_pod_specs_are_ignored() -> None:
    found, problems = read_all("""\
        apiVersion: kustomize.config.k8s.io/v1beta1
        kind: Kustomization
        resources: [deployment.yaml]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: scale-only
        spec:
          replicas: 3
        ---
        - just
        - a list
        ---
        """)
    assert found == {} and problems == []


# --------------------------------------------------------------------------- namespaces


def test_host_namespaces_and_uts_follows_host_network() -> None:
    w = read_one("""\
        apiVersion: v1
        kind: Pod
        metadata:
          name: agent
        spec:
          hostPID: true
          hostIPC: yes
          hostNetwork: on
          containers:
            - name: a
              image: agent:1
        """)
    assert (w.pid_mode, w.where("pid_mode").line) == ("host", 6)
    assert (w.ipc_mode, w.where("ipc_mode").line) == ("host", 7)  # YAML 1.1 booleans
    assert (w.network_mode, w.where("network_mode").line) == ("host", 8)
    assert (w.uts_mode, w.where("uts_mode").line) == ("host", 8)
    assert w.where("network_mode").path == "spec.hostNetwork"


def test_false_namespaces_stay_unset() -> None:
    w = read_one("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          hostPID: false
          hostNetwork: false
          containers: [{name: a, image: x}]
        """)
    assert (w.pid_mode, w.network_mode, w.uts_mode) == (None, None, None)


@pytest.mark.parametrize(("value", "mode", "fact"), [
    ("true", "host", True), ("false", "private", False)])
def test_host_users(value: str, mode: str, fact: bool) -> None:
    w = read_one(f"""\
        apiVersion: v1
        kind: Pod
        metadata: {{name: p}}
        spec:
          hostUsers: {value}
          containers: [{{name: a, image: x}}]
        """)
    assert (w.userns_mode, w.where("userns_mode").line, w.facts["host_users"]) == (mode, 5, fact)


# --------------------------------------------------------------------------- security context


def test_container_security_context_wins_over_pod_field_by_field() -> None:
    w = read_one("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            spec:
              securityContext:
                runAsUser: 1000
                runAsGroup: 3000
                runAsNonRoot: true
                seccompProfile:
                  type: Unconfined
                seLinuxOptions:
                  type: spc_t
              containers:
                - name: app
                  image: nginx:1.27
                  securityContext:
                    runAsUser: 2000
                    runAsNonRoot: false
                    seccompProfile:
                      type: RuntimeDefault
                    seLinuxOptions:
                      level: "s0:c1,c2"
        """)
    assert (w.user, w.where("user").line) == ("2000:3000", 20)
    assert w.where("user").path == "spec.template.spec.containers[0].securityContext.runAsUser"
    assert w.run_as_non_root is False
    assert w.facts["seccomp_profile"] == "RuntimeDefault"
    # seLinuxOptions is replaced as a whole by the container's: no spc_t left
    assert opts(w) == [("label", "level:s0:c1,c2", 25)]


def test_pod_security_context_applies_when_the_container_is_silent() -> None:
    w = read_one("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          securityContext:
            runAsUser: 0
            runAsNonRoot: true
            seccompProfile:
              type: Unconfined
            seLinuxOptions:
              type: spc_t
              level: s0
          containers:
            - name: a
              image: x
        """)
    assert (w.user, w.where("user").line) == ("0", 6)
    assert w.run_as_non_root is True
    assert opts(w) == [("seccomp", "unconfined", 9), ("label", "type:spc_t", 11),
                       ("label", "level:s0", 12)]
    assert w.security_opts[0].origin.path == "spec.securityContext.seccompProfile.type"


def test_run_as_group_alone_is_no_user() -> None:
    w = read_one("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: a
              image: x
              securityContext: {runAsGroup: 1000}
        """)
    assert w.user is None
    assert w.facts["run_as_group"] == 1000


def test_privileged_capabilities_read_only_and_proc_mount() -> None:
    w = read_one("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: a
              image: x
              securityContext:
                privileged: true
                readOnlyRootFilesystem: true
                procMount: Unmasked
                capabilities:
                  add: ["CAP_SYS_ADMIN", net_admin]
                  drop:
                    - ALL
        """)
    assert (w.privileged, w.where("privileged").line) == (True, 9)
    assert (w.read_only, w.where("read_only").line) == (True, 10)
    assert [(c.name, c.origin.line) for c in w.cap_add] == [("SYS_ADMIN", 13), ("NET_ADMIN", 13)]
    assert w.cap_add[1].origin.path == "spec.containers[0].securityContext.capabilities.add[1]"
    assert [(c.name, c.origin.line) for c in w.cap_drop] == [("ALL", 15)]
    assert opts(w) == [("systempaths", "unconfined", 11)]


@pytest.mark.parametrize(("context", "nnp", "fact", "opt_value"), [
    ("{allowPrivilegeEscalation: false}", True, False, "true"),
    ("{allowPrivilegeEscalation: true}", False, True, "false"),
    ("{}", False, True, None),
    # the API server refuses false with privileged or CAP_SYS_ADMIN: it escalates anyway
    ("{allowPrivilegeEscalation: false, privileged: true}", False, True, None),
    ("{allowPrivilegeEscalation: false, capabilities: {add: [CAP_SYS_ADMIN]}}", False, True,
     None),
])
def test_allow_privilege_escalation(
    context: str, nnp: bool, fact: bool, opt_value: str | None
) -> None:
    w = read_one(f"""\
        apiVersion: v1
        kind: Pod
        metadata: {{name: p}}
        spec:
          containers:
            - name: a
              image: x
              securityContext: {context}
        """)
    assert w.no_new_privileges is nnp
    assert w.allow_privilege_escalation is fact
    opt = w.security_opt("no-new-privileges")
    got = (opt.value, opt.origin.line) if opt is not None else None
    assert got == ((opt_value, 8) if opt_value is not None else None)


def test_legacy_seccomp_and_apparmor_annotations() -> None:
    found = read_ok("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          template:
            metadata:
              annotations:
                seccomp.security.alpha.kubernetes.io/pod: unconfined
                container.seccomp.security.alpha.kubernetes.io/strict: runtime/default
                container.apparmor.security.beta.kubernetes.io/app: unconfined
            spec:
              containers:
                - name: app
                  image: x
                - name: strict
                  image: x
                  securityContext:
                    appArmorProfile:
                      type: Unconfined
        """)
    app, strict = found["Deployment/web/app"], found["Deployment/web/strict"]
    assert opts(app) == [("seccomp", "unconfined", 9), ("apparmor", "unconfined", 11)]
    assert app.security_opts[0].origin.path == (
        'spec.template.metadata.annotations["seccomp.security.alpha.kubernetes.io/pod"]')
    # the container's own annotation wins over the pod's
    assert strict.facts["seccomp_profile"] == "RuntimeDefault"
    assert opts(strict) == [("apparmor", "unconfined", 20)]


def test_pod_annotations_of_a_bare_pod() -> None:
    w = read_one("""\
        apiVersion: v1
        kind: Pod
        metadata:
          name: p
          annotations:
            container.apparmor.security.beta.kubernetes.io/a: unconfined
        spec:
          containers: [{name: a, image: x}]
        """)
    assert opts(w) == [("apparmor", "unconfined", 6)]


# --------------------------------------------------------------------------- mounts


def test_volume_mounts() -> None:
    w = read_one("""\
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent}
        spec:
          template:
            spec:
              containers:
                - name: a
                  image: x
                  volumeMounts:
                    - name: sock
                      mountPath: /var/run/docker.sock
                      readOnly: true
                    - name: run
                      mountPath: /sock
                      subPath: containerd/containerd.sock
                    - name: kubelet
                      mountPath: /var/lib/kubelet
                      mountPropagation: Bidirectional
                    - name: logs
                      mountPath: /logs
                      mountPropagation: HostToContainer
                    - name: mem
                      mountPath: /tmp
                    - name: cfg
                      mountPath: /etc/app
                    - name: missing
                      mountPath: /m
              volumes:
                - name: sock
                  hostPath: {path: /var/run/docker.sock, type: Socket}
                - name: run
                  hostPath: {path: /run}
                - name: kubelet
                  hostPath: {path: /var/lib/kubelet}
                - name: logs
                  hostPath: {path: /var/log}
                - name: mem
                  emptyDir: {medium: Memory}
                - name: cfg
                  configMap: {name: cfg}
                - name: unused
                  hostPath: {path: /}
        """)
    got = [(m.type, m.source, m.target, m.read_only, m.propagation, m.origin.line)
           for m in w.mounts]
    assert got == [
        ("bind", "/var/run/docker.sock", "/var/run/docker.sock", True, None, 11),
        ("bind", "/run/containerd/containerd.sock", "/sock", False, None, 14),
        ("bind", "/var/lib/kubelet", "/var/lib/kubelet", False, "rshared", 17),
        ("bind", "/var/log", "/logs", False, "rslave", 20),
        ("tmpfs", None, "/tmp", False, None, 23),
        ("volume", "cfg", "/etc/app", False, None, 25),
        ("volume", "missing", "/m", False, None, 27),
    ]
    assert w.mounts[0].origin.path == "spec.template.spec.containers[0].volumeMounts[0]"
    assert w.where("mounts").line == 10


def test_sub_path_expr_is_unresolved() -> None:
    w = read_one("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: a
              image: x
              volumeMounts:
                - {name: h, mountPath: /data, subPathExpr: $(POD_NAME)}
          volumes:
            - {name: h, hostPath: {path: /var/data}}
        """)
    (mount,) = w.mounts
    assert (mount.source, mount.unresolved) == ("/var/data/$(POD_NAME)", True)


# --------------------------------------------------------------------------- resources


@pytest.mark.parametrize(("text", "expected"), [
    ("128Mi", 128 * 2**20), ("1Gi", 2**30), ("1.5Gi", 3 * 2**29), ("64Ki", 65536),
    ("129M", 129_000_000), ("1G", 10**9), ("2k", 2000), ("129e6", 129_000_000),
    ("1E3", 1000), ("1E", 10**18), ("123456789", 123456789), (268435456, 268435456),
    ("500m", 1), (".5Gi", 2**29), ("1Ti", 2**40),
])
def test_memory_quantities(text: object, expected: int) -> None:
    assert memory_bytes(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("500m", 0.5), ("2", 2.0), (2, 2.0), (0.25, 0.25), ("1.5", 1.5), ("100m", 0.1),
    ("2500m", 2.5),
])
def test_cpu_quantities(text: object, expected: float) -> None:
    assert cpu_cores(text) == expected


@pytest.mark.parametrize("text", [
    "", "Mi", "1 Gi", "1GB", "1gi", "abc", "1e", "1e999999", "--1", True, None, [1], "1.2.3"])
def test_invalid_quantities(text: object) -> None:
    assert parse_quantity(text) is None


def test_quantities_are_exact() -> None:
    assert parse_quantity("100m") == Decimal("0.1")
    assert parse_quantity("1.5Gi") == Decimal(1610612736)


def test_resource_limits_with_lines_and_pod_level_fallback() -> None:
    found = read_ok("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          resources:
            limits:
              memory: 2Gi
              cpu: "4"
          containers:
            - name: own
              image: x
              resources:
                requests: {memory: 1Gi, cpu: 1}
                limits:
                  memory: 512Mi
                  cpu: 500m
            - name: pod-level
              image: x
            - name: requests-only
              image: x
              resources:
                requests: {memory: 1Gi}
        """)
    own = found["Pod/p/own"]
    assert (own.memory, own.where("memory").line) == (512 * 2**20, 15)
    assert (own.cpus, own.where("cpus").line) == (0.5, 16)
    pod_level = found["Pod/p/pod-level"]
    assert (pod_level.memory, pod_level.where("memory").line) == (2 * 2**30, 7)
    assert (pod_level.cpus, pod_level.where("cpus").path) == (4.0, "spec.resources.limits.cpu")
    # requests limit nothing
    assert found["Pod/p/requests-only"].memory == 2 * 2**30  # the pod-level limit still applies


def test_invalid_quantity_is_a_problem_and_unknown() -> None:
    found, problems = read_all("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: a
              image: x
              resources:
                limits:
                  memory: 512MB
                  cpu: ${CPU}
        """)
    w = found["Pod/p/a"]
    assert w.memory is None and w.is_unknown("memory")
    assert w.cpus is None and w.is_unknown("cpus")
    assert [(p.location.line, p.message) for p in problems] == [
        (10, "spec.containers[0].resources.limits.memory: the string '512MB' is not a "
             "resource quantity (such as 512Mi, 1Gi, 500m or 2)")]


# --------------------------------------------------------------------------- ports, env, command


def test_ports() -> None:
    w = read_one("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: a
              image: x
              ports:
                - containerPort: 80
                - containerPort: 8080
                  hostPort: 80
                - containerPort: 53
                  hostPort: 53
                  hostIP: 127.0.0.1
                  protocol: UDP
        """)
    got = [(p.container_port, p.host_port, p.host_ip, p.protocol, p.published, p.origin.line)
           for p in w.ports]
    assert got == [("80", None, "", "tcp", False, 9), ("8080", "80", "", "tcp", True, 10),
                   ("53", "53", "127.0.0.1", "udp", True, 12)]
    assert w.ports[1].on_all_interfaces and not w.ports[2].on_all_interfaces


def test_env_and_command() -> None:
    w = read_one("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: a
              image: x
              command: ["/bin/sh", "-c"]
              args: ["exec app"]
              env:
                - name: MODE
                  value: prod
                - name: PASSWORD
                  valueFrom:
                    secretKeyRef: {name: s, key: k}
                - name: EMPTY
        """)
    assert [(e.key, e.value, e.origin.line) for e in w.env] == [
        ("MODE", "prod", 11), ("PASSWORD", None, 13), ("EMPTY", None, 16)]
    assert w.command == ["/bin/sh", "-c", "exec app"]
    assert w.where("command").line == 8


# --------------------------------------------------------------------------- fragments


def test_container_without_image_is_a_patch_fragment() -> None:
    w = read_one("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          template:
            spec:
              containers:
                - name: app
                  securityContext:
                    privileged: true
                  env:
                    - {name: A, value: b}
        """)
    assert w.facts["fragment"] is True
    for field in ("cap_drop", "user", "read_only", "memory", "cpus", "no_new_privileges"):
        assert w.is_unknown(field), field
    assert w.privileged  # what the patch does set still counts


# --------------------------------------------------------------------------- bad input


def test_wrong_types_are_problems_at_their_line() -> None:
    found, problems = read_all("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          hostPID: "true"
          containers:
            - name: a
              image: x
              securityContext:
                privileged: "true"
                runAsUser: "1000"
                capabilities: [SYS_ADMIN]
              ports: 8080
            - just-a-string
        """)
    w = found["Pod/p/a"]
    assert (w.pid_mode, w.privileged, w.user, w.cap_add, w.ports) == (None, False, None, [], [])
    assert [(p.location.line, p.message) for p in problems] == [
        (5, "spec.hostPID: expected true or false, got the string 'true'"),
        (10, "spec.containers[0].securityContext.privileged: expected true or false, "
             "got the string 'true'"),
        (11, "spec.containers[0].securityContext.runAsUser: expected an integer, "
             "got the string '1000'"),
        (12, "spec.containers[0].securityContext.capabilities: expected a mapping, got a list"),
        (13, "spec.containers[0].ports: expected a list, got a number"),
        (14, "spec.containers[1]: expected a container, got the string 'just-a-string'"),
    ]


def test_pod_level_problem_is_reported_once_for_all_containers() -> None:
    found, problems = read_all("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          hostNetwork: "yes"
          containers:
            - {name: a, image: x}
            - {name: b, image: x}
        """)
    assert len(found) == 2
    assert [(p.location.line, p.message) for p in problems] == [
        (5, "spec.hostNetwork: expected true or false, got the string 'yes'")]


def test_placeholders_make_fields_unknown_without_problems() -> None:
    w = read_one("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
            - name: a
              image: ${IMAGE}
              securityContext:
                privileged: ${PRIVILEGED}
                runAsUser: $(UID)
        """)
    assert w.is_unknown("privileged") and w.is_unknown("user") and w.is_unknown("image")


def test_malformed_document_costs_only_itself() -> None:
    found, problems = read_all("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: first}
        spec:
          containers: [{name: a, image: x}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: broken
        spec: [
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: third}
        spec:
          containers: [{name: c, image: x}]
        """)
    assert sorted(found) == ["Pod/first/a", "Pod/third/c"]
    assert found["Pod/third/c"].anchor.line == 16  # lines survive the split
    assert [(p.location.line, p.location.column) for p in problems] == [(10, 5)]
    assert problems[0].message.startswith("cannot read YAML: while parsing a flow mapping")


def test_unparsable_helm_template() -> None:
    found, problems = read_all("""\
        # a chart template
        {{- if .Values.enabled }}
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ include "app.fullname" . }}
        spec:
          template:
            spec:
              containers:
                - name: app
                  image: {{ .Values.image }}
        {{- end }}
        """)
    assert found == {}
    assert [(p.location.line, p.location.column) for p in problems] == [(2, 1)]
    assert "helm template" in problems[0].message


def test_parsable_helm_template_document_is_reported_not_read() -> None:
    found, problems = read_all("""\
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: alerts}
        data:
          rule: "{{ $labels.instance }} is down"
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: "{{ .Release.Name }}-web"
        spec:
          containers:
            - name: app
              image: "{{ .Values.image }}"
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: tool}
        spec:
          containers:
            - name: t
              image: docker:27
              args: ["ps", "--format", "{{.Names}}"]
        """)
    assert sorted(found) == ["Pod/tool/t"]  # a Go template in args is not Helm
    assert [(p.location.line, "helm template" in p.message) for p in problems] == [(10, True)]


def test_alias_bomb_is_a_problem_not_a_hang() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    found, problems = read_all("\n".join(lines) + "\n")
    assert found == {}
    assert len(problems) == 1 and "alias" in problems[0].message


# --------------------------------------------------------------------------- robustness

_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 70000), st.text(max_size=12),
                     st.sampled_from(["Unconfined", "Bidirectional", "1Gi", "500m", "ALL",
                                      "Memory", "host", "{{ .Values.x }}"]))
_keys = st.sampled_from([
    "name", "image", "securityContext", "privileged", "capabilities", "add", "drop",
    "runAsUser", "runAsGroup", "runAsNonRoot", "seccompProfile", "appArmorProfile", "type",
    "seLinuxOptions", "volumeMounts", "mountPath", "readOnly", "mountPropagation", "subPath",
    "resources", "limits", "memory", "cpu", "ports", "containerPort", "hostPort", "hostIP",
    "env", "value", "valueFrom", "command", "args", "allowPrivilegeEscalation", "procMount",
    "readOnlyRootFilesystem", "hostPath", "path", "emptyDir", "medium"])
_trees = st.recursive(
    _scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(_keys, children, max_size=5)),
    max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(container=_trees, pod=st.dictionaries(
    st.sampled_from(["hostPID", "hostNetwork", "hostIPC", "hostUsers", "securityContext",
                     "volumes", "resources"]), _trees, max_size=4))
def test_any_pod_spec_reads_without_exceptions(container: Any, pod: dict[str, Any]) -> None:
    spec = {**pod, "containers": [container, {"name": "fixed", "image": "x"}],
            "initContainers": container}
    text = yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                           "spec": spec})
    items = list(read_kubernetes(SourceFile("", "fuzz.yaml", text, "k8s")))
    helm = any(isinstance(i, ParseProblem) and "helm template" in i.message for i in items)
    assert helm or any(isinstance(i, Workload) and i.name == "Pod/p/fixed" for i in items)
