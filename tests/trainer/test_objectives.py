"""Objectives and loop on the real model: losses at their known starting values, learning,
and a preempted-then-resumed run that ends exactly where an uninterrupted one does."""

from __future__ import annotations

import contextlib
import math
import signal
from pathlib import Path

import pytest
import torch
from peft.utils import get_peft_model_state_dict

from app.model.prompt import render_chat
from trainer.__main__ import lora
from trainer.base import load_base
from trainer.config import TrainConfig
from trainer.data import Encoded, Encoder, Example
from trainer.frozen import Stack
from trainer.loop import Preempted, StopGuard, load_checkpoint, train
from trainer.objectives import (
    dpo_loss,
    example_loss,
    hinted_loss,
    kto_loss,
    replay_loss,
    reply_logits,
    sft_loss,
    token_logps,
)

pytestmark = pytest.mark.slow

CONFIG = TrainConfig(
    max_len=64, batch_size=1, steps=4, max_steps=4, checkpoint_every=100, pair_weight=1.0
)


def prompt(question: str) -> str:
    return render_chat(
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": question}]
    )


@pytest.fixture(scope="module")
def encoder(model_path: Path) -> Encoder:
    return Encoder(model_path, CONFIG.max_len)


@pytest.fixture
def model(shared_base: Path, model_path: Path, base_sha: str):
    torch.set_num_threads(1)
    base, _ = load_base(model_path, base_sha)
    return lora(base, CONFIG)


def items(encoder: Encoder) -> list[Encoded]:
    examples = [
        Example(id=1, kind="sft", dedup_key="1", prompt=prompt("Cat's name?"), target="Pixel."),
        Example(
            id=2,
            kind="pair",
            dedup_key="2",
            prompt=prompt("List files?"),
            chosen="Run ls -la.",
            rejected="I can't.",
        ),
        Example(
            id=3, kind="unpaired", dedup_key="3", prompt=prompt("Hi"), reply="Hello!", label=1.0
        ),
        Example(
            id=4,
            kind="hinted",
            dedup_key="4",
            prompt=prompt("2+2?"),
            reply="5.",
            hint="It is 4.",
            target="It is 4.",
            hint_context=prompt("2+2? Hint: it is 4."),
        ),
    ]
    return [encoder.encode(e) for e in examples]


def test_losses_start_at_their_known_values(model, encoder) -> None:
    sft, pair, unpaired, hinted = items(encoder)
    net = Stack(model)
    with torch.no_grad():
        # A fresh LoRA (B = 0) equals its reference, so DPO is log 2 and KTO is 1/2 exactly.
        assert dpo_loss(net, pair, beta=0.1).item() == pytest.approx(math.log(2), abs=1e-5)
        assert kto_loss(net, unpaired, beta=0.1).item() == pytest.approx(0.5, abs=1e-5)
        assert sft_loss(net, sft).item() > 0
        assert hinted_loss(net, hinted, "sft").item() == pytest.approx(sft_loss(net, hinted).item())
        assert hinted_loss(net, hinted, "opd").item() > 1e-4  # the hint changes the distribution
        same = Encoded(hinted.example, hinted.main, hinted.main)
        assert hinted_loss(net, same, "opd").item() == pytest.approx(0.0, abs=1e-5)
        window = encoder.sequence(prompt("Tell me about rivers."), "Rivers carve valleys.").ids
        assert replay_loss(net, window).item() == pytest.approx(0.0, abs=1e-6)


def test_every_objective_has_a_gradient_on_the_lora_only(model, encoder) -> None:
    net = Stack(model)
    for item in items(encoder):
        model.zero_grad()
        example_loss(net, item, CONFIG).backward()
        grads = {n: p.grad for n, p in model.named_parameters() if p.grad is not None}
        assert grads, item.example.kind
        assert all("lora_" in name for name in grads)
        assert any(g.abs().sum() > 0 for g in grads.values()), item.example.kind


