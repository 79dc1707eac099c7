"""The bench's own canary perplexity, in the running model: it must be the gate's measure
(same text, windows and tokenization) without being the gate's figure, and must leave the
model answering as before."""

from __future__ import annotations

import math

import pytest

from app.model.runtime import ModelRuntime
from bench import canary
from trainer.evaluate import Scorer

TEXT = canary.canary_text()[:700]  # a slice keeps the real model's work small


def test_the_bench_measures_the_canary_as_the_gate_does(
    runtime: ModelRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(canary, "WINDOW", 64)  # several windows on a short text
    ours = canary.canary_perplexity(runtime, TEXT)
    scorer = Scorer(runtime.path, None, n_ctx=64, n_threads=1)
    try:
        ids = scorer.llm.tokenize(TEXT.encode("utf-8"), add_bos=False, special=True)
        assert len(ids) > 2 * 64
        gates = scorer.perplexity(ids)
    finally:
        scorer.close()

    assert math.isclose(ours, gates, rel_tol=1e-4)
    assert 1 < ours < 1000


def test_measuring_the_canary_leaves_the_next_reply_unchanged(runtime: ModelRuntime) -> None:
    messages = [{"role": "user", "content": "Name three colours."}]
    before = "".join(runtime.stream_chat(messages, max_tokens=12, temperature=0.0))
    canary.canary_perplexity(runtime, TEXT)
    after = "".join(runtime.stream_chat(messages, max_tokens=12, temperature=0.0))

    assert after == before


def test_a_text_too_short_to_measure_is_refused(runtime: ModelRuntime) -> None:
    with pytest.raises(ValueError, match="two tokens"):
        canary.canary_perplexity(runtime, "a")
