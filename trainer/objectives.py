"""The four training objectives, one per kind of example, all on reply tokens only.

- ``sft`` (a corrected target): mean negative log-likelihood of the target.
- ``pair`` (chosen vs rejected): DPO. The reference policy is the base model itself, reached
  by switching the LoRA off (``net.disable_adapter()``), so no second copy of the weights
  is held in memory.
- ``unpaired`` (a reply with a thumbs-up or -down): KTO-style: the sigmoid of the reply's
  log-ratio against the reference, pushed up for +1 and down for -1. The KL baseline of the
  KTO paper is taken as 0: with one example per forward pass there is no batch of
  mismatched completions to estimate it from.
- ``hinted`` (a reply plus the user's hint about what was wrong): on-policy distillation.
  The served model, with the hint in its context, wrote a reply that was checked to follow
  the hint (:mod:`trainer.teacher`); the model without the hint is trained towards it,
  either by SFT on that reply (``hinted_objective = "sft"``, the default) or token by token
  (``"opd"``): the KL from the base model's next-token distributions *with* the hint to the
  adapted model's *without* it, over the teacher reply's positions. Which one teaches more
  was measured (``docs/learning.md``).

Beside them, ``replay_loss`` is the regulariser: KL(base ‖ adapted) on a window of general
text (:mod:`trainer.replay`), the base again reached by switching the LoRA off.

Why written here instead of using TRL: TRL offers each objective as its own trainer built on
the Hugging Face ``Trainer``, with its own loop, data collation and dataset format. Flywheel
needs all four objectives mixed within one optimizer step, a loop that stops within seconds
of SIGTERM and checkpoints on its own terms, and sequences tokenized by llama.cpp for
train/serve parity. Each loss is a few lines of tensor code, which is less to audit than that
integration would be.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from trainer.config import TrainConfig
from trainer.data import Encoded, Example, TokenSequence
from trainer.frozen import Stack


def reply_logits(net: Stack, seq: TokenSequence) -> torch.Tensor:
    """Logits at the positions that predict the reply tokens, shape (n_reply, vocab).

    Only those positions go through the output layer: with a 49k-word vocabulary,
    projecting the prompt positions too would be wasted work.
    """
    return net.logits(seq.ids, seq.n_reply + 1)[:-1]


def token_logps(logits: torch.Tensor, seq: TokenSequence) -> torch.Tensor:
    """Log-probability of each reply token under ``logits`` (shape (n_reply,))."""
    targets = seq.ids[0, seq.reply_start :]
    return torch.log_softmax(logits, dim=-1).gather(1, targets[:, None]).squeeze(1)


def sequence_logp(net: Stack, seq: TokenSequence) -> torch.Tensor:
    return token_logps(reply_logits(net, seq), seq).sum()


def reference_logp(net: Stack, seq: TokenSequence) -> torch.Tensor:
    """The same quantity under the base model (adapter switched off), without gradients.

    The base does not change during a run, so each sequence's value is computed once and
    kept: a preference example is visited many times, and this halves its cost.
    """
    key = (seq.ids.numpy().tobytes(), seq.reply_start)
    if key not in net.references:
        with torch.no_grad(), net.disable_adapter():
            net.references[key] = sequence_logp(net, seq)
    return net.references[key]


def sft_loss(net: Stack, enc: Encoded, lesson: list[float] | None = None) -> torch.Tensor:
    """The reply's mean negative log-likelihood; with ``lesson``, also appends that of the
    tokens that carry the lesson (for the loop's early stop): those the hint changed
    (``Encoded.changed``) and the reply's last (where it ends: a student that learned a
    Summary: line but not to stop after it wrote the line again and again), else all."""
    logps = token_logps(reply_logits(net, enc.main), enc.main)
    if lesson is not None:
        at = [*enc.changed, len(logps) - 1] if enc.changed else list(range(len(logps)))
        lesson.append(-float(logps.detach()[at].mean()))
    return -logps.mean()


def dpo_loss(net: Stack, enc: Encoded, beta: float) -> torch.Tensor:
    if enc.other is None:
        raise ValueError("a preference example needs a rejected reply")
    chosen = sequence_logp(net, enc.main) - reference_logp(net, enc.main)
    rejected = sequence_logp(net, enc.other) - reference_logp(net, enc.other)
    return -F.logsigmoid(beta * (chosen - rejected))


def kto_loss(net: Stack, enc: Encoded, beta: float) -> torch.Tensor:
    sign = 1.0 if (enc.example.label or 0) > 0 else -1.0
    log_ratio = sequence_logp(net, enc.main) - reference_logp(net, enc.main)
    return 1.0 - torch.sigmoid(sign * beta * log_ratio)


def hinted_loss(
    net: Stack, enc: Encoded, objective: str = "sft", lesson: list[float] | None = None
) -> torch.Tensor:
    """SFT on the checked teacher reply, or (``"opd"``) the per-token KL(teacher ‖ student):
    the teacher is the base model reading the reply after the hint (computed without
    gradients, so it stays fixed while the adapter moves), the student the adapted model
    reading it after the prompt alone."""
    if enc.other is None:
        raise ValueError("a hinted example needs its teacher sequence")
    if objective == "sft":
        return sft_loss(net, enc, lesson)
    with torch.no_grad(), net.disable_adapter():
        teacher = torch.log_softmax(reply_logits(net, enc.other), dim=-1)
    student = torch.log_softmax(reply_logits(net, enc.main), dim=-1)
    return (teacher.exp() * (teacher - student)).sum(-1).mean()


def replay_loss(net: Stack, ids: torch.Tensor) -> torch.Tensor:
    """Mean per-token KL(base ‖ adapted) of the next-token distributions over ``ids``.

    The forward direction (expectation under the base) penalises the adapter most where the
    base is confident, which is what a perplexity measurement on ordinary text punishes.
    """
    base = net.base_log_probs(ids)
    adapted = torch.log_softmax(net.logits(ids), -1)
    return (base.exp() * (base - adapted)).sum(-1).mean()


def objective_weight(example: Example, config: TrainConfig) -> float:
    """The configured weight of one example's objective (0 leaves it out of training)."""
    if example.kind == "pair" and example.evaluative:
        return config.preference_weight
    weights = {
        "sft": config.sft_weight,
        "pair": config.pair_weight,
        "unpaired": config.unpaired_weight,
        "hinted": config.hinted_weight,
    }
    if example.kind not in weights:
        raise ValueError(f"unknown example kind {example.kind!r}")
    return weights[example.kind]


def example_loss(
    net: Stack, enc: Encoded, config: TrainConfig, lesson: list[float] | None = None
) -> torch.Tensor:
    """The weighted loss of one example, dispatched on its kind (``lesson``: see
    :func:`sft_loss`; left empty by the objectives that are no likelihood)."""
    kind = enc.example.kind
    weight = objective_weight(enc.example, config)
    if kind == "sft":
        loss = sft_loss(net, enc, lesson)
    elif kind == "pair":
        loss = dpo_loss(net, enc, config.beta)
    elif kind == "unpaired":
        loss = kto_loss(net, enc, config.beta)
    else:
        loss = hinted_loss(net, enc, config.hinted_objective, lesson)
    return loss * weight * enc.example.weight
