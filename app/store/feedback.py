"""Outcome feedback rows: endorsements and reports of hub skills, kept in the ``exports`` table.

Why the sharing log's table: everything this install sends to a hub is listed in one place,
where the user sees it and can cancel what still waits. The rows differ from shared skills by
``kind`` (``endorse`` or ``report``); ``remote_id`` names the hub skill the verdict is about
and ``skill_name`` the imported skill it came from. A unique index keeps one row per hub skill
and verdict, whatever its status, so a verdict is never sent twice, nor queued again once the
user cancelled it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import sqlite_utils

from app.store.db import transaction

SKILL, ENDORSE, REPORT = "skill", "endorse", "report"
QUEUED, SENT, REFUSED, CANCELLED = "queued", "sent", "refused", "cancelled"


@dataclass(frozen=True)
class ImportedOutcome:
    """How an imported skill has done here."""

    skill_name: str
    remote_id: str
    uses: int
    successes: int


@dataclass(frozen=True)
class QueuedVerdict:
    """A verdict waiting to be sent."""

    id: int
    kind: str
    remote_id: str
    skill_name: str
    reason: str


def imported_outcomes(db: sqlite_utils.Database, hub_url: str,
                      min_uses: int) -> list[ImportedOutcome]:
    """Skills imported from ``hub_url`` with at least ``min_uses`` judged uses."""
    prefix = hub_url + "#"
    rows = db.query("SELECT name, community_origin, uses, successes FROM skills "
                    "WHERE substr(community_origin, 1, ?) = ? AND uses >= ? ORDER BY id",
                    [len(prefix), prefix, min_uses])
    return [ImportedOutcome(row["name"], row["community_origin"][len(prefix):], row["uses"],
                            row["successes"]) for row in rows]


def queue(db: sqlite_utils.Database, hub_url: str, kind: str, remote_id: str,
          skill_name: str, reason: str = "") -> int | None:
    """Queue a verdict; returns its row id, or ``None`` when one for this hub skill and kind
    already exists (queued, sent, refused or cancelled)."""
    with transaction(db):
        cursor = db.execute(
            "INSERT OR IGNORE INTO exports (kind, hub_url, remote_id, skill_name, status, "
            "payload, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [kind, hub_url, remote_id, skill_name, QUEUED, json.dumps({"reason": reason}),
             time.time()])
    return int(cursor.lastrowid) if cursor.rowcount else None


def due(db: sqlite_utils.Database, hub_url: str, queued_before: float) -> list[QueuedVerdict]:
    """Verdicts for ``hub_url`` queued before ``queued_before``, oldest first."""
    rows = db.query("SELECT id, kind, remote_id, skill_name, payload FROM exports "
                    "WHERE kind != ? AND status = ? AND hub_url = ? AND created <= ? ORDER BY id",
                    [SKILL, QUEUED, hub_url, queued_before])
    return [QueuedVerdict(row["id"], row["kind"], row["remote_id"], row["skill_name"] or "",
                          json.loads(row["payload"] or "{}").get("reason", "")) for row in rows]


def still_queued(db: sqlite_utils.Database, row_id: int) -> bool:
    """Re-read before sending: the user may have cancelled it a moment ago."""
    row = db.execute("SELECT status FROM exports WHERE id = ?", [row_id]).fetchone()
    return row is not None and row[0] == QUEUED


def mark_sent(db: sqlite_utils.Database, row_id: int) -> None:
    with transaction(db):
        db.execute("UPDATE exports SET status = ?, sent = ?, error = NULL WHERE id = ?",
                   [SENT, time.time(), row_id])


def mark_refused(db: sqlite_utils.Database, row_id: int, error: str) -> None:
    """The hub refused it (the skill was withdrawn, say): kept, with why, and never retried."""
    with transaction(db):
        db.execute("UPDATE exports SET status = ?, error = ? WHERE id = ?",
                   [REFUSED, error, row_id])


def cancel(db: sqlite_utils.Database, row_id: int) -> bool:
    """Cancel a verdict that still waits; ``False`` when it is not (or no longer) queued."""
    with transaction(db):
        cursor = db.execute("UPDATE exports SET status = ?, withdrawn = ? "
                            "WHERE id = ? AND kind != ? AND status = ?",
                            [CANCELLED, time.time(), row_id, SKILL, QUEUED])
    return bool(cursor.rowcount)
