"""The four training objectives, one per kind of example, all on reply tokens only.

- ``sft`` (a corrected target): mean negative log-likelihood of the target.
- ``pair`` (chosen vs rejected): DPO. The reference policy is the base model itself, reached
  by switching the LoRA off (``model.disable_adapter()``), so no second copy of the weights
  is held in memory.
- ``unpaired`` (a reply with a thumbs-up or -down): KTO-style: the sigmoid of the reply's
  log-ratio against the reference, pushed up for +1 and down for -1. The KL baseline of the
  KTO paper is taken as 0: with one example per forward pass there is no batch of
  mismatched completions to estimate it from.
- ``hinted`` (a reply plus the user's hint about what was wrong): on-policy distillation.
  The same model, with the hint in its context, is the teacher for the reply without the
  hint; the loss is the token-level reverse KL(student ‖ teacher) over the reply positions,
  so the model learns to behave as if it had been given the hint.

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
from peft import PeftModel

from trainer.config import TrainConfig
from trainer.data import Encoded, TokenSequence


def reply_logits(model: PeftModel, seq: TokenSequence) -> torch.Tensor:
    """Logits at the positions that predict the reply tokens, shape (n_reply, vocab).

    Only those positions go through the output layer (``logits_to_keep``): with a 49k-word
    vocabulary, projecting the prompt positions too would be wasted work.
    """
    out = model(input_ids=seq.ids, logits_to_keep=seq.n_reply + 1, use_cache=False)
    return out.logits[0, :-1].float()


def token_logps(logits: torch.Tensor, seq: TokenSequence) -> torch.Tensor:
    """Log-probability of each reply token under ``logits`` (shape (n_reply,))."""
    targets = seq.ids[0, seq.reply_start :]
    return torch.log_softmax(logits, dim=-1).gather(1, targets[:, None]).squeeze(1)


def sequence_logp(model: PeftModel, seq: TokenSequence) -> torch.Tensor:
    return token_logps(reply_logits(model, seq), seq).sum()


def reference_logp(model: PeftModel, seq: TokenSequence) -> torch.Tensor:
    """The same quantity under the base model (adapter switched off), without gradients."""
    with torch.no_grad(), model.disable_adapter():
        return sequence_logp(model, seq)


def sft_loss(model: PeftModel, enc: Encoded) -> torch.Tensor:
    return -token_logps(reply_logits(model, enc.main), enc.main).mean()


def dpo_loss(model: PeftModel, enc: Encoded, beta: float) -> torch.Tensor:
    if enc.other is None:
        raise ValueError("a preference example needs a rejected reply")
    chosen = sequence_logp(model, enc.main) - reference_logp(model, enc.main)
    rejected = sequence_logp(model, enc.other) - reference_logp(model, enc.other)
    return -F.logsigmoid(beta * (chosen - rejected))


def kto_loss(model: PeftModel, enc: Encoded, beta: float) -> torch.Tensor:
    sign = 1.0 if (enc.example.label or 0) > 0 else -1.0
    log_ratio = sequence_logp(model, enc.main) - reference_logp(model, enc.main)
    return 1.0 - torch.sigmoid(sign * beta * log_ratio)


def hinted_loss(model: PeftModel, enc: Encoded) -> torch.Tensor:
    if enc.other is None:
        raise ValueError("a hinted example needs its hint-conditioned teacher sequence")
    with torch.no_grad():
        teacher = torch.log_softmax(reply_logits(model, enc.other), dim=-1)
    student = torch.log_softmax(reply_logits(model, enc.main), dim=-1)
    return (student.exp() * (student - teacher)).sum(-1).mean()


def example_loss(model: PeftModel, enc: Encoded, config: TrainConfig) -> torch.Tensor:
    """The weighted loss of one example, dispatched on its kind."""
    kind = enc.example.kind
    if kind == "sft":
        loss, weight = sft_loss(model, enc), config.sft_weight
    elif kind == "pair":
        loss, weight = dpo_loss(model, enc, config.beta), config.pair_weight
    elif kind == "unpaired":
        loss, weight = kto_loss(model, enc, config.beta), config.unpaired_weight
    elif kind == "hinted":
        loss, weight = hinted_loss(model, enc), config.hinted_weight
    else:
        raise ValueError(f"unknown example kind {kind!r}")
    return loss * weight * enc.example.weight
