"""Recording next-state signals of the chat, one call per thing the user did (what a
proposed or typed command's outcome teaches is :mod:`app.signals.command_outcomes`, which
records through :func:`may_learn` and :func:`record_with_examples` here).

Each function checks that learning may happen (not disabled, not paused, conversation not
excluded), stores the signal with its provenance (which messages or commands, which
detector, how confident) and builds the examples it implies, all in one transaction: the
trainer never sees an example without its evidence, nor the user a signal whose examples
were lost. Each returns the ids of the signals it recorded, so the caller can hand them to
skill outcomes (:func:`app.skills.outcomes.on_signal`) and skill synthesis
(:func:`app.skills.synthesize.synthesize_from_signal`); an empty list means nothing was
learned.

A newer verdict on the same thing replaces the older one instead of piling up: a second
thumb, a changed correction, or an edited next message each withdraw the signal (and
examples) they supersede.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from app import settings as settings_mod
from app.signals.examples import build_for_signal
from app.signals.nextmsg import NextMessageVerdict, classify_next_message
from app.signals.nextmsg_confirm import Ask, confirm_verdict
from app.store import conversations as conv
from app.store import signals as signals_store
from app.store.db import transaction
from app.store.signals import conversation_signal_ids, delete_signals, record_signal

UI = "ui"  # the user pressed a button: certain
NEXT_MESSAGE = "nextmsg"  # the next-message classifier
BRANCH = "branch"  # the user went on from a regenerated reply

# Below this the classifier's top label barely beats the other three; a wrong -1 teaches
# the model to avoid a good reply, so no signal is better than a doubtful one.
MIN_CONFIDENCE = 0.5
# A re-ask right after a reply means the reply failed; the same question an hour later is
# as likely a new need. Between the two the confidence fades to half.
REQUERY_FULL_S = 600.0
REQUERY_MAX_S = 3600.0
# Users also regenerate to see alternatives, so a discarded reply is not certainly bad, and
# going on from a regeneration is only a weak sign that it was better.
REGENERATE_CONFIDENCE = 0.8
KEPT_SCORE = 0.3
KEPT_CONFIDENCE = 0.7
# Going on from a reply only to re-ask or correct it is not keeping it; a message that may
# well be a complaint leaves too little certainty to learn a preference from.
_FAILED_LABELS = ("requery", "correction")
MIN_KEPT_CONFIDENCE = 0.35

_NEXT_MESSAGE_KINDS = {
    "requery": "requery",
    "correction": "verbal_correction",
    "acceptance": "acceptance",
}


def learning_active(settings: settings_mod.Settings | None = None) -> bool:
    """Whether signals may be recorded at all (learning on and not paused)."""
    settings = settings or settings_mod.load()
    return settings.learning.enabled and not settings.learning.paused


def _conversation_open(db: sqlite_utils.Database, conversation_id: int | None) -> bool:
    if conversation_id is None:
        return True
    conversation = conv.get_conversation(db, conversation_id)
    return conversation is not None and not conversation["excluded_from_learning"]


def may_learn(
    db: sqlite_utils.Database, settings: settings_mod.Settings | None, conversation_id: int | None
) -> bool:
    """Whether a signal on this conversation may be recorded now (learning on and not
    paused, the conversation not excluded from learning)."""
    return learning_active(settings) and _conversation_open(db, conversation_id)


def _assistant_message(db: sqlite_utils.Database, message_id: int) -> dict[str, Any]:
    message = conv.get_message(db, message_id)
    if message["role"] != "assistant":
        raise ValueError(f"message {message_id} is not an assistant reply")
    return message


def record_with_examples(db: sqlite_utils.Database, kind: str, **fields: Any) -> list[int]:
    """Store one signal and its examples; the id comes back in a list, ready to return."""
    signal_id = record_signal(db, kind, **fields)
    build_for_signal(db, signal_id)
    return [signal_id]


def _withdraw(
    db: sqlite_utils.Database, message_id: int, kinds: tuple[str, ...],
    detector: str | None = None,
) -> None:
    """Delete earlier signals of these kinds on a reply (a newer verdict replaces them)."""
    delete_signals(db, signals_store.ids_on_message(db, message_id, kinds, detector))


def record_correction(
    db: sqlite_utils.Database,
    message_id: int,
    corrected_text: str,
    *,
    settings: settings_mod.Settings | None = None,
) -> list[int]:
    """The user rewrote a reply with "Correct": keep both texts and learn the new one.

    The original stays in ``content`` and the user's version goes to ``corrected`` even when
    learning is paused (it is the user's edit, shown in the chat). Saving the original text
    again removes the correction; a changed correction replaces the earlier one. Raises
    ``ValueError`` for an empty text or a message that is not a reply.
    """
    wanted = corrected_text.strip()
    if not wanted:
        raise ValueError("a correction cannot be empty")
    with transaction(db):
        message = _assistant_message(db, message_id)
        original, previous = message["content"], message["corrected"]
        new = wanted if wanted != original.strip() else None
        if new == previous:
            return []
        conv.set_correction(db, message_id, new)
        _withdraw(db, message_id, ("correction",))
        if new is None or not may_learn(db, settings, message["conversation_id"]):
            return []
        provenance = {"original": original, "source": "correct_button"}
        if previous:
            provenance["previous_correction"] = previous
        return record_with_examples(
            db, "correction", message_id=message_id, score=-1, hint=new, detector=UI,
            provenance=provenance,
        )


def record_thumb(
    db: sqlite_utils.Database,
    message_id: int,
    up: bool,
    reason: str | None = None,
    *,
    settings: settings_mod.Settings | None = None,
) -> list[int]:
    """A thumb up (+1) or down (-1) on a reply; the reason, if any, is the directive hint.

    A new thumb on the same reply replaces the previous one.
    """
    reason = (reason or "").strip() or None
    with transaction(db):
        message = _assistant_message(db, message_id)
        if not may_learn(db, settings, message["conversation_id"]):
            return []
        _withdraw(db, message_id, ("thumb",))
        provenance = {"source": "thumb_up" if up else "thumb_down", "reason_given": bool(reason)}
        return record_with_examples(
            db, "thumb", message_id=message_id, score=1 if up else -1, hint=reason, detector=UI,
            provenance=provenance,
        )


def record_regenerate(
    db: sqlite_utils.Database,
    discarded_id: int,
    replacement_id: int | None = None,
    *,
    settings: settings_mod.Settings | None = None,
) -> list[int]:
    """The user asked for another reply instead of ``discarded_id`` (-1 on it).

    A reply is discarded once: regenerating it again records nothing new. The pair with the
    regeneration the user keeps is built when they go on from it (:func:`after_user_message`).
    """
    with transaction(db):
        message = _assistant_message(db, discarded_id)
        if not may_learn(db, settings, message["conversation_id"]):
            return []
        if signals_store.has_signal(db, "regenerate", "message_id", discarded_id):
            return []
        provenance = {"replacement_message_id": replacement_id}
        return record_with_examples(
            db, "regenerate", message_id=discarded_id, score=-1, detector=UI,
            confidence=REGENERATE_CONFIDENCE, provenance=provenance,
        )


def _read_before(db: sqlite_utils.Database, reply_id: int, user_id: int, detector: str) -> bool:
    """Whether this next message was already read as a verdict on the reply (by detector)."""
    return any(
        json.loads(provenance).get("next_user_id") == user_id
        for provenance in signals_store.provenances(db, reply_id, detector)
    )


def _kept_regeneration(
    db: sqlite_utils.Database, reply: dict[str, Any], user: dict[str, Any],
    verdict: NextMessageVerdict,
) -> list[int]:
    """``regenerate_kept`` on a reply that has sibling replies, read from the message the
    user sent from it: only a message on that very branch counts, and only when it does not
    say the reply failed (going on to re-ask or correct it is not keeping it). Its confidence
    is ``KEPT_CONFIDENCE`` times how sure the classifier is that the message is no complaint.
    A newer message from the same reply (an edit of the next message) replaces the verdict."""
    others = [
        row["id"]
        for row in conv.siblings(db, reply["id"])
        if row["id"] != reply["id"] and row["role"] == "assistant"
    ]
    if not others or _read_before(db, reply["id"], user["id"], BRANCH):
        return []
    _withdraw(db, reply["id"], ("regenerate_kept",))
    confidence = round(KEPT_CONFIDENCE * (1.0 - verdict.failed), 4)
    if verdict.label in _FAILED_LABELS or confidence < MIN_KEPT_CONFIDENCE:
        return []
    provenance = {
        "discarded_message_ids": others,
        "next_user_id": user["id"],
        "next_message_label": verdict.label,
        "failed_probability": verdict.failed,
    }
    ids = record_with_examples(
        db, "regenerate_kept", message_id=reply["id"], score=KEPT_SCORE, detector=BRANCH,
        confidence=confidence, provenance=provenance,
    )
    # The discarded replies' own signals back the new pairs too: deleting either forgets them.
    for discard in signals_store.ids_of_kind_on(db, "regenerate", others):
        build_for_signal(db, discard)
    return ids


def _requery_factor(seconds: float) -> float:
    """1 for a re-ask within ``REQUERY_FULL_S``, fading to 0.5 at ``REQUERY_MAX_S``, then 0."""
    if seconds <= REQUERY_FULL_S:
        return 1.0
    if seconds > REQUERY_MAX_S:
        return 0.0
    return 1.0 - 0.5 * (seconds - REQUERY_FULL_S) / (REQUERY_MAX_S - REQUERY_FULL_S)


def _next_message_verdict(
    db: sqlite_utils.Database, reply: dict[str, Any], user: dict[str, Any],
    previous: dict[str, Any] | None, verdict: NextMessageVerdict,
) -> list[int]:
    if reply["corrected"]:
        return []  # the user's own correction is the fresher, stronger verdict on this reply
    if _read_before(db, reply["id"], user["id"], NEXT_MESSAGE):
        return []
    # A different next message (an edit, another branch) replaces the earlier verdict.
    _withdraw(db, reply["id"], tuple(_NEXT_MESSAGE_KINDS.values()), detector=NEXT_MESSAGE)
    kind = _NEXT_MESSAGE_KINDS.get(verdict.label)
    gap = max(0.0, float(user["created"]) - float(reply["created"]))
    confidence = verdict.confidence * (_requery_factor(gap) if kind == "requery" else 1.0)
    if kind is None or confidence < MIN_CONFIDENCE:
        return []
    provenance = {
        "previous_user_id": previous["id"] if previous else None,
        "assistant_id": reply["id"],
        "next_user_id": user["id"],
        "seconds_after_reply": round(gap, 1),
        "label": verdict.label,
        "classifier_confidence": verdict.confidence,
        "features": verdict.features,
    }
    if verdict.model_answer is not None:
        provenance["model_answer"] = verdict.model_answer
    return record_with_examples(
        db, kind, message_id=reply["id"], score=verdict.score, hint=verdict.hint,
        detector=NEXT_MESSAGE, confidence=round(confidence, 4), provenance=provenance,
    )


def _exchange(
    db: sqlite_utils.Database, user_message_id: int, settings: settings_mod.Settings | None
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None] | None:
    """The user message, the reply it follows and that reply's request, when it may teach."""
    user = conv.get_message(db, user_message_id)
    if user["role"] != "user":
        raise ValueError(f"message {user_message_id} is not a user message")
    reply = conv.get_message(db, user["parent_id"]) if user["parent_id"] else None
    if reply is None or reply["role"] != "assistant":
        return None
    if not may_learn(db, settings, user["conversation_id"]):
        return None
    previous = conv.get_message(db, reply["parent_id"]) if reply["parent_id"] else None
    return user, reply, previous


def _texts(
    exchange: tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None],
) -> tuple[str, str, str]:
    user, reply, previous = exchange
    return previous["content"] if previous else "", reply["content"], user["content"]


