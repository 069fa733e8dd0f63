"""Running trial containers on a real engine, concurrently, and always cleaning them up.

A trial creates a copy of the workload with a candidate configuration
(:mod:`.conditions` says how every copy differs from the original), starts it, lets it
settle while sampling its stats, then judges it:

* it passes when the container is still running after ``settle`` seconds (or exited 0, for
  a one-shot command), its healthcheck, if it has one, reports healthy, and the ``--check``
  command, run inside it with exec, exits 0;
* it fails on a refused create or start, a non-zero exit (with the last lines of its log
  as the reason), an unhealthy status, or a failing check.

Before the container is removed the runner reads ``docker diff`` (what the trial wrote
outside its mounts) and stats each added leaf path, so the read-only search knows which
are directories.

:class:`TrialRunner` is a context manager: on leaving it (normally, on an engine error, or
on Ctrl-C) it stops pending trials, waits for running ones to remove their containers,
then removes every container labelled with the run's id and the throwaway network, with
SIGINT ignored for those few API calls so a second Ctrl-C cannot leave one behind.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import secrets
import signal
import tarfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import Any

from dockward.models.workload import Workload
from dockward.secrets import scrub
from dockward.tighten.candidate import Candidate
from dockward.tighten.conditions import LABEL, TrialConditions, has_healthcheck, trial_body
from dockward.tighten.stats import Usage, UsageSampler

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2
MAX_STATS_PER_TRIAL = 50  # added leaf paths stat'ed to tell directories from files
HEALTH_WAIT_SECONDS = 60.0
STATS_JOIN_SECONDS = 2.0

Progress = Callable[[int, int], None]  # (finished, added): like audit's progress ticks


class TightenError(RuntimeError):
    """The run cannot go on (engine unreachable, image missing, baseline fails...)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One ``docker diff`` entry: ``kind`` is ``A`` (added), ``C`` (changed), ``D``."""

    path: str
    kind: str
    is_dir: bool | None = None


@dataclass(frozen=True)
class TrialSpec:
    """A trial to run: why (``purpose``, shown as evidence) and with which settings."""

    purpose: str
    candidate: Candidate


@dataclass
class TrialOutcome:
    """What one trial showed."""

    number: int
    purpose: str
    candidate: Candidate
    passed: bool
    reason: str
    seconds: float = 0.0
    usage: Usage = field(default_factory=Usage)
    changes: list[Change] = field(default_factory=list)
    exited: bool = False  # the container exited 0 by itself (a one-shot command)
    abandoned: bool = False  # stopped early: another trial had already decided

    def label(self) -> str:
        return f"trial #{self.number}"

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "purpose": self.purpose, "passed": self.passed,
                "reason": self.reason, "seconds": round(self.seconds, 2),
                "usage": self.usage.as_dict(), "abandoned": self.abandoned}


class _Abandon(Exception):
    """Raised inside a worker when its trial is no longer wanted."""


class TrialRunner:
    """Runs trials of one workload on one engine, ``jobs`` at a time."""

    def __init__(self, client: Any, original: Workload, conditions: TrialConditions,
                 jobs: int = 2, progress: Progress | None = None,
                 create_network: bool = False) -> None:
        self.client = client
        self.original = original
        self.conditions = conditions
        self.jobs = max(1, jobs)
        self.progress = progress
        self.outcomes: list[TrialOutcome] = []
        self._create_network = create_network
        self._network_id: str | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._next_number = 1
        self._live: set[str] = set()
        self._probes = 0
        self.removed = 0

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> TrialRunner:
        if self._create_network:
            created = self.client.create_network(
                self.conditions.network, driver="bridge", internal=True,
                labels={LABEL: self.conditions.run_id}, check_duplicate=True)
            self._network_id = created.get("Id")
        self._pool = ThreadPoolExecutor(max_workers=self.jobs,
                                        thread_name_prefix="dockward-trial")
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        with _sigint_ignored():
            self._stop.set()
            with self._lock:
                live = list(self._live)
            for cid in live:  # also ends an exec or a stats read a worker waits on
                self._remove(cid)
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
            self.cleanup()

    def cleanup(self) -> None:
        """Remove every container and network labelled with this run's id.

        Nothing here raises: when the engine itself is gone, there is nothing left to
        remove and the error that ended the run is the one to report."""
        label = f"{LABEL}={self.conditions.run_id}"
        try:
            leftovers = self.client.containers(all=True, filters={"label": label})
        except Exception as exc:
            log.warning("cannot list trial containers for cleanup (%s); remove them later "
                        "with: docker rm -f $(docker ps -aq --filter label=%s)", exc, label)
            leftovers = []
        for entry in leftovers:
            self._remove(entry["Id"])
        try:
            for net in self.client.networks(filters={"label": label}):
                self.client.remove_network(net["Id"])
        except Exception as exc:
            log.warning("cannot remove the trial network: %s", exc)

    # ------------------------------------------------------------------ running trials

    def run(self, specs: Sequence[TrialSpec],
            decided: Callable[[TrialOutcome], bool] | None = None) -> list[TrialOutcome]:
        """Run ``specs`` concurrently; outcomes in the order of ``specs``.

        When ``decided`` returns True for a passing outcome, trials not started yet are
        not run (their outcome has number 0) and running ones are abandoned; both have
        ``abandoned`` set.
        """
        if self._pool is None:
            raise RuntimeError("TrialRunner used outside its with-block")
        batch_stop = threading.Event()
        futures: list[Future[TrialOutcome]] = []
        for spec in specs:
            futures.append(self._pool.submit(self._trial, spec, batch_stop))
            self._tick(0, 1)
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = future.result()  # an engine error propagates: __exit__ cleans up
                if decided is not None and outcome.passed and decided(outcome):
                    batch_stop.set()
        return [future.result() for future in futures]

    def run_one(self, spec: TrialSpec) -> TrialOutcome:
        return self.run([spec])[0]

    def _tick(self, finished: int, added: int) -> None:
        if self.progress is not None:
            self.progress(finished, added)

    def _trial(self, spec: TrialSpec, batch_stop: threading.Event) -> TrialOutcome:
        if self._stop.is_set() or batch_stop.is_set():
            self._tick(0, -1)
            return TrialOutcome(0, spec.purpose, spec.candidate, False, "not run",
                                abandoned=True)
        with self._lock:
            number = self._next_number
            self._next_number += 1
        started = time.monotonic()
        try:
            outcome = self._run_container(number, spec, batch_stop)
        except _Abandon:
            outcome = TrialOutcome(number, spec.purpose, spec.candidate, False,
                                   "abandoned: another trial decided first", abandoned=True)
        outcome.seconds = time.monotonic() - started
        with self._lock:
            self.outcomes.append(outcome)
        self._tick(1, 0)
        return outcome

    def _run_container(self, number: int, spec: TrialSpec,
                       batch_stop: threading.Event) -> TrialOutcome:
        import docker.errors

        workload = spec.candidate.apply(self.original)
        body = trial_body(workload, self.conditions, number)
        watcher = _Watcher(self, batch_stop, has_healthcheck(workload,
                                                             self.conditions.image_healthcheck))
        cid: str | None = None
        stream: threading.Thread | None = None
        try:
            try:
                cid = self.client.create_container_from_config(
                    body, self.conditions.container_name(number))["Id"]
            except docker.errors.APIError as exc:
                return self._failed(number, spec, f"the engine refused to create it: "
                                    f"{_explain(exc)}")
            with self._lock:
                self._live.add(cid)
            watcher.check_stop()
            try:
                self.client.start(cid)
            except docker.errors.APIError as exc:
                return self._failed(number, spec, f"it did not start: {_explain(exc)}")
            stream = threading.Thread(target=watcher.read_stats, args=(cid,), daemon=True,
                                      name=f"dockward-stats-{number}")
            stream.start()
            passed, reason, exited = watcher.watch(cid)
            changes = self._changes(cid) if passed else []
            return TrialOutcome(number, spec.purpose, spec.candidate, passed, reason,
                                usage=watcher.sampler.usage(), changes=changes, exited=exited)
        finally:
            if cid is not None:
                self._remove(cid)  # also ends the stats stream
            if stream is not None:
                stream.join(timeout=STATS_JOIN_SECONDS)

    def _failed(self, number: int, spec: TrialSpec, reason: str) -> TrialOutcome:
        return TrialOutcome(number, spec.purpose, spec.candidate, False, reason)

    def _remove(self, cid: str) -> None:
        import docker.errors

        try:
            self.client.remove_container(cid, force=True, v=True)
            self.removed += 1
        except docker.errors.NotFound:
            pass
        except Exception as exc:  # an engine error must not hide the run's own error
            if "already in progress" not in str(exc):
                log.warning("cannot remove trial container %s: %s", cid[:12], exc)
        with self._lock:
            self._live.discard(cid)

    # ------------------------------------------------------------------ filesystem

    def _changes(self, cid: str) -> list[Change]:
        """``docker diff`` of the trial, with added leaf paths stat'ed (file or folder)."""
        raw = self.client.diff(cid) or []
        entries = [(str(e.get("Path", "")), "CAD"[int(e.get("Kind", 0)) % 3]) for e in raw]
        paths = {p for p, _ in entries}
        parents = {p.rsplit("/", 1)[0] or "/" for p in paths}
        out: list[Change] = []
        stats = 0
        for path, kind in entries:
            is_dir: bool | None = None
            if path in parents:
                is_dir = True
            elif kind == "A" and stats < MAX_STATS_PER_TRIAL:
                stats += 1
                is_dir = self._is_dir(cid, path)
            out.append(Change(path, kind, is_dir))
        return out

    def _is_dir(self, cid: str, path: str) -> bool | None:
        stat = self.path_stat(cid, path)
        if stat is None:
            return None
        return bool(int(stat.get("mode", 0)) & (1 << 31))  # Go's os.ModeDir

    def path_stat(self, cid: str, path: str) -> dict[str, Any] | None:
        """``HEAD /containers/{id}/archive``: name, size, mode of a path (None: absent).

        The SDK has no call for this HEAD (its ``get_archive`` downloads the tar), so the
        request is made through the client's session and URL builder."""
        res = self.client.head(self.client._url("/containers/{0}/archive", cid),
                               params={"path": path})
        if res.status_code != 200:
            return None
        header = res.headers.get("X-Docker-Container-Path-Stat")
        if not header:
            return None
        try:
            value = json.loads(base64.b64decode(header))
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    @contextlib.contextmanager
    def image_probe(self) -> Iterator[ImageProbe]:
        """A created, never started, container of the image, to read its files."""
        body = {"Image": self.original.image, "Entrypoint": ["/dockward-probe-never-runs"],
                "Cmd": [], "Labels": {LABEL: self.conditions.run_id},
                "HostConfig": {"NetworkMode": "none"}}
        with self._lock:
            self._probes += 1
            name = f"dockward-probe-{self.conditions.run_id}-{self._probes}"
        cid = self.client.create_container_from_config(body, name)["Id"]
        with self._lock:
            self._live.add(cid)
        try:
            yield ImageProbe(self, cid)
        finally:
            self._remove(cid)


