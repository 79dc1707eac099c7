"""Skill uses: which skills were in the prompt of which reply, and how that reply was judged.

A row per (skill, reply) is written when the reply is generated; its ``outcome`` (+1 or -1)
is set when a signal on the reply arrives, and replaced by a later one, so a use is counted
once whatever the number of verdicts (:mod:`app.skills.outcomes` keeps the skills'
counters in step).
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from app.store.db import transaction


def record(db: sqlite_utils.Database, message_id: int, skill_ids: list[int], now: float) -> None:
    """Note these skills against the reply ``message_id``, each once, atomically."""
    with transaction(db):
        for skill_id in dict.fromkeys(skill_ids):
            exists = db.execute(
                "SELECT 1 FROM skill_uses WHERE skill_id = ? AND message_id = ?",
                [skill_id, message_id],
            ).fetchone()
            if not exists:
                db.execute(
                    "INSERT INTO skill_uses (skill_id, message_id, created) VALUES (?, ?, ?)",
                    [skill_id, message_id, now],
                )


def of_message(db: sqlite_utils.Database, message_id: int) -> list[dict[str, Any]]:
    """The uses of a reply: ``id``, ``skill_id`` and ``outcome`` (``None``: not judged)."""
    return list(
        db.query("SELECT id, skill_id, outcome FROM skill_uses WHERE message_id = ?", [message_id])
    )


def set_outcome(db: sqlite_utils.Database, use_id: int, outcome: float) -> None:
    db.execute("UPDATE skill_uses SET outcome = ? WHERE id = ?", [outcome, use_id])


def skills_of_signal(db: sqlite_utils.Database, signal_id: int) -> list[dict[str, Any]]:
    """``id`` and ``name`` of the skills the reply a signal is about was generated with."""
    return list(
        db.query(
            "SELECT skills.id, skills.name FROM skill_uses JOIN skills ON skills.id = skill_id "
            "JOIN signals ON signals.message_id = skill_uses.message_id WHERE signals.id = ?",
            [signal_id],
        )
    )
