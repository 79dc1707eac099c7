"""The promotion gate: a candidate adapter must beat what is serving now, without collateral.

Both adapters are measured with llama.cpp on the served GGUF, i.e. on the exact weights,
quantization and adapter file the user will get, not on the float32 training copy. Two tests:

1. Held-out user examples (never trained on by any adapter, see ``data.split_holdout``), on
   their prompts without skills (``data.without_skills``):
   each gives a score where higher is better (the mean per-token log-likelihood of a
   target or a thumbs-up reply, minus it for a thumbs-down reply, and for a pair the
   chosen reply's minus the rejected reply's), plus preference accuracy on pairs (does
   the model give the chosen reply a higher per-token log-likelihood than the rejected
   one). Per token, as the score is: with summed log-likelihoods a correction longer than
   the reply it replaces (a pirate rewrite of a short answer) counts as dispreferred however
   well the adapter learned it, and a candidate was refused for exactly that.
   A hinted example is scored as a correction is, on its teacher reply: the reply the
   served model wrote with the user's hint in context, checked to follow it
   (``trainer/teacher.py``), so a directive said in words decides promotion too.
2. Canary perplexity on ``assets/canary.txt``, varied general English: an adapter that
   fits the user's examples by breaking the model's general language is refused.

Promotion needs a higher mean user score, preference accuracy not lower, and canary
perplexity at most ``tolerance`` (5 %) above the current adapter's (or the base model's).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from llama_cpp import Llama

from app.atomic import write_text_atomic
from app.model.runtime import default_threads
from app.paths import assets_dir
from trainer.data import Encoded, Encoder, TokenSequence

CANARY_FILE = "canary.txt"
CANARY_CACHE = "canary-ppl.json"
_EPS = 1e-6


def canary_text() -> str:
    return (assets_dir() / CANARY_FILE).read_text(encoding="utf-8")


class Scorer:
    """The served model in llama.cpp, with or without one adapter, returning log-probs."""

    def __init__(
        self, model_path: Path, adapter: Path | None, n_ctx: int = 1024, n_threads: int = 0
    ) -> None:
        self.n_ctx = n_ctx
        self.llm = Llama(
            model_path=str(model_path),
            lora_path=str(adapter) if adapter else None,
            logits_all=True,
            n_ctx=n_ctx,
            n_batch=n_ctx,
            n_threads=n_threads or default_threads(),
            n_threads_batch=n_threads or default_threads(),
            verbose=False,
        )

    def token_logps(self, ids: list[int], start: int) -> np.ndarray:
        """Log-probability of ``ids[start:]`` given everything before (``start`` >= 1)."""
        if not 1 <= start < len(ids) <= self.n_ctx:
            raise ValueError(f"cannot score tokens {start}..{len(ids)} in a {self.n_ctx} context")
        self.llm.reset()
        self.llm.eval(ids)
        logits = np.asarray(self.llm.scores[start - 1 : len(ids) - 1], dtype=np.float64)
        peak = logits.max(axis=1, keepdims=True)
        log_norm = peak[:, 0] + np.log(np.exp(logits - peak).sum(axis=1))
        targets = np.asarray(ids[start:])
        return logits[np.arange(len(targets)), targets] - log_norm

    def reply_logps(self, seq: TokenSequence) -> np.ndarray:
        return self.token_logps(seq.ids[0].tolist(), seq.reply_start)

    def perplexity(self, ids: list[int]) -> float:
        """Perplexity over ``ids`` in consecutive windows of the context size."""
        nll, count = 0.0, 0
        for begin in range(0, len(ids) - 1, self.n_ctx):
            window = ids[begin : begin + self.n_ctx]
            if len(window) < 2:
                break
            logps = self.token_logps(window, 1)
            nll -= float(logps.sum())
            count += len(logps)
        return math.exp(nll / count)

    def close(self) -> None:
        self.llm.close()


@dataclass
class Scores:
    user_score: float | None
    pref_accuracy: float | None
    n_scored: int
    canary_ppl: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def score(
    scorer: Scorer, held_out: list[Encoded], canary_ids: list[int], canary_ppl: float | None = None
) -> Scores:
    """The user score is the mean over the items that name the reply the user wants (a
    target, a rated reply); a pair counts there only when no such item has its prompt and
    chosen reply. A correction is recorded both as a target and as a pair against the reply
    it replaced: counted twice, on two scales (a log-likelihood near -2 and a margin near
    0), the pair's margin moved the mean as much as the target did and made it noisier.
    Every pair still counts for preference accuracy. A hinted example is scored as a target
    is, on its checked teacher reply (``trainer/teacher.py``), but only on the tokens the
    hint changed (``Encoded.changed``): the rest is the current model's own wording, which
    the current model always scores best. Scored on the whole reply, a candidate that
    learned a Summary: line was refused (-0.85 vs -0.78) for losing the base's phrasing."""
    item_scores: list[float] = []
    preferences: list[bool] = []
    wanted = {
        (item.example.prompt, item.example.desired)
        for item in held_out
        if item.example.kind in ("sft", "unpaired", "hinted")
    }
    for item in held_out:
        kind = item.example.kind
        main = scorer.reply_logps(item.main)
        if kind == "pair" and item.other is not None:
            other = scorer.reply_logps(item.other)
            preferences.append(float(main.mean()) > float(other.mean()))
            if (item.example.prompt, item.example.chosen) not in wanted:
                item_scores.append(float(main.mean() - other.mean()))
        elif kind == "unpaired":
            sign = 1.0 if (item.example.label or 0) > 0 else -1.0
            item_scores.append(sign * float(main.mean()))
        elif kind == "hinted" and item.changed:
            item_scores.append(float(main[list(item.changed)].mean()))
        else:
            item_scores.append(float(main.mean()))
    return Scores(
        user_score=float(np.mean(item_scores)) if item_scores else None,
        pref_accuracy=float(np.mean(preferences)) if preferences else None,
        n_scored=len(item_scores),
        canary_ppl=canary_ppl if canary_ppl is not None else scorer.perplexity(canary_ids),
    )


