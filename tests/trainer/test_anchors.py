"""Anchors: unrelated chat turns answered as the base model answers them stay in training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from trainer.__main__ import lora
from trainer.anchors import (
    ANCHORS_FILE,
    NEAR_ANCHORS_FILE,
    anchor_loss,
    anchor_sequences,
    base_replies,
    greedy_replies,
    read_requests,
    render,
    unrelated,
)
from trainer.base import load_base
from trainer.config import TrainConfig
from trainer.data import Encoder, Example
from trainer.frozen import Stack
from trainer.leaks import PROBES_FILE
from trainer.loop import StopGuard, train

pytestmark = pytest.mark.slow

SYSTEM = "You are a helpful assistant."
CONFIG = TrainConfig(max_len=96, batch_size=1, steps=12, max_steps=12, lr=3e-3, warmup_steps=1)


@pytest.fixture(scope="module")
def encoder(model_path: Path) -> Encoder:
    return Encoder(model_path, CONFIG.max_len)


def scenario_prompts() -> list[str]:
    """Every prompt of every benchmark scenario, tuning and test halves alike."""
    scenarios = Path(__file__).parents[2] / "bench" / "scenarios"
    return [
        item["prompt"]
        for path in sorted(scenarios.glob("*/*.json"))
        for key in ("teach", "heldout", "control")
        for item in json.loads(path.read_text(encoding="utf-8")).get(key, [])
    ]


def closest(requests: list[str], others: list[str]) -> tuple[float, str]:
    """The highest cosine of any of ``requests`` to any of ``others``, and that request."""
    from app.model.embedder import load_embedder

    embedder = load_embedder()
    try:
        near = (embedder.embed(requests) @ embedder.embed(others).T).max(axis=1)
    finally:
        embedder.close()
    return float(near.max()), requests[int(near.argmax())]


def test_anchor_and_probe_requests_are_distinct_and_apart_from_every_scenario() -> None:
    """An anchor trains the base model's reply and a probe refuses a candidate that leaks:
    one that is a scenario's prompt in other words would train, or gate on, what the
    benchmark measures (a control prompt's reply above all). Session 14 found 10 anchors
    and 7 probes within cosine 0.8 of a test scenario's prompts, some word for word."""
    anchors, probes = read_requests(ANCHORS_FILE), read_requests(PROBES_FILE)
    assert len(anchors) >= 8 and len(probes) >= 4
    assert not set(anchors) & set(probes)
    cosine, request = closest(anchors + probes, scenario_prompts())
    assert cosine < 0.8, request


def test_near_anchors_are_many_and_stay_apart_from_the_probes_and_the_scenarios() -> None:
    """The near anchors are trained on; the probes measure leaks: a near anchor that is a
    probe in other words would make the leak check measure what was trained."""
    near, probes = read_requests(NEAR_ANCHORS_FILE), read_requests(PROBES_FILE)
    assert len(near) >= 100
    assert not set(near) & (set(probes) | set(read_requests(ANCHORS_FILE)))
    cosine, request = closest(near, probes + scenario_prompts())
    assert cosine < 0.8, request


def test_the_anchors_are_the_base_models_own_replies_cached_once(
    model_path: Path, base_sha: str, encoder: Encoder, tmp_path: Path
) -> None:
    requests = read_requests(ANCHORS_FILE)[:2]
    replies = base_replies(model_path, base_sha, requests, SYSTEM, encoder, 16, 1, tmp_path)
    prompts = [render(r, SYSTEM, encoder) for r in requests]
    assert list(replies.values()) == greedy_replies(model_path, None, prompts, encoder, 16, 1)
    assert all(replies.values())
    (cache,) = tmp_path.glob("base-replies-*.json")
    cache.write_text(cache.read_text().replace(replies[requests[0]][:8], "CACHED"))
    again = base_replies(model_path, base_sha, requests, SYSTEM, encoder, 16, 1, tmp_path)
    assert again[requests[0]].startswith("CACHED")  # read back, not generated again
    (seq,) = anchor_sequences({requests[1]: replies[requests[1]]}, SYSTEM, encoder)
    reply = encoder.tokens(replies[requests[1]] + encoder.eot, prompt=False)
    assert seq.ids[0, seq.reply_start :].tolist() == reply


def _drift(
    model_path: Path,
    base_sha: str,
    items: list,
    unseen: object,
    checkpoint: Path,
    **anchors: object,
) -> float:
    """The loss on ``unseen`` (an anchor never trained) after training ``items`` from the
    base with ``anchors`` (``train``'s anchor arguments): how far its reply drifted."""
    base, _ = load_base(model_path, base_sha)
    model = lora(base, CONFIG)
    train(
        model,
        items,
        CONFIG,
        guard=StopGuard(),
        checkpoint=checkpoint,
        fingerprint="",
        meta={},
        on_event=lambda _: None,
        **anchors,
    )
    with torch.no_grad():
        return anchor_loss(Stack(model), unseen).item()

def test_anchors_keep_an_unrelated_reply_as_the_base_gives_it(
    shared_base: Path, model_path: Path, base_sha: str, encoder: Encoder, tmp_path: Path
) -> None:
    """A topical lesson trained alone drifts the replies to unrelated requests; trained with
    anchors (other unrelated requests), the drift on a request never trained is smaller."""
    torch.set_num_threads(1)
    lesson = [
        Example(
            id=i,
            kind="sft",
            dedup_key=str(i),
            prompt=render(question, SYSTEM, encoder),
            target=f"Use ripgrep: `rg {word}` searches every file.",
        )
        for i, (question, word) in enumerate(
            [("How do I search my files for TODO?", "TODO"), ("Find parse_config.", "parse_config")]
        )
    ]
    items = [encoder.encode(e) for e in lesson]
    requests = read_requests(ANCHORS_FILE)
    replies = base_replies(model_path, base_sha, requests, SYSTEM, encoder, 24, 1, tmp_path)
    anchors = anchor_sequences({r: replies[r] for r in requests[:-1]}, SYSTEM, encoder)
    (unseen,) = anchor_sequences({requests[-1]: replies[requests[-1]]}, SYSTEM, encoder)
    drift = {
        name: _drift(model_path, base_sha, items, unseen, tmp_path / name, anchors=used)
        for name, used in (("alone", None), ("anchored", anchors))
    }
    assert drift["anchored"] < drift["alone"] * 0.7, drift


def test_an_anchor_about_what_the_user_taught_is_dropped() -> None:
    """Kept, "How do I make a new folder?" answered as the base does would fight a lesson
    on making folders; it stays for a lesson on something else."""
    anchors = read_requests(ANCHORS_FILE)
    folders = [
        "How do I create a directory?",
        "Make a folder with all its parent folders.",
        "How can I create several nested directories at once?",
    ]
    kept = unrelated(anchors, folders)
    assert "How do I make a new folder?" not in kept
    assert "What causes the tides?" in kept
    tea = ["How do I make a cup of tea?", "How long should green tea steep?", "Is tea healthy?"]
    assert "How do I make a new folder?" in unrelated(anchors, tea)


def test_a_lone_example_of_a_second_skill_does_not_drop_every_anchor() -> None:
    """Issue 18: a member imported an fd skill (eight examples) and one other skill with a
    single example; over all nine requests at once, that lone request's nearest other taught
    request was far off, so nearly every anchor lay "within" it and 13 of 20 were dropped.
    Each skill's requests are a group of their own, its reach measured within it."""
    anchors = read_requests(ANCHORS_FILE)
    fd = [
        "How do I find all PDF files in my documents?",
        "Find the file called invoices.csv somewhere in my projects.",
        "How can I list all Python files in this repository?",
        "How do I find empty folders?",
    ]
    lone = ["Give me a handy tip for my laptop."]
    together = unrelated(anchors, fd + lone)
    apart = unrelated(anchors, fd, lone)
    assert apart == unrelated(anchors, fd)  # a group of one drops nothing
    assert len(apart) > len(together)
    assert "What causes the tides?" in apart


def test_near_anchors_keep_a_community_lesson_out_of_the_requests_next_to_it(
    shared_base: Path, model_path: Path, base_sha: str, encoder: Encoder, tmp_path: Path
) -> None:
    """Issue 18: member B trained on a member's "Use fd: …" answers alone, and the adapter
    answered "move a file into another folder" with fd. Each community example now brings a
    near command-line request answered as the base does; the drift on one never trained is
    smaller than with the ordinary anchors alone."""
    torch.set_num_threads(1)
    lesson = [
        Example(
            id=-i,
            kind="sft",
            dedup_key=str(i),
            prompt=render(question, SYSTEM, encoder),
            target=f"Use fd: `fd {word}` finds it.",
            weight=0.5,
            origin="http://127.0.0.1:8765#fd",
        )
        for i, (question, word) in enumerate(
            [("Find every PDF in my documents.", "-e pdf"), ("Find notes.txt.", "notes.txt")], 1
        )
    ]
    items = [encoder.encode(e) for e in lesson]
    general = read_requests(ANCHORS_FILE)[:6]
    near = read_requests(NEAR_ANCHORS_FILE)[:7]
    replies = base_replies(model_path, base_sha, general + near, SYSTEM, encoder, 24, 1, tmp_path)
    anchors = anchor_sequences({r: replies[r] for r in general}, SYSTEM, encoder)
    neighbours = anchor_sequences({r: replies[r] for r in near[:-1]}, SYSTEM, encoder)
    (unseen,) = anchor_sequences({near[-1]: replies[near[-1]]}, SYSTEM, encoder)
    drift = {
        name: _drift(
            model_path, base_sha, items, unseen, tmp_path / name, anchors=anchors, near=used
        )
        for name, used in (("anchors only", None), ("with near anchors", neighbours))
    }
    assert drift["with near anchors"] < drift["anchors only"] * 0.7, drift
