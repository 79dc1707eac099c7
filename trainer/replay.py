"""General text the adapter must keep predicting as the base model does (``assets/replay.txt``).

A handful of corrections, repeated for dozens of optimizer steps, pulls the whole model
toward their wording; on its own that costs general language ability (the gate's canary
perplexity rose 8-29 % in early runs). Each step therefore also takes one window of this
text and penalises the KL divergence from the base model's predictions on it (see
:func:`trainer.objectives.replay_loss`): the adapter stays free to change how the
assistant answers, but not how the model reads and continues ordinary prose.

The text is deliberately *not* ``assets/canary.txt``: the canary is the gate's measuring
stick and is never trained on. It covers the same kinds of writing (explanatory prose, a
how-to list, a dialogue, a letter) on other subjects. It is plain text, without the chat
template, so that it does not pull the assistant's replies back toward the base model's.
"""

from __future__ import annotations

import torch

from app.paths import assets_dir
from trainer.data import Encoder

REPLAY_FILE = "replay.txt"


def replay_windows(encoder: Encoder, n_tokens: int) -> list[torch.Tensor]:
    """The replay text as consecutive windows of ``n_tokens`` tokens, each shaped (1, n).

    Every window starts with BOS, as a document does; the last, shorter window is kept
    when it has enough tokens to be worth a step.
    """
    text = (assets_dir() / REPLAY_FILE).read_text(encoding="utf-8")
    ids = encoder.tokens(text, prompt=False)
    bos = encoder.tokens("", prompt=True)
    body = n_tokens - len(bos)
    windows = [ids[i : i + body] for i in range(0, len(ids), body)]
    return [torch.tensor([bos + w], dtype=torch.long) for w in windows if len(w) >= body // 2]
