"""Recording next-state signals, one call per thing the user did.

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

import difflib
import json
from typing import Any

import sqlite_utils

from app import settings as settings_mod
from app.signals.examples import build_for_signal
from app.signals.nextmsg import NextMessageVerdict, classify_next_message
from app.signals.nextmsg_confirm import Ask, confirm_verdict
from app.store import conversations as conv
from app.store import signals as signals_store
from app.store.commands import bounded_tail, get_command, unfixed_failures
from app.store.db import transaction
from app.store.signals import conversation_signal_ids, delete_signals, record_signal
from app.terminal.command_words import resolve
from app.terminal.pty_session import strip_ansi

UI = "ui"  # the user pressed a button: certain
NEXT_MESSAGE = "nextmsg"  # the next-message classifier
BRANCH = "branch"  # the user went on from a regenerated reply
TERMINAL = "terminal"  # a command's exit code
FIX_PAIR = "fix_pair"  # a failing command followed by a similar one that worked

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
# An edited proposal that then failed may have been edited for the user's setup only.
EDIT_FAILED_CONFIDENCE = 0.6
# thefuck-style fixes come within minutes; after that the similar command is a new task.
FIX_WINDOW_S = 300.0
FIX_MIN_SIMILARITY = 0.5
PROGRAM_MIN_SIMILARITY = 0.6
COMPARE_CHARS = 300
MAX_TAIL_CHARS = 600

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


def _may_learn(
    db: sqlite_utils.Database, settings: settings_mod.Settings | None, conversation_id: int | None
) -> bool:
    return learning_active(settings) and _conversation_open(db, conversation_id)


def _assistant_message(db: sqlite_utils.Database, message_id: int) -> dict[str, Any]:
    message = conv.get_message(db, message_id)
    if message["role"] != "assistant":
        raise ValueError(f"message {message_id} is not an assistant reply")
    return message


def _record(db: sqlite_utils.Database, kind: str, **fields: Any) -> list[int]:
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
        if new is None or not _may_learn(db, settings, message["conversation_id"]):
            return []
        provenance = {"original": original, "source": "correct_button"}
        if previous:
            provenance["previous_correction"] = previous
        return _record(
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
        if not _may_learn(db, settings, message["conversation_id"]):
            return []
        _withdraw(db, message_id, ("thumb",))
        provenance = {"source": "thumb_up" if up else "thumb_down", "reason_given": bool(reason)}
        return _record(
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
        if not _may_learn(db, settings, message["conversation_id"]):
            return []
        if signals_store.has_signal(db, "regenerate", "message_id", discarded_id):
            return []
        provenance = {"replacement_message_id": replacement_id}
        return _record(
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
    ids = _record(
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
    return _record(
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
    if not _may_learn(db, settings, user["conversation_id"]):
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


def _conversation_of(db: sqlite_utils.Database, message_id: int | None) -> int | None:
    if message_id is None:
        return None
    try:
        return conv.get_message(db, message_id)["conversation_id"]
    except KeyError:
        return None


def failure_hint(command: str, exit_code: int, output_tail: str | None) -> str:
    """What went wrong, for the trainer and the skills: the command, its exit code and the
    end of its output (where the error usually is), bounded so a log dump stays small."""
    tail = bounded_tail(strip_ansi(output_tail or "").strip(), MAX_TAIL_CHARS)
    head = f"`{command.strip()}` failed with exit code {exit_code}"
    return f"{head}:\n{tail}" if tail else f"{head}."


def _command_edit(db: sqlite_utils.Database, command: dict[str, Any]) -> list[int]:
    original = (command["original_command"] or "").strip()
    if not original or original == command["command"].strip():
        return []
    if signals_store.has_signal(db, "command_edit", "command_id", command["id"]):
        return []
    provenance = {
        "original_command": original,
        "edited_command": command["command"],
        "exit_code": command["exit_code"],
    }
    return _record(
        db, "command_edit", message_id=command["message_id"], command_id=command["id"], score=-1,
        hint=f"Run `{command['command'].strip()}` instead of `{original}`.", detector=UI,
        confidence=1.0 if command["exit_code"] == 0 else EDIT_FAILED_CONFIDENCE,
        provenance=provenance,
    )


def _command_exit(db: sqlite_utils.Database, command: dict[str, Any]) -> list[int]:
    if signals_store.has_signal(db, "command_exit", "command_id", command["id"]):
        return []
    code = int(command["exit_code"])
    provenance = {"command": command["command"], "exit_code": code, "cwd": command["cwd"]}
    hint = None if code == 0 else failure_hint(command["command"], code, command["output_tail"])
    ids = _record(
        db, "command_exit", message_id=command["message_id"], command_id=command["id"],
        score=1 if code == 0 else -1, hint=hint, detector=TERMINAL, provenance=provenance,
    )
    if code == 0:
        # Earlier failures of this same command for this reply were the environment's
        # fault (a missing package, a wrong folder): rebuilding withdraws their examples.
        for earlier in signals_store.failed_runs_of(db, command["message_id"], command["command"]):
            build_for_signal(db, earlier)
    return ids


def record_command_outcome(
    db: sqlite_utils.Database,
    command_id: int,
    *,
    settings: settings_mod.Settings | None = None,
) -> list[int]:
    """Learn from a finished command (call it once ``exit_code`` is stored).

    - a proposal the user edited before running: ``command_edit`` (the edit is the lesson);
    - a proposal run as is: ``command_exit`` on the reply, +1 for exit 0, -1 otherwise with
      the error tail as the hint;
    - a command the user typed that worked right after a similar one failed: the fix pair
      (:func:`record_command_fix`).

    A command without an exit code (killed, timed out) teaches nothing.
    """
    with transaction(db):
        command = get_command(db, command_id)
        if command["exit_code"] is None:
            return []
        if not _may_learn(db, settings, _conversation_of(db, command["message_id"])):
            return []
        origin = command["origin"]
        if origin == "edited":
            return _command_edit(db, command)
        if origin == "assistant" and command["message_id"] is not None:
            return _command_exit(db, command)
        if origin == "user" and command["exit_code"] == 0:
            failed = find_fix_pair(db, command_id)
            if failed is not None:
                return record_command_fix(db, failed, command_id, settings=settings)
    return []


def _program(command: str) -> str:
    return resolve(command.split()).name


def command_similarity(a: str, b: str) -> float:
    """How alike two command lines are, 0..1: the mean of their character similarity
    (catches typos: ``git comit``) and word overlap (catches added words: ``sudo``)."""
    a, b = a.strip()[:COMPARE_CHARS], b.strip()[:COMPARE_CHARS]
    if not a or not b:
        return 0.0
    chars = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    words_a, words_b = set(a.split()), set(b.split())
    words = len(words_a & words_b) / len(words_a | words_b)
    return (chars + words) / 2


def _fixes(failed: str, fixed: str) -> float:
    """The similarity of a candidate fix, or 0 when it runs another program or is a rerun."""
    if failed.strip() == fixed.strip():
        return 0.0
    program_a, program_b = _program(failed), _program(fixed)
    same_program = program_a == program_b or (
        difflib.SequenceMatcher(None, program_a, program_b).ratio() >= PROGRAM_MIN_SIMILARITY
    )
    return command_similarity(failed, fixed) if same_program else 0.0


def find_fix_pair(db: sqlite_utils.Database, command_id: int) -> int | None:
    """The failing command that ``command_id`` (typed by the user, exit 0) fixed, if any.

    Looks back ``FIX_WINDOW_S`` for failed commands that are not yet paired with a fix,
    run the same (or a misspelled) program and are similar enough; the most recent wins.
    """
    command = get_command(db, command_id)
    if command["origin"] != "user" or command["exit_code"] != 0:
        return None
    started = command["started"]
    for candidate in unfixed_failures(db, command_id, float(started) - FIX_WINDOW_S, started):
        if _fixes(candidate["command"], command["command"]) >= FIX_MIN_SIMILARITY:
            return int(candidate["id"])
    return None


def record_command_fix(
    db: sqlite_utils.Database,
    failed_command_id: int,
    fixed_command_id: int,
    *,
    settings: settings_mod.Settings | None = None,
) -> list[int]:
    """A failing command followed by the one that worked (-1 on the failing one).

    The provenance names both (``failed_command``, ``fixed_command``, ``fixed_command_id``)
    for skill synthesis; when the failing command was proposed by a reply, that reply with
    the fix in place becomes an example. Raises ``ValueError`` unless the first command
    failed and the second succeeded.
    """
    with transaction(db):
        failed, fixed = get_command(db, failed_command_id), get_command(db, fixed_command_id)
        if failed["exit_code"] in (None, 0) or fixed["exit_code"] != 0:
            raise ValueError("a fix pair needs a failed command and one that succeeded")
        if not _may_learn(db, settings, _conversation_of(db, failed["message_id"])):
            return []
        if signals_store.has_signal(db, "command_fix", "command_id", failed_command_id):
            return []
        similarity = command_similarity(failed["command"], fixed["command"])
        provenance = {
            "failed_command": failed["command"],
            "failed_command_id": failed_command_id,
            "failed_exit_code": failed["exit_code"],
            "fixed_command": fixed["command"],
            "fixed_command_id": fixed_command_id,
            "seconds_apart": round(float(fixed["started"]) - float(failed["started"]), 1),
            "similarity": round(similarity, 4),
        }
        hint = f"`{failed['command'].strip()}` failed; `{fixed['command'].strip()}` worked."
        return _record(
            db, "command_fix", message_id=failed["message_id"], command_id=failed_command_id,
            score=-1, hint=hint, detector=FIX_PAIR, confidence=round(similarity, 4),
            provenance=provenance,
        )


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
