"""Examples from the store → token sequences, tokenized exactly as the serving model sees them.

Train/serve parity is the point of this module. The ``prompt`` column already holds the text
the runtime rendered with :mod:`app.model.prompt`; here the reply is appended followed by
the end-of-turn text the same chat template writes after an assistant message, and both are
tokenized by llama.cpp's own tokenizer (a vocabulary-only load of the served GGUF) with the
same flags the runtime uses. A tokenizer converted to another library could split the same
text differently, and the adapter would then learn token sequences the runtime never feeds it.
The prompt and the reply are tokenized separately, as at serving time: the runtime tokenizes
the prompt and the model then emits the reply token by token.
"""

from __future__ import annotations

import difflib
import hashlib
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlite_utils
import torch
from llama_cpp import Llama

from app.model.catalog import read_gguf_header
from app.model.prompt import PromptError, render_chat
from app.store.examples import ExampleContent, all_examples

log = logging.getLogger(__name__)

_SENTINEL = "FLYWHEELREPLYSENTINEL"


class DataError(ValueError):
    """An example that cannot be turned into a training sequence."""


@dataclass(frozen=True, kw_only=True)
class Example(ExampleContent):
    """One row of the ``examples`` table, checked for what its kind needs."""

    id: int
    dedup_key: str
    origin: str | None = None  # a community skill's hub origin; None for the user's own
    hint_context: str | None = None
    """For a hinted example: the prompt its teacher reply (``target``) was written in, with
    the hint (see ``trainer/teacher.py``)."""
    evaluative: bool = False
    """For a pair: no correction stands behind it (its chosen reply is no sft target of the
    same prompt): a kept regeneration, the user's verdict between two of the model's own
    replies. Weighted by ``preference_weight``, not ``pair_weight``."""

    def __post_init__(self) -> None:
        needs = {
            "sft": ("target",),
            "pair": ("chosen", "rejected"),
            "unpaired": ("reply", "label"),
            "hinted": ("reply", "hint"),
        }
        if self.kind not in needs:
            raise DataError(f"example {self.id}: unknown kind {self.kind!r}")
        if not self.prompt:
            raise DataError(f"example {self.id}: empty prompt")
        missing = [name for name in needs[self.kind] if getattr(self, name) in (None, "")]
        if missing:
            raise DataError(f"example {self.id} ({self.kind}) lacks {', '.join(missing)}")
        if self.kind == "unpaired" and not self.label:
            raise DataError(f"example {self.id}: an unpaired example needs a label of +1 or -1")
        if self.kind == "pair" and self.chosen == self.rejected:
            raise DataError(f"example {self.id}: chosen and rejected are the same text")
        if not self.weight > 0:
            raise DataError(f"example {self.id}: weight must be positive")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Example:
        return cls(
            id=int(row["id"]),
            kind=row["kind"],
            dedup_key=row["dedup_key"],
            prompt=row["prompt"],
            target=row.get("target"),
            chosen=row.get("chosen"),
            rejected=row.get("rejected"),
            reply=row.get("reply"),
            label=row.get("label"),
            hint=row.get("hint"),
            weight=float(row["weight"] if row.get("weight") is not None else 1.0),
            prompt_plain=row.get("prompt_plain"),
        )

    @property
    def desired(self) -> str | None:
        """The reply the user wants more of, if the example names one."""
        if self.kind == "sft":
            return self.target
        if self.kind == "pair":
            return self.chosen
        if self.kind == "hinted":
            return self.target
        if self.kind == "unpaired" and (self.label or 0) > 0:
            return self.reply
        return None


def load_examples(db: sqlite_utils.Database) -> tuple[list[Example], list[str]]:
    """All usable examples, oldest first, and one message per row that had to be skipped."""
    examples, skipped = [], []
    for row in all_examples(db):
        try:
            examples.append(Example.from_row(row))
        except (DataError, TypeError, ValueError) as exc:
            skipped.append(str(exc))
    targets = {(e.prompt, e.target) for e in examples if e.kind == "sft"}
    return [
        replace(e, evaluative=(e.prompt, e.chosen) not in targets) if e.kind == "pair" else e
        for e in examples
    ], skipped


