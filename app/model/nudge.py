"""A retrieved lesson's key terms get a head start in decoding, until the reply uses them.

The embedded 135M model copies the *shape* of a worked example more readily than its tool:
shown "Use micro, not nano or vim: `sudo micro /etc/hosts`." as the closest example, it
answered "How do I open nginx.conf for editing?" with "Use `sudo nano /etc/nginx/…`" (the
community_micro tuning scenario: `micro` in 0 of 5 held-out replies with the skill in the
prompt). Words in the system prompt do not move it either (:mod:`app.skills.injection`).

So while a reply has not yet named a term the retrieved lessons are about, the first token
of each way of writing that term (after a space, or right after a backtick, bracket, quote
or line start) gets :data:`START_BIAS` added to its logit: where the model hesitates
between its habit and the lesson's word, the lesson wins; where it is sure of something
else, it still says that. A term the tokenizer splits (``pipx`` → `` pip`` + ``x``) is
finished once begun (:data:`FINISH_BIAS`), or the head start would teach the very word the
lesson replaces. Once the reply names every term, decoding is left alone, so the term is
not repeated. Only the terms of skills retrieved for this request are nudged; retrieval
decides where a lesson applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

# Tuned on bench/scenarios/tune only (docs/learning.md gives the figures).
START_BIAS = 4.0
FINISH_BIAS = 12.0
# What may come right before a term written without a leading space ("`micro", "(micro").
_OPENERS = ("`", "(", "[", "'", '"', "\n", "/")


class Nudge:
    """A llama.cpp logits processor: ``processor(input_ids, scores) -> scores``.

    ``tokenize`` turns text into token ids (no BOS), ``piece`` a token into its bytes;
    ``prompt_tokens`` is how many ids of ``input_ids`` are the prompt, the rest being the
    reply so far.
    """

    def __init__(
        self,
        terms: Sequence[str],
        tokenize: Callable[[str], list[int]],
        piece: Callable[[int], bytes],
        prompt_tokens: int,
        start_bias: float = START_BIAS,
    ) -> None:
        self.terms = [t for t in dict.fromkeys(terms) if t.strip()]
        self.piece = piece
        self.prompt_tokens = prompt_tokens
        self.start_bias = start_bias
        # Per term: (token ids after a space, token ids after an opener or at the start).
        self.spellings = {
            term: (tuple(tokenize(f" {term}")), tuple(tokenize(term))) for term in self.terms
        }
        self.named = {
            term: re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE)
            for term in self.terms
        }

    def __call__(
        self, input_ids: npt.NDArray[np.intc], scores: npt.NDArray[np.single]
    ) -> npt.NDArray[np.single]:
        reply = [int(t) for t in input_ids[self.prompt_tokens :]]
        text = b"".join(self.piece(t) for t in reply).decode("utf-8", "ignore")
        opened = not text or text.endswith(_OPENERS)
        for term in self.terms:
            if self.named[term].search(text):
                continue
            spaced, bare = self.spellings[term]
            if self._finish(reply, spaced, scores) or self._finish(reply, bare, scores):
                continue
            if spaced:
                scores[spaced[0]] += self.start_bias
            if bare and opened:
                scores[bare[0]] += self.start_bias
        return scores

    @staticmethod
    def _finish(
        reply: list[int], spelling: tuple[int, ...], scores: npt.NDArray[np.single]
    ) -> bool:
        """Push the next token of ``spelling`` when the reply ends with a begun part of it."""
        for begun in range(len(spelling) - 1, 0, -1):
            if reply[-begun:] == list(spelling[:begun]):
                scores[spelling[begun]] += FINISH_BIAS
                return True
        return False
