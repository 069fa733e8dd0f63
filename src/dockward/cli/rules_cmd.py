"""``dockward rules`` and ``dockward explain``."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from dockward.cli.common import EXIT_USAGE


def rule_to_dict(r: Any) -> dict[str, Any]:
    return {
        "code": r.code,
        "name": r.name,
        "severity": r.severity.label,
        "model": r.model.__name__,
        "models": [m.__name__ for m in r.models],
        "summary": r.summary,
        "references": list(r.refs),
        "fix": r.fix.name.lower(),
        "confidence": r.confidence.name.lower(),
        "options": r.options,
    }


def rules(
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json")] = "table",
) -> None:
    """List every rule with its code, name, severity and the model it checks."""
    from dockward.rules.registry import PSEUDO_RULES, all_rules

    items = all_rules()
    if fmt == "json":
        data = [
            {"code": code, "name": name, "severity": sev.label, "model": "input",
             "summary": summary, "references": [], "fix": "none", "confidence": "high",
             "options": {}}
            for code, (name, sev, summary) in PSEUDO_RULES.items()
        ] + [rule_to_dict(r) for r in items]
        json.dump(data, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    if fmt != "table":
        typer.echo(f"dockward: error: unknown format {fmt!r} (table or json)", err=True)
        raise typer.Exit(EXIT_USAGE)
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False, box=None, pad_edge=False)
    for col in ("code", "name", "severity", "model", "summary"):
        table.add_column(col, overflow="fold")
    for code, (name, sev, summary) in PSEUDO_RULES.items():
        table.add_row(code, name, sev.label, "input", summary)
    for r in items:
        table.add_row(r.code, r.name, r.severity.label, ", ".join(m.__name__ for m in r.models),
                      r.summary)
    Console(highlight=False).print(table)


def explain(
    rule_id: Annotated[str, typer.Argument(help="A rule code (DW201) or name.")],
) -> None:
    """Print a rule's documentation: why it matters, bad and good examples, the fix."""
    from dockward.rules.registry import PSEUDO_RULES, lookup

    found = lookup(rule_id)
    if found is None:
        key = rule_id.upper()
        if key in PSEUDO_RULES:
            name, sev, summary = PSEUDO_RULES[key]
            typer.echo(f"{key} {name} ({sev.label})\n\n{summary}")
            return
        typer.echo(f"dockward: error: no rule {rule_id!r} (see 'dockward rules')", err=True)
        raise typer.Exit(EXIT_USAGE)
    header = (f"# {found.code} {found.name}\n\nseverity: {found.severity.label} · "
              f"model: {found.model.__name__} · fix: {found.fix.name.lower()}")
    if found.refs:
        header += f" · references: {', '.join(found.refs)}"
    text = f"{header}\n\n{found.doc}\n"
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text))
    else:
        sys.stdout.write(text)