def holdout_score(example: Example) -> float:
    """A stable number in [0, 1) per prompt: the same example is always on the same side.

    Keyed by the prompt, not the example, because one correction yields an sft and a pair
    example with the same prompt and the same desired reply: split apart, the gate would
    measure the held-out one on a reply the adapter was trained to produce. The prompt
    without skills is the key where there is one: an example is also trained on it (see
    :func:`with_plain_prompts`), and the same request asked before its skill existed was
    recorded with exactly that prompt.
    """
    key = example.prompt_plain or example.prompt
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_holdout(examples: list[Example], fraction: float) -> tuple[list[Example], list[Example]]:
    """(train, held-out), per prompt: a prompt is held out when its :func:`holdout_score` is
    below ``fraction``, so an old prompt never moves from held-out to trained as examples
    arrive, and no adapter is judged on an example an earlier adapter trained on.

    A handful of prompts can fall short of the share by chance: eight corrections at 20 %
    held out one, and the gate, judging on that one alone, refused a clearly learned lesson
    (ripgrep, -2.12 vs -2.05). So at least ``round(fraction * prompts)`` prompts are held
    out (at least one once there are two), the missing ones taken in order of their score.
    A prompt added that way may later go back to training when newer prompts fill the
    share; the other way round (a trained prompt judged) only happens when the share grows,
    and then favours the adapter that trained on it, the current one: the gate stays strict.

    Hinted examples (a correction said in words) are split after their teacher replies were
    checked (``trainer.__main__``): split before, the held-out ones were dropped whenever
    the check failed on them, and a run taught only in words was refused with "no held-out
    examples to measure the candidate on". When none of their prompts falls among the
    held-out ones, their own share is held out too (one once there are two), so a lesson
    said in words decides promotion even among many corrections.
    """
    if fraction <= 0:
        return list(examples), []
    cut = _held_scores(examples, fraction)
    hinted = [e for e in examples if e.kind == "hinted"]
    if not cut & {holdout_score(e) for e in hinted}:
        cut |= _held_scores(hinted, fraction)
    held = [e for e in examples if holdout_score(e) in cut]
    held_ids = {e.id for e in held}
    return [e for e in examples if e.id not in held_ids], held


def _held_scores(examples: list[Example], fraction: float) -> set[float]:
    """The :func:`holdout_score` values of the prompts of ``examples`` to hold out: those
    below ``fraction``, and the lowest others up to ``round(fraction * prompts)`` (one at
    least, once there are two prompts)."""
    scores = sorted({holdout_score(e) for e in examples})
    wanted = max(1, round(fraction * len(scores))) if len(scores) >= 2 else 0
    return {score for score in scores if score < fraction} | set(scores[:wanted])


def with_plain_prompts(examples: list[Example]) -> list[Example]:
    """The examples, each followed by itself without skills where its prompt had them.

    The app answers with both layers, so most lessons are recorded with the matching skill's
    worked examples in the prompt. An adapter trained only on those learns to continue the
    worked examples, not the lesson: measured with ``bench.learning`` (ripgrep, then the
    pirate tone, asked without skills), such an adapter opened replies to unrelated
    questions with "Use ripgrep:" and adopted the tone in 1 of 5, against 4 of 5 for one
    taught without skills. Trained both ways, the adapter applies the lesson when no skill
    is retrieved (a skill retired, disabled or missed) and still matches serving when one is.
    """
    out: list[Example] = []
    for example in examples:
        out.append(example)
        if example.prompt_plain and example.prompt_plain != example.prompt:
            out.append(replace(example, prompt=example.prompt_plain, prompt_plain=None))
    return out


def without_skills(examples: list[Example]) -> list[Example]:
    """The examples on their prompts without skills, where they have one: what the gate
    judges an adapter on.

    With the matching skill's worked examples in the prompt, the base model and any adapter
    already follow the lesson; scored there, a candidate differs from the current adapter
    only in the wording of the rest of the reply, which is noise. Without skills, the score
    shows what the adapter itself learned.
    """
    return [
        replace(e, prompt=e.prompt_plain, prompt_plain=None) if e.prompt_plain else e
        for e in examples
    ]


@dataclass(frozen=True)
class TokenSequence:
    """Token ids of prompt + reply; losses are taken on ``ids[reply_start:]`` only."""

    ids: torch.Tensor
    reply_start: int

    @property
    def n_reply(self) -> int:
        return int(self.ids.shape[1]) - self.reply_start


