"""The sharing log's skill rows: skills offered to a hub, skipped, queued, sent or withdrawn.

Why one row per decision, kept after sending: the user sees everything that left (or was
declined) and can withdraw it, and a skill once offered is not offered again. Outcome
feedback on imported skills shares the table (:mod:`app.store.feedback`, which also has the
status checks both kinds use before and after sending).
"""

from __future__ import annotations

import time
from typing import Any

import sqlite_utils

from app.store.db import transaction


def offered_skill_ids(db: sqlite_utils.Database, except_status: str) -> set[int]:
    """Ids of the library's skills with a row in any status but ``except_status``."""
    return {row[0] for row in db.execute(
        "SELECT skill_id FROM exports WHERE skill_id IS NOT NULL AND status != ?",
        [except_status])}


def log_skill(db: sqlite_utils.Database, skill_id: int | None, skill_name: str, hub_url: str,
              status: str, payload: str | None, payload_sha256: str | None) -> int:
    """Add a row for a skill (its signed bundle as ``payload`` when queued); returns its id."""
    with transaction(db):
        cursor = db.execute(
            "INSERT INTO exports (skill_id, skill_name, hub_url, status, payload, "
            "payload_sha256, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [skill_id, skill_name, hub_url, status, payload, payload_sha256, time.time()],
        )
    return int(cursor.lastrowid)


def log_rows(db: sqlite_utils.Database, leave_out_status: str) -> list[dict[str, Any]]:
    """Every row (skills and feedback) but those in ``leave_out_status``, newest first."""
    return list(db.query("SELECT id, skill_name, hub_url, status, created, sent, withdrawn, "
                         "remote_id, error, kind FROM exports WHERE status != ? ORDER BY id DESC",
                         [leave_out_status]))


def state(db: sqlite_utils.Database, export_id: int) -> dict[str, Any] | None:
    """``status``, ``remote_id`` and ``kind`` of a row, ``None`` when there is none."""
    rows = list(db.query("SELECT status, remote_id, kind FROM exports WHERE id = ?",
                         [export_id]))
    return rows[0] if rows else None


def withdraw(db: sqlite_utils.Database, export_id: int, status: str) -> None:
    """Mark a row withdrawn (``status``) now and drop its bundle: it is never sent again."""
    with transaction(db):
        db.execute("UPDATE exports SET status = ?, withdrawn = ?, payload = NULL WHERE id = ?",
                   [status, time.time(), export_id])


def queued_skills(db: sqlite_utils.Database, hub_url: str) -> list[dict[str, Any]]:
    """``id`` and ``payload`` of the skills queued for ``hub_url``, oldest first."""
    return list(db.query("SELECT id, payload FROM exports WHERE status = 'queued' AND "
                         "kind = 'skill' AND hub_url = ? ORDER BY id", [hub_url]))


def mark_skill_sent(db: sqlite_utils.Database, export_id: int, remote_id: str) -> None:
    """The hub took the skill under ``remote_id`` (what a later withdrawal names)."""
    with transaction(db):
        db.execute("UPDATE exports SET status = 'sent', remote_id = ?, sent = ?, error = NULL "
                   "WHERE id = ?", [remote_id, time.time(), export_id])