def test_a_resumed_run_ends_where_an_uninterrupted_one_does(
    model, encoder, model_path, base_sha, tmp_path
) -> None:
    data = items(encoder)
    ckpt = tmp_path / "run.ckpt"
    events: list[dict] = []
    summary = train(
        model,
        data,
        CONFIG,
        guard=StopGuard(),
        checkpoint=tmp_path / "a.ckpt",
        fingerprint="f",
        meta={},
        on_event=events.append,
    )
    straight = {k: v.clone() for k, v in get_peft_model_state_dict(model).items()}
    losses = [e["loss"] for e in events if e["event"] == "progress"]
    assert summary["steps"] == 4 and len(losses) == 4

    def stop_after_two(event: dict) -> None:
        if event.get("event") == "progress" and event["step"] == 2:
            raise Preempted("test")

    interrupted = lora(load_base(model_path, base_sha)[0], CONFIG)
    with pytest.raises(Preempted):
        train(
            interrupted,
            data,
            CONFIG,
            guard=StopGuard(),
            checkpoint=ckpt,
            fingerprint="f",
            meta={"run_id": 7},
            on_event=stop_after_two,
        )
    assert load_checkpoint(ckpt, "another run") is None
    state = load_checkpoint(ckpt, "f")
    assert state is not None and state["step"] == 2 and state["meta"] == {"run_id": 7}

    resumed = lora(load_base(model_path, base_sha)[0], CONFIG)
    events.clear()
    train(
        resumed,
        data,
        CONFIG,
        guard=StopGuard(),
        checkpoint=ckpt,
        fingerprint="f",
        meta={},
        on_event=events.append,
        resume=state,
    )
    assert events[0] == {"event": "resumed", "step": 2, "total": 4}
    assert [e["loss"] for e in events[1:]] == pytest.approx(losses[2:], rel=1e-4)
    for name, value in get_peft_model_state_dict(resumed).items():
        torch.testing.assert_close(value, straight[name], rtol=1e-4, atol=1e-6)


def test_sft_training_raises_the_likelihood_of_the_target(model, encoder, tmp_path) -> None:
    item = items(encoder)[0]
    net = Stack(model)
    with torch.no_grad():
        before = sft_loss(net, item).item()
    config = TrainConfig(lr=1e-3, max_len=64, batch_size=1, steps=6, max_steps=6)
    train(
        model,
        [item],
        config,
        guard=StopGuard(),
        checkpoint=tmp_path / "c",
        fingerprint="",
        meta={},
        on_event=lambda _: None,
    )
    with torch.no_grad():
        after = sft_loss(net, item).item()
    assert after < before * 0.5


def test_the_lesson_loss_is_read_where_the_hint_changed_the_reply_and_at_its_end(
    model, encoder
) -> None:
    hinted = items(encoder)[3]
    net = Stack(model)
    with torch.no_grad():
        logps = token_logps(reply_logits(net, hinted.main), hinted.main)
        lesson: list[float] = []
        loss = example_loss(net, hinted, CONFIG, lesson)
        kto: list[float] = []
        example_loss(net, items(encoder)[2], CONFIG, kto)
    assert hinted.changed and len(hinted.changed) < len(logps) - 1
    at = [*hinted.changed, len(logps) - 1]
    assert lesson == [pytest.approx(-float(logps[at].mean()), rel=1e-5)]
    assert float(loss) == pytest.approx(-float(logps.mean()), rel=1e-5)  # trained on it all
    assert kto == []  # no likelihood: the run keeps its whole budget


def test_a_run_whose_replies_are_learned_stops_before_its_budget(model, encoder, tmp_path) -> None:
    config = TrainConfig(lr=1e-3, max_len=64, batch_size=1, steps=30, max_steps=30, stop_loss=0.5)
    events: list[dict] = []
    summary = train(
        model,
        items(encoder)[:1],
        config,
        guard=StopGuard(),
        checkpoint=tmp_path / "c",
        fingerprint="",
        meta={},
        on_event=events.append,
    )
    assert summary["budget"] == 30 and summary["steps"] == len(events) < 30
    assert events[-1]["loss"] < 0.5 <= events[-2]["loss"]  # stopped at the first step below
    assert load_checkpoint(tmp_path / "c", "")["step"] == summary["steps"]


def test_a_stop_whose_raise_was_lost_ends_the_run_before_the_next_step(
    model, encoder, tmp_path
) -> None:
    """The signal may land in a finalizer, where Python drops the exception: the loop still
    sees the request and stops, keeping a checkpoint, instead of training to the end."""
    guard = StopGuard()
    with contextlib.suppress(Preempted):  # as a ``__del__`` would swallow it
        guard._on_signal(signal.SIGTERM, None)
    events: list[dict] = []
    with pytest.raises(Preempted):
        train(
            model,
            items(encoder),
            CONFIG,
            guard=guard,
            checkpoint=tmp_path / "run.ckpt",
            fingerprint="f",
            meta={},
            on_event=events.append,
        )
    assert [e["event"] for e in events] == ["checkpoint"]
