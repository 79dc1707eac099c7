"""A capable served model confirms the next-message verdicts the classifier is unsure of.

Why: the classifier is a small linear model over lexical cues; on a message it barely
places ("cool, and in fish?") it is right little more often than not, and a wrong
correction teaches a wrong lesson. A capable model reads such a message far better, so when
the user says the served model is capable (``learning.model_words_skills``, off by default)
it is asked one yes/no question: did the message say the reply should change? The embedded
135M model is not capable (its yes/no answers are near chance), so nothing is asked of it.

Only the correction/not-correction split is asked: it is the verdict that carries a hint
and so teaches the most. The model's answer never raises an error: an answer that is
neither yes nor no, or a failing model, leaves the classifier's verdict as it was.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace

from app.signals.nextmsg import LABELS, SCORES, NextMessageVerdict, extract_hint

log = logging.getLogger(__name__)

# Below this confidence the classifier's verdict is worth a second reading.
AMBIGUOUS_BELOW = 0.65
# A correction the model confirmed is recorded with this confidence (above capture's
# MIN_CONFIDENCE): two different readers agreeing is stronger than either alone.
CONFIRMED_CONFIDENCE = 0.75
# The question shows the start of each text: enough to judge, short to read on a CPU.
QUOTE_CHARS = 600

_ANSWER = re.compile(r"\b(yes|no)\b", re.IGNORECASE)

Ask = Callable[[str], str]


def confirm_prompt(previous_user: str, assistant: str, next_user: str) -> str:
    """The yes/no question put to the model."""

    def quote(text: str) -> str:
        return " ".join(text[:QUOTE_CHARS].split()) or "(nothing)"

    return (
        "A user asked an assistant something, the assistant replied, and the user wrote "
        "again.\n"
        f"User: {quote(previous_user)}\n"
        f"Assistant: {quote(assistant)}\n"
        f"User again: {quote(next_user)}\n\n"
        "Does the user's second message say the assistant's reply was wrong or should have "
        "been done differently (another tool, value, fact, form or preference)? A new "
        "question that builds on a good reply, or plain thanks, is no. Answer yes or no."
    )


def parse_answer(text: str) -> bool | None:
    """True for yes, False for no, None when the answer says neither first."""
    match = _ANSWER.search(text[:200])
    return None if match is None else match.group(1).lower() == "yes"


def confirm_verdict(
    verdict: NextMessageVerdict,
    previous_user: str,
    assistant: str,
    next_user: str,
    ask: Ask,
) -> NextMessageVerdict:
    """``verdict``, re-read by the model through ``ask`` when it is doubtful.

    A confident verdict, or an empty message, is returned unchanged without asking. Yes makes
    the verdict a correction with its hint; no turns a correction into the most likely other
    label and leaves any other label as it was.
    """
    if verdict.confidence >= AMBIGUOUS_BELOW or not next_user.strip():
        return verdict
    try:
        answer = parse_answer(ask(confirm_prompt(previous_user, assistant, next_user)))
    except Exception as exc:  # the model is an aid here: its failure must not lose the turn
        log.warning("the model could not confirm the next-message verdict: %s", exc)
        return verdict
    if answer is None:
        return verdict
    if answer:
        label, confidence = "correction", max(verdict.confidence, CONFIRMED_CONFIDENCE)
        hint = extract_hint(next_user)
    elif verdict.label == "correction":
        rest = 1.0 - verdict.probabilities["correction"]
        label = max((lab for lab in LABELS if lab != "correction"),
                    key=lambda lab: verdict.probabilities[lab])
        hint, confidence = None, round(verdict.probabilities[label] / rest, 4) if rest else 0.0
    else:
        return replace(verdict, model_answer="no")
    return replace(
        verdict, label=label, confidence=confidence, score=SCORES[label], hint=hint,
        model_answer="yes" if answer else "no",
    )
