"""Which Docker engines to audit, and how to talk to them.

Endpoints come from, in the docker CLI's order of precedence: ``--host`` (repeatable),
``--context`` / ``--all-contexts``, ``DOCKER_HOST``, ``DOCKER_CONTEXT``, the
``currentContext`` of ``~/.docker/config.json``, and finally the local sockets: the
system socket, a rootless daemon's ``$XDG_RUNTIME_DIR/docker.sock`` and podman's
Docker-compatible socket.  Contexts are read from ``~/.docker/contexts/meta/*/meta.json``
directly (no docker CLI needed, and no surprise from a CLI plugin).

Each endpoint gets a short **label** without ``/`` (``default``, a context name,
``build-host:2376``, ``dw-abc`` for ``/tmp/dw-abc/docker.sock``): findings name
``label/container``, and reporters group by what comes before the first ``/``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from dockward.url_redaction import redact_url

if TYPE_CHECKING:
    from dockward.readers.engine.hosts_file import HostLine

SYSTEM_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
DEFAULT_HOST = "unix:///var/run/docker.sock"
DEFAULT_TIMEOUT = 30.0


class EndpointError(ValueError):
    """An endpoint that cannot even be attempted (unknown context, malformed URL)."""


class TransportUnavailable(RuntimeError):
    """The endpoint needs an optional dependency that is not installed (ssh:// without
    paramiko).  The audit reports it as that host's error; the other hosts go on."""


SSH_EXTRA_HINT = ("ssh:// hosts need paramiko, which the docker SDK requires for ssh: "
                  "install it with pip install 'dockward[ssh]'")


@dataclass(frozen=True)
class TLSOptions:
    """Client TLS settings, as ``docker --tls/--tlsverify/--tlscacert/--tlscert/--tlskey``."""

    enabled: bool = False
    verify: bool = False
    ca_cert: str | None = None
    client_cert: str | None = None
    client_key: str | None = None

    @property
    def active(self) -> bool:
        return self.enabled or self.verify


@dataclass(frozen=True)
class Endpoint:
    """One engine to audit."""

    label: str
    url: str
    origin: str  # --host | context | DOCKER_HOST | default | rootless | podman
    tls: TLSOptions = field(default_factory=TLSOptions)
    context: str | None = None
    host_timeout: float | None = None  # seconds for the whole host (hosts file), else global

    @property
    def scheme(self) -> str:
        return self.url.split("://", 1)[0].lower() if "://" in self.url else ""

    @property
    def display_url(self) -> str:
        """The URL as messages and reports show it: passwords and query values masked."""
        return redact_url(self.url)

    @property
    def socket_path(self) -> str | None:
        """The unix socket path, for ``unix://`` endpoints."""
        if self.scheme != "unix":
            return None
        return "/" + self.url.split("://", 1)[1].lstrip("/")

    @property
    def is_local(self) -> bool:
        """True when the daemon runs on this machine, so its files and process are readable.

        A unix socket is local by definition; ``tcp://`` to a loopback address reaches a
        daemon on this machine too.
        """
        if self.scheme == "unix":
            return True
        if self.scheme in ("tcp", "http", "https"):
            host = urlsplit(self.url).hostname or ""
            if host == "localhost":
                return True
            try:
                return ipaddress.ip_address(host).is_loopback
            except ValueError:
                return False
        return False


@dataclass(frozen=True)
class ContextInfo:
    """A docker CLI context: its name, Docker endpoint and TLS material."""

    name: str
    host: str
    skip_tls_verify: bool = False
    tls_dir: str | None = None  # contexts/tls/<id>/docker when it exists


# --------------------------------------------------------------------------- contexts


def docker_config_dir(env: Mapping[str, str]) -> Path:
    """``$DOCKER_CONFIG`` or ``~/.docker``."""
    configured = env.get("DOCKER_CONFIG")
    if configured:
        return Path(configured)
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".docker"


