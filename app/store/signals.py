"""Learning signals: what followed an assistant action, with where the verdict came from.

A signal has an evaluative part (``score``: +1 good, -1 bad, 0 neutral, fractions for weak
evidence) and an optional directive part (``hint``: what should have been different). The
provenance says which detector decided, from which messages, so every verdict can be
explained to the user and deleted with everything built from it.
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlite_utils

from app.store.db import transaction

KINDS = (
    "correction",  # the user rewrote the reply with "Correct"
    "thumb",  # thumbs up/down, optional reason as hint
    "regenerate",  # the reply was discarded for a regeneration
    "regenerate_kept",  # the regeneration the user stayed with
    "requery",  # the next message asked the same thing again
    "verbal_correction",  # the next message corrected the reply
    "acceptance",  # the user moved on or said thanks
    "command_exit",  # exit code of a proposed command
    "command_edit",  # the user edited a proposed command before running it
    "command_fix",  # a failing user command followed by a similar one that worked
)


def record_signal(
    db: sqlite_utils.Database,
    kind: str,
    *,
    message_id: int | None = None,
    command_id: int | None = None,
    score: float = 0.0,
    hint: str | None = None,
    detector: str,
    confidence: float = 1.0,
    provenance: dict[str, Any] | None = None,
) -> int:
    """Store one signal and return its id."""
    if kind not in KINDS:
        raise ValueError(f"unknown signal kind {kind!r}")
    cursor = db.execute(
        "INSERT INTO signals (message_id, command_id, kind, score, hint, detector, confidence, "
        "provenance, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            message_id,
            command_id,
            kind,
            float(score),
            hint,
            detector,
            float(confidence),
            json.dumps(provenance or {}, sort_keys=True),
            time.time(),
        ),
    )
    return int(cursor.lastrowid)


def signals_for_message(db: sqlite_utils.Database, message_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM signals WHERE message_id = ? ORDER BY id", [message_id]))


def delete_signal(db: sqlite_utils.Database, signal_id: int) -> None:
    """Delete a signal and every example that rested on it.

    An example built from several signals is still evidence-backed when one of them goes,
    but the user asked to forget this one: an example is removed as soon as any of its
    signals is deleted, so nothing learned survives the evidence the user withdrew.
    """
    with transaction(db):
        db.execute(
            "DELETE FROM examples WHERE id IN "
            "(SELECT example_id FROM example_signals WHERE signal_id = ?)",
            [signal_id],
        )
        db.execute("DELETE FROM signals WHERE id = ?", [signal_id])
