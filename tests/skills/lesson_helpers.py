"""Correcting replies as the Correct button does, for the habit and lesson tests."""

from __future__ import annotations

import sqlite_utils

from app.settings import Settings
from app.skills.outcomes import record_uses
from app.skills.retrieve import retrieve
from app.store import conversations as conv
from app.ui.feedback import save_correction


def correct_replies(db: sqlite_utils.Database, lessons: list[tuple[str, str, str]]) -> None:
    """Ask, answer with ``reply`` using the retrieved skills, correct: the Correct button."""
    for request, reply_text, answer in lessons:
        conversation = conv.create_conversation(db)
        conv.add_message(db, conversation, "user", request)
        reply = conv.add_message(db, conversation, "assistant", reply_text)
        record_uses(db, reply, [s.id for s in retrieve(db, request)])
        save_correction(db, reply, answer, Settings())
