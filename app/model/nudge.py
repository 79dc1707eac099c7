"""A retrieved lesson's program gets a head start in decoding, until the reply names it.

The embedded 135M model copies the *shape* of a worked example more readily than its tool:
shown "Use micro, not nano or vim: `sudo micro /etc/hosts`." as the closest example, it
answered "How do I open nginx.conf for editing?" with "Use `sudo nano /etc/nginx/…`" (the
community_micro tuning scenario: `micro` in 0 of 5 held-out replies with the skill in the
prompt). Words in the system prompt do not move it either (:mod:`app.skills.injection`).

So while a reply has not yet named a program the retrieved lessons are about
(:func:`app.skills.injection.key_terms`, which only hands over program-shaped words), the
first token of each way of writing it gets :data:`START_BIAS` added to its logit: after a
space when that token is a real piece of the word (two letters or more: `` m`` of ``mlr``
would be pushed into every reply), and right after a backtick, bracket, quote or at the
start of the reply whatever its length. Where the model hesitates between its habit and the
lesson's word, the lesson wins; where it is sure, it still says what it would. A word the
tokenizer splits (``pipx`` → `` pip`` + ``x``) is finished once begun at a word start
(:data:`FINISH_BIAS`), or the head start would teach the very word the lesson replaces;
begun inside another word ("rg" before ``gdu``) it is left alone. Once the reply names a
program, that program is left alone, so it is not repeated. Only the programs of skills
retrieved for this request are nudged: retrieval decides where a lesson applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

# Tuned on bench/scenarios/tune only (docs/learning.md gives the figures).
START_BIAS = 4.0
FINISH_BIAS = 12.0
MAX_TERM_TOKENS = 6  # a program's name, not a sentence
# What may come right before a program written without a leading space ("`micro", "(micro").
_OPENERS = ("`", "(", "[", "'", '"', "\n")
_ALNUM = re.compile(r"[A-Za-z0-9]")


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
        self.piece = piece
        self.prompt_tokens = prompt_tokens
        self.start_bias = start_bias
        # Per term: its spelling after a space (None when its first token is too short to
        # start), and its spelling after an opener.
        self.spellings: dict[str, tuple[tuple[int, ...] | None, tuple[int, ...]]] = {}
        for term in dict.fromkeys(t for t in terms if t.strip()):
            spaced = _continuation(tokenize, "x", f"x {term}")
            bare = _continuation(tokenize, "`", f"`{term}")
            if not bare or len(bare) > MAX_TERM_TOKENS or len(spaced) > MAX_TERM_TOKENS:
                continue
            head = piece(spaced[0]).decode("utf-8", "ignore") if spaced else ""
            long_enough = len(_ALNUM.findall(head)) >= 2
            self.spellings[term] = (spaced if long_enough else None, bare)
        self.named = {
            term: re.compile(rf"(?<![\w-]){re.escape(term)}(?![\w-])", re.IGNORECASE)
            for term in self.spellings
        }
        self._said: set[str] = set()
        self._text = ""
        self._seen = 0

    def __call__(
        self, input_ids: npt.NDArray[np.intc], scores: npt.NDArray[np.single]
    ) -> npt.NDArray[np.single]:
        reply = [int(t) for t in input_ids[self.prompt_tokens :]]
        self._read(reply)
        for term, (spaced, bare) in self.spellings.items():
            if term in self._said:
                continue
            if self.named[term].search(self._text):
                self._said.add(term)
                continue
            if spaced and self._finish(reply, spaced, scores, opener_needed=False):
                continue
            if self._finish(reply, bare, scores, opener_needed=True):
                continue
            if spaced:
                scores[spaced[0]] += self.start_bias
            if not self._text or self._text.endswith(_OPENERS):
                scores[bare[0]] += self.start_bias
        return scores

    def _read(self, reply: list[int]) -> None:
        """Decode the tokens added since the last call (one processor serves one reply,
        which only ever grows)."""
        fresh = b"".join(self.piece(t) for t in reply[self._seen :])
        self._text += fresh.decode("utf-8", "ignore")
        self._seen = len(reply)

    def _finish(
        self,
        reply: list[int],
        spelling: tuple[int, ...],
        scores: npt.NDArray[np.single],
        opener_needed: bool,
    ) -> bool:
        """Push the next token of ``spelling`` when the reply ends with a begun part of it
        that starts a word (for the spelling without a space: after an opener)."""
        for begun in range(len(spelling) - 1, 0, -1):
            if len(reply) < begun or reply[-begun:] != list(spelling[:begun]):
                continue
            if opener_needed:
                before = b"".join(self.piece(t) for t in reply[:-begun][-4:])
                text = before.decode("utf-8", "ignore")
                if len(reply) > begun and not text.endswith(_OPENERS):
                    continue
            scores[spelling[begun]] += FINISH_BIAS
            return True
        return False


def _continuation(tokenize: Callable[[str], list[int]], lead: str, text: str) -> tuple[int, ...]:
    """The tokens ``text`` adds after ``lead``, as they come in running text (a tokenizer
    that prefixes a space to what it is given, as SentencePiece's do, would otherwise give
    `` micro`` an extra lone space token); empty when ``lead`` does not tokenize the same
    inside ``text``."""
    head, whole = tokenize(lead), tokenize(text)
    return tuple(whole[len(head) :]) if whole[: len(head)] == head else ()
