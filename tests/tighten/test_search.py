"""The search strategies' logic, with a runner that judges candidates by a rule instead of
starting containers (the real runner is tested on a real engine in test_tighten_engine)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dockward.tighten.candidate import Candidate
from dockward.tighten.search import Hardening, search_capabilities, search_hardening, search_user
from dockward.tighten.trial import TrialOutcome, TrialSpec
from dockward.tighten.users import Account

Rule = Callable[[Candidate], str | None]  # None: passes; else why it fails


class ScriptedRunner:
    """Numbers trials like the real runner and judges each candidate with ``rule``."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.outcomes: list[TrialOutcome] = []

    def run(self, specs: Sequence[TrialSpec],
            decided: Callable[[TrialOutcome], bool] | None = None) -> list[TrialOutcome]:
        out: list[TrialOutcome] = []
        stop = False
        for spec in specs:
            if stop:
                out.append(TrialOutcome(0, spec.purpose, spec.candidate, False, "not run",
                                        abandoned=True))
                continue
            why = self.rule(spec.candidate)
            outcome = TrialOutcome(len(self.outcomes) + 1, spec.purpose, spec.candidate,
                                   why is None, why or "running after 1 s")
            self.outcomes.append(outcome)
            out.append(outcome)
            stop = bool(decided and outcome.passed and decided(outcome))
        return out

    def run_one(self, spec: TrialSpec) -> TrialOutcome:
        return self.run([spec])[0]


def needs(*caps: str) -> Rule:
    def rule(c: Candidate) -> str | None:
        missing = [cap for cap in caps if c.capabilities is not None
                   and cap not in c.capabilities]
        return f"exited with 1: no {missing[0]}" if missing else None
    return rule


START = frozenset({"CHOWN", "DAC_OVERRIDE", "KILL", "SETUID"})


def test_leave_one_out_then_verify() -> None:
    runner = ScriptedRunner(needs("CHOWN", "SETUID"))
    cand, decision, proof = search_capabilities(runner, Candidate(), START)
    assert cand.capabilities == {"CHOWN", "SETUID"}
    assert decision.value == "CHOWN, SETUID"
    assert decision.evidence == [
        "trial #1 with no capability: failed (exited with 1: no CHOWN)",
        "CHOWN kept: trial #2 without CHOWN: failed (exited with 1: no CHOWN)",
        "SETUID kept: trial #5 without SETUID: failed (exited with 1: no SETUID)",
        "trial #6 with only CHOWN, SETUID: passed (running after 1 s)",
        "dropped (each trial without one passed): DAC_OVERRIDE, KILL",
    ]
    assert proof is not None and proof.number == 6


def test_none_needed_stops_the_wave() -> None:
    runner = ScriptedRunner(needs())
    cand, decision, _ = search_capabilities(runner, Candidate(), START)
    assert cand.capabilities == frozenset() and decision.value == "none"
    assert len(runner.outcomes) == 1  # the leave-one-out trials were not needed


def test_a_single_capability_needs_no_leave_one_out() -> None:
    runner = ScriptedRunner(needs("NET_ADMIN"))
    cand, decision, _ = search_capabilities(runner, Candidate(),
                                            frozenset({"NET_ADMIN"}))
    assert cand.capabilities == {"NET_ADMIN"}
    assert decision.evidence[0] == ("NET_ADMIN kept: trial #1 with no capability: failed "
                                    "(exited with 1: no NET_ADMIN)")
    assert [o.purpose for o in runner.outcomes] == ["with no capability",
                                                    "with only NET_ADMIN"]


def test_either_of_two_capabilities_falls_back_to_elimination() -> None:
    """CHOWN or DAC_OVERRIDE will do: each alone is dispensable, not both."""
    def rule(c: Candidate) -> str | None:
        caps = c.capabilities or frozenset()
        return None if caps & {"CHOWN", "DAC_OVERRIDE"} else "exited with 1: denied"
    runner = ScriptedRunner(rule)
    cand, decision, proof = search_capabilities(runner, Candidate(), START)
    assert cand.capabilities == {"DAC_OVERRIDE"}  # CHOWN went first, then it was needed
    assert "trial #6 with no capability: failed (exited with 1: denied); removing one " \
           "capability at a time instead" in decision.evidence
    assert proof is not None and proof.passed and proof.candidate.capabilities == cand.capabilities


def test_user_prefers_the_image_user_and_reports_refusals() -> None:
    runner = ScriptedRunner(lambda c: "exited with 1: needs root" if c.user else None)
    accounts = [Account("root", 0, 0), Account("app", 1000, 1000)]
    cand, decision = search_user(runner, Candidate(), accounts)
    assert cand.user is None and decision.value == "root (kept)"
    assert decision.evidence[-1] == "no non-root user passed: the workload needs root"
    runner = ScriptedRunner(lambda c: None if c.user == "65534:65534" else "exited with 1")
    cand, decision = search_user(runner, Candidate(), accounts)
    assert cand.user == "65534:65534"
    assert decision.evidence == [
        "trial #1 as user 1000:1000 (the image's user app): failed (exited with 1)",
        "trial #2 as user 65534:65534 (nobody): passed (running after 1 s)"]


def test_hardening_together_then_alone_then_combined() -> None:
    options = [Hardening("read_only", {"read_only": True}, "--read-only"),
               Hardening("no_new_privileges", {"no_new_privileges": True}, "nnp"),
               Hardening("limits", {"pids_limit": 5}, "--pids-limit 5", ("peak 9",))]
    runner = ScriptedRunner(lambda c: "exited with 1: fork failed" if c.pids_limit else None)
    cand, decisions, proof = search_hardening(runner, Candidate(), options)
    assert (cand.read_only, cand.no_new_privileges, cand.pids_limit) == (True, True, None)
    assert [(d.setting, d.value) for d in decisions] == [
        ("read_only", "--read-only"), ("no_new_privileges", "nnp"),
        ("limits", "not proposed")]
    assert decisions[2].evidence == [
        "peak 9",
        "trial #1 with --read-only, nnp, --pids-limit 5: failed (exited with 1: fork failed)",
        "trial #4 with --pids-limit 5: failed (exited with 1: fork failed)"]
    assert proof is not None and proof.number == 5 and proof.passed
