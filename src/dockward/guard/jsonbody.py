"""Read a request body the way dockerd's Go JSON decoder reads it, and say where it is odd.

Go's ``encoding/json`` differs from a plain ``json.loads`` in ways that hide fields from a
naive check:

* struct fields match keys case-insensitively with Unicode simple folding
  (``privileged``, ``ſecurityOpt``, Kelvin-sign ``K``), so folded spellings must be read;
* a key that occurs twice decodes twice *into the same value*: objects merge
  (``{"HostConfig": {"Privileged": true}, "HostConfig": {}}`` stays privileged), other
  values are replaced;
* the decoder stops after the first value and ignores whatever follows it;
* invalid UTF-8 inside strings is replaced, not refused.

:func:`read_json_body` returns the value with Go's merge semantics (so readers judge what
the daemon will do) plus every ambiguity it met, so protocol rules can refuse requests
that no honest client sends.  ``NaN``/``Infinity`` (which Python accepts and Go does not)
and nesting deeper than :data:`MAX_DEPTH` are errors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from dockward.readers.engine.api_fields import FREE_FORM_MAPS, KNOWN_BY_FOLD

MAX_DEPTH = 64


class _Object(dict[str, Any]):
    """A decoded JSON object that remembers the keys it merged (exact or folded twice)."""

    __slots__ = ("duplicates",)

    def __init__(self) -> None:
        super().__init__()
        self.duplicates: list[str] = []


def _merge(old: Any, new: Any) -> Any:
    """Go decodes a repeated key into the existing value: objects merge, the rest replace."""
    if isinstance(old, dict) and isinstance(new, dict):
        merged = _Object()
        merged.update(old)
        folded = {k.casefold(): k for k in merged}
        for key, value in new.items():
            existing = folded.get(key.casefold())
            if existing is None:
                merged[key] = value
                folded[key.casefold()] = key
            else:
                merged[existing] = _merge(merged[existing], value)
        merged.duplicates = [*getattr(old, "duplicates", []), *getattr(new, "duplicates", [])]
        return merged
    return new


def _pairs_hook(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    folded: dict[str, str] = {}
    for key, value in pairs:
        existing = folded.get(key.casefold())
        if existing is None:
            obj[key] = value
            folded[key.casefold()] = key
        else:
            obj.duplicates.append(key if key == existing else f"{existing}/{key}")
            obj[existing] = _merge(obj[existing], value)
    return obj


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(object_pairs_hook=_pairs_hook, parse_constant=_refuse_constant)


@dataclass(slots=True)
class JsonBody:
    """A parsed body and the ambiguities found in it.

    ``value`` is None when the body could not be parsed (``error`` says why).  Key paths
    are dotted (``HostConfig.Privileged``, ``Mounts[0].Source``).
    """

    value: Any = None
    error: str = ""
    trailing: str = ""  # what follows the first JSON value (shortened), '' if nothing
    duplicate_keys: list[str] = field(default_factory=list)
    case_variant_keys: list[tuple[str, str]] = field(default_factory=list)  # (path, canon)
    depth: int = 0

    @property
    def ok(self) -> bool:
        return self.value is not None and not self.error


def read_json_body(raw: bytes) -> JsonBody:
    """Parse ``raw`` with Go's semantics; never raises."""
    result = JsonBody()
    text = raw.decode("utf-8", "replace")
    try:
        value, end = _DECODER.raw_decode(text, _skip_ws(text, 0))
    except (ValueError, RecursionError) as exc:
        result.error = _short(str(exc) if not isinstance(exc, RecursionError)
                              else "nesting too deep")
        return result
    rest = text[end:].strip(" \t\r\n")
    if rest:
        result.trailing = _short(rest)
    result.value = value
    _walk(value, "", "", result, 0)
    if result.depth > MAX_DEPTH:
        result.error = f"nesting deeper than {MAX_DEPTH} levels"
    return result


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _walk(value: Any, path: str, parent: str, out: JsonBody, depth: int) -> None:
    """Collect duplicate and case-variant keys with their paths (iterative in spirit:
    depth is bounded by the decoder's own recursion limit)."""
    out.depth = max(out.depth, depth)
    if depth > MAX_DEPTH:
        return
    if isinstance(value, dict):
        for dup in getattr(value, "duplicates", []):
            out.duplicate_keys.append(_join(path, dup))
        free = parent.casefold() in FREE_FORM_MAPS
        for key, child in value.items():
            if not free:
                spellings = KNOWN_BY_FOLD.get(key.casefold())
                if spellings is not None and key not in spellings:
                    out.case_variant_keys.append((_join(path, key), min(spellings)))
            _walk(child, _join(path, key), key, out, depth + 1)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _walk(child, f"{path}[{index}]", parent, out, depth + 1)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
