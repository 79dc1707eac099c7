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


def get_signal(db: sqlite_utils.Database, signal_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM signals WHERE id = ?", [signal_id]))
    return rows[0] if rows else None


def signals_for_message(db: sqlite_utils.Database, message_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM signals WHERE message_id = ? ORDER BY id", [message_id]))


def signals_for_command(db: sqlite_utils.Database, command_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM signals WHERE command_id = ? ORDER BY id", [command_id]))


def all_signal_ids(db: sqlite_utils.Database) -> list[int]:
    return [row[0] for row in db.execute("SELECT id FROM signals ORDER BY id")]


def has_signal(db: sqlite_utils.Database, kind: str, column: str, value: int) -> bool:
    """Whether the message or command (``column``: ``message_id`` or ``command_id``) already
    has a signal of this kind: recording is idempotent."""
    if column not in ("message_id", "command_id"):
        raise ValueError(f"signals are not looked up by {column!r}")
    sql = f"SELECT 1 FROM signals WHERE {column} = ? AND kind = ?"
    return db.execute(sql, [value, kind]).fetchone() is not None


def ids_on_message(
    db: sqlite_utils.Database, message_id: int, kinds: tuple[str, ...],
    detector: str | None = None,
) -> list[int]:
    """The signals of these kinds on a reply (only ``detector``'s, when given)."""
    marks = ", ".join("?" * len(kinds))
    sql = f"SELECT id FROM signals WHERE message_id = ? AND kind IN ({marks})"
    params: list[Any] = [message_id, *kinds]
    if detector is not None:
        sql += " AND detector = ?"
        params.append(detector)
    return [row[0] for row in db.execute(sql, params)]


def ids_of_kind_on(db: sqlite_utils.Database, kind: str, message_ids: list[int]) -> list[int]:
    """The signals of ``kind`` on any of these messages."""
    marks = ", ".join("?" * len(message_ids))
    return [
        row[0]
        for row in db.execute(
            f"SELECT id FROM signals WHERE kind = ? AND message_id IN ({marks})",
            [kind, *message_ids],
        ).fetchall()
    ]


def provenances(db: sqlite_utils.Database, message_id: int, detector: str) -> list[str]:
    """The provenance (JSON text) of every signal ``detector`` recorded on a reply."""
    return [
        row["provenance"]
        for row in db.query(
            "SELECT provenance FROM signals WHERE message_id = ? AND detector = ?",
            [message_id, detector],
        )
    ]


def failed_runs_of(db: sqlite_utils.Database, message_id: int, command: str) -> list[int]:
    """The failing ``command_exit`` signals of a reply for this command (compared trimmed):
    what a later success of the same command shows was the environment's fault."""
    return [
        row[0]
        for row in db.execute(
            "SELECT s.id FROM signals s JOIN commands c ON c.id = s.command_id "
            "WHERE s.kind = 'command_exit' AND s.message_id = ? AND s.score < 0 "
            "AND trim(c.command) = ?",
            [message_id, command.strip()],
        ).fetchall()
    ]


def later_successes(db: sqlite_utils.Database, message_id: int, after_id: int) -> list[str]:
    """The commands of the successful ``command_exit`` signals of a reply recorded after the
    signal ``after_id``."""
    return [
        row["command"]
        for row in db.query(
            "SELECT c.command FROM signals s JOIN commands c ON c.id = s.command_id "
            "WHERE s.kind = 'command_exit' AND s.message_id = ? AND s.score > 0 AND s.id > ?",
            [message_id, after_id],
        )
    ]


def of_kind_on_siblings(
    db: sqlite_utils.Database, kind: str, message: dict[str, Any]
) -> list[dict[str, Any]]:
    """The signals of ``kind`` on the other messages under ``message``'s parent."""
    return list(
        db.query(
            "SELECT s.* FROM signals s JOIN messages m ON m.id = s.message_id "
            "WHERE s.kind = ? AND m.parent_id IS ? AND m.conversation_id = ? AND m.id != ?",
            [kind, message["parent_id"], message["conversation_id"], message["id"]],
        )
    )


def latest_thumbs(db: sqlite_utils.Database, conversation_id: int) -> dict[int, int]:
    """The latest thumb (+1/-1) on each reply of a conversation, to show it pressed."""
    rows = db.query(
        "SELECT s.message_id, s.score FROM signals s JOIN messages m ON m.id = s.message_id "
        "WHERE m.conversation_id = ? AND s.kind = 'thumb' ORDER BY s.id",
        [conversation_id],
    )
    return {int(row["message_id"]): int(row["score"]) for row in rows}


def created_since(db: sqlite_utils.Database, since: float) -> list[float]:
    """When each signal recorded since ``since`` was recorded."""
    return [r[0] for r in db.execute("SELECT created FROM signals WHERE created >= ?", [since])]


def negative_signal_ids(db: sqlite_utils.Database, kind: str, limit: int) -> list[int]:
    """The newest ``limit`` signals of ``kind`` that say a reply was wrong, newest first."""
    return [
        row[0]
        for row in db.execute(
            "SELECT id FROM signals WHERE kind = ? AND score < 0 ORDER BY id DESC LIMIT ?",
            [kind, limit],
        )
    ]


def hinted_negative_signal_ids(
    db: sqlite_utils.Database, kinds: tuple[str, ...], limit: int
) -> list[int]:
    """The newest ``limit`` signals of ``kinds`` that say a reply was wrong *in words* (a
    hint), newest first: a thumbs-down without a reason says nothing to learn a lesson from."""
    marks = ", ".join("?" for _ in kinds)
    return [
        row[0]
        for row in db.execute(
            f"SELECT id FROM signals WHERE kind IN ({marks}) AND score < 0 "
            "AND trim(coalesce(hint, ''), ' ' || char(9, 10, 13)) != '' ORDER BY id DESC LIMIT ?",
            [*kinds, limit],
        )
    ]


def conversation_signal_ids(db: sqlite_utils.Database, conversation_id: int) -> list[int]:
    """Signals about a conversation: on its messages, or on commands its replies proposed."""
    return [
        row[0]
        for row in db.execute(
            "SELECT s.id FROM signals s "
            "LEFT JOIN messages m ON m.id = s.message_id "
            "LEFT JOIN commands c ON c.id = s.command_id "
            "LEFT JOIN messages cm ON cm.id = c.message_id "
            "WHERE m.conversation_id = ? OR cm.conversation_id = ? ORDER BY s.id",
            [conversation_id, conversation_id],
        )
    ]


def recent_signals(db: sqlite_utils.Database, limit: int = 500) -> list[dict[str, Any]]:
    """The newest signals with what a person needs to recognise them: the request the reply
    answered, the reply, the command and how many examples were built from each."""
    return list(
        db.query(
            """
            SELECT s.*, m.content AS reply, m.conversation_id AS conversation_id,
                   coalesce(req.content, creq.content) AS request,
                   c.command AS command, c.original_command AS original_command,
                   c.exit_code AS exit_code,
                   (SELECT count(*) FROM example_signals es WHERE es.signal_id = s.id)
                       AS n_examples
            FROM signals s
            LEFT JOIN messages m ON m.id = s.message_id
            LEFT JOIN messages req ON req.id = m.parent_id
            LEFT JOIN commands c ON c.id = s.command_id
            LEFT JOIN messages cm ON cm.id = c.message_id
            LEFT JOIN messages creq ON creq.id = cm.parent_id
            ORDER BY s.created DESC, s.id DESC LIMIT ?
            """,
            [limit],
        )
    )


def delete_signal(db: sqlite_utils.Database, signal_id: int) -> None:
    """Delete a signal and every example that rested on it.

    An example built from several signals is still evidence-backed when one of them goes,
    but the user asked to forget this one: an example is removed as soon as any of its
    signals is deleted, so nothing learned survives the evidence the user withdrew. The
    examples go through the ``signals_bd_examples`` trigger, which also covers signals that
    disappear by cascade (a deleted conversation or command).
    """
    delete_signals(db, [signal_id])


def delete_signals(db: sqlite_utils.Database, signal_ids: list[int]) -> int:
    """Delete several signals (and their examples) atomically; returns how many were found."""
    deleted = 0
    with transaction(db):
        for signal_id in signal_ids:
            deleted += db.execute("DELETE FROM signals WHERE id = ?", [signal_id]).rowcount
    return deleted