class ImageProbe:
    """Reads files and folders of the image through a created container's archive API."""

    def __init__(self, runner: TrialRunner, cid: str) -> None:
        self.runner = runner
        self.cid = cid

    def read_file(self, path: str, limit: int = 1 << 20) -> bytes | None:
        """The content of a regular file of the image, or None when it is absent."""
        for member, stream in self._members(path):
            if member.isfile() and member.size <= limit and stream is not None:
                data = stream.extractfile(member)
                return data.read() if data is not None else None
            return None
        return None

    def entries(self, path: str, enough: int = 1) -> int | None:
        """How many entries the folder holds (counting stops at ``enough``); None if the
        path is absent or not a folder."""
        stat = self.runner.path_stat(self.cid, path)
        if stat is None or not int(stat.get("mode", 0)) & (1 << 31):
            return None
        count = -1  # the folder itself is the first member
        for _member, _stream in self._members(path):
            count += 1
            if count >= enough:
                break
        return max(count, 0)

    def _members(self, path: str) -> Iterator[tuple[tarfile.TarInfo, tarfile.TarFile | None]]:
        """The tar members of ``GET /containers/{id}/archive``, read as a stream and
        closed as soon as the caller stops (``get_archive`` would not close it)."""
        client = self.runner.client
        res = client._get(client._url("/containers/{0}/archive", self.cid),
                          params={"path": path}, stream=True)
        try:
            if res.status_code != 200:
                return
            res.raw.decode_content = True  # dockerd gzips the tar (Content-Encoding)
            with tarfile.open(fileobj=res.raw, mode="r|") as archive:
                for member in archive:
                    yield member, archive
        except tarfile.TarError:
            return
        finally:
            res.close()


