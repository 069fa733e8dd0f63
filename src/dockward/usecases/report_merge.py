"""``dockward report merge``: per-host JSON reports -> one fleet report.

Reports collected by any means (an ssh fan-out, Ansible, the swarm global service or the
Kubernetes DaemonSet in ``deploy/``) are read back into findings and merged.  Hosts are
told apart by their engine id (``/info`` ID), never by their label: every node's own audit
calls its engine ``local``, so labels collide and are renamed (``local`` -> the daemon's
host name, else ``local#2``), in subjects, findings, errors and fingerprints alike.  The
same engine found in several reports is kept once, from the report given last.  A file
that cannot be read is an error of the merged report; the others are merged.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dockward.findings import Confidence, Finding, Severity
from dockward.models.location import Location
from dockward.report import Report
from dockward.url_redaction import redact_urls_in

SCHEMA = "dockward-report/1"
MAX_REPORT_BYTES = 256 * 1024 * 1024
SUMMED_STATS = ("hosts", "hosts_audited", "containers", "images", "services", "api_calls")


class MergeError(ValueError):
    """A report that cannot be merged (not JSON, another schema, another command)."""


@dataclass
class _Host:
    """One engine of one input report."""

    label: str
    engine_id: str
    name: str
    subject: dict[str, Any]
    report: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class MergeOutcome:
    report: Report
    merged_any: bool
    renamed: dict[str, str] = field(default_factory=dict)  # "file: old" -> new label


def merge_reports(paths: Iterable[str], fail_on: Severity = Severity.LOW) -> MergeOutcome:
    """Merge the JSON reports at ``paths`` (``dockward-report/1``, all of one command)."""
    errors: list[str] = []
    docs: list[tuple[str, dict[str, Any]]] = []
    for path in paths:
        try:
            docs.append((path, load_report(path)))
        except MergeError as exc:
            errors.append(f"{path}: {exc}")
    commands = sorted({str(doc.get("command")) for _, doc in docs})
    if len(commands) > 1:
        raise MergeError(f"cannot merge reports of different commands: {', '.join(commands)}")
    command = commands[0] if commands else "audit"
    hosts: dict[str, _Host] = {}
    loose: list[Finding] = []  # findings of scans (files) or without a known host
    stats: dict[str, Any] = {"reports": len(docs)}
    for path, doc in docs:
        for host in _hosts_of(path, doc, loose, errors):
            if host.engine_id in hosts:
                errors.append(f"{path}: engine {host.label} ({host.engine_id}) is also in "
                              f"{hosts[host.engine_id].report}; kept from {path}")
            hosts[host.engine_id] = host
        for key, value in (doc.get("summary") or {}).items():
            if key in SUMMED_STATS and isinstance(value, int):
                stats[key] = stats.get(key, 0) + value
            elif key == "seconds" and isinstance(value, int | float):
                stats["seconds"] = max(stats.get("seconds", 0), value)
    renamed = _unique_labels(list(hosts.values()))
    findings = [f for h in hosts.values() for f in h.findings] + loose
    findings.sort(key=Finding.sort_key)
    report = Report(
        command=command, findings=findings,
        root=",".join(h.label for h in hosts.values()) or ",".join(p for p, _ in docs),
        stats=stats, errors=errors + [e for h in hosts.values() for e in h.errors],
        fail_on=fail_on, subjects=[h.subject for h in hosts.values()],
    )
    return MergeOutcome(report=report, merged_any=bool(docs), renamed=renamed)


def load_report(path: str) -> dict[str, Any]:
    """Read one JSON report, refusing other schemas and anything over the size cap."""
    try:
        size = os.stat(path).st_size
        if size > MAX_REPORT_BYTES:
            raise MergeError(f"larger than {MAX_REPORT_BYTES // 1024 // 1024} MiB")
        with open(path, "rb") as fh:
            doc = json.loads(fh.read(MAX_REPORT_BYTES + 1))
    except OSError as exc:
        raise MergeError(f"cannot read: {exc.strerror or exc}") from None
    except (ValueError, RecursionError) as exc:
        raise MergeError(f"not a JSON report: {str(exc)[:200]}") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise MergeError(f"not a dockward JSON report (schema {SCHEMA})")
    if not isinstance(doc.get("findings"), list):
        raise MergeError("no findings list")
    return doc


def _hosts_of(path: str, doc: Mapping[str, Any], loose: list[Finding], errors: list[str]
              ) -> list[_Host]:
    """The engines of one report with their findings and errors."""
    hosts: dict[str, _Host] = {}
    for entry in doc.get("subjects") or []:
        if isinstance(entry, dict) and ("engine_id" in entry or "url" in entry):
            label = str(entry.get("host") or "")
            engine = str(entry.get("engine_id") or f"{path}#{label}")
            hosts[label] = _Host(label=label, engine_id=engine,
                                 name=str(entry.get("name") or ""),
                                 subject={**entry, "report": os.path.basename(path)},
                                 report=path)
    for index, raw in enumerate(doc.get("findings") or []):
        try:
            finding = finding_from_dict(raw)
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(f"{path}: finding {index}: cannot read it ({exc})")
            continue
        label = str((finding.extra or {}).get("host") or "")
        if not label and finding.location.subject:
            label = finding.location.subject.split("/", 1)[0]
        host = hosts.get(label)
        if host is None:
            loose.append(finding)
        else:
            host.findings.append(finding)
    for error in doc.get("errors") or []:
        text = redact_urls_in(str(error))
        owner = next((h for lbl, h in hosts.items() if lbl and text.startswith(lbl)), None)
        if owner is not None:
            owner.errors.append(text)
        else:
            errors.append(f"{path}: {text}")
    return list(hosts.values())


def finding_from_dict(raw: Any) -> Finding:
    """A Finding back from its JSON form (``reporters/json_report.finding_to_dict``)."""
    if not isinstance(raw, dict):
        raise TypeError("not an object")
    location = Location(
        file=str(raw.get("file") or ""), line=int(raw.get("line") or 0),
        column=int(raw.get("column") or 0), path=str(raw.get("path") or ""),
        subject=str(raw.get("subject") or ""))
    extra = raw.get("extra") or {}
    if not isinstance(extra, dict):
        raise TypeError("extra is not an object")
    return Finding(
        code=str(raw["code"]), name=str(raw.get("name") or ""),
        severity=Severity.parse(str(raw["severity"])),
        message=redact_urls_in(str(raw.get("message") or "")), location=location,
        evidence=str(raw.get("evidence") or ""),
        confidence=Confidence[str(raw.get("confidence") or "high").upper()],
        fix=str(raw.get("fix") or ""), extra=dict(extra),
        suppressed=bool(raw.get("suppressed")),
        suppression_reason=str(raw.get("suppression_reason") or ""),
    )


def _unique_labels(hosts: list[_Host]) -> dict[str, str]:
    """Rename engines that share a label; returns what was renamed (``file: old`` -> new).

    Engines sharing a label (every node's own audit says ``local``) take their daemon's
    host name when those names tell them apart, else ``label#2``, ``label#3`` in order.
    """
    by_label: dict[str, list[_Host]] = {}
    for host in hosts:
        by_label.setdefault(host.label, []).append(host)
    taken = set(by_label)
    renamed: dict[str, str] = {}
    for label, group in by_label.items():
        if len(group) < 2:
            continue
        names = [h.name for h in group]
        use_names = (all(n and "/" not in n for n in names) and len(set(names)) == len(names)
                     and not taken & (set(names) - {label}))
        number = 2
        for index, host in enumerate(group):
            if use_names:
                new = host.name
            elif index == 0:
                new = label
            else:
                while f"{label}#{number}" in taken:
                    number += 1
                new = f"{label}#{number}"
            if new != host.label:
                renamed[f"{host.report}: {host.label}"] = new
                _relabel(host, new)
            taken.add(new)
    return renamed


def _relabel(host: _Host, new: str) -> None:
    old = host.label
    for f in host.findings:
        loc = f.location
        if loc.subject == old or loc.subject.startswith(f"{old}/"):
            f.location = Location(file=loc.file, line=loc.line, column=loc.column,
                                  path=loc.path, subject=new + loc.subject[len(old):])
        f.extra = {**f.extra, "host": new}
    host.errors = [new + e[len(old):] if e.startswith(old) else e for e in host.errors]
    subject = dict(host.subject)
    subject["host"] = new
    for kind in ("containers", "services", "images"):
        items = subject.get(kind)
        if isinstance(items, list):
            subject[kind] = [
                {**item, "subject": new + str(item["subject"])[len(old):]}
                if isinstance(item, dict) and str(item.get("subject", "")).startswith(f"{old}/")
                else item for item in items]
    subject["errors"] = list(host.errors)
    host.subject = subject
    host.label = new
