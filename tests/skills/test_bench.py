"""The skills benchmark runs as ``python -m bench.skills --json`` and prints one JSON object."""

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
    assert 0 < result["recall_at_3"] <= 1 and 0 < result["precision_at_3"] <= 1
    assert 0 < result["latency_ms_p50"] <= result["latency_ms_p95"]
    assert result["goal_precision_at_3"] == 0.8 and result["goal_latency_ms_p95"] == 10
    assert result["precision_at_3"] > result["bm25_only"]["precision_at_3"]