class _Watcher:
    """Follows one started trial until it is judged; samples its stats meanwhile."""

    def __init__(self, runner: TrialRunner, batch_stop: threading.Event,
                 healthcheck: bool) -> None:
        self.runner = runner
        self.client = runner.client
        self.batch_stop = batch_stop
        self.healthcheck = healthcheck
        self.sampler = UsageSampler()

    def check_stop(self) -> None:
        if self.runner._stop.is_set() or self.batch_stop.is_set():
            raise _Abandon()

    def _pause(self, seconds: float) -> None:
        if self.runner._stop.wait(seconds) or self.batch_stop.is_set():
            raise _Abandon()

    def watch(self, cid: str) -> tuple[bool, str, bool]:
        """(passed, reason, exited by itself with 0)."""
        conditions = self.runner.conditions
        started = time.monotonic()
        settle = conditions.settle
        deadline = started + settle
        if conditions.expect == "exit0":
            deadline += max(settle, 5.0)  # limits may slow a one-shot command down
        while True:
            state = self._state(cid)
            if not state.get("Running"):
                return self._exited(cid, state, time.monotonic() - started)
            self._sample(cid)
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._pause(min(POLL_SECONDS, left))
        if conditions.expect == "exit0":
            return False, f"still running after {settle:g} s, while the original exits", False
        if self.healthcheck:
            healthy, why = self._wait_healthy(cid)
            if not healthy:
                return False, why, False
        ran = f"running after {settle:g} s" + (", healthy" if self.healthcheck else "")
        if conditions.check:
            ok, why = self._check(cid)
            if not ok:
                return False, why, False
            ran += "; check passed"
        return True, ran, False

    def _state(self, cid: str) -> dict[str, Any]:
        state = self.client.inspect_container(cid).get("State") or {}
        return state if isinstance(state, dict) else {}

    def _sample(self, cid: str) -> None:
        """Count the container's processes (the stats stream is too slow for PIDs)."""
        import docker.errors

        try:
            top = self.client.top(cid)
        except docker.errors.APIError:
            return  # it just exited
        processes = top.get("Processes") if isinstance(top, dict) else None
        if isinstance(processes, list):
            self.sampler.add_processes(len(processes))

    def read_stats(self, cid: str) -> None:
        """Fold the stats stream into the peaks until it ends (the container stopped or
        was removed); runs in a thread of its own."""
        try:
            for stats in self.client.stats(cid, stream=True, decode=True):
                if isinstance(stats, dict):
                    self.sampler.add(stats, time.monotonic())
        except Exception as exc:  # the container went away mid-read: nothing to add
            log.debug("stats stream of %s ended: %s", cid[:12], exc)

    def _exited(self, cid: str, state: dict[str, Any], seconds: float) -> tuple[bool, str, bool]:
        code = int(state.get("ExitCode") or 0)
        expect = self.runner.conditions.expect
        if state.get("OOMKilled"):
            return False, f"killed by the OOM killer after {seconds:.1f} s", False
        if code == 0 and expect in ("exit0", "either"):
            return True, f"exited 0 after {seconds:.1f} s", True
        tail = self._log_tail(cid)
        if code == 0:
            return False, f"exited 0 after {seconds:.1f} s, while the original keeps " \
                          f"running{tail}", False
        return False, f"exited with {code} after {seconds:.1f} s{tail}", False

    def _log_tail(self, cid: str, lines: int = 3) -> str:
        import docker.errors

        try:
            raw = self.client.logs(cid, stdout=True, stderr=True, tail=lines)
        except docker.errors.APIError:
            return ""
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        return _quote_output(text)

    def _wait_healthy(self, cid: str) -> tuple[bool, str]:
        deadline = time.monotonic() + HEALTH_WAIT_SECONDS
        while True:
            state = self._state(cid)
            health = state.get("Health") or {}
            status = health.get("Status", "")
            if status == "healthy":
                return True, ""
            if status == "unhealthy" or not state.get("Running"):
                logs = health.get("Log") or [{}]
                output = _quote_output(str(logs[-1].get("Output", "")))
                return False, f"healthcheck reported {status or 'nothing'}{output}"
            if time.monotonic() >= deadline:
                return False, f"healthcheck still '{status}' after {HEALTH_WAIT_SECONDS:g} s"
            self._sample(cid)
            self._pause(POLL_SECONDS)

    def _check(self, cid: str) -> tuple[bool, str]:
        import docker.errors
        import requests.exceptions

        argv = list(self.runner.conditions.check)
        shown = " ".join(argv)
        try:
            exec_id = self.client.exec_create(cid, argv, stdout=True, stderr=True)["Id"]
            output = self.client.exec_start(exec_id)
            code = self.client.exec_inspect(exec_id).get("ExitCode")
        except docker.errors.APIError as exc:
            return False, f"check `{shown}` could not run: {_explain(exc)}"
        except requests.exceptions.ReadTimeout:
            return False, f"check `{shown}` timed out"
        if code == 0:
            return True, ""
        text = output.decode("utf-8", "replace") if isinstance(output, bytes) else str(output)
        return False, f"check `{shown}` exited with {code}{_quote_output(text)}"


def _quote_output(text: str, limit: int = 240) -> str:
    """``: last | lines`` of some output, secrets masked, or '' when there is none."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    if not lines:
        return ""
    joined = scrub(" | ".join(lines[-3:]))
    if len(joined) > limit:
        joined = joined[: limit - 3] + "..."
    return f": {joined}"


def _explain(exc: Exception) -> str:
    explanation = getattr(exc, "explanation", None)
    return str(explanation or exc).strip()


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore Ctrl-C while cleaning up (only the main thread may change handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def new_run_id() -> str:
    """A short random id naming one tighten run's containers, network and label."""
    return secrets.token_hex(4)


def passed(outcomes: Iterable[TrialOutcome]) -> list[TrialOutcome]:
    return [o for o in outcomes if o.passed]


def with_expectation(conditions: TrialConditions, first: TrialOutcome) -> TrialConditions:
    """The conditions after the first trial: a one-shot original must exit 0, a service
    must keep running."""
    return replace(conditions, expect="exit0" if first.exited else "running")
