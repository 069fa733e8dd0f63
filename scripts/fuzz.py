#!/usr/bin/env python3
"""Long fuzzing runs over every reader: mutated corpus files and generated inputs.

    python scripts/fuzz.py --seconds 600            # two worker processes, ten minutes
    python scripts/fuzz.py --inputs 1000000         # until a million inputs
    python scripts/fuzz.py --seconds 60 --workers 1 --seed 7

Each input is read in-process the way a scan reads it (every reader of its kind, on the
per-file time budget), then the rules run, inline ignores are looked for and the snippet
of every finding is built.  It counts as an *internal error* when anything raises, when a
reader or rule reports an internal error, when a position falls outside the input, or when
a message shows a reader's internals.  Inputs that hit the time budget are counted apart
(they are what the budget is for, but each one is worth a look).  Failing inputs are saved
under ``--out`` (default ``fuzz-failures/``) with the error, for a test to reproduce.

Inputs are mostly small (the corpus is cut to a window of at most a few KB before it is
mutated), so a run reaches a million inputs in reasonable time on two cores.  The corpus is
``../shared/corpus/realworld`` when present, else the repository's ``examples/`` and test
fixtures, so the script also works from a clone of the project alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import random
import re
import sys
import time
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "realworld"
INTERNALS = re.compile(r"_Node\(|object at 0x|<dockward\.|Traceback|<class ")
KIND_OF_DIR = {"compose": "compose", "dockerfile": "dockerfile", "k8s": "k8s",
               "runlines": "shell"}
TOKENS = ["\n", " ", "\t", ":", "- ", "#", "'", '"', "\\\n", "${", "}", "$(", ")", "<<EOF\n",
          "\nEOF\n", "&", "*", "!!", "[", "]", "{", "}", "|", ">", "\r", "\u2028", "\x1b[2J",
          "\u202e", "\x00", "\ufeff", "docker run --privileged ", "privileged: true",
          "- /var/run/docker.sock:/var/run/docker.sock", " # dockward: ignore-file[DW]",
          "--cap-add=SYS_ADMIN ", "USER root\n", "RUN ", "FROM alpine\n", "services:\n",
          "  web:\n", "    ", "<<: *a\n", "&a ", "---\n", "apiVersion: v1\nkind: Pod\n",
          "DB_PASSWORD=hunter2hunter2 ", "tcp://u:p@h:2375", "é", "😀"]


# --- inputs ------------------------------------------------------------------------------

def load_corpus() -> list[tuple[str, str]]:
    """(kind, text) of every corpus file."""
    out: list[tuple[str, str]] = []
    if SHARED_CORPUS.is_dir():
        for folder, kind in KIND_OF_DIR.items():
            for path in sorted((SHARED_CORPUS / folder).rglob("*")):
                if path.is_file() and path.stat().st_size < 200_000:
                    out.append((kind, path.read_text("utf-8", "replace")))
    else:
        from dockward.discovery import kind_from_name

        for base in (ROOT / "examples", ROOT / "tests" / "rules" / "fixtures"):
            for path in sorted(base.rglob("*")):
                kind = kind_from_name(path) if path.is_file() else None
                if kind in ("yaml", "maybe-script"):
                    kind = "compose"
                if kind:
                    out.append((kind, path.read_text("utf-8", "replace")))
    return out


def window(text: str, rng: random.Random, most: int = 3000) -> str:
    if len(text) <= most:
        return text
    lines = text.split("\n")
    start = rng.randrange(len(lines))
    out: list[str] = []
    size = 0
    for line in lines[start:]:
        size += len(line) + 1
        if size > most:
            break
        out.append(line)
    return "\n".join(out) + "\n"


def mutate(text: str, rng: random.Random, corpus: list[tuple[str, str]]) -> str:
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        pos = rng.randrange(len(text) + 1)
        if op == 0:
            text = text[:pos] + rng.choice(TOKENS) + text[pos:]
        elif op == 1 and text:
            end = min(len(text), pos + rng.randint(1, 40))
            text = text[:pos] + text[end:]
        elif op == 2 and text:
            end = min(len(text), pos + rng.randint(1, 200))
            text = text[:pos] + text[pos:end] * rng.randint(2, 4) + text[end:]
        elif op == 3:
            other = window(rng.choice(corpus)[1], rng, 400)
            text = text[:pos] + other + text[pos:]
        elif op == 4 and text:
            text = text[:pos] + chr(rng.choice([0, 7, 9, 11, 12, 13, 27, 0x85, 0x2028, 0xFEFF,
                                                rng.randrange(32, 0x2FFF)])) + text[pos + 1:]
        elif op == 5:
            lines = text.split("\n")
            rng.shuffle(lines)
            text = "\n".join(lines)
        else:
            indent = " " * rng.choice([0, 1, 2, 4, 6])
            text = text[:pos] + "\n" + indent + text[pos:]
    return text


def generated(rng: random.Random) -> tuple[str, str]:
    """A structured input built from the property tests' vocabulary."""
    from tests.hostile import generators as g

    def weird() -> Any:
        return rng.choice([rng.choice(g.WEIRD_VALUES), rng.randint(-3, 70000),
                           rng.random() < 0.5, None, [rng.choice(g.WEIRD_VALUES)], {"a": 1}])

    pick = rng.randrange(5)
    if pick == 0:
        import yaml

        services = {}
        for i in range(rng.randint(0, 3)):
            service: dict[str, Any] = {"image": "nginx"}
            for key in rng.sample(g.SERVICE_KEYS, rng.randint(0, 6)):
                service[key] = weird()
            services[f"s{i}"] = service
        return "compose", yaml.safe_dump({"services": services}, allow_unicode=True)
    if pick == 1:
        words = [rng.choice(g.RUN_FLAGS + list(g.WEIRD_VALUES)) for _ in
                 range(rng.randint(0, 14))]
        import shlex

        return "shell", "docker run " + " ".join(shlex.quote(w) for w in words) + " alpine\n"
    if pick == 2:
        lines = [rng.choice(g.DOCKERFILE_LINES) for _ in range(rng.randint(0, 10))]
        return "dockerfile", "FROM alpine\n" + "\n".join(lines) + "\n"
    if pick == 3:
        import yaml

        container = {"name": "a", "image": "x", "securityContext": weird(),
                     rng.choice(["resources", "volumeMounts", "env"]): weird()}
        spec = {"containers": [container], rng.choice(["hostPID", "volumes"]): weird()}
        return "k8s", yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "spec": spec})
    kind = rng.choice(["markdown", "makefile", "ci-yaml", "systemd"])
    line = "docker run " + " ".join(rng.choice(g.RUN_FLAGS) for _ in range(rng.randint(0, 6)))
    body = {"markdown": f"```sh\n$ {line}\n```\n", "makefile": f"run:\n\t{line}\n",
            "ci-yaml": f"on: push\njobs:\n  a:\n    steps:\n    - run: {json.dumps(line)}\n",
            "systemd": f"[Service]\nExecStart=/usr/bin/{line}\n"}[kind]
    return kind, body