def _identity(path: Path | None) -> str:
    if path is None:
        return "base"
    stat = path.stat()
    return f"{path.resolve()}:{stat.st_size}:{stat.st_mtime_ns}"


class CanaryCache:
    """The canary perplexity of the adapter serving now (or the base model), kept between
    runs in the trainer's cache folder: it is the same figure every run until a candidate
    is promoted, and measuring it was half of the gate's work (745 tokens of canary, on
    the shared 2-core machine 10-20 s). Keyed by the model and adapter files (path, size,
    modification time), the canary text and the context size; one entry is kept."""

    def __init__(self, folder: Path, model_path: Path, adapter: Path | None, n_ctx: int) -> None:
        self.file = folder / CANARY_CACHE
        key = json.dumps([_identity(model_path), _identity(adapter), canary_text(), n_ctx])
        self.key = hashlib.sha256(key.encode()).hexdigest()

    def get(self) -> float | None:
        try:
            value = json.loads(self.file.read_text(encoding="utf-8")).get(self.key)
        except (OSError, ValueError, AttributeError):
            return None
        return float(value) if isinstance(value, (int, float)) and value > 0 else None

    def put(self, value: float) -> None:
        self.file.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.file, json.dumps({self.key: value}))


def decide(candidate: Scores, current: Scores, tolerance: float) -> tuple[bool, str]:
    """(promote?, the reason in words) — the reason is shown to the user on the dashboard."""
    if candidate.user_score is None or current.user_score is None:
        return False, "no held-out examples to measure the candidate on"
    if candidate.user_score <= current.user_score + _EPS:
        return False, (
            f"not better on held-out examples ({candidate.user_score:.4f} vs "
            f"{current.user_score:.4f})"
        )
    if (
        candidate.pref_accuracy is not None
        and current.pref_accuracy is not None
        and candidate.pref_accuracy < current.pref_accuracy
    ):
        return False, (
            f"preference accuracy dropped ({candidate.pref_accuracy:.2f} vs "
            f"{current.pref_accuracy:.2f})"
        )
    limit = current.canary_ppl * (1 + tolerance)
    if candidate.canary_ppl > limit:
        return False, (
            f"general text got worse: canary perplexity {candidate.canary_ppl:.2f} > "
            f"{limit:.2f} (current {current.canary_ppl:.2f} + {tolerance:.0%})"
        )
    return True, (
        f"better on held-out examples ({candidate.user_score:.4f} vs "
        f"{current.user_score:.4f}), canary perplexity {candidate.canary_ppl:.2f} "
        f"(current {current.canary_ppl:.2f})"
    )


def gate(
    model_path: Path,
    candidate: Path,
    current: Path | None,
    held_out: list[Encoded],
    encoder: Encoder,
    tolerance: float,
    n_threads: int = 0,
    cache_dir: Path | None = None,
) -> dict[str, Any]:
    """Score the candidate and the current adapter (``None``: the base model); decide.
    With ``cache_dir``, the current adapter's canary perplexity is read from there when it
    was measured before (:class:`CanaryCache`)."""
    canary_ids = encoder.tokens(canary_text(), prompt=False)
    n_ctx = max(encoder.max_len, 256)
    cache = CanaryCache(cache_dir, model_path, current, n_ctx) if cache_dir else None
    known = {"current": cache.get() if cache else None, "candidate": None}
    results = {}
    for name, adapter in (("current", current), ("candidate", candidate)):
        scorer = Scorer(model_path, adapter, n_ctx=n_ctx, n_threads=n_threads)
        try:
            results[name] = score(scorer, held_out, canary_ids, known[name])
        finally:
            scorer.close()
    if cache and known["current"] is None:
        cache.put(results["current"].canary_ppl)
    promote, reason = decide(results["candidate"], results["current"], tolerance)
    return {
        "promote": promote,
        "reason": reason,
        "candidate": results["candidate"].as_dict(),
        "current": results["current"].as_dict(),
        "n_held_out": len(held_out),
    }
