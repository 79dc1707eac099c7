"""The canary perplexity, measured by the bench itself in the model that answers the user.

The promotion gate (``trainer/evaluate.py``) refuses an adapter that makes the model worse
at general text, measured as perplexity on ``assets/canary.txt``. A benchmark that copied
the gate's own figures would only check the gate against itself, so the learning bench
measures the same text in the running runtime, with whatever adapter it is serving: llama.cpp
is asked for the logits of every canary token (one batch per window) and the perplexity is
the exponential of their mean negative log-likelihood. The windows and tokenization are the
gate's (the reply tokenization, ``max_len`` tokens per window), so the two can be compared.
"""

from __future__ import annotations

import math

import llama_cpp
import numpy as np
from llama_cpp._internals import LlamaBatch

from app.model.runtime import ModelRuntime
from app.paths import assets_dir

CANARY_FILE = "canary.txt"  # the gate's text (trainer/evaluate.py)
WINDOW = 384  # tokens per window: the trainer's default max_len, the gate's window


def canary_text() -> str:
    return (assets_dir() / CANARY_FILE).read_text(encoding="utf-8")


def _window_nll(llm: llama_cpp.Llama, batch: LlamaBatch, ids: list[int]) -> float:
    """Summed negative log-likelihood of ``ids[1:]``, each given the tokens before it."""
    llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(llm.ctx), True)
    batch.set_batch(ids, n_past=0, logits_all=True)
    if llama_cpp.llama_decode(llm.ctx, batch.batch) != 0:
        raise RuntimeError("llama.cpp could not evaluate the canary text")
    logits = (
        np.ctypeslib.as_array(
            llama_cpp.llama_get_logits(llm.ctx), shape=(len(ids) * llm.n_vocab(),)
        )
        .reshape(len(ids), llm.n_vocab())[:-1]
        .astype(np.float64)
    )
    peak = logits.max(axis=1, keepdims=True)
    log_norm = peak[:, 0] + np.log(np.exp(logits - peak).sum(axis=1))
    targets = np.asarray(ids[1:])
    return float((log_norm - logits[np.arange(len(targets)), targets]).sum())


def canary_perplexity(runtime: ModelRuntime, text: str | None = None) -> float:
    """Perplexity of the canary text (or ``text``) under the runtime's current adapter.

    The KV cache is cleared before and after: the next reply starts from an empty cache
    instead of reusing a prefix the canary overwrote.
    """
    llm = runtime.llama
    ids = llm.tokenize((text or canary_text()).encode("utf-8"), add_bos=False, special=True)
    windows = [ids[i : i + WINDOW] for i in range(0, len(ids) - 1, WINDOW)]
    windows = [w for w in windows if len(w) >= 2]
    if not windows:
        raise ValueError("the canary text needs at least two tokens")
    runtime.reset_cache()
    batch = LlamaBatch(n_tokens=WINDOW, embd=0, n_seq_max=1, verbose=False)
    try:
        nll = sum(_window_nll(llm, batch, window) for window in windows)
    finally:
        batch.close()
        runtime.reset_cache()
    return math.exp(nll / sum(len(w) - 1 for w in windows))
