"""A task's result as plain JSON data, and back: what the cache stores.

JSON rather than pickle because a cache folder can come from anywhere (a repository may
ship one, by mistake or not), and loading it must never run code.  Lists rather than
objects keep entries small.  Values of unknown shape (a rule's ``extra`` or a remedy's
value) keep their type through a small tagging of lists, tuples and dicts; anything else
raises :class:`Uncacheable` and that result is simply not cached.
"""

from __future__ import annotations

import base64
from typing import Any

from dockward.findings import Change, Confidence, Finding, FixSafety, Remedy, Severity
from dockward.link_keys import LinkKeys
from dockward.models.location import Location
from dockward.scanning.compact import Sharing
from dockward.scanning.units import ReadOutcome, TaskResult, UnitOutcome
from dockward.suppression import Directive

_SEVERITY = {int(s): s for s in Severity}
_CONFIDENCE = {int(c): c for c in Confidence}
_SAFETY = {int(s): s for s in FixSafety}
_CHANGE = {c.value: c for c in Change}


class Uncacheable(Exception):
    """A result holds a value the cache cannot store faithfully."""


def encode_result(result: TaskResult) -> dict[str, Any]:
    unit = result.unit
    return {
        "reads": [_read(r) for r in result.reads],
        "unit": None if unit is None else [
            unit.models,
            [unit.keys.targets, unit.keys.tags, unit.keys.defines, unit.keys.images],
            _findings(unit.findings),
            _findings(unit.invocation_findings),
        ],
    }


def decode_result(data: dict[str, Any], seq: int, sharing: Sharing | None = None
                  ) -> TaskResult:
    """The result stored by :func:`encode_result`, for the read at place ``seq``; raises
    (KeyError, TypeError, ValueError, IndexError) on anything malformed.  Its repeated
    strings and locations are shared through ``sharing`` as they are decoded (see .compact),
    so a warm scan does not walk every finding a second time to share them."""
    sharing = sharing or Sharing()
    reads = [_unread(r, seq, sharing) for r in data["reads"]]
    unit = None
    raw = data["unit"]
    if raw is not None:
        models, keys, findings, invocations = raw
        unit = UnitOutcome(int(models), LinkKeys(*(list(map(str, k)) for k in keys)),
                           _unfindings(findings, sharing), _unfindings(invocations, sharing))
    return TaskResult(reads, unit)


def _read(r: ReadOutcome) -> list[Any]:
    return [r.display, None if r.source is None else list(r.source),
            [[d.line, d.column, d.codes, d.reason, d.file_level, list(d.covers)]
             for d in r.directives],
            _findings(r.problems), base64.b64encode(r.packed).decode("ascii")]


def _unread(raw: list[Any], seq: int, sharing: Sharing) -> ReadOutcome:
    display, source, directives, problems, packed = raw
    return ReadOutcome(
        seq, str(display), None if source is None else (str(source[0]), str(source[1])),
        [Directive(int(d[0]), int(d[1]), [str(c) for c in d[2]], str(d[3]), bool(d[4]),
                   tuple(int(x) for x in d[5])) for d in directives],
        _unfindings(problems, sharing) or [], base64.b64decode(packed))


def _findings(findings: list[Finding] | None) -> list[Any] | None:
    if findings is None:
        return None
    return [[f.code, f.name, int(f.severity), f.message, _location(f.location), f.evidence,
             int(f.confidence), f.fix, _value(f.extra), f.suppressed, f.suppression_reason,
             _remedy(f.remedy), int(f.fix_safety), f.manual, f.snippet] for f in findings]


def _unfindings(raw: list[Any] | None, sharing: Sharing) -> list[Finding] | None:
    if raw is None:
        return None
    out = []
    text = sharing.text
    for (code, name, severity, message, location, evidence, confidence, fix, extra,
         suppressed, reason, remedy, safety, manual, snippet) in raw:
        out.append(Finding(
            code=text(code), name=text(name), severity=_SEVERITY[severity],
            message=text(message), location=sharing.stored_location(location),
            evidence=text(evidence), confidence=_CONFIDENCE[confidence], fix=text(fix),
            extra=_unvalue(extra), suppressed=bool(suppressed), suppression_reason=reason,
            remedy=_unremedy(remedy, sharing), fix_safety=_SAFETY[safety],
            manual=text(manual), snippet=text(snippet)))
    return out


def _location(loc: Location) -> list[Any]:
    return [loc.file, loc.line, loc.column, loc.path, loc.subject, loc.end_line, loc.via]


def _remedy(remedy: Remedy | None) -> list[Any] | None:
    if remedy is None:
        return None
    return [remedy.change.value, remedy.setting, _value(remedy.value),
            None if remedy.target is None else _location(remedy.target),
            None if remedy.safety is None else int(remedy.safety),
            [_remedy(r) for r in remedy.also]]


def _unremedy(raw: list[Any] | None, sharing: Sharing) -> Remedy | None:
    if raw is None:
        return None
    change, setting, value, target, safety, also = raw
    return Remedy(_CHANGE[change], sharing.text(str(setting)), _unvalue(value),
                  None if target is None else sharing.stored_location(target),
                  None if safety is None else _SAFETY[safety],
                  tuple(r for r in (_unremedy(x, sharing) for x in also) if r is not None))


def _value(value: Any) -> Any:
    """JSON for a value of unknown shape: lists, tuples and dicts tagged by a one-key dict."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float) and type(value) in (int, float):
        return value
    if type(value) is list:
        return {"l": [_value(v) for v in value]}
    if type(value) is tuple:
        return {"t": [_value(v) for v in value]}
    if type(value) is dict and all(type(k) is str for k in value):
        return {"d": {k: _value(v) for k, v in value.items()}}
    raise Uncacheable(type(value).__name__)


def _unvalue(raw: Any) -> Any:
    if not isinstance(raw, dict):
        return raw
    (tag, inner), = raw.items()
    if tag == "l":
        return [_unvalue(v) for v in inner]
    if tag == "t":
        return tuple(_unvalue(v) for v in inner)
    if tag == "d":
        return {str(k): _unvalue(v) for k, v in inner.items()}
    raise ValueError(f"unknown tag {tag!r}")
