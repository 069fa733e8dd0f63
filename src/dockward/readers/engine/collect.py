"""Live audit orchestration: many hosts, one API call per object, all of it concurrent.

Per host, three listing calls run first (``/version`` for negotiation, ``/info``,
``/containers/json``), plus ``/images/json`` with ``--images all``, ``/services`` (and one
``/networks/{id}`` per network services attach to) on a swarm manager, and
``/networks/bridge`` for the default bridge's ICC setting.  Then every container is
inspected once and every image needed is inspected and its history fetched once, on one
thread pool shared by all hosts over keep-alive connection pools.  The audit issues GET
requests only (a test proves it through a recording proxy).

A host that cannot be reached becomes an error and the other hosts go on.  At most
``host_workers`` hosts are audited at once; each has a deadline (``host_timeout``, or its
hosts-file ``timeout=``) after which it is reported as timed out and no longer waited for.
Every response passes a guard (:mod:`dockward.readers.engine.response_guard`) that caps
its size and enforces that deadline while the bytes arrive, so an endpoint that streams
forever or drips slowly costs one error, not the machine's memory or the whole audit.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import logging
import os
import queue
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dockward.models.daemon import Daemon
from dockward.models.host import Host
from dockward.models.image import Image
from dockward.models.swarm import Swarm
from dockward.models.workload import Workload
from dockward.readers.engine.connect import DEFAULT_TIMEOUT, Endpoint, make_api_client
from dockward.readers.engine.daemon import (
    DaemonConfigFile,
    DockerdProcess,
    daemon_from_live,
    dockerd_processes,
    host_from_live,
    match_dockerd,
    process_config_path,
    read_daemon_config,
)
from dockward.readers.engine.images import image_from_inspect
from dockward.readers.engine.inspect_to_workload import (
    workload_from_inspect,
    workload_from_swarm_service,
)
from dockward.readers.engine.response_guard import (
    DEFAULT_MAX_RESPONSE_BYTES,
    HostDeadlineExceeded,
    guard_responses,
)
from dockward.readers.engine.swarm import read_swarm
from dockward.readers.engine.worker_pool import DaemonThreadPool
from dockward.url_redaction import redact_urls_in

log = logging.getLogger(__name__)

IMAGE_MODES = ("used", "all", "none")
ProgressFn = Callable[[int, int], None]  # (advance, add_to_total)


@dataclass(frozen=True)
class AuditOptions:
    """What to audit and how hard to push the daemons."""

    include_stopped: bool = False
    images: str = "used"  # used | all | none
    exclude: tuple[str, ...] = ()  # glob patterns on container names (and id prefixes)
    daemon_config: str | None = None  # explicit --daemon-config for local daemons
    workers: int = 16
    timeout: float = DEFAULT_TIMEOUT  # per API call
    exclude_self: bool = True
    host_workers: int = 16  # hosts audited at once
    host_timeout: float = 120.0  # seconds for one whole host
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES


@dataclass
class HostAudit:
    """Everything read from one endpoint, or why it could not be read."""

    endpoint: Endpoint
    reachable: bool = False
    daemon: Daemon | None = None
    host: Host | None = None
    containers: list[Workload] = field(default_factory=list)
    services: list[Workload] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    swarm: Swarm | None = None
    excluded: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def models(self) -> Iterator[object]:
        if self.daemon is not None:
            yield self.daemon
        if self.host is not None:
            yield self.host
        yield from self.containers
        yield from self.services
        yield from self.images
        if self.swarm is not None:
            yield self.swarm

    @property
    def engine_id(self) -> str:
        """The engine's identity: what tells two hosts with the same label or name apart,
        in findings, fingerprints and merged reports.

        ``/info``'s ``ID`` alone is not unique: every daemon of one machine shares it (it
        comes from ``/etc/docker/key.json``), and so do VMs cloned from one image.  With
        the host name and the data root it is: ``name:hash``, stable across audits.  An
        engine that did not answer is known by its URL only.
        """
        info = self.daemon.info if self.daemon is not None else {}
        if not info:
            return self.endpoint.display_url
        basis = "\x1f".join(str(info.get(k) or "") for k in ("ID", "Name", "DockerRootDir"))
        digest = hashlib.sha256(basis.encode("utf-8", "replace")).hexdigest()[:12]
        return f"{info.get('Name') or 'engine'}:{digest}"

    def subject(self) -> dict[str, Any]:
        """This host for ``Report.subjects`` (the HTML report's per-host view)."""
        info = self.daemon.info if self.daemon is not None else {}
        return {
            "host": self.endpoint.label,
            "url": self.endpoint.display_url,
            "engine_id": self.engine_id,
            "origin": self.endpoint.origin,
            "context": self.endpoint.context,
            "reachable": self.reachable,
            "name": info.get("Name"),
            "server_version": info.get("ServerVersion"),
            "engine": self.daemon.engine if self.daemon is not None else None,
            "rootless": self.daemon.rootless if self.daemon is not None else None,
            "operating_system": info.get("OperatingSystem"),
            "errors": list(self.errors),
            "containers": [
                {"name": w.name, "id": w.facts.get("id", ""), "image": w.image,
                 "image_id": w.facts.get("image_id", ""), "status": w.facts.get("status", ""),
                 "subject": w.anchor.subject}
                for w in self.containers
            ],
            "services": [{"name": w.name, "id": w.facts.get("id", ""), "image": w.image,
                          "subject": w.anchor.subject} for w in self.services],
            "images": [
                {"ref": i.ref, "id": i.id, "tags": i.tags, "used_by": i.used_by,
                 "user": i.user, "subject": i.anchor.subject}
                for i in self.images
            ],
            "swarm": self.swarm.summary() if self.swarm is not None else None,
            "excluded": list(self.excluded),
            "api_calls": dict(sorted(self.calls.items())),
            "seconds": round(self.seconds, 3),
        }


@dataclass
class AuditResult:
    hosts: list[HostAudit]
    seconds: float = 0.0

    @property
    def errors(self) -> list[str]:
        return [e for h in self.hosts for e in h.errors]

    @property
    def audited_any(self) -> bool:
        return any(h.reachable for h in self.hosts)

    def models(self) -> Iterator[object]:
        for h in self.hosts:
            yield from h.models()

    def api_calls(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for h in self.hosts:
            total.update(h.calls)
        return total


# --------------------------------------------------------------------------- helpers

_ID = re.compile(r"/(?:[0-9a-f]{12,64}|sha256:[0-9a-f]{64})(?=/|$)")
_VERSION = re.compile(r"^/v\d+\.\d+")


def call_key(method: str, url: str) -> str:
    """``GET /v1.41/containers/<id>/json?x`` -> ``GET /containers/{id}/json``."""
    path = url.split("://", 1)[-1]
    path = "/" + path.split("/", 1)[1] if "/" in path else "/"
    path = path.split("?", 1)[0]
    path = _VERSION.sub("", path)
    path = re.sub(r"^/(containers|images|services|networks)/[^/]+/",
                  lambda m: f"/{m.group(1)}/{{id}}/", path)
    return f"{method.upper()} {_ID.sub('/{id}', path)}"


def _count_calls(client: Any, calls: Counter[str], lock: threading.Lock) -> None:
    """Count every request the client makes (the SDK's own ``GET /version`` included)."""

    def hook(response: Any, *args: Any, **kwargs: Any) -> Any:
        request = response.request
        with lock:
            calls[call_key(request.method, request.url)] += 1
        return response

    client.hooks["response"].append(hook)
    calls["GET /version"] += 1  # made in the constructor, before the hook existed


def reason(exc: BaseException) -> str:
    """The root cause of a connection failure, without the SDK's nested wrappers."""
    seen: set[int] = set()
    current: BaseException | None = exc
    best = str(exc) or exc.__class__.__name__
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.strerror:
            return current.strerror
        explanation = getattr(current, "explanation", None)
        if explanation:  # the daemon's own words (docker.errors.APIError)
            text = str(explanation.decode(errors="replace") if isinstance(explanation, bytes)
                       else explanation)
            if "HTTP request to an HTTPS server" in text:
                text += " (the engine requires TLS: add --tlsverify and the certificates)"
            return text
        for arg in getattr(current, "args", ()):
            if isinstance(arg, BaseException):
                inner = reason(arg)
                if inner:
                    return inner
        current = current.__cause__ or current.__context__
    return best


def own_container_id(cgroup: str = "/proc/self/cgroup",
                     mountinfo: str = "/proc/self/mountinfo") -> str | None:
    """The id of the container dockward runs in, if it runs in one.

    cgroup v1 paths carry it (``/docker/<id>``); with cgroup v2 and private cgroup
    namespaces, the bind mount of ``/etc/hostname`` still comes from
    ``.../containers/<id>/hostname``.  Only that mount point counts: a host's own
    mountinfo lists ``containers/<id>/mounts/shm`` of *other* containers.
    """
    try:
        with open(cgroup, encoding="utf-8", errors="replace") as fh:
            found = _CGROUP_ID.search(fh.read())
        if found:
            return found.group(1)
    except OSError:
        pass
    try:
        with open(mountinfo, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                fields = line.split()
                if len(fields) > 4 and fields[4] in ("/etc/hostname", "/etc/hosts",
                                                     "/etc/resolv.conf"):
                    found = _MOUNT_ID.search(fields[3])
                    if found:
                        return found.group(1)
    except OSError:
        pass
    return None


_CGROUP_ID = re.compile(r"(?:docker|libpod)[-/]([0-9a-f]{64})")
_MOUNT_ID = re.compile(r"/containers/([0-9a-f]{64})/")


def is_excluded(name: str, container_id: str, patterns: Iterable[str]) -> bool:
    """A container matches ``--exclude-container`` by name glob or id prefix."""
    for pattern in patterns:
        if fnmatch.fnmatchcase(name, pattern) or (
            len(pattern) >= 4 and container_id.startswith(pattern)):
            return True
    return False


# --------------------------------------------------------------------------- per host


class _HostState:
    """What the listing phase learned about one host; filled further by object tasks."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.audit = HostAudit(endpoint=endpoint)
        self.client: Any = None
        self.lock = threading.Lock()
        self.info: dict[str, Any] = {}
        self.summaries: list[dict[str, Any]] = []
        self.image_ids: dict[str, list[str]] = {}  # image id -> subjects of users
        self.services: list[dict[str, Any]] = []
        self.network_names: dict[str, str] = {}
        self.bridge_options: dict[str, str] | None = None
        self.bridge_checked = False
        self.started = time.perf_counter()
        self.deadline = float("inf")  # set when the host gets its turn
        self.pending = 0  # tasks submitted and not finished
        self.abandoned = False  # timed out: late results are dropped
        self.listed = False

    def error(self, text: str) -> None:
        """Record an error of this host (credentials in URLs masked)."""
        with self.lock:
            self.audit.errors.append(redact_urls_in(text))


def _list_host(state: _HostState, options: AuditOptions, self_id: str | None) -> None:
    """Connect and make the per-host listing calls (raises when the host is unreachable)."""
    ep = state.audit.endpoint
    budget = max(0.1, state.deadline - time.monotonic())
    state.client = make_api_client(
        ep, timeout=min(options.timeout, budget), pool_size=options.workers,
        response_hooks=[guard_responses(options.max_response_bytes, lambda: state.deadline,
                                        ep.label)])
    _count_calls(state.client, state.audit.calls, state.lock)
    api = state.client
    state.info = api.info()
    summaries = api.containers(all=options.include_stopped)
    label = ep.label
    for summary in summaries:
        name = ((summary.get("Names") or ["/"])[0] or "/").lstrip("/")
        cid = str(summary.get("Id") or "")
        if (options.exclude_self and self_id and cid == self_id) or is_excluded(
                name, cid, options.exclude):
            state.audit.excluded.append(name or cid[:12])
            continue
        state.summaries.append(summary)
        if options.images != "none":
            image_id = str(summary.get("ImageID") or "")
            if image_id:
                state.image_ids.setdefault(image_id, []).append(f"{label}/{name}")
    if options.images == "all":
        for image in api.images():
            state.image_ids.setdefault(str(image.get("Id") or ""), [])
        state.image_ids.pop("", None)
    swarm = state.info.get("Swarm") or {}
    if swarm.get("LocalNodeState") == "active" and swarm.get("ControlAvailable"):
        state.services = list(api.services())
        state.network_names = _service_networks(api, state.services)
        state.audit.swarm = read_swarm(api, ep, state.info, state.services)
    state.bridge_checked, state.bridge_options = _bridge_options(api)


def _service_networks(api: Any, services: list[dict[str, Any]]) -> dict[str, str]:
    """Names of the networks services attach to (by id): only the name says ``host``.

    Swarm gives the predefined ``host`` network a cluster id that ``GET /networks`` does
    not list, so each distinct target is inspected once instead.
    """
    import docker.errors

    targets = {str(net.get("Target") or "")
               for svc in services
               for net in ((svc.get("Spec") or {}).get("TaskTemplate") or {}).get("Networks")
               or []}
    names: dict[str, str] = {}
    for target in sorted(t for t in targets if t):
        try:
            names[target] = str(api.inspect_network(target).get("Name") or target)
        except docker.errors.APIError:
            names[target] = target
    return names


def _bridge_options(api: Any) -> tuple[bool, dict[str, str] | None]:
    """(looked up, options) of the default ``bridge`` network; options None: no bridge."""
    import docker.errors

    try:
        network = api.inspect_network("bridge")
    except docker.errors.NotFound:
        return True, None
    except docker.errors.APIError as exc:
        log.debug("cannot inspect the bridge network: %s", exc)
        return False, None
    return True, {str(k): str(v) for k, v in (network.get("Options") or {}).items()}


def _inspect_container(state: _HostState, summary: dict[str, Any]) -> None:
    import docker.errors

    cid = str(summary.get("Id"))
    name = ((summary.get("Names") or ["/"])[0] or "/").lstrip("/") or cid[:12]
    try:
        data = state.client.inspect_container(cid)
    except docker.errors.NotFound:
        return  # removed between the listing and the inspect: nothing to audit
    except HostDeadlineExceeded:
        raise
    except Exception as exc:  # one container's failure must not end the host's audit
        state.error(f"{state.audit.endpoint.label}: container {name}: {reason(exc)}")
        return
    workload = workload_from_inspect(data, f"{state.audit.endpoint.label}/{name}")
    with state.lock:
        if not state.abandoned:
            state.audit.containers.append(workload)


def _inspect_image(state: _HostState, image_id: str) -> None:
    import docker.errors

    label = state.audit.endpoint.label
    try:
        data = state.client.inspect_image(image_id)
    except docker.errors.NotFound:
        return
    except HostDeadlineExceeded:
        raise
    except Exception as exc:
        state.error(f"{label}: image {image_id[:19]}: {reason(exc)}")
        return
    history: list[dict[str, Any]] | None
    try:
        history = list(state.client.history(image_id))
    except HostDeadlineExceeded:
        raise
    except Exception as exc:
        history = None
        state.error(f"{label}: history of image {image_id[:19]}: {reason(exc)}")
    image = image_from_inspect(data, history, label, state.image_ids.get(image_id, ()))
    with state.lock:
        if not state.abandoned:
            state.audit.images.append(image)


def _local_facts(state: _HostState, options: AuditOptions,
                 processes: Callable[[], list[DockerdProcess]]) -> None:
    """Daemon (info + cmdline + daemon.json) and Host models for this endpoint."""
    ep = state.audit.endpoint
    process: DockerdProcess | None = None
    config: DaemonConfigFile | None = None
    if ep.is_local:
        procs = processes()
        configs = {p.pid: read_daemon_config(process_config_path(p)) for p in procs}
        process = match_dockerd(ep, state.info, procs, configs)
        if options.daemon_config:
            config = read_daemon_config(options.daemon_config)
        elif process is not None:
            config = configs[process.pid]
        elif os.path.exists("/etc/docker/daemon.json"):
            config = read_daemon_config("/etc/docker/daemon.json")
    daemon = daemon_from_live(ep, state.info, process, config, state.bridge_options,
                              state.bridge_checked)
    daemon.engine = getattr(state.client, "dockward_engine", "docker")
    host = host_from_live(ep, daemon, process) if ep.is_local else None
    if config is not None and config.error:
        state.error(f"{ep.label}: {config.error}")
    with state.lock:
        if not state.abandoned:
            state.audit.daemon = daemon
            state.audit.host = host


def _services(state: _HostState) -> None:
    label = state.audit.endpoint.label
    for service in state.services:
        name = str((service.get("Spec") or {}).get("Name") or service.get("ID") or "")
        state.audit.services.append(
            workload_from_swarm_service(service, f"{label}/{name}", state.network_names))


def _finish(state: _HostState) -> None:
    """Link containers to their images and order everything for stable output.

    A container's inspect merges the image's USER and Env into its own; the image's values
    are recorded (``image_user``, ``EnvVar.from_image``) so that rules can tell
    what the container's creator set from what the image brought along.
    """
    audit = state.audit
    images = {i.id: i for i in audit.images}
    for w in audit.containers:
        image = images.get(str(w.facts.get("image_id", "")))
        if image is None:
            continue
        if image.user is not None:
            w.image_user = image.user
        baked = {(e.key, e.value) for e in image.env}
        for env in w.env:
            env.from_image = (env.key, env.value) in baked
    audit.containers.sort(key=lambda w: w.name)
    audit.services.sort(key=lambda w: w.name)
    audit.images.sort(key=lambda i: (i.ref, i.id))
    audit.seconds = time.perf_counter() - state.started
    if state.client is not None:
        with contextlib.suppress(Exception):  # closing is best effort
            state.client.close()


# --------------------------------------------------------------------------- entry point


def collect(endpoints: list[Endpoint], options: AuditOptions | None = None,
            progress: ProgressFn | None = None) -> AuditResult:
    """Audit every endpoint concurrently; unreachable ones become errors, not exceptions.

    Hosts take turns (``host_workers`` at a time); their API calls share one pool of
    ``workers`` threads.  The pool's threads are daemon threads: a host that stops
    answering on a transport without socket timeouts (an ``ssh`` child process) is
    abandoned at its deadline and cannot keep the process from exiting.
    """
    options = options or AuditOptions()
    if options.images not in IMAGE_MODES:
        raise ValueError(f"images must be one of {', '.join(IMAGE_MODES)}")
    started = time.perf_counter()
    self_id = own_container_id() if options.exclude_self else None
    states = [_HostState(ep) for ep in endpoints]
    proc_cache: list[list[DockerdProcess]] = []
    proc_lock = threading.Lock()

    def processes() -> list[DockerdProcess]:
        with proc_lock:
            if not proc_cache:
                proc_cache.append(dockerd_processes())
            return proc_cache[0]

    tick = progress or (lambda advance, total: None)
    tick(0, len(states))
    # Completed tasks arrive on a queue (O(1) per task; waiting on a growing set of
    # futures would cost O(n) per completion on the thread that also holds the GIL).
    finished: queue.SimpleQueue[tuple[_HostState, bool, BaseException | None]] = (
        queue.SimpleQueue())
    pool = DaemonThreadPool(max(1, options.workers), name="dockward-audit")
    waiting = list(reversed(states))  # hosts not started yet (popped from the end)
    active: list[_HostState] = []

    def submit(listing: bool, state: _HostState, fn: Callable[..., None], *args: Any) -> None:
        state.pending += 1

        def run() -> None:
            if state.abandoned:  # queued before the host timed out: nothing to do
                finished.put((state, listing, None))
                return
            try:
                fn(state, *args)
            except BaseException as exc:
                finished.put((state, listing, exc))
            else:
                finished.put((state, listing, None))

        pool.submit(run)

    def start_hosts() -> None:
        while waiting and len(active) < max(1, options.host_workers):
            state = waiting.pop()
            limit = state.audit.endpoint.host_timeout or options.host_timeout
            state.deadline = time.monotonic() + limit
            state.started = time.perf_counter()
            active.append(state)
            submit(True, state, _list_host, options, self_id)

    def retire(state: _HostState) -> None:
        if state in active:
            active.remove(state)
            with state.lock:  # late tasks of an abandoned host check the flag under it
                if state.audit.reachable:
                    _services(state)
                _finish(state)

    start_hosts()
    while active:
        now = time.monotonic()
        for state in [s for s in active if now >= s.deadline]:
            _abandon(state, options, pool)
            retire(state)
        start_hosts()
        if not active:
            break
        wait = max(0.0, min(s.deadline for s in active) - time.monotonic())
        try:
            state, listing, exc = finished.get(timeout=min(wait, 3600.0) + 0.01)
        except queue.Empty:
            continue
        state.pending -= 1
        if state.abandoned:
            continue
        tick(1, 0)
        if isinstance(exc, HostDeadlineExceeded):
            _abandon(state, options, pool)
            retire(state)
            start_hosts()
            continue
        if listing:
            if exc is not None:
                state.error(f"{state.audit.endpoint.label} ({state.audit.endpoint.display_url}):"
                            f" cannot audit: {reason(exc)}")
            else:
                state.audit.reachable = True
                state.listed = True
                count = 1 + len(state.summaries) + len(state.image_ids)
                tick(0, count)
                submit(False, state, _local_facts, options, processes)
                for summary in state.summaries:
                    submit(False, state, _inspect_container, summary)
                for image_id in state.image_ids:
                    submit(False, state, _inspect_image, image_id)
        elif exc is not None:  # a bug in a reader: report it, keep going
            log.error("audit task failed", exc_info=exc)
            state.error(f"{state.audit.endpoint.label}: internal error: {exc!r}")
        if state.pending == 0:
            retire(state)
            start_hosts()
    pool.shutdown()
    return AuditResult(hosts=[s.audit for s in states], seconds=time.perf_counter() - started)


def _abandon(state: _HostState, options: AuditOptions, pool: DaemonThreadPool) -> None:
    """Give up on a host past its deadline: report it, drop late results, and replace
    the threads it still occupies so the other hosts keep their share of the pool."""
    if state.abandoned:
        return
    with state.lock:
        state.abandoned = True
    ep = state.audit.endpoint
    limit = ep.host_timeout or options.host_timeout
    done = "listing" if not state.listed else "reading objects"
    state.error(f"{ep.label} ({ep.display_url}): timed out after {limit:g} s while {done} "
                f"(per-host timeout); the audit of this host is incomplete")
    state.audit.reachable = state.listed
    pool.add_workers(min(state.pending, options.workers))
    if state.client is not None:
        with contextlib.suppress(Exception):  # closing is best effort
            state.client.close()