@dataclass(frozen=True)
class Encoded:
    """An example ready for its objective: ``main`` is the desired (or only) reply; ``other``
    is the rejected reply of a pair or the hint-conditioned teacher sequence of a hinted one."""

    example: Example
    main: TokenSequence
    other: TokenSequence | None = None
    changed: tuple[int, ...] = ()
    """For a hinted example: the positions of ``main``'s reply tokens the hint changed (not
    in the reply the user objected to), where the gate scores it (``trainer/evaluate.py``)."""

    @property
    def n_tokens(self) -> int:
        return int(self.main.ids.shape[1]) + (int(self.other.ids.shape[1]) if self.other else 0)


def end_of_turn(template: str | None = None, eos_token: str = "") -> str:
    """The text the chat template writes right after an assistant message's content."""
    messages = [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "u"},
        {"role": "assistant", "content": _SENTINEL},
    ]
    rendered = render_chat(messages, False, template, eos_token=eos_token)
    if _SENTINEL not in rendered:
        raise PromptError("the chat template drops assistant messages")
    return rendered.split(_SENTINEL, 1)[1].rstrip()


class Encoder:
    """Tokenizes examples with the served model's own vocabulary and chat template."""

    def __init__(self, model_path: Path, max_len: int) -> None:
        header = read_gguf_header(model_path)
        template = header.metadata.get("tokenizer.chat_template")
        self.template = template if isinstance(template, str) and template else None
        self.max_len = max_len
        self._vocab = Llama(model_path=str(model_path), vocab_only=True, verbose=False)
        eos = self._vocab.detokenize([self._vocab.token_eos()], special=True)
        self.eos_text = eos.decode("utf-8", errors="replace")
        self.eot = end_of_turn(self.template, self.eos_text)

    def tokens(self, text: str, *, prompt: bool) -> list[int]:
        """Prompt: BOS if the model wants one, special tokens parsed (as the runtime does).
        Reply: no BOS; special tokens parsed so that the end-of-turn marker is one token."""
        return self._vocab.tokenize(text.encode("utf-8"), add_bos=prompt, special=True)

    def sequence(self, prompt: str, reply: str) -> TokenSequence:
        """prompt + reply + end-of-turn; an over-long prompt loses its beginning."""
        reply_ids = self.tokens(reply + self.eot, prompt=False)[: self.max_len - 8]
        prompt_ids = self.tokens(prompt, prompt=True)
        prompt_ids = prompt_ids[max(0, len(prompt_ids) - (self.max_len - len(reply_ids))) :]
        ids = torch.tensor([prompt_ids + reply_ids], dtype=torch.long)
        return TokenSequence(ids=ids, reply_start=len(prompt_ids))

    def encode(self, example: Example) -> Encoded:
        if example.kind == "sft":
            return Encoded(example, self.sequence(example.prompt, example.target or ""))
        if example.kind == "pair":
            return Encoded(
                example,
                self.sequence(example.prompt, example.chosen or ""),
                self.sequence(example.prompt, example.rejected or ""),
            )
        if example.kind == "unpaired":
            return Encoded(example, self.sequence(example.prompt, example.reply or ""))
        if not example.target or not example.hint_context:
            raise DataError(f"example {example.id}: no checked teacher reply for its hint")
        student = self.sequence(example.prompt, example.target)
        taught = self.sequence(example.hint_context, example.target)
        if student.n_reply != taught.n_reply:
            raise DataError(f"example {example.id}: teacher reply was cut differently")
        return Encoded(example, student, taught, self._changed(student, example.reply or ""))

    def _changed(self, student: TokenSequence, objected: str) -> tuple[int, ...]:
        """The reply positions of ``student`` that are not in ``objected`` (difflib over
        tokens): what the hint made the teacher write differently."""
        reply = student.ids[0, student.reply_start :].tolist()
        before = self.tokens(objected + self.eot, prompt=False)
        blocks = difflib.SequenceMatcher(None, before, reply, autojunk=False).get_opcodes()
        return tuple(j for op, _, _, j1, j2 in blocks if op != "equal" for j in range(j1, j2))

    def encode_all(self, examples: list[Example]) -> tuple[list[Encoded], list[str]]:
        """Encode what can be encoded; a bad example is reported, never fatal."""
        encoded, skipped = [], []
        for example in examples:
            try:
                encoded.append(self.encode(example))
            except (DataError, PromptError) as exc:
                skipped.append(str(exc))
        return encoded, skipped
