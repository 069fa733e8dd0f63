"""The search strategies: each finds one setting by trials and says which trials show it.

Every strategy takes the runner and the candidate decided so far (``base``), runs its
trials concurrently where they do not depend on each other, and returns the new candidate
with a :class:`Decision` whose evidence names the trials.

* user: the image's non-root users, then 65534, then a fixed uid (:mod:`.users`), all at
  once; the first in that order that passes wins (the others stop once the first passed).
* capabilities: one trial with none at all and, at the same time, one trial without each
  capability of the starting set (leave-one-out); a capability is needed when the trial
  without it fails.  The set of needed ones is then verified on its own; should it fail
  (two capabilities that can stand in for each other), capabilities are removed one at a
  time from the full set, keeping each removal that passes.
* hardening: read-only root with its tmpfs mounts, ``no-new-privileges``, the default
  seccomp profile (when the original was unconfined) and the limits are tried together;
  if that fails, each alone, and then the passing ones together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dockward.tighten.candidate import Candidate
from dockward.tighten.result import Decision
from dockward.tighten.trial import TrialOutcome, TrialSpec
from dockward.tighten.users import Account, user_candidates


class Trials(Protocol):
    """What a strategy needs of a runner (:class:`dockward.tighten.trial.TrialRunner`)."""

    def run(self, specs: Sequence[TrialSpec],
            decided: Callable[[TrialOutcome], bool] | None = None) -> list[TrialOutcome]: ...

    def run_one(self, spec: TrialSpec) -> TrialOutcome: ...


def _fmt(outcome: TrialOutcome) -> str:
    return f"{outcome.label()} {outcome.purpose}: {'passed' if outcome.passed else 'failed'}" \
           f" ({outcome.reason})"


def search_user(runner: Trials, base: Candidate,
                accounts: list[Account]) -> tuple[Candidate, Decision]:
    """A non-root user the workload runs as, or root with the trials that refused."""
    tries = user_candidates(accounts)
    specs = [TrialSpec(f"as user {spec} ({why})", base.but(user=spec)) for spec, why in tries]
    # the most preferred user passing decides: the others are not needed then
    outcomes = runner.run(specs, decided=lambda o: o.purpose == specs[0].purpose)
    evidence: list[str] = []
    for (spec, _why), outcome in zip(tries, outcomes, strict=True):
        if outcome.abandoned:
            continue
        evidence.append(_fmt(outcome))
        if outcome.passed:
            return base.but(user=spec), Decision("user", spec, evidence)
    return base, Decision("user", "root (kept)", [
        *evidence, "no non-root user passed: the workload needs root"])


def search_capabilities(runner: Trials, base: Candidate,
                        start: frozenset[str]) -> tuple[Candidate, Decision, TrialOutcome | None]:
    """The smallest capability set that passes; also the trial that proves it (if run)."""
    if not start:
        return base.but(capabilities=frozenset()), Decision(
            "capabilities", "none", ["the original already keeps no capability"]), None
    order = sorted(start)
    none = TrialSpec("with no capability", base.but(capabilities=frozenset()))
    # with a single capability, the trial without it is the trial with none
    leave_one_out = [TrialSpec(f"without {cap}", base.but(capabilities=start - {cap}))
                     for cap in order] if len(order) > 1 else []
    outcomes = runner.run([none, *leave_one_out],
                          decided=lambda o: o.purpose == none.purpose)
    if outcomes[0].passed:
        return base.but(capabilities=frozenset()), Decision("capabilities", "none", [
            _fmt(outcomes[0]),
            f"dropped: {', '.join(order)}"]), outcomes[0]
    evidence = [_fmt(outcomes[0])]
    needed = set()
    if not leave_one_out:
        needed = set(order)
        evidence = [f"{order[0]} kept: {_fmt(outcomes[0])}"]
    for cap, outcome in zip(order, outcomes[1:], strict=False):
        if not outcome.passed:
            needed.add(cap)
            evidence.append(f"{cap} kept: {_fmt(outcome)}")
    verify = runner.run_one(TrialSpec(_only(needed), base.but(capabilities=frozenset(needed))))
    if verify.passed:
        evidence.append(_fmt(verify))
    else:
        evidence.append(_fmt(verify) + "; removing one capability at a time instead")
        needed, verify = _eliminate(runner, base, start, needed, evidence)
    dropped = sorted(start - needed)
    if dropped:
        evidence.append(f"dropped (each trial without one passed): {', '.join(dropped)}")
    value = ", ".join(sorted(needed)) or "none"
    return base.but(capabilities=frozenset(needed)), Decision("capabilities", value,
                                                               evidence), verify


def _only(caps: set[str] | frozenset[str]) -> str:
    return f"with only {', '.join(sorted(caps))}" if caps else "with no capability"


def _eliminate(runner: Trials, base: Candidate, start: frozenset[str], needed: set[str],
               evidence: list[str]) -> tuple[set[str], TrialOutcome]:
    """Greedy elimination from the full set: drop each capability whose removal passes."""
    current = set(start)
    last: TrialOutcome | None = None
    for cap in sorted(start - needed):
        trial = runner.run_one(TrialSpec(f"without {cap} (of {len(current)})",
                                         base.but(capabilities=frozenset(current - {cap}))))
        if trial.passed:
            current.discard(cap)
            last = trial
        else:
            evidence.append(f"{cap} kept: {_fmt(trial)}")
    if last is None:  # nothing could go: the full set is what passed before
        last = runner.run_one(TrialSpec(_only(current), base.but(capabilities=frozenset(current))))
    return current, last


@dataclass(frozen=True)
class Hardening:
    """One setting the hardening step tries: its name, candidate changes, words, and
    what led to it (shown before the trials in its evidence)."""

    setting: str
    changes: dict[str, Any]
    value: str
    context: tuple[str, ...] = ()


def search_hardening(runner: Trials, base: Candidate, options: Sequence[Hardening]
                     ) -> tuple[Candidate, list[Decision], TrialOutcome | None]:
    """Apply every option that a trial passes with; the trial that proves them together."""
    if not options:
        return base, [], None
    together = _apply(base, options)
    first = runner.run_one(TrialSpec("with " + ", ".join(o.value for o in options), together))
    if first.passed:
        return together, [Decision(o.setting, o.value, [*o.context, _fmt(first)])
                          for o in options], first
    alone = runner.run([TrialSpec(f"with {o.value}", _apply(base, [o])) for o in options])
    decisions: list[Decision] = []
    kept: list[Hardening] = []
    proof: TrialOutcome | None = None
    for option, outcome in zip(options, alone, strict=True):
        evidence = [*option.context, _fmt(first), _fmt(outcome)]
        if outcome.passed:
            kept.append(option)
            proof = outcome
            decisions.append(Decision(option.setting, option.value, evidence))
        else:
            decisions.append(Decision(option.setting, "not proposed", evidence))
    if len(kept) > 1:
        kept, proof = _combine(runner, base, kept, decisions)
    return _apply(base, kept), decisions, proof


def _combine(runner: Trials, base: Candidate, kept: list[Hardening],
             decisions: list[Decision]) -> tuple[list[Hardening], TrialOutcome]:
    """Options that pass alone, added one by one while the trial keeps passing."""
    by_setting = {d.setting: d for d in decisions}
    together = runner.run_one(TrialSpec("with " + ", ".join(o.value for o in kept),
                                        _apply(base, kept)))
    if together.passed:
        for option in kept:
            by_setting[option.setting].evidence.append(_fmt(together))
        return kept, together
    accepted: list[Hardening] = []
    proof = together
    for option in kept:
        names = ", ".join(o.value for o in [*accepted, option])
        trial = runner.run_one(TrialSpec(f"with {names}", _apply(base, [*accepted, option])))
        decision = by_setting[option.setting]
        decision.evidence.append(_fmt(trial))
        if trial.passed:
            accepted.append(option)
            proof = trial
        else:
            decision.value = "not proposed"
    return accepted, proof


def _apply(base: Candidate, options: Sequence[Hardening]) -> Candidate:
    changes: dict[str, Any] = {}
    for option in options:
        changes.update(option.changes)
    return base.but(**changes)
