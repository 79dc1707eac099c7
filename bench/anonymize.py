"""Benchmark the anonymizer on labelled skill-like texts: leaks, recall, kept text, throughput.

Run ``python -m bench.anonymize --json [--cases FILE.jsonl] [--show-misses]``; prints one JSON
object. Each line of the cases file is a JSON object:

- ``text``: the skill text to anonymize;
- ``sensitive``: strings that must be absent from the output (counted as leaked when present);
- ``keep``: strings that must survive (commands, paths, harmless URLs);
- ``secret`` (optional, default false): every sensitive string of the case is a key, token,
  password or private key; their leaks are also counted in ``leaked_secrets``;
- ``identity`` (optional): ``{"full_name", "username", "hostname", "home"}``, the fake local
  identity passed to ``anonymize``. Cases without it use an empty identity, so results do not
  depend on the machine running the benchmark.

Recall is also reported per category of sensitive string (``recall_by_category``: secret,
e-mail, IP address, path, IBAN, number, name, host, identifier; read from the string itself, see
``bench/anonymize_names.py``), and each must reach the goal. ``names_other_source`` and
``names_second_source`` are recall on full names whose first names and surnames come from lists
the detector does not use (gender-guesser's dictionary with the US Census surnames; mimesis's
names of one language; the detector reads Faker's and names-dataset's, and the cases are
Faker's), each reported apart, after a cue word and bare.
``clean_text`` counts the words replaced in text that names nobody (the tune scenarios, the
docs; ``bench/anonymize_clean.py``): over-redaction there is what makes a shared skill useless.

Throughput is measured on the concatenation of all case texts, anonymized as one document:
``throughput_kb_s`` is wall-clock, ``cpu_throughput_kb_s`` uses this process's CPU time, which
stays comparable when other work shares the machine.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from app.community.anonymize import LocalIdentity, anonymize
from bench.anonymize_clean import measure_clean_text
from bench.anonymize_names import NAME_SOURCES, category_of, measure_other_source
from bench.cases import cases_parser, load_jsonl, print_result

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CASES = REPO / "tests" / "data" / "anonymize_cases.jsonl"
GOAL_RECALL = 0.99
GOAL_KEPT_RATIO = 0.9
GOAL_LEAKED_SECRETS = 0
NO_IDENTITY = LocalIdentity(None, None, None, None)
IDENTITY_FIELDS = ("full_name", "username", "hostname", "home")


def _case(case: dict) -> dict:
    if not (
        isinstance(case.get("text"), str)
        and _string_list(case.get("sensitive"))
        and _string_list(case.get("keep"))
    ):
        raise ValueError("need text (str), sensitive and keep (lists of str)")
    identity = case.get("identity")
    if identity is not None and not (
        isinstance(identity, dict) and set(identity) <= set(IDENTITY_FIELDS)
    ):
        raise ValueError(f"identity may only hold {IDENTITY_FIELDS}")
    return case


def _string_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def identity_of(case: dict) -> LocalIdentity:
    """The identity a case asks for, or an empty one."""
    fields = case.get("identity")
    if not fields:
        return NO_IDENTITY
    return LocalIdentity(**{name: fields.get(name) for name in IDENTITY_FIELDS})


def evaluate(cases: list[dict]) -> tuple[dict, list[dict]]:
    """Score the anonymizer on ``cases``; also return the cases with a leak or a lost keep."""
    leaked = leaked_secrets = sensitive_total = kept = keep_total = 0
    misses = []
    by_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # [found, total]
    for case in cases:
        output = anonymize(case["text"], identity_of(case)).text
        leaks = [value for value in case["sensitive"] if value in output]
        lost = [value for value in case["keep"] if value not in output]
        for value in case["sensitive"]:
            tally = by_category[category_of(value, bool(case.get("secret")))]
            tally[0] += value not in output
            tally[1] += 1
        leaked += len(leaks)
        leaked_secrets += len(leaks) if case.get("secret") else 0
        sensitive_total += len(case["sensitive"])
        kept += len(case["keep"]) - len(lost)
        keep_total += len(case["keep"])
        if leaks or lost:
            misses.append({"text": case["text"], "output": output, "leaked": leaks, "lost": lost})
    document = "\n\n".join(case["text"] for case in cases)
    started, cpu_started = time.perf_counter(), time.process_time()
    anonymize(document, NO_IDENTITY)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    size_kb = len(document.encode()) / 1024
    result = {
        "n": len(cases),
        "sensitive": sensitive_total,
        "leaked": leaked,
        "leaked_secrets": leaked_secrets,
        "recall": round(1 - leaked / sensitive_total, 4) if sensitive_total else 1.0,
        "recall_by_category": {
            name: {"n": total, "recall": round(found / total, 4)}
            for name, (found, total) in sorted(by_category.items())
        },
        "min_category_recall": round(min(f / t for f, t in by_category.values()), 4),
        "kept_ratio": round(kept / keep_total, 4) if keep_total else 1.0,
        "throughput_kb_s": round(size_kb / elapsed, 1),
        "cpu_throughput_kb_s": round(size_kb / cpu, 1) if cpu else None,
        "goal_recall": GOAL_RECALL,
        "goal_kept_ratio": GOAL_KEPT_RATIO,
        "goal_leaked_secrets": GOAL_LEAKED_SECRETS,
    }
    return result, misses


def run(cases_file: Path, show_misses: bool) -> dict:
    """Score the cases of ``cases_file``, and names from another source (reported apart);
    with ``show_misses``, each miss goes to stderr."""
    result, misses = evaluate(load_jsonl(cases_file, _case))
    if show_misses:
        for miss in misses:
            print(json.dumps(miss, ensure_ascii=False), file=sys.stderr)
    for source in NAME_SOURCES:
        result[source.key] = measure_other_source(NO_IDENTITY, source)
    result["clean_text"] = measure_clean_text(NO_IDENTITY)
    result["goals_met"] = {
        "every_category_recall": result["min_category_recall"] >= GOAL_RECALL,
        "no_secret_leaked": result["leaked_secrets"] <= GOAL_LEAKED_SECRETS,
        "kept_ratio": result["kept_ratio"] >= GOAL_KEPT_RATIO,
        **{
            f"{source.key}_recall": result[source.key]["recall"] >= GOAL_RECALL
            for source in NAME_SOURCES
        },
    }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = cases_parser("python -m bench.anonymize", __doc__, DEFAULT_CASES)
    parser.add_argument(
        "--show-misses",
        action="store_true",
        help="also print each leaking or damaging case to stderr",
    )
    args = parser.parse_args(argv)
    return print_result(lambda: run(args.cases, args.show_misses))


if __name__ == "__main__":
    sys.exit(main())
