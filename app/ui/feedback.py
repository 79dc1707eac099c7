"""What the window's feedback buttons write: corrections and thumbs, as learning signals.

Each function is a database job (run on the store thread through ``AsyncStore``) that writes
the user's action and its signal in one transaction, so a correction is never stored without
the signal the trainer learns from, nor the other way round. While learning is paused
(``settings.learning.paused``) the user's edits are still kept but no signal is recorded.
"""

from __future__ import annotations

import sqlite_utils

from app.store import conversations as conv
from app.store.db import transaction
from app.store.signals import record_signal

DETECTOR = "ui"


def save_correction(
    db: sqlite_utils.Database, message_id: int, corrected: str, *, record: bool = True
) -> int | None:
    """Keep the original reply, store the user's version, and record a ``correction`` signal.

    Returns the signal id (``None`` when learning is paused or nothing changed).
    """
    with transaction(db):
        message = conv.get_message(db, message_id)
        if message["role"] != "assistant":
            raise ValueError("only assistant replies can be corrected")
        original, previous = message["content"], message["corrected"]
        wanted = corrected.strip()
        if not wanted:
            raise ValueError("a correction cannot be empty")
        new = wanted if wanted != original.strip() else None  # back to the original: no correction
        if new == previous:
            return None
        conv.set_correction(db, message_id, new)
        if new is None or not record:
            return None
        provenance = {"original": original, "source": "correct_button"}
        if previous:
            provenance["previous_correction"] = previous
        return record_signal(
            db,
            "correction",
            message_id=message_id,
            score=-1,
            hint=new,
            detector=DETECTOR,
            provenance=provenance,
        )


def save_thumb(
    db: sqlite_utils.Database, message_id: int, up: bool, reason: str = "", *, record: bool = True
) -> int | None:
    """Record a thumb (+1 or -1) with the user's optional reason as the directive hint."""
    message = conv.get_message(db, message_id)
    if message["role"] != "assistant" or not record:
        return None
    reason = reason.strip()
    return record_signal(
        db,
        "thumb",
        message_id=message_id,
        score=1 if up else -1,
        hint=reason or None,
        detector=DETECTOR,
        provenance={"source": "thumb_up" if up else "thumb_down", "reason_given": bool(reason)},
    )


def latest_thumbs(db: sqlite_utils.Database, conversation_id: int) -> dict[int, int]:
    """The latest thumb (+1/-1) on each reply of a conversation, to show it pressed."""
    rows = db.query(
        "SELECT s.message_id, s.score FROM signals s JOIN messages m ON m.id = s.message_id "
        "WHERE m.conversation_id = ? AND s.kind = 'thumb' ORDER BY s.id",
        [conversation_id],
    )
    return {int(row["message_id"]): int(row["score"]) for row in rows}
