"""The skills benchmark runs as ``python -m bench.skills --json`` and prints one JSON object,
with the tuning and the held-out sets apart."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from app.model.embedder import DIMENSIONS, shared_embedder
from app.skills import vectors

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
    for half in ("tune", "heldout", "heldout2", "heldout3", "heldout4"):
        figures = result[half]
        assert 0 < figures["recall_at_3"] <= 1 and 0 < figures["precision_at_3"] <= 1
        assert figures["words_only"]["recall_at_3"] < figures["recall_at_3"], "meaning helps"
    assert result["judged_on"] == "heldout4"  # the set nobody tuned on
    assert result["precision_at_3"] == result["heldout4"]["precision_at_3"]
    assert 0 < result["latency_ms_p50"] <= result["latency_ms_p95"]
    assert result["goal_precision_at_3"] == 0.9 and result["goal_recall_at_3"] == 0.85
    assert result["goal_latency_ms_p95"] == 15


def test_the_padding_is_embedded_as_the_app_embeds_a_skill() -> None:
    """The padded library is measured on the vectors the app would store for those skills
    (main vector and views), not on a shortcut of the benchmark's own."""
    from bench.skills import padding_skills, padding_vectors

    embedder = shared_embedder()
    assert embedder is not None
    skills = padding_skills(3, seed=11)
    for skill, (rows, reach) in zip(skills, padding_vectors(skills), strict=True):
        expected, expected_reach = vectors.embed_skill(
            embedder, skill.name, skill.description, skill.body
        )
        assert rows.shape == expected.shape == (3, DIMENSIONS)  # main, head, example
        assert np.allclose(rows, expected, atol=1e-5) and reach == expected_reach
