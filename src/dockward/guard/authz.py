"""The Docker authorization-plugin protocol (v1), as dockerd implements it.

dockerd POSTs JSON to three paths: ``/Plugin.Activate`` once (answer
``{"Implements": ["authz"]}``), ``/AuthZPlugin.AuthZReq`` before running each request and
``/AuthZPlugin.AuthZRes`` after it.  Field names are Go's: ``RequestUri`` (not ``URI``),
``RequestBody`` base64, ``User`` set only for TLS clients.  The answer is
``{"Allow": bool, "Msg": str}``; dockerd shows ``Msg`` to the client as
``authorization denied by plugin NAME: Msg``.

Everything is decided at ``AuthZReq``: ``AuthZRes`` runs after the handler, when a
create has already created its container, so it only completes the decision log and
learns the id an exec create returned (the later ``exec start`` carries nothing but that
id).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from typing import Any

from dockward.guard.decision_log import DecisionLog, safe_query
from dockward.guard.request_reader import RawRequest
from dockward.usecases.guard import Decision, Guard, body_digest

ACTIVATE = b"/Plugin.Activate"
AUTHZ_REQ = b"/AuthZPlugin.AuthZReq"
AUTHZ_RES = b"/AuthZPlugin.AuthZRes"
IMPLEMENTS = b'{"Implements":["authz"]}'
ALLOW = b'{"Allow":true}'


def _answer(allow: bool, msg: str = "") -> bytes:
    if allow and not msg:
        return ALLOW
    return json.dumps({"Allow": allow, "Msg": msg}).encode()


def deny(msg: str) -> bytes:
    return _answer(False, msg)


class ExecTable:
    """What each allowed exec create asked for, by the exec id its response returned."""

    def __init__(self, limit: int = 10_000) -> None:
        self._limit = limit
        self._items: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, exec_id: str, entry: dict[str, Any]) -> None:
        with self._lock:
            self._items[exec_id] = entry
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def get(self, exec_id: str) -> Mapping[str, Any] | None:
        with self._lock:
            return self._items.get(exec_id)


class AuthzPlugin:
    """Turns AuthZReq/AuthZRes payloads into guard decisions and log lines."""

    def __init__(self, guard: Guard, log: DecisionLog, exec_table: ExecTable) -> None:
        self.guard = guard
        self.log = log
        self.execs = exec_table
        # exec creates waiting for their AuthZRes (which carries the new exec's id)
        self._exec_pending: dict[Hashable, list[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        # AuthZReq payloads of body-less reads -> (answer, log record template)
        self._answers: dict[bytes, tuple[bytes, dict[str, Any] | None]] = {}

    def handle(self, path: bytes, body: bytes) -> bytes:
        if path == AUTHZ_REQ:
            return self.authz_request(body)
        if path == AUTHZ_RES:
            return self.authz_response(body)
        if path == ACTIVATE:
            return IMPLEMENTS
        return deny(f"unknown plugin call {path.decode(errors='replace')}")

    # ---------------------------------------------------------------- AuthZReq

    def authz_request(self, payload: bytes) -> bytes:
        fast = self._answers.get(payload)
        if fast is not None:  # a body-less read seen before: same decision, new log line
            answer, template = fast
            if template is not None and self.log.enabled:
                record = dict(template, id=self.log.new_id())
                self.log.decided(record, _key(payload) if record["decision"] == "allow"
                                 else None)
            return answer
        try:
            data = json.loads(payload)
            raw = _raw_request(data)
        except (ValueError, TypeError, binascii.Error) as exc:
            return deny(f"dockward could not read the daemon's AuthZReq ({exc}); denied")
        decision = self.guard.decide(raw)
        template = self._account(raw, payload, decision)
        answer = _answer(decision.allow, decision.message)
        if (raw.body is None and raw.method in ("GET", "HEAD") and decision.error == ""
                and decision.request is not None and not decision.request.route.startswith(
                    ("exec-", "container-start"))):
            if len(self._answers) >= 4096:
                self._answers.clear()
            self._answers[payload] = (answer, template)
        return answer

    def _account(self, raw: RawRequest, payload: bytes, decision: Decision
                 ) -> dict[str, Any] | None:
        """Log the decision; returns the record without its id (a template for repeats)."""
        req = decision.request
        key = _key(payload)
        if decision.allow and req is not None and req.route == "exec-create":
            entry = {"Privileged": _exec_field(req.json_value, "Privileged"),
                     "User": _exec_field(req.json_value, "User") or "",
                     "container": req.params.get("name", "")}
            with self._lock:
                self._exec_pending.setdefault(key, []).append(entry)
        if not self.log.enabled:
            return None
        record = decision_record(raw, decision, self.log.new_id())
        template = {k: v for k, v in record.items() if k != "id"}
        if decision.allow and req is not None and req.route == "exec-start":
            known = self.execs.get(req.params.get("name", ""))
            if known is not None and "decision" in known:
                record["exec_create"] = known["decision"]
        if decision.allow and req is not None and req.route == "exec-create":
            with self._lock:
                pending = self._exec_pending.get(key)
                if pending:
                    pending[-1]["decision"] = record["id"]
        self.log.decided(record, key if decision.allow else None)
        return template

    # ---------------------------------------------------------------- AuthZRes

    def authz_response(self, payload: bytes) -> bytes:
        if not self.log.enabled and not self._exec_pending:
            return ALLOW  # accounting only, and nothing to account
        key = _key(payload)
        at = payload.rfind(b'"ResponseStatusCode":')  # after any body: the last occurrence
        found = _STATUS.match(payload, at) if at >= 0 else None
        status = int(found.group(1)) if found else None
        extra: dict[str, Any] = {}
        with self._lock:
            pending = self._exec_pending.get(key)
            entry = pending.pop(0) if pending else None
            if pending is not None and not pending:
                del self._exec_pending[key]
        if entry is not None:
            try:
                data = json.loads(payload)
            except ValueError:
                data = {}
            exec_id = _exec_id(data.get("ResponseBody"))
            if exec_id:
                self.execs.add(exec_id, entry)
                extra["exec_id"] = exec_id
        if self.log.enabled:
            self.log.responded(key, status or None, **extra)
        return ALLOW  # never turn a response into a denial: the request already ran


def _raw_request(data: Mapping[str, Any]) -> RawRequest:
    body_b64 = data.get("RequestBody")
    body = base64.b64decode(body_b64, validate=True) if body_b64 else None
    headers = data.get("RequestHeaders") or {}
    return RawRequest(
        method=str(data.get("RequestMethod") or ""),
        uri=str(data.get("RequestUri") or ""),
        headers={str(k): str(v) for k, v in headers.items()} if isinstance(headers, dict)
        else {},
        body=body,
        user=str(data.get("User") or ""),
        auth_method=str(data.get("UserAuthNMethod") or ""),
        mode="plugin",
    )


# dockerd encodes AuthZReq and AuthZRes from one Go struct, fields in a fixed order:
# User, UserAuthNMethod, RequestMethod, RequestUri, RequestBody, then headers, peer
# certificates and the response fields.  The bytes before the first of those later
# fields identify the request in both calls (a quote inside a JSON string is escaped, so
# the markers cannot occur inside a value), without decoding a response body of 64 KiB.
_REST = re.compile(rb',"(?:RequestHeaders|RequestPeerCertificates|ResponseBody|'
                   rb'ResponseHeaders|ResponseStatusCode)":')
_STATUS = re.compile(rb'"ResponseStatusCode":(\d+)')


def _key(payload: bytes) -> Hashable:
    """What an AuthZReq and its AuthZRes share."""
    found = _REST.search(payload)
    return payload[:found.start()] if found else payload.rstrip(b"}")


def _exec_field(body: Any, name: str) -> Any:
    if not isinstance(body, Mapping):
        return None
    found = None
    for key, value in body.items():
        if str(key).casefold() == name.casefold():
            found = value
    return found


def _exec_id(body_b64: Any) -> str:
    if not isinstance(body_b64, str) or not body_b64:
        return ""
    try:
        value = json.loads(base64.b64decode(body_b64))
    except (ValueError, binascii.Error):
        return ""
    ident = value.get("Id") if isinstance(value, dict) else None
    return ident if isinstance(ident, str) else ""


def decision_record(raw: RawRequest, decision: Decision, ident: int) -> dict[str, Any]:
    """The log line of one decision (no body, no secret)."""
    req = decision.request
    record: dict[str, Any] = {
        "id": ident,
        "mode": raw.mode,
        "user": raw.who,
        "method": raw.method,
        "route": req.route_template if req is not None and req.route else
        (req.path if req is not None else raw.uri.split("?", 1)[0])[:200],
        "path": (req.path if req is not None else raw.uri.split("?", 1)[0])[:200],
        "decision": "allow" if decision.allow else "deny",
        "rules": decision.rules,
    }
    if req is not None and req.api_version:
        record["api_version"] = req.api_version
    if req is not None and req.query:
        record["query"] = safe_query(req.query)
    if raw.body:
        record["body"] = body_digest(raw.body)
        record["body_size"] = len(raw.body)
    if not decision.allow:
        record["message"] = decision.message
    if decision.waived:
        record["waived"] = decision.waived
    if decision.error:
        record["error"] = decision.error
    if raw.peer_uid is not None:
        record["uid"], record["gid"] = raw.peer_uid, raw.peer_gid
    return record
