"""Benchmark the next-user-message classifier: accuracy per class and latency per decision.

Run ``python -m bench.signals --json [--cases FILE.jsonl]``; prints one JSON object. The goals
(accuracy 0.9, 5 ms per decision on a 2-core laptop) are reported beside the measurements so
that a regression is visible without reading code.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from app.signals.nextmsg import LABELS, classify_next_message
from bench.cases import cases_parser, load_jsonl, print_result

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CASES = REPO / "tests" / "data" / "nextmsg_cases.jsonl"
FIELDS = ("previous_user", "assistant", "next_user", "label")
GOAL_ACCURACY = 0.9
GOAL_LATENCY_MS = 5.0


def load_cases(path: Path) -> list[dict[str, str]]:
    """The labelled cases of ``path``, each with exactly the four string fields."""
    return load_jsonl(path, _case)


def _case(case: dict) -> dict[str, str]:
    for field in FIELDS:
        if not isinstance(case.get(field), str):
            raise ValueError(f"field {field!r} missing or not a string")
    if case["label"] not in LABELS:
        raise ValueError(f"unknown label {case['label']!r} (expected one of {LABELS})")
    return {field: case[field] for field in FIELDS}


def per_class(gold: list[str], predicted: list[str]) -> dict[str, dict[str, float]]:
    """Precision, recall and support for each label."""
    report = {}
    for label in LABELS:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        n_pred = predicted.count(label)
        n_gold = gold.count(label)
        report[label] = {
            "precision": round(tp / n_pred, 4) if n_pred else 0.0,
            "recall": round(tp / n_gold, 4) if n_gold else 0.0,
            "support": n_gold,
        }
    return report


def run(cases_file: Path) -> dict[str, object]:
    """Classify every case, timing each decision."""
    cases = load_cases(cases_file)
    predicted, latencies = [], []
    for case in cases:
        start = time.perf_counter()
        verdict = classify_next_message(case["previous_user"], case["assistant"], case["next_user"])
        latencies.append((time.perf_counter() - start) * 1000)
        predicted.append(verdict.label)
    gold = [case["label"] for case in cases]
    latencies.sort()
    return {
        "accuracy": round(sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold), 4),
        "per_class": per_class(gold, predicted),
        "latency_ms_mean": round(statistics.fmean(latencies), 4),
        "latency_ms_p95": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))], 4),
        "n": len(cases),
        "cases_file": str(cases_file),
        "goal_accuracy": GOAL_ACCURACY,
        "goal_latency_ms": GOAL_LATENCY_MS,
    }


def main(argv: list[str] | None = None) -> int:
    args = cases_parser("python -m bench.signals", __doc__, DEFAULT_CASES).parse_args(argv)
    return print_result(lambda: run(args.cases))


if __name__ == "__main__":
    sys.exit(main())