def after_user_message(
    db: sqlite_utils.Database,
    user_message_id: int,
    *,
    settings: settings_mod.Settings | None = None,
    ask: Ask | None = None,
) -> list[int]:
    """Read a new user message as the next state of the reply it follows.

    Call it once the message is stored (before or after the new reply). Records, on the
    previous reply in the same branch: ``regenerate_kept`` when that reply has sibling
    replies and the message does not say it failed, and the classifier's verdict (``requery``,
    ``verbal_correction`` with the hint, ``acceptance``; nothing for a new topic or a
    doubtful verdict). Calling it twice for the same message records nothing new; an edited
    next message replaces the verdict of the one it replaces.

    ``ask`` (the served model's answer to a prompt) is given only when the user says the
    model is capable: a doubtful verdict is then re-read by it
    (:mod:`app.signals.nextmsg_confirm`), before the write transaction, so that the model's
    time holds no lock on the store.
    """
    confirmed = None
    if ask is not None:
        exchange = _exchange(db, user_message_id, settings)
        if exchange is not None:
            texts = _texts(exchange)
            confirmed = texts, confirm_verdict(classify_next_message(*texts), *texts, ask)
    with transaction(db):
        exchange = _exchange(db, user_message_id, settings)
        if exchange is None:
            return []
        user, reply, previous = exchange
        texts = _texts(exchange)
        if confirmed is not None and confirmed[0] == texts:
            verdict = confirmed[1]
        else:
            verdict = classify_next_message(*texts)
        ids = _kept_regeneration(db, reply, user, verdict)
        return ids + _next_message_verdict(db, reply, user, previous, verdict)


def set_excluded(db: sqlite_utils.Database, conversation_id: int, excluded: bool) -> int:
    """Exclude a conversation from learning (or include it again).

    Excluding also forgets what was already learned from it: its signals and every example
    built from them. Returns the number of signals deleted. Raises ``KeyError`` for an
    unknown conversation.
    """
    with transaction(db):
        if conv.get_conversation(db, conversation_id) is None:
            raise KeyError(f"no conversation {conversation_id}")
        conv.set_excluded_from_learning(db, conversation_id, excluded)
        if not excluded:
            return 0
        return delete_signals(db, conversation_signal_ids(db, conversation_id))