# --- one input ---------------------------------------------------------------------------

def check_one(kind: str, text: str, runner: Any, budget_seconds: float) -> str | None:
    """None when the input was read cleanly, else why it is an internal error ("budget"
    for an input that used up its time budget)."""
    from dockward.budget import FileBudget, OverBudget
    from dockward.readers.base import ParseProblem, SourceFile
    from dockward.readers.comments import comment_starts
    from dockward.scanning.units import read_unit, source_snippet
    from dockward.suppression import parse_directives
    from dockward.text import LineIndex, visible

    src = SourceFile(path="", display="fuzz", text=text, kind=kind)
    budget = FileBudget(budget_seconds)
    try:
        with budget.charge("fuzz"):
            models = list(read_unit([src]))
            parse_directives(text, comment_starts(src))
            findings = runner.run(models)
            index = LineIndex(text)
            for f in findings:
                if f.name == "internal-error" or "internal error" in f.message:
                    return f"internal error: {f.message}"
                if INTERNALS.search(f.message):
                    return f"internals in message: {f.message}"
                loc = f.location
                if loc.file == "fuzz" and loc.line:
                    if not 1 <= loc.line <= index.line_count:
                        return f"{f.code} line {loc.line} outside 1..{index.line_count}"
                    line = index.line(loc.line)
                    if not 1 <= (loc.column or 1) <= len(line) + 1:
                        return f"{f.code} column {loc.column} outside line {loc.line}"
                    visible(source_snippet(line, about_a_secret=True))
            for m in models:
                if isinstance(m, ParseProblem) and "internal error" in m.message:
                    return f"internal error: {m.message}"
    except OverBudget:
        return "budget"
    except Exception:
        return "exception: " + traceback.format_exc(limit=6)
    return None


