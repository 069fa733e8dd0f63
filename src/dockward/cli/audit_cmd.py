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
    from dockward.usecases.audit import audit_hosts

    if images not in IMAGE_MODES:
        raise fail_usage(f"--images must be one of: {', '.join(IMAGE_MODES)}")
    cfg = build_config(config, Path("."), select, ignore, extend_select, fail_on)
    tls_options = TLSOptions(enabled=tls or tlsverify, verify=tlsverify, ca_cert=tlscacert,
                             client_cert=tlscert, client_key=tlskey)
    try:
        endpoints = resolve_endpoints(split_list(host), split_list(context), all_contexts,
                                      tls_options)
    except EndpointError as exc:
        raise fail_usage(str(exc)) from None
    options = AuditOptions(include_stopped=all_containers, images=images,
                           exclude=tuple(split_list(exclude_container)),
                           daemon_config=daemon_config, workers=workers, timeout=timeout)
    show = sys.stderr.isatty() if progress is None else progress
    with progress_bar(show, "auditing") as tick:
        outcome = audit_hosts(endpoints, options, cfg, split_list(inside), progress=tick)
    report = outcome.report
    apply_baseline_option(report, cfg, baseline, write_baseline)
    emit(report, fmt or default_format(), output, color)
    if not outcome.audited_any:
        raise typer.Exit(EXIT_USAGE)
    raise typer.Exit(exit_code(report, cfg, exit_zero))
