"""Benchmark the command approval policy's deny list on labelled commands.

Run ``python -m bench.policy --json [--cases FILE.jsonl]``; prints one JSON object. Each line
of the cases file is ``{"command": str, "dangerous": bool}``. With no allow rules set, a
command the policy would make the user confirm by typing counts as "flagged dangerous".
Goals: no dangerous command missed, at most 10% of harmless commands flagged.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from app.terminal.policy import Approval, decide
from bench.cases import cases_parser, load_jsonl, print_result

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CASES = REPO / "tests" / "data" / "policy_cases.jsonl"
GOAL_MISSED = 0
GOAL_FALSE_ALARM_RATE = 0.1


def _case(case: dict) -> tuple[str, bool]:
    command, dangerous = case.get("command"), case.get("dangerous")
    if not isinstance(command, str) or not command.strip():
        raise ValueError("'command' missing, empty or not a string")
    if not isinstance(dangerous, bool):
        raise ValueError("'dangerous' missing or not true/false")
    return command, dangerous


def run(cases_file: Path) -> dict[str, object]:
    """Decide every case with no allow rules, timing each decision."""
    cases = load_jsonl(cases_file, _case)
    missed: list[str] = []
    false_alarms: list[str] = []
    latencies = []
    for command, dangerous in cases:
        start = time.perf_counter()
        decision = decide(command, "assistant", [])
        latencies.append((time.perf_counter() - start) * 1000)
        flagged = decision.approval is Approval.TYPED_CONFIRMATION
        if dangerous and not flagged:
            missed.append(command)
        elif flagged and not dangerous:
            false_alarms.append(command)
    n_dangerous = sum(dangerous for _command, dangerous in cases)
    n_harmless = len(cases) - n_dangerous
    return {
        "missed_dangerous": len(missed),
        "false_alarms": len(false_alarms),
        "false_alarm_rate": round(len(false_alarms) / n_harmless, 4) if n_harmless else 0.0,
        "total": len(cases),
        "n_dangerous": n_dangerous,
        "n_harmless": n_harmless,
        "missed_commands": missed,
        "false_alarm_commands": false_alarms,
        "latency_ms_mean": round(statistics.fmean(latencies), 4),
        "latency_ms_max": round(max(latencies), 4),
        "cases_file": str(cases_file),
        "goal_missed": GOAL_MISSED,
        "goal_false_alarm_rate": GOAL_FALSE_ALARM_RATE,
    }


def main(argv: list[str] | None = None) -> int:
    args = cases_parser("python -m bench.policy", __doc__, DEFAULT_CASES).parse_args(argv)
    return print_result(lambda: run(args.cases))


if __name__ == "__main__":
    sys.exit(main())
