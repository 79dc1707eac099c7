"""The training loop: examples in a seeded order, AdamW on the LoRA weights, checkpoints.

Preemption is the design constraint. The app stops the trainer with SIGTERM as soon as the
user comes back, and expects it gone within seconds; one optimizer step on a long example
can take longer than that. So SIGTERM raises :class:`Preempted` at once, in the middle of a
forward or backward pass if need be (nothing is lost: gradients are discarded and the
weights are still those of the last finished step), except inside :meth:`StopGuard.critical`
sections (the optimizer update, checkpoint writes, database commits), where it is deferred
to the section's end. On :class:`Preempted` the loop saves a checkpoint, and the next run
with the same data and config resumes from it.
"""

from __future__ import annotations

import math
import os
import random
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from peft import PeftModel
from peft.utils import get_peft_model_state_dict, set_peft_model_state_dict

from trainer.anchors import anchor_loss
from trainer.config import TrainConfig
from trainer.data import Encoded, TokenSequence
from trainer.frozen import Stack
from trainer.objectives import example_loss, replay_loss

Event = Callable[[dict[str, Any]], None]


class Preempted(BaseException):
    """SIGTERM (or SIGINT) arrived: stop now, keep what is done.

    A :class:`BaseException`, as :class:`KeyboardInterrupt` is: the signal lands in whatever
    code runs, and code that turns any failure into its own error (``except Exception`` around
    a model's chat template) must not swallow the stop.
    """


class StopGuard:
    """Turns SIGTERM/SIGINT into :class:`Preempted`, deferred while in a critical section."""

    def __init__(self) -> None:
        self.requested = False
        self._depth = 0
        self._deferred = False

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.requested = True
        if self._depth == 0:
            raise Preempted(signal.Signals(signum).name)
        self._deferred = True

    def check(self) -> None:
        """Raise :class:`Preempted` if a stop was requested and the raise got lost.

        The handler raises in whatever code the signal lands in; where that is a finalizer
        (``__del__`` of a model being freed), Python prints the exception and drops it. The
        loop and the run's phases call this, so such a stop still ends the run within a step.
        """
        if self.requested and self._depth == 0:
            raise Preempted("stop requested")

    @contextmanager
    def critical(self) -> Iterator[None]:
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if self._deferred and self._depth == 0:
            self._deferred = False
            raise Preempted("stop requested during a critical section")


def budget(n_examples: int, config: TrainConfig) -> int:
    """Optimizer steps for a run over ``n_examples``: enough for ``config.passes`` passes,
    at least ``config.steps`` and at most ``config.max_steps``.

    A fixed budget would spread ever thinner as corrections accumulate (measured: a second
    lesson trained with the same 30 steps halved the first lesson's adoption).
    """
    wanted = math.ceil(config.passes * n_examples / config.batch_size)
    return min(config.max_steps, max(config.steps, wanted))


def schedule(n_examples: int, config: TrainConfig) -> list[list[int]]:
    """Example indices for every optimizer step: shuffled passes, cut into batches.

    The number of steps is :func:`budget`: a handful of corrections is repeated until it is
    used (a few passes are far too few steps to change what the model says), a large set is
    sampled. Derived from the seed alone, so a resumed run recomputes the same order and
    continues after its checkpoint.
    """
    rng = random.Random(config.seed)
    total = budget(n_examples, config)
    order: list[int] = []
    while len(order) < total * config.batch_size:
        epoch = list(range(n_examples))
        rng.shuffle(epoch)
        order += epoch
    return [order[i * config.batch_size : (i + 1) * config.batch_size] for i in range(total)]


def converged(latest: dict[int, float | None], n_items: int, config: TrainConfig) -> bool:
    """Whether the run may stop before its budget: every item trained at least once, each
    by likelihood, and the mean of their latest lesson losses (nats per token over what
    the lesson changed and the reply's end, see :func:`trainer.objectives.sft_loss`)
    below ``config.stop_loss``.

    The budget is sized for a lesson that is hard to learn, and each step costs seconds.
    Measured on the whole reply instead, the mean was low after 12 of say_summary's 30
    steps (most of a teacher reply is the model's own wording) and the adapter stopped
    there wrote "Summary:" lines in a loop, in 3 of 5 control replies. A preference or
    thumbs objective has no such scale, so a run with one trains its whole budget.
    """
    if config.stop_loss <= 0 or len(latest) < n_items:
        return False
    values = [v for v in latest.values() if v is not None]
    return len(values) == len(latest) and sum(values) / len(values) < config.stop_loss


def learning_rate(step: int, total: int, config: TrainConfig) -> float:
    """Linear warm-up to ``config.lr``, then a cosine decay to a tenth of it at step
    ``total - 1``.

    A function of the step alone, so a resumed run continues on the same curve. A budget
    shorter than the warm-up still reaches the peak at its last step.
    """
    warmup = min(config.warmup_steps, total - 1)
    if step < warmup:
        return config.lr * (step + 1) / warmup
    span = max(1, total - 1 - warmup)
    progress = (step - warmup) / span
    return config.lr * (0.1 + 0.45 * (1 + math.cos(math.pi * progress)))


