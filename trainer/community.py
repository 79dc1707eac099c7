"""Community lessons as training examples: weighted below the user's own, never held out.

Each worked example of an enabled imported skill (:mod:`app.learning.community`) becomes
an ``sft`` example: the request as this user's runtime would render it with no skills (the
user's system prompt, the served model's chat template, special tokens in the text broken
as in any user text), and the skill's answer as the target, its control tokens broken too,
so a hub's text can never spell the end of a turn or a system message. They are weighted by
``TrainConfig.community_weight`` and kept out of the held-out split: the gate judges an
adapter on the user's own lessons, so a community lesson can be learned but never decides
on its own that the user's assistant got better. One whose prompt is a held-out prompt of
the user's is left out, so the gate never scores a reply the adapter was trained on.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from app.learning.community import CommunityLesson
from app.model.prompt import PromptError, neutralize_special_tokens, render_chat
from trainer.data import Encoder, Example, holdout_score


def lesson_key(lesson: CommunityLesson) -> str:
    """A lesson's content key (its ``dedup_key``): the same lesson from the same hub skill
    is the same example from run to run, so an interrupted run resumes only when the
    community lessons are still the same."""
    key = json.dumps(["community", lesson.origin, lesson.request, lesson.answer])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def community_examples(
    lessons: list[CommunityLesson],
    encoder: Encoder,
    system_prompt: str,
    weight: float,
    held_out: list[Example],
) -> tuple[list[Example], list[str]]:
    """(training examples, one message per lesson left out). Ids are negative: these
    examples have no row in the ``examples`` table."""
    if weight <= 0:
        return [], []
    held = {holdout_score(e) for e in held_out}
    examples, skipped = [], []
    for index, lesson in enumerate(lessons, 1):
        messages = [
            {"role": "system", "content": system_prompt},
            {"role": "user", "content": lesson.request},
        ]
        try:
            prompt = render_chat(messages, True, encoder.template, eos_token=encoder.eos_text)
        except PromptError as exc:
            skipped.append(f"community skill {lesson.skill}: {exc}")
            continue
        example = Example(
            id=-index,
            dedup_key=lesson_key(lesson),
            kind="sft",
            prompt=prompt,
            target=neutralize_special_tokens(lesson.answer),
            weight=weight,
            origin=lesson.origin,
        )
        if holdout_score(example) in held:
            skipped.append(f"community skill {lesson.skill}: a held-out request of yours")
            continue
        examples.append(example)
    return examples, skipped


def sources(lessons: list[CommunityLesson], used: list[Example]) -> list[dict[str, Any]]:
    """Which skill from which hub gave how many of the examples trained on (for the run's
    record and the trainer's ``start`` event)."""
    trained = {e.dedup_key for e in used}
    counts: Counter[tuple[str, str]] = Counter()
    for lesson in lessons:
        if lesson_key(lesson) in trained:
            counts[(lesson.skill, lesson.origin)] += 1
    return [
        {"skill": skill, "origin": origin, "examples": n}
        for (skill, origin), n in sorted(counts.items())
    ]
