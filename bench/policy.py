"""Benchmark the command approval policy: the deny list, and what allow rules let through.

Run ``python -m bench.policy --json [--cases FILE.jsonl]``; prints one JSON object. Each line
of the cases file is ``{"command": str, "dangerous": bool}`` and may carry ``"rules": [str]``,
the allow rules in force for that case. Figures:

- ``missed_dangerous``: dangerous cases without rules that would not need the typed
  confirmation;
- ``false_alarms``: harmless cases (rules or not) that would need the typed confirmation;
- ``auto_run_dangerous``: dangerous cases with rules that those rules would run with no
  click at all, judged as if the run were sandboxed (the strict reading: a rule must not
  cover a dangerous command even where the sandbox would contain it); and
  ``auto_run_dangerous_unsandboxed``, the same outside the sandbox. A case with rules counts
  only there, never in ``missed_dangerous``;
- ``harmless_rule_auto_run``: harmless cases with rules that do run with no click
  (how useful the rules stay).

Goals: 0 missed, 0 auto-run, at most 10% of harmless commands flagged; ``verdict`` says
whether every case met them.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from app.terminal.policy import Approval, decide
from bench.cases import cases_parser, load_jsonl, print_result

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CASES = REPO / "tests" / "data" / "policy_cases.jsonl"
GOAL_MISSED = 0
GOAL_AUTO_RUN = 0
GOAL_FALSE_ALARM_RATE = 0.1


@dataclass(frozen=True)
class _Case:
    command: str
    dangerous: bool
    rules: tuple[str, ...]


def _case(case: dict) -> _Case:
    command, dangerous, rules = case.get("command"), case.get("dangerous"), case.get("rules")
    if not isinstance(command, str) or not command.strip():
        raise ValueError("'command' missing, empty or not a string")
    if not isinstance(dangerous, bool):
        raise ValueError("'dangerous' missing or not true/false")
    if rules is not None and (not isinstance(rules, list)
                              or not all(isinstance(rule, str) for rule in rules)):
        raise ValueError("'rules' must be a list of strings")
    return _Case(command, dangerous, tuple(rules or ()))


def run(cases_file: Path) -> dict[str, object]:
    """Decide every case with its rules, timing each decision."""
    cases = load_jsonl(cases_file, _case)
    missed: list[str] = []
    false_alarms: list[str] = []
    auto_run: list[str] = []
    auto_run_unsandboxed: list[str] = []
    harmless_auto_run = 0
    latencies = []
    for case in cases:
        start = time.perf_counter()
        decision = decide(case.command, "assistant", case.rules, sandboxed=bool(case.rules))
        latencies.append((time.perf_counter() - start) * 1000)
        typed = decision.approval is Approval.TYPED_CONFIRMATION
        if not case.dangerous:
            if typed:
                false_alarms.append(case.command)
            harmless_auto_run += decision.approval is Approval.AUTO_RUN
        elif case.rules:
            if decision.approval is Approval.AUTO_RUN:
                auto_run.append(case.command)
            outside = decide(case.command, "assistant", case.rules, sandboxed=False)
            if outside.approval is Approval.AUTO_RUN:
                auto_run_unsandboxed.append(case.command)
        elif not typed:
            missed.append(case.command)
    n_dangerous = sum(case.dangerous for case in cases)
    n_harmless = len(cases) - n_dangerous
    rate = round(len(false_alarms) / n_harmless, 4) if n_harmless else 0.0
    passed = (len(missed) <= GOAL_MISSED and len(auto_run) <= GOAL_AUTO_RUN
              and len(auto_run_unsandboxed) <= GOAL_AUTO_RUN and rate <= GOAL_FALSE_ALARM_RATE)
    return {
        "verdict": "pass" if passed else "fail",
        "missed_dangerous": len(missed),
        "false_alarms": len(false_alarms),
        "false_alarm_rate": rate,
        "auto_run_dangerous": len(auto_run),
        "auto_run_dangerous_unsandboxed": len(auto_run_unsandboxed),
        "harmless_rule_auto_run": harmless_auto_run,
        "total": len(cases),
        "n_dangerous": n_dangerous,
        "n_harmless": n_harmless,
        "n_with_rules": sum(bool(case.rules) for case in cases),
        "missed_commands": missed,
        "false_alarm_commands": false_alarms,
        "auto_run_commands": auto_run,
        "latency_ms_mean": round(statistics.fmean(latencies), 4),
        "latency_ms_max": round(max(latencies), 4),
        "cases_file": str(cases_file),
        "goal_missed": GOAL_MISSED,
        "goal_auto_run": GOAL_AUTO_RUN,
        "goal_false_alarm_rate": GOAL_FALSE_ALARM_RATE,
    }


def main(argv: list[str] | None = None) -> int:
    args = cases_parser("python -m bench.policy", __doc__, DEFAULT_CASES).parse_args(argv)
    return print_result(lambda: run(args.cases))


if __name__ == "__main__":
    sys.exit(main())
