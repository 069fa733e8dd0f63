"""A guard on every Engine API response: a size cap and the host's deadline.

The docker SDK reads whole bodies into memory (``response.json()``), so an endpoint that
streams an endless body (a hostile or broken proxy, a wrong port) grew the audit without
limit.  The guard is a ``requests`` response hook: it runs before the body is read, reads
it in chunks itself, and stops with :class:`ResponseTooLarge` past the cap or
:class:`HostDeadlineExceeded` past the host's deadline (a slow drip never trips the
per-read socket timeout).  Streaming requests (``stream=True``: logs, attach) are left
alone; the audit makes none.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

DEFAULT_MAX_RESPONSE_BYTES = 128 * 1024 * 1024
CHUNK = 256 * 1024


class ResponseTooLarge(RuntimeError):
    """One response exceeded the cap; the call fails, the rest of the audit goes on."""


class HostDeadlineExceeded(RuntimeError):
    """The host's time is up; the audit stops waiting for it."""


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:g} MiB"


def guard_responses(limit: int, deadline: Callable[[], float], label: str
                    ) -> Callable[..., Any]:
    """A response hook enforcing ``limit`` bytes and ``deadline()`` (a monotonic time)."""

    def hook(response: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("stream") or getattr(response, "_content_consumed", False):
            return response
        request = getattr(response, "request", None)
        what = f"{getattr(request, 'method', 'GET')} {_path(getattr(request, 'url', ''))}"
        length = str(response.headers.get("Content-Length") or "")
        if length.isdigit() and int(length) > limit:
            response.close()
            raise ResponseTooLarge(f"{what}: response of {_mib(int(length))} is "
                                   f"larger than the {_mib(limit)} limit; skipped")
        chunks: list[bytes] = []
        total = 0
        raw = response.raw
        if raw is None:
            return response
        for chunk in raw.stream(CHUNK, decode_content=True):
            total += len(chunk)
            if total > limit:
                response.close()
                raise ResponseTooLarge(f"{what}: response larger than the "
                                       f"{_mib(limit)} limit; skipped")
            if time.monotonic() > deadline():
                response.close()
                raise HostDeadlineExceeded(f"{label}: {what}: host deadline passed")
            chunks.append(chunk)
        response._content = b"".join(chunks)
        response._content_consumed = True
        return response

    return hook


def _path(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return "/" + rest.split("/", 1)[1] if "/" in rest else "/"