def save_checkpoint(
    path: Path,
    model: PeftModel,
    optimizer: torch.optim.Optimizer,
    step: int,
    fingerprint: str,
    meta: dict[str, Any],
) -> None:
    """Write LoRA weights, optimizer state and position atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    torch.save(
        {
            "fingerprint": fingerprint,
            "step": step,
            "lora": get_peft_model_state_dict(model),
            "optimizer": optimizer.state_dict(),
            "rng": torch.get_rng_state(),
            "meta": meta,
        },
        tmp,
    )
    os.replace(tmp, path)


def load_checkpoint(path: Path, fingerprint: str) -> dict[str, Any] | None:
    """The checkpoint at ``path`` if it belongs to this exact run (same base, data, config)."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        return None
    except (OSError, RuntimeError, EOFError, ValueError):
        return None  # a damaged checkpoint only costs a restart from scratch
    if not isinstance(state, dict) or state.get("fingerprint") != fingerprint:
        return None
    return state


def train(
    model: PeftModel,
    items: list[Encoded],
    config: TrainConfig,
    *,
    guard: StopGuard,
    checkpoint: Path,
    fingerprint: str,
    meta: dict[str, Any],
    on_event: Event,
    resume: dict[str, Any] | None = None,
    replay: list[torch.Tensor] | None = None,
    anchors: list[TokenSequence] | None = None,
    near: list[TokenSequence] | None = None,
) -> dict[str, Any]:
    """Train ``model``'s LoRA on ``items``; return a summary (steps, final loss, tokens/s).

    With ``replay`` windows and a non-zero ``config.replay_weight``, each step also adds the
    KL to the base model on one window (taken in turn), to keep general text unchanged;
    with ``anchors`` and a non-zero ``config.anchor_weight``, the KL to the base model on one
    unrelated chat turn's reply (:mod:`trainer.anchors`), to keep the lesson out of it;
    with ``near`` anchors and a non-zero ``config.near_anchor_weight``, the same for one near
    command-line request per community example in the step.
    """
    steps = schedule(len(items), config)
    if near:  # in a seeded order: a run with few steps still meets requests of every kind
        near = random.Random(config.seed).sample(near, len(near))
    net = Stack(model)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    start = 0
    if resume is not None:
        set_peft_model_state_dict(model, resume["lora"])
        optimizer.load_state_dict(resume["optimizer"])
        torch.set_rng_state(resume["rng"])
        start = int(resume["step"])
        on_event({"event": "resumed", "step": start, "total": len(steps)})
    model.train()
    done, loss_value, replay_value, tokens, busy = start, None, None, 0, 0.0
    latest: dict[int, float | None] = {}  # per item, its last lesson loss (converged)
    try:
        for step in range(start, len(steps)):
            guard.check()
            began = time.perf_counter()
            batch = [items[i] for i in steps[step]]
            step_loss, step_replay = 0.0, None
            for slot, index in enumerate(steps[step]):
                item, lesson = items[index], []
                loss = example_loss(net, item, config, lesson) / len(batch)
                loss.backward()
                step_loss += float(loss.detach())
                latest[index] = lesson[0] if lesson else None
                if near and config.near_anchor_weight > 0 and item.example.origin is not None:
                    turn = near[(step * config.batch_size + slot) % len(near)]
                    (anchor_loss(net, turn) * config.near_anchor_weight).backward()
                    tokens += int(turn.ids.shape[1])
            if replay and config.replay_weight > 0:
                window = replay[step % len(replay)]
                kl = replay_loss(net, window)
                (kl * config.replay_weight).backward()
                step_replay = float(kl.detach())
                tokens += int(window.shape[1])
            if anchors and config.anchor_weight > 0:
                turn = anchors[step % len(anchors)]
                (anchor_loss(net, turn) * config.anchor_weight).backward()
                tokens += int(turn.ids.shape[1])
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, len(steps), config)
            with guard.critical():
                if config.grad_clip > 0:
                    torch.nn.utils.clip_grad_norm_(params, config.grad_clip)
                optimizer.step()
                optimizer.zero_grad(set_to_none=True)
                done = step + 1
                stop = converged(latest, len(items), config)
                if done % config.checkpoint_every == 0 or done == len(steps) or stop:
                    save_checkpoint(checkpoint, model, optimizer, done, fingerprint, meta)
            loss_value, replay_value = step_loss, step_replay
            tokens += sum(item.n_tokens for item in batch)
            busy += time.perf_counter() - began
            on_event(
                {
                    "event": "progress",
                    "step": done,
                    "total": len(steps),
                    "loss": step_loss,
                    "replay_kl": step_replay,
                    "tokens_per_s": tokens / busy if busy else 0.0,
                }
            )
            if stop:
                break
    except Preempted:
        optimizer.zero_grad(set_to_none=True)
        with guard.critical():
            save_checkpoint(checkpoint, model, optimizer, done, fingerprint, meta)
        on_event({"event": "checkpoint", "step": done, "total": len(steps)})
        raise
    model.eval()
    return {
        "steps": done,
        "budget": len(steps),
        "resumed_from": start,
        "final_loss": loss_value,
        "final_replay_kl": replay_value,
        "train_tokens": tokens,
        "tokens_per_s": tokens / busy if busy else 0.0,
    }
