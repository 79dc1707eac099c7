"""The skills benchmark runs as ``python -m bench.skills --json`` and prints one JSON object,
with the tuning and the held-out sets apart."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bench_prints_one_json_object() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.skills", "--json", "--library-size", "600", "--rounds", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["n_skills"] == 600 and result["n_requests"] >= 60
    for half in ("tune", "heldout"):
        figures = result[half]
        assert 0 < figures["recall_at_3"] <= 1 and 0 < figures["precision_at_3"] <= 1
        assert figures["words_only"]["recall_at_3"] < figures["recall_at_3"], "meaning helps"
    assert result["precision_at_3"] == result["heldout"]["precision_at_3"]
    assert 0 < result["latency_ms_p50"] <= result["latency_ms_p95"]
    assert result["goal_precision_at_3"] == 0.9 and result["goal_recall_at_3"] == 0.85
    assert result["goal_latency_ms_p95"] == 15
