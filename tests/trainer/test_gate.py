"""The promotion gate's preference accuracy, on the served model in llama.cpp."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.model.prompt import render_chat
from trainer.data import Encoder, Example
from trainer.evaluate import CANARY_CACHE, CanaryCache, Scorer, Scores, decide, gate, score


def test_a_long_fluent_correction_is_preferred_to_a_short_wrong_reply(model_path: Path) -> None:
    """Per token, not in total: a summed log-likelihood always favours the shorter reply."""
    encoder = Encoder(model_path, 256)
    prompt = render_chat([{"role": "user", "content": "What is the capital of France?"}])
    chosen = (
        "Arr, matey! The capital of France be Paris, a grand port of call on the river Seine, "
        "where many a sailor has dropped anchor."
    )
    pair = encoder.encode(
        Example(id=1, kind="pair", dedup_key="1", prompt=prompt, chosen=chosen, rejected="Lyon.")
    )
    scorer = Scorer(model_path, None, n_ctx=256, n_threads=1)
    try:
        chosen_logps, rejected_logps = scorer.reply_logps(pair.main), scorer.reply_logps(pair.other)
        scores = score(scorer, [pair], encoder.tokens("Rivers flow to the sea.", prompt=False))
    finally:
        scorer.close()
    assert chosen_logps.sum() < rejected_logps.sum()  # what a summed comparison would judge
    assert scores.pref_accuracy == 1.0


def test_the_gate_refuses_a_candidate_whose_preferences_got_worse() -> None:
    current = Scores(user_score=-2.0, pref_accuracy=1.0, n_scored=2, canary_ppl=18.0)
    worse = Scores(user_score=-1.0, pref_accuracy=0.5, n_scored=2, canary_ppl=18.0)
    better = Scores(user_score=-1.0, pref_accuracy=1.0, n_scored=2, canary_ppl=18.5)
    assert decide(worse, current, 0.05) == (False, "preference accuracy dropped (0.50 vs 1.00)")
    assert decide(better, current, 0.05)[0]
    assert not decide(Scores(-1.0, 1.0, 2, 19.0), current, 0.05)[0]  # canary +5.6 %


def test_a_correction_counts_once_in_the_user_score(model_path: Path) -> None:
    """A correction is recorded as a target and as a pair: the target carries the user
    score, the pair only preference accuracy (its margin is on another scale)."""
    encoder = Encoder(model_path, 128)
    prompt = render_chat([{"role": "user", "content": "What is the capital of France?"}])
    target = "The capital of France is Paris."
    sft = Example(id=1, kind="sft", dedup_key="1", prompt=prompt, target=target)
    pair = Example(id=2, kind="pair", dedup_key="2", prompt=prompt, chosen=target, rejected="Lyon.")
    scorer = Scorer(model_path, None, n_ctx=128, n_threads=1)
    try:
        canary = encoder.tokens("Rivers flow to the sea.", prompt=False)
        both = score(scorer, [encoder.encode(sft), encoder.encode(pair)], canary)
        alone = score(scorer, [encoder.encode(sft)], canary)
        pair_only = score(scorer, [encoder.encode(pair)], canary)
    finally:
        scorer.close()
    assert both.n_scored == 1 and both.user_score == pytest.approx(alone.user_score)
    assert both.pref_accuracy == 1.0
    assert pair_only.n_scored == 1  # a pair without its target still counts


def test_a_hinted_example_is_scored_on_what_the_hint_changed(model_path: Path) -> None:
    """The held-out teacher reply is mostly the current model's own wording; scored on all of
    it, the current model wins however well a candidate learned the lesson's line."""
    encoder = Encoder(model_path, 256)
    said = "Recursion is when a function calls itself."
    hinted = encoder.encode(
        Example(
            id=1,
            kind="hinted",
            dedup_key="1",
            prompt=render_chat([{"role": "user", "content": "What is recursion?"}]),
            reply=said,
            hint="always end with a Summary: line",
            target=f"{said}\n\nSummary: a function calling itself.",
            hint_context=render_chat([{"role": "user", "content": "Summary: line. Recursion?"}]),
        )
    )
    scorer = Scorer(model_path, None, n_ctx=256, n_threads=1)
    try:
        logps = scorer.reply_logps(hinted.main)
        scores = score(scorer, [hinted], encoder.tokens("Rivers flow to the sea.", prompt=False))
    finally:
        scorer.close()
    assert 0 < len(hinted.changed) < len(logps)
    assert scores.user_score == pytest.approx(float(logps[list(hinted.changed)].mean()))
    assert scores.user_score != pytest.approx(float(logps.mean()))


def test_the_serving_adapters_canary_is_measured_once_then_read(
    model_path: Path, tmp_path: Path
) -> None:
    """Until a candidate is promoted the serving adapter's canary perplexity is the same
    figure at every run: the gate reads it from the cache after the first measurement."""
    encoder = Encoder(model_path, 128)
    prompt = render_chat([{"role": "user", "content": "What is the capital of France?"}])
    paris = Example(id=1, kind="sft", dedup_key="1", prompt=prompt, target="Paris.")
    held = [encoder.encode(paris)]

    def judge() -> dict:  # no adapter file: the base model stands in for the candidate too
        return gate(model_path, None, None, held, encoder, 0.05, 1, cache_dir=tmp_path)  # type: ignore[arg-type]

    first = judge()
    measured = first["current"]["canary_ppl"]
    assert CanaryCache(tmp_path, model_path, None, 256).get() == pytest.approx(measured)
    cached = tmp_path / CANARY_CACHE
    cached.write_text(cached.read_text().replace(str(measured), "1234.5"))
    again = judge()
    assert again["current"]["canary_ppl"] == 1234.5  # read, not measured again
    assert again["candidate"]["canary_ppl"] == pytest.approx(measured)  # always measured
    adapter = tmp_path / "other.gguf"
    adapter.write_bytes(b"x")
    assert CanaryCache(tmp_path, model_path, adapter, 256).get() is None  # another adapter
