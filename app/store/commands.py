"""Shell commands Flywheel ran: what ran, where, who wrote it, and how it ended.

Why a row per run: the exit code is a learning signal about the reply that proposed the
command, and a failing command followed by a similar one that worked teaches the fix. Rows
are written once, complete, after the command ended, so a crash never leaves a half-run
command that looks like a success. Output is kept as a bounded tail: the end of the output
is where errors are, and a command printing gigabytes must not grow the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import sqlite_utils

ORIGINS = ("assistant", "user", "edited")
TAIL_CHARS = 16 * 1024


def bounded_tail(text: str, limit: int = TAIL_CHARS) -> str:
    """The last `limit` characters of `text`, cut at a line start when one is near.

    A tail that starts mid-line reads as garbage to the user and to the model, so up to one
    line's worth of extra characters is dropped to start at a line boundary.
    """
    if limit <= 0:
        raise ValueError("limit must be positive")
    if len(text) <= limit:
        return text
    tail = text[-limit:]
    newline = tail.find("\n", 0, min(len(tail) - 1, 240))
    return tail[newline + 1:] if newline >= 0 else tail


@dataclass(frozen=True)
class CommandRun:
    """One finished run, as it is stored."""

    command: str
    origin: str
    cwd: str
    exit_code: int | None
    duration_s: float
    output_tail: str
    message_id: int | None = None
    original_command: str | None = None
    sandboxed: bool = False
    network: bool = False
    timed_out: bool = False


def record_command(db: sqlite_utils.Database, run: CommandRun,
                   finished: float | None = None) -> int:
    """Store a finished run and return its id. `finished` defaults to now."""
    if run.origin not in ORIGINS:
        raise ValueError(f"unknown command origin {run.origin!r}; expected one of {ORIGINS}")
    if not run.command.strip():
        raise ValueError("the command is empty")
    if run.duration_s < 0:
        raise ValueError("duration_s cannot be negative")
    end = time.time() if finished is None else finished
    cursor = db.execute(
        "INSERT INTO commands (message_id, command, original_command, cwd, origin, sandboxed, "
        "network, exit_code, duration_s, output_tail, timed_out, started, finished) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (run.message_id, run.command, run.original_command, run.cwd, run.origin,
         int(run.sandboxed), int(run.network), run.exit_code, run.duration_s,
         bounded_tail(run.output_tail), int(run.timed_out), end - run.duration_s, end),
    )
    return int(cursor.lastrowid)


def find_command(db: sqlite_utils.Database, command_id: Any) -> dict[str, Any] | None:
    """The command's row, or ``None`` (also for an id that is ``None`` or not a number: a
    signal's provenance may name a command that never was, or was deleted since)."""
    rows = list(db.query("SELECT * FROM commands WHERE id = ?", [command_id]))
    return rows[0] if rows else None


def get_command(db: sqlite_utils.Database, command_id: int) -> dict[str, Any]:
    row = find_command(db, command_id)
    if row is None:
        raise KeyError(f"no command {command_id}")
    return row


def unfixed_failures(
    db: sqlite_utils.Database, command_id: int, since: float, until: float
) -> list[dict[str, Any]]:
    """``id`` and ``command`` of the runs other than ``command_id`` started between ``since``
    and ``until`` that failed and are not yet paired with a fix, newest first: the ones a
    command that worked may have fixed."""
    return list(
        db.query(
            "SELECT id, command FROM commands WHERE id != ? AND started <= ? AND started >= ? "
            "AND exit_code IS NOT NULL AND exit_code != 0 AND NOT EXISTS (SELECT 1 FROM signals "
            "WHERE signals.command_id = commands.id AND signals.kind = 'command_fix') "
            "ORDER BY started DESC, id DESC",
            [command_id, until, since],
        )
    )


def commands_for_message(db: sqlite_utils.Database, message_id: int) -> list[dict[str, Any]]:
    """Every run of a command proposed by this reply, oldest first."""
    return list(db.query("SELECT * FROM commands WHERE message_id = ? ORDER BY id", [message_id]))


def latest_runs(db: sqlite_utils.Database, message_ids: list[int]) -> dict[tuple[int, str], dict]:
    """The last run of each proposed command of these replies, keyed by (message id, proposed
    text): what a reply's command cards show again when the chat is redrawn."""
    if not message_ids:
        return {}
    marks = ", ".join("?" * len(message_ids))
    rows = db.query(
        f"SELECT * FROM commands WHERE message_id IN ({marks}) ORDER BY id", message_ids
    )
    return {(int(row["message_id"]), row["original_command"] or row["command"]): row
            for row in rows}
