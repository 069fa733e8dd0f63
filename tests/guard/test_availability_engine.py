"""Availability: the daemon fails closed without the plugin, and a hung decision is denied.

dockerd has no timeout on plugin calls; the guard's watchdog answers *deny* once a
decision passes ``--deadline``.  A killed plugin makes dockerd answer 500 after its own
retries (about 15 s); a restarted plugin is used again without re-activation.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.guard.helpers import guarded_engine

pytestmark = [pytest.mark.engine, pytest.mark.slow]


def test_a1_killed_plugin_fails_closed_then_recovers(make_private_engine: Callable[..., Any]
                                                     ) -> None:
    with guarded_engine(make_private_engine) as guard:
        assert guard.docker("ps").returncode == 0
        guard.kill_plugin()
        started = time.monotonic()
        status, text = guard.raw("POST", "/v1.41/containers/create",
                                 b'{"Image":"busybox:dw"}',
                                 {"Content-Type": "application/json"}, timeout=60)
        assert status == 500, (status, text)
        assert f"plugin {guard.name} failed" in text.decode(), text
        assert time.monotonic() - started < 60
        guard.start_plugin()
        assert guard.engine.container_ids() == []  # nothing was created while it was down
        ok = guard.docker("run", "--rm", "busybox:dw", "true")
        assert ok.returncode == 0, ok.stderr


@contextlib.contextmanager
def _silent_engine(path: Path) -> Iterator[list[socket.socket]]:
    """A unix socket that accepts connections and never answers (a hung engine)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):
                conn, _ = listener.accept()
                held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield held
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        listener.close()


def test_hanging_decision_is_denied_within_the_deadline(
        make_private_engine: Callable[..., Any], tmp_path: Path) -> None:
    hung = tmp_path / "hung.sock"
    with _silent_engine(hung), guarded_engine(
            make_private_engine, "--engine", f"unix://{hung}", "--deadline", "1",
            "--lookup-timeout", "30") as guard:
        cid = guard.docker("create", "busybox:dw", "true").stdout.strip()
        assert cid, "create needs no lookup and passes"
        started = time.monotonic()
        result = guard.docker("start", cid)  # the start needs a lookup, which hangs
        took = time.monotonic() - started
        assert result.returncode != 0
        assert "did not reach a decision within 1s; denied (fail closed)" in result.stderr
        assert took < 6, took  # 1 s deadline + the CLI start-up on a busy machine
        state = guard.engine.client.api.inspect_container(cid)["State"]["Status"]
        assert state == "created"
        assert guard.docker("ps").returncode == 0  # the guard still answers
        guard.engine.remove_containers([cid])


def test_a3_daemon_refuses_to_start_without_its_plugin() -> None:
    """Why the plugin's unit starts before docker.service: dockerd exits when a
    configured authorization plugin cannot be found (after ~15 s of retries)."""
    from tests.engine.harness import EngineStartError, PrivateEngine, engine_unavailable_reason

    if engine_unavailable_reason():
        pytest.skip(engine_unavailable_reason() or "")
    engine = PrivateEngine("--authorization-plugin=dwguard-missing-" + str(os.getpid()),
                           start_timeout=60)
    with pytest.raises(EngineStartError) as err:
        engine.start()
    assert "failed to validate authorization plugin" in str(err.value)
    assert "not found" in str(err.value)