def context_id(name: str) -> str:
    """The folder name the CLI stores a context under: the sha256 of its name."""
    return hashlib.sha256(name.encode()).hexdigest()


def read_contexts(config_dir: Path) -> dict[str, ContextInfo]:
    """Every context in ``<config_dir>/contexts/meta``; unreadable ones are skipped."""
    out: dict[str, ContextInfo] = {}
    meta_root = config_dir / "contexts" / "meta"
    try:
        folders = sorted(meta_root.iterdir())
    except OSError:
        return out
    for folder in folders:
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(meta, dict):
            continue
        name = str(meta.get("Name") or "")
        docker_ep = (meta.get("Endpoints") or {}).get("docker") or {}
        host = str(docker_ep.get("Host") or "")
        if not name or not host:
            continue
        tls_dir = config_dir / "contexts" / "tls" / folder.name / "docker"
        out[name] = ContextInfo(
            name=name,
            host=host,
            skip_tls_verify=bool(docker_ep.get("SkipTLSVerify")),
            tls_dir=str(tls_dir) if tls_dir.is_dir() else None,
        )
    return out


def current_context(env: Mapping[str, str], config_dir: Path) -> str | None:
    """``$DOCKER_CONTEXT``, else ``currentContext`` from config.json, else None."""
    if env.get("DOCKER_CONTEXT"):
        return env["DOCKER_CONTEXT"]
    try:
        data = json.loads((config_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = data.get("currentContext") if isinstance(data, dict) else None
    return str(name) if name else None


def _context_tls(ctx: ContextInfo) -> TLSOptions:
    if ctx.tls_dir is None:
        return TLSOptions()
    folder = Path(ctx.tls_dir)

    def pem(name: str) -> str | None:
        path = folder / name
        return str(path) if path.is_file() else None

    return TLSOptions(enabled=True, verify=not ctx.skip_tls_verify, ca_cert=pem("ca.pem"),
                      client_cert=pem("cert.pem"), client_key=pem("key.pem"))


# --------------------------------------------------------------------------- local sockets


def local_socket_candidates(env: Mapping[str, str]) -> list[tuple[str, str]]:
    """(origin, path) of the sockets a local daemon may listen on, in preference order."""
    out = [("default", p) for p in SYSTEM_SOCKETS]
    runtime_dirs = []
    if env.get("XDG_RUNTIME_DIR"):
        runtime_dirs.append(env["XDG_RUNTIME_DIR"])
    runtime_dirs.append(f"/run/user/{os.getuid()}")
    for folder in dict.fromkeys(runtime_dirs):
        out.append(("rootless", f"{folder}/docker.sock"))
    for folder in dict.fromkeys(runtime_dirs):
        out.append(("podman", f"{folder}/podman/podman.sock"))
    out.append(("podman", "/run/podman/podman.sock"))
    return out


def _is_socket(path: str) -> bool:
    import stat

    try:
        return stat.S_ISSOCK(os.stat(path).st_mode)
    except OSError:
        return False


def default_local_endpoint(env: Mapping[str, str]) -> tuple[str, str]:
    """(origin, url) of the first local socket that exists; the system socket otherwise."""
    for origin, path in local_socket_candidates(env):
        if _is_socket(path):
            return origin, f"unix://{path}"
    return "default", DEFAULT_HOST


# --------------------------------------------------------------------------- resolution


def tls_from_env(env: Mapping[str, str], base: TLSOptions) -> TLSOptions:
    """Fill unset TLS options from ``DOCKER_TLS_VERIFY``/``DOCKER_CERT_PATH`` and
    ``~/.docker/{ca,cert,key}.pem``, as the docker CLI does."""
    verify = base.verify or bool(env.get("DOCKER_TLS_VERIFY"))
    enabled = base.enabled or verify
    if not enabled:
        return base
    cert_dir = Path(env.get("DOCKER_CERT_PATH") or docker_config_dir(env))

    def pick(given: str | None, name: str) -> str | None:
        if given:
            return given
        path = cert_dir / name
        return str(path) if path.is_file() else None

    return TLSOptions(enabled=True, verify=verify, ca_cert=pick(base.ca_cert, "ca.pem"),
                      client_cert=pick(base.client_cert, "cert.pem"),
                      client_key=pick(base.client_key, "key.pem"))


def normalize_url(url: str) -> str:
    """Accept what ``docker -H`` accepts: ``/path.sock``, ``host:port``, ``tcp://h``."""
    text = url.strip()
    if not text:
        raise EndpointError("empty --host")
    if text.startswith("/"):
        return f"unix://{text}"
    if "://" not in text:
        text = f"tcp://{text}"
    scheme = text.split("://", 1)[0].lower()
    if scheme not in ("unix", "tcp", "http", "https", "ssh", "npipe", "fd"):
        raise EndpointError(f"unsupported host scheme {scheme!r} in {url!r}")
    if scheme in ("unix", "npipe") and not text.split("://", 1)[1].strip("/"):
        raise EndpointError(f"no socket path in {url!r}")
    if scheme in ("tcp", "http", "https"):
        parts = urlsplit(text)
        if not parts.hostname:
            raise EndpointError(f"no host name in {url!r}")
        if parts.port is None:
            text = f"{text.rstrip('/')}:{2376 if scheme == 'https' else 2375}"
    return text


def endpoint_label(url: str) -> str:
    """A short name for findings: ``h:2376``, ``user@h`` -> ``h``, ``/tmp/x/docker.sock``
    -> ``x``, the system socket -> ``local``."""
    scheme, _, rest = url.partition("://")
    if scheme == "unix":
        path = "/" + rest.lstrip("/")
        if path in SYSTEM_SOCKETS:
            return "local"
        parent = os.path.basename(os.path.dirname(path))
        stem = os.path.basename(path)
        if stem in ("docker.sock", "podman.sock") and parent:
            return parent
        return stem.rsplit(".", 1)[0] or "unix"
    parts = urlsplit(url)
    host = parts.hostname or rest or url
    return f"{host}:{parts.port}" if parts.port else host


def _unique(endpoints: list[Endpoint]) -> list[Endpoint]:
    """Drop exact duplicates and make labels unique (``x``, ``x#2``)."""
    seen_urls: set[tuple[str, str | None]] = set()
    labels: dict[str, int] = {}
    out: list[Endpoint] = []
    for ep in endpoints:
        key = (ep.url, ep.context)
        if key in seen_urls:
            continue
        seen_urls.add(key)
        count = labels.get(ep.label, 0) + 1
        labels[ep.label] = count
        out.append(ep if count == 1 else replace(ep, label=f"{ep.label}#{count}"))
    return out


def resolve_endpoints(
    hosts: Sequence[str] = (),
    context: Sequence[str] | str | None = None,
    all_contexts: bool = False,
    tls: TLSOptions | None = None,
    env: Mapping[str, str] | None = None,
    host_lines: Sequence[HostLine] = (),
) -> list[Endpoint]:
    """The endpoints to audit, following the docker CLI's precedence.

    ``host_lines`` come from ``--hosts-file`` (each with its own TLS folder, label and
    timeout).  Raises :class:`EndpointError` for a context that does not exist or a malformed
    ``--host`` (a usage error); an endpoint that exists but does not answer is the
    audit's business, not this function's.
    """
    env = os.environ if env is None else env
    tls = tls or TLSOptions()
    config_dir = docker_config_dir(env)
    contexts = read_contexts(config_dir)
    names = [context] if isinstance(context, str) else list(context or [])
    out: list[Endpoint] = []
    for raw in hosts:
        url = normalize_url(raw)
        out.append(Endpoint(endpoint_label(url), url, "--host", _tls_for(url, tls, env)))
    for entry in host_lines:
        out.append(Endpoint(entry.label or endpoint_label(entry.url), entry.url, "hosts-file",
                            entry.tls or _tls_for(entry.url, tls, env),
                            host_timeout=entry.timeout))
    for name in names:
        out.append(_from_context(name, contexts, env, tls))
    if all_contexts:
        out.append(_implicit_default(env, tls, label="default"))
        out.extend(_from_context(n, contexts, env, tls) for n in sorted(contexts))
    if out:
        return _unique(out)
    if env.get("DOCKER_HOST"):
        return [_implicit_default(env, tls, label=None)]
    chosen = current_context(env, config_dir)
    if chosen and chosen != "default":
        return [_from_context(chosen, contexts, env, tls)]
    return [_implicit_default(env, tls, label=None)]


def _tls_for(url: str, tls: TLSOptions, env: Mapping[str, str]) -> TLSOptions:
    if not url.startswith(("tcp://", "https://", "http://")):
        return TLSOptions()
    return tls_from_env(env, tls)


def _from_context(name: str, contexts: Mapping[str, ContextInfo], env: Mapping[str, str],
                  tls: TLSOptions) -> Endpoint:
    if name == "default":
        return _implicit_default(env, tls, label="default")
    ctx = contexts.get(name)
    if ctx is None:
        known = ", ".join(["default", *sorted(contexts)])
        raise EndpointError(f"context {name!r} not found (known: {known})")
    url = normalize_url(ctx.host)
    return Endpoint(label=name.replace("/", "_"), url=url, origin="context",
                    tls=_context_tls(ctx) if url.startswith("tcp://") else TLSOptions(),
                    context=name)


def _implicit_default(env: Mapping[str, str], tls: TLSOptions, label: str | None) -> Endpoint:
    """The default context: ``DOCKER_HOST``, else the first local socket found."""
    if env.get("DOCKER_HOST"):
        url = normalize_url(env["DOCKER_HOST"])
        return Endpoint(label or endpoint_label(url), url, "DOCKER_HOST",
                        _tls_for(url, tls, env), context="default")
    origin, url = default_local_endpoint(env)
    if label is None:
        label = {"default": "local"}.get(origin, origin)
    return Endpoint(label, url, origin, TLSOptions(), context="default")


# --------------------------------------------------------------------------- clients


def make_api_client(endpoint: Endpoint, *, timeout: float = DEFAULT_TIMEOUT,
                    pool_size: int = 16,
                    response_hooks: Sequence[Callable[..., Any]] = ()) -> Any:
    """A ``docker.APIClient`` for ``endpoint`` with a connection pool for ``pool_size``
    concurrent requests (the SDK's default of 10 would make threads wait or reconnect).

    ``response_hooks`` (requests response hooks) are installed before the first request,
    so that even the version negotiation (``GET /version``) goes through them: the
    audit's size cap and per-host deadline apply to every byte an endpoint sends.  The API
    version is negotiated: dockerd 20.10 refuses the SDK's newer default version.
    Raises :class:`TransportUnavailable` for ssh:// without paramiko.
    """
    if endpoint.scheme == "ssh":
        require_ssh_support()
    elif endpoint.scheme in ("tcp", "http", "https") and "@" in endpoint.url.split("://", 1)[1]:
        raise TransportUnavailable(
            "user names and passwords in tcp:// URLs are not supported by the Engine API "
            "client (nor by the docker CLI): use TLS client certificates or ssh://")
    import docker
    import docker.constants
    import requests.adapters

    tls_config: Any = False
    if endpoint.tls.active and endpoint.scheme in ("tcp", "https"):
        cert = None
        if endpoint.tls.client_cert and endpoint.tls.client_key:
            cert = (endpoint.tls.client_cert, endpoint.tls.client_key)
        tls_config = docker.tls.TLSConfig(
            client_cert=cert,
            ca_cert=endpoint.tls.ca_cert if endpoint.tls.verify else None,
            verify=endpoint.tls.verify,
        )
        if not endpoint.tls.verify:  # --tls without --tlsverify was asked for, as with docker
            import warnings

            import urllib3

            warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
    client = docker.APIClient(
        base_url=endpoint.url,
        version=docker.constants.DEFAULT_DOCKER_API_VERSION,  # negotiated below
        timeout=timeout,
        tls=tls_config,
        max_pool_size=pool_size,
        use_ssh_client=endpoint.scheme == "ssh",
        user_agent="dockward-audit",
    )
    if endpoint.scheme in ("tcp", "http", "https"):
        adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
        client.mount("http://", adapter)
        client.mount("https://", adapter)
        keep_named_ca(client)
    else:
        _share_connection_pool(client)
        # no HTTP proxy applies to a unix socket or an ssh tunnel; skipping the lookup
        # saves scanning the environment on every request
        client.trust_env = False
    client.hooks["response"].extend(response_hooks)
    try:
        # what the SDK's version="auto" does, after the hooks are in place
        version = client.version(api_version=False)
        client._version = str(version["ApiVersion"])
        client.dockward_engine = engine_of(version)
    except BaseException:
        client.close()
        raise
    return client


def _share_connection_pool(client: Any) -> None:
    """Make the SDK's unix/ssh adapter keep connections alive across different URLs.

    ``UnixHTTPAdapter.get_connection`` keys its pools by the *full request URL*, so every
    ``/containers/<id>/json`` got a fresh pool and a fresh connection, and the pool cache
    (25 entries) closed them again: one connect per inspect.  All requests go to one
    socket, so one pool keyed by a constant is correct and keeps connections open.
    """
    adapter = getattr(client, "_custom_adapter", None)
    if adapter is None or not hasattr(adapter, "pools"):
        return
    original = adapter.get_connection

    def get_connection(url: str, proxies: Any = None) -> Any:
        return original("http+docker://localhost", proxies)

    adapter.get_connection = get_connection


def engine_of(version: Any) -> str:
    """``podman`` when ``GET /version`` lists the Podman Engine component, else ``docker``."""
    components = version.get("Components") if isinstance(version, dict) else None
    for component in components or []:
        if isinstance(component, dict) and "podman" in str(component.get("Name", "")).lower():
            return "podman"
    return "docker"


def require_ssh_support() -> None:
    """Raise :class:`TransportUnavailable` with the install hint when paramiko is missing.

    The docker SDK imports its ssh adapter (paramiko) even when it shells out to the
    ``ssh`` binary, as dockward does (like the docker CLI: ``~/.ssh/config``, the agent and
    ``known_hosts`` all apply).
    """
    try:
        import paramiko  # noqa: F401
    except ImportError:
        raise TransportUnavailable(SSH_EXTRA_HINT) from None


def keep_named_ca(client: Any) -> None:
    """Make the CA the user named (``--tlscacert``, ``DOCKER_CERT_PATH``, a context) win.

    ``requests`` lets ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` from the environment
    replace the session's ``verify`` for every request, so an engine's own CA was ignored
    (``certificate verify failed``) on machines that set them for their proxy, and
    ``--tls`` without verification verified against that bundle anyway.  Proxy settings
    from the environment still apply; only ``verify`` is pinned, and only when it was
    decided here (a CA file, or no verification).  With ``--tlsverify`` and no CA file the
    default trust store applies, which is where those variables belong.
    """
    pinned = client.verify
    if pinned is True:
        return
    original = client.merge_environment_settings

    def merge_environment_settings(url: str, proxies: Any, stream: Any, verify: Any,
                                   cert: Any) -> dict[str, Any]:
        settings: dict[str, Any] = original(url, proxies, stream, verify, cert)
        settings["verify"] = pinned
        return settings

    client.merge_environment_settings = merge_environment_settings
