"""``dockward audit``: what is insecure on live Docker hosts right now.

Same rules, config, reporters and exit codes as ``scan``; the models come from the Engine
API instead of files.  The docker SDK is imported inside the command only, so that
``dockward --version`` and ``dockward scan`` never pay for it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dockward.cli.common import (
    EXIT_USAGE,
    BaselineOpt,
    ColorOpt,
    ConfigOpt,
    ExitZeroOpt,
    ExtendSelectOpt,
    FailOnOpt,
    FormatOpt,
    IgnoreOpt,
    OutputOpt,
    SelectOpt,
    WriteBaselineOpt,
    apply_baseline_option,
    build_config,
    default_format,
    emit,
    exit_code,
    fail_usage,
    split_list,
)
from dockward.cli.progress import progress_bar


def audit(
    host: Annotated[list[str] | None, typer.Option("--host", "-H",
        help="Engine to audit (unix:///path, tcp://host:port, ssh://user@host); repeatable. "
             "Default: DOCKER_HOST, the current context, or the local socket.")] = None,
    context: Annotated[list[str] | None, typer.Option("--context",
        help="Docker CLI context to audit (from ~/.docker/contexts); repeatable.")] = None,
    all_contexts: Annotated[bool, typer.Option("--all-contexts",
        help="Audit the default context and every context in ~/.docker/contexts.")] = False,
    hosts_file: Annotated[list[str] | None, typer.Option("--hosts-file",
        help="Inventory of engines: one URL per line, '#' comments, optional "
             "tls-dir=DIR label=NAME timeout=SECONDS per line; repeatable.")] = None,
    all_containers: Annotated[bool, typer.Option("--all", "-a",
        help="Also audit stopped and created-only containers.")] = False,
    images: Annotated[str, typer.Option("--images",
        help="Images to audit: 'used' by the audited containers, 'all', or 'none'.")
    ] = "used",
    exclude_container: Annotated[list[str] | None, typer.Option("--exclude-container",
        help="Skip containers whose name matches this glob (or whose id starts with it); "
             "repeatable. dockward's own container is always skipped.")] = None,
    daemon_config: Annotated[str | None, typer.Option("--daemon-config",
        help="daemon.json of the local daemon (default: dockerd's --config-file, else "
             "/etc/docker/daemon.json).")] = None,
    tls: Annotated[bool, typer.Option("--tls", help="Use TLS for tcp:// hosts.")] = False,
    tlsverify: Annotated[bool, typer.Option("--tlsverify",
        help="Use TLS and verify the daemon's certificate.")] = False,
    tlscacert: Annotated[str | None, typer.Option("--tlscacert",
        help="CA certificate (default: $DOCKER_CERT_PATH/ca.pem or ~/.docker/ca.pem).")] = None,
    tlscert: Annotated[str | None, typer.Option("--tlscert",
        help="Client certificate (default: cert.pem beside the CA).")] = None,
    tlskey: Annotated[str | None, typer.Option("--tlskey",
        help="Client key (default: key.pem beside the CA).")] = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    config: ConfigOpt = None,
    select: SelectOpt = None,
    extend_select: ExtendSelectOpt = None,
    ignore: IgnoreOpt = None,
    fail_on: FailOnOpt = None,
    baseline: BaselineOpt = None,
    write_baseline: WriteBaselineOpt = None,
    exit_zero: ExitZeroOpt = False,
    color: ColorOpt = None,
    workers: Annotated[int, typer.Option("--workers",
        help="Concurrent API requests (threads) across all hosts.", min=1, max=256)] = 16,
    timeout: Annotated[float, typer.Option("--timeout",
        help="Seconds to wait for each API call.", min=0.1)] = 30.0,
    host_workers: Annotated[int, typer.Option("--host-workers",
        help="Hosts audited at the same time.", min=1, max=1024)] = 16,
    host_timeout: Annotated[float, typer.Option("--host-timeout",
        help="Seconds for one whole host; a host still not done is reported as timed out "
             "and the others go on.", min=0.1)] = 120.0,
    max_response_mb: Annotated[float, typer.Option("--max-response-mb",
        help="Largest Engine API response accepted (MiB); a larger one is an error for "
             "that call.", min=0.01)] = 128.0,
    progress: Annotated[bool | None, typer.Option("--progress/--no-progress",
        help="Progress bar on stderr (default: when stderr is a terminal).")] = None,
    inside: Annotated[list[str] | None, typer.Option("--inside",
        help="Also look from inside these running containers (name or id prefix; needs "
             "python3 in the image) and report configured vs observed; repeatable. This "
             "runs 'docker exec' in them (a probe that only reads, removed afterwards).")
    ] = None,
) -> None:
    """Audit live Docker hosts: daemon, socket, docker group, containers, images, services."""
    from dockward.readers.engine.collect import (
        IMAGE_MODES,
        AuditOptions,
    )
    from dockward.readers.engine.connect import EndpointError, TLSOptions, resolve_endpoints
    from dockward.readers.engine.hosts_file import read_hosts_file
    from dockward.url_redaction import redact_urls_in
    from dockward.usecases.audit import audit_hosts

    if images not in IMAGE_MODES:
        raise fail_usage(f"--images must be one of: {', '.join(IMAGE_MODES)}")
    cfg = build_config(config, Path("."), select, ignore, extend_select, fail_on)
    tls_options = TLSOptions(enabled=tls or tlsverify, verify=tlsverify, ca_cert=tlscacert,
                             client_cert=tlscert, client_key=tlskey)
    try:
        host_lines = [entry for path in hosts_file or [] for entry in read_hosts_file(path)]
        endpoints = resolve_endpoints(split_list(host), split_list(context), all_contexts,
                                      tls_options, host_lines=host_lines)
    except EndpointError as exc:
        raise fail_usage(redact_urls_in(str(exc))) from None
    if hosts_file and not host_lines:
        raise fail_usage(f"no engine listed in {', '.join(hosts_file)}")
    options = AuditOptions(include_stopped=all_containers, images=images,
                           exclude=tuple(split_list(exclude_container)),
                           daemon_config=daemon_config, workers=workers, timeout=timeout,
                           host_workers=host_workers, host_timeout=host_timeout,
                           max_response_bytes=int(max_response_mb * 1024 * 1024))
    show = sys.stderr.isatty() if progress is None else progress
    with progress_bar(show, "auditing") as tick:
        outcome = audit_hosts(endpoints, options, cfg, split_list(inside), progress=tick)
    report = outcome.report
    apply_baseline_option(report, cfg, baseline, write_baseline)
    emit(report, fmt or default_format(), output, color)
    if not outcome.audited_any:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(exit_code(report, cfg, exit_zero))