def worker(args: tuple[int, float, int, float, str]) -> dict[str, Any]:
    seed, seconds, max_inputs, budget_seconds, out_dir = args
    import logging

    from dockward.config import Config
    from dockward.rules.runner import RuleRunner

    logging.disable(logging.CRITICAL)
    rng = random.Random(seed)
    corpus = load_corpus()
    runner = RuleRunner(Config())
    deadline = time.monotonic() + seconds
    counts: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    while counts["inputs"] < max_inputs and time.monotonic() < deadline:
        for _ in range(200):
            if rng.random() < 0.6 and corpus:
                kind, base = rng.choice(corpus)
                text = mutate(window(base, rng), rng, corpus)
            else:
                kind, text = generated(rng)
            counts["inputs"] += 1
            by_kind[kind] += 1
            outcome = check_one(kind, text, runner, budget_seconds)
            if outcome is None:
                continue
            key = "budget" if outcome == "budget" else "internal_errors"
            counts[key] += 1
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
            folder = Path(out_dir) / key
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{digest}.{kind}").write_text(text, "utf-8", "surrogatepass")
            (folder / f"{digest}.{kind}.why").write_text(outcome, "utf-8")
    return {"counts": dict(counts), "by_kind": dict(by_kind)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=None,
                        help="stop after this long (default 60, or no limit with --inputs)")
    parser.add_argument("--inputs", type=int, default=0,
                        help="stop after this many inputs in all (default: no limit)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--budget", type=float, default=10.0,
                        help="per-input CPU-time budget in seconds (default 10)")
    parser.add_argument("--out", default="fuzz-failures")
    opts = parser.parse_args(argv)
    seed = opts.seed if opts.seed is not None else random.randrange(1 << 30)
    per_worker = (opts.inputs // opts.workers + 1) if opts.inputs else 1 << 62
    seconds = opts.seconds if opts.seconds is not None else (
        365 * 24 * 3600.0 if opts.inputs else 60.0)
    jobs = [(seed + i, seconds, per_worker, opts.budget, opts.out) for i in range(opts.workers)]
    started = time.monotonic()
    if opts.workers == 1:
        results = [worker(jobs[0])]
    else:
        with multiprocessing.Pool(opts.workers) as pool:
            results = pool.map(worker, jobs)
    total: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for r in results:
        total.update(r["counts"])
        kinds.update(r["by_kind"])
    elapsed = time.monotonic() - started
    print(json.dumps({"seed": seed, "workers": opts.workers, "seconds": round(elapsed, 1),
                      "inputs": total["inputs"], "internal_errors": total["internal_errors"],
                      "over_budget": total["budget"], "by_kind": dict(sorted(kinds.items())),
                      "corpus": str(SHARED_CORPUS) if SHARED_CORPUS.is_dir() else "repository",
                      "failures": opts.out if total["internal_errors"] or total["budget"]
                      else None}, indent=2))
    return 1 if total["internal_errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
