"""``--hosts-file``: an inventory of engines, one per line.

::

    # fleet.txt
    unix:///var/run/docker.sock
    ssh://ops@web1
    tcp://10.0.0.5:2376  tls-dir=/etc/dockward/certs/db1   # ca.pem, cert.pem, key.pem
    tcp://10.0.0.6:2376  tls-dir=certs/db2 label=db2
    tcp://10.0.0.7:2375  timeout=10

A line is an engine URL (anything ``-H`` takes) followed by optional ``key=value`` words:
``tls-dir`` (a folder with ``ca.pem``/``cert.pem``/``key.pem``, as ``DOCKER_CERT_PATH``;
relative to the file; turns verification on), ``label`` (the name findings use) and
``timeout`` (seconds for this host, overriding ``--host-timeout``).  ``#`` starts a
comment.  A malformed line is a usage error naming file and line, before any host is
contacted: an inventory with a typo must not silently audit fewer hosts.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from dockward.readers.engine.connect import EndpointError, TLSOptions, normalize_url

KEYS = ("tls-dir", "label", "timeout")
MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class HostLine:
    """One inventory entry: the URL and what its line says about it."""

    url: str
    line: int
    tls: TLSOptions | None = None
    label: str | None = None
    timeout: float | None = None


def read_hosts_file(path: str) -> list[HostLine]:
    """Parse ``path``; raises :class:`EndpointError` (a usage error) on any bad line."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise EndpointError(f"cannot read hosts file {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise EndpointError(f"hosts file {path} is larger than {MAX_BYTES // 1024 // 1024} MiB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise EndpointError(f"hosts file {path} is not UTF-8 text") from None
    base = Path(path).resolve().parent
    out: list[HostLine] = []
    for number, line in enumerate(text.splitlines(), start=1):
        try:
            words = shlex.split(line, comments=True)
        except ValueError as exc:
            raise EndpointError(f"{path}:{number}: {exc}") from None
        if not words:
            continue
        try:
            out.append(_entry(words, number, base))
        except EndpointError as exc:
            raise EndpointError(f"{path}:{number}: {exc}") from None
    return out


def _entry(words: list[str], number: int, base: Path) -> HostLine:
    url = normalize_url(words[0])
    options: dict[str, str] = {}
    for word in words[1:]:
        key, eq, value = word.partition("=")
        if not eq or key not in KEYS:
            raise EndpointError(f"unknown option {word!r} (expected URL then "
                                f"{', '.join(k + '=...' for k in KEYS)})")
        if key in options:
            raise EndpointError(f"{key} given twice")
        options[key] = value
    tls = _tls_dir(options["tls-dir"], base, url) if "tls-dir" in options else None
    timeout = None
    if "timeout" in options:
        try:
            timeout = float(options["timeout"])
        except ValueError:
            timeout = -1.0
        if not 0 < timeout <= 86400:
            raise EndpointError(f"timeout must be a number of seconds, got "
                                f"{options['timeout']!r}")
    label = options.get("label")
    if label is not None and (not label or "/" in label):
        raise EndpointError(f"label must be non-empty and without '/', got {label!r}")
    return HostLine(url=url, line=number, tls=tls, label=label, timeout=timeout)


def _tls_dir(value: str, base: Path, url: str) -> TLSOptions:
    if not url.startswith(("tcp://", "https://")):
        raise EndpointError("tls-dir applies to tcp:// hosts only")
    folder = (base / value) if not Path(value).is_absolute() else Path(value)
    if not folder.is_dir():
        raise EndpointError(f"tls-dir {value!r}: no such folder")
    files = {name: folder / name for name in ("ca.pem", "cert.pem", "key.pem")}
    missing = [name for name, p in files.items() if not p.is_file()]
    if "ca.pem" in missing:
        raise EndpointError(f"tls-dir {value!r} has no ca.pem")
    client = not {"cert.pem", "key.pem"} & set(missing)
    return TLSOptions(enabled=True, verify=True, ca_cert=str(files["ca.pem"]),
                      client_cert=str(files["cert.pem"]) if client else None,
                      client_key=str(files["key.pem"]) if client else None)
