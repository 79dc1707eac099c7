"""What this install receives from a community hub: subscribed domains and received skills.

Why a row per hub skill ever seen, not only the ones waiting: a background sync must fetch
each skill once. A skill the user dismissed, or imported and later deleted, keeps its row
(status ``dismissed`` or ``imported``), so the next sync does not bring it back. A skill
waiting in the inbox keeps its verified bundle, so the inbox can show it offline.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from app.store.db import transaction

INBOX = "inbox"  # fetched by a sync, waiting for the user to enable or dismiss it
IMPORTED = "imported"  # in the skills library (the user may have disabled or deleted it since)
DISMISSED = "dismissed"  # the user did not want it
REFUSED = "refused"  # could not be imported (``reason`` says why); shown until dismissed
STATUSES = (INBOX, IMPORTED, DISMISSED, REFUSED)


@dataclass
class Received:
    """One hub skill as this install knows it."""

    hub_url: str
    remote_id: str
    name: str
    description: str
    status: str
    domains: list[str] = field(default_factory=list)
    contributor: str = ""
    endorsements: int = 0
    bundle: dict[str, Any] | None = None
    reason: str | None = None
    skill_name: str | None = None
    received: float = 0.0
    id: int | None = None


def _received(row: dict[str, Any]) -> Received:
    return Received(
        hub_url=row["hub_url"],
        remote_id=row["remote_id"],
        name=row["name"],
        description=row["description"],
        status=row["status"],
        domains=json.loads(row["domains"] or "[]"),
        contributor=row["contributor"],
        endorsements=row["endorsements"],
        bundle=json.loads(row["bundle"]) if row["bundle"] else None,
        reason=row["reason"],
        skill_name=row["skill_name"],
        received=row["received"],
        id=row["id"],
    )


def subscribe(db: sqlite_utils.Database, domain: str) -> bool:
    """Add a subscription; False if it was already there."""
    with transaction(db):
        cursor = db.execute(
            "INSERT OR IGNORE INTO community_subscriptions (domain, created) VALUES (?, ?)",
            [domain, time.time()],
        )
    return cursor.rowcount > 0


def unsubscribe(db: sqlite_utils.Database, domain: str) -> bool:
    """Remove a subscription; False if there was none. Received skills stay as they are."""
    with transaction(db):
        cursor = db.execute("DELETE FROM community_subscriptions WHERE domain = ?", [domain])
    return cursor.rowcount > 0


def subscriptions(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT domain FROM community_subscriptions ORDER BY domain")]


def known_remote_ids(db: sqlite_utils.Database, hub_url: str) -> set[str]:
    """Ids of this hub's skills already received, or in the library with this hub as origin."""
    known = {r[0] for r in db.execute(
        "SELECT remote_id FROM community_received WHERE hub_url = ?", [hub_url])}
    prefix = hub_url + "#"
    known |= {r[0][len(prefix):] for r in db.execute(
        "SELECT community_origin FROM skills WHERE substr(community_origin, 1, ?) = ?",
        [len(prefix), prefix])}
    return known


def skill_with_origin(db: sqlite_utils.Database, origin: str) -> str | None:
    """The name of the library's skill imported from ``origin`` (``hub#id``), if any."""
    row = db.execute("SELECT name FROM skills WHERE community_origin = ?", [origin]).fetchone()
    return row[0] if row else None


def record(db: sqlite_utils.Database, item: Received) -> Received:
    """Store what is known of a hub skill, replacing an earlier row for the same skill,
    except that an imported one stays imported (a sync racing an *Enable* must not turn it
    into a refusal or an inbox item again)."""
    now = time.time()
    with transaction(db):
        db.execute(
            "INSERT INTO community_received (hub_url, remote_id, name, description, domains, "
            "contributor, endorsements, bundle, status, reason, skill_name, received, decided) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(hub_url, remote_id) DO UPDATE SET name = excluded.name, "
            "description = excluded.description, domains = excluded.domains, "
            "contributor = excluded.contributor, endorsements = excluded.endorsements, "
            "bundle = excluded.bundle, status = excluded.status, reason = excluded.reason, "
            "skill_name = excluded.skill_name, decided = excluded.decided "
            "WHERE community_received.status != ? OR excluded.status = ?",
            [item.hub_url, item.remote_id, item.name, item.description,
             json.dumps(item.domains), item.contributor, item.endorsements,
             json.dumps(item.bundle) if item.bundle is not None else None, item.status,
             item.reason, item.skill_name, now, None if item.status == INBOX else now,
             IMPORTED, IMPORTED],
        )
    stored = get_by_remote(db, item.hub_url, item.remote_id)
    assert stored is not None
    return stored


def get(db: sqlite_utils.Database, item_id: int) -> Received | None:
    rows = list(db.query("SELECT * FROM community_received WHERE id = ?", [item_id]))
    return _received(rows[0]) if rows else None


def get_by_remote(db: sqlite_utils.Database, hub_url: str, remote_id: str) -> Received | None:
    rows = list(db.query("SELECT * FROM community_received WHERE hub_url = ? AND remote_id = ?",
                         [hub_url, remote_id]))
    return _received(rows[0]) if rows else None


def inbox(db: sqlite_utils.Database, hub_url: str) -> list[Received]:
    """This hub's skills waiting for a decision (and refused ones, with their reason), newest
    first."""
    rows = db.query("SELECT * FROM community_received WHERE hub_url = ? AND status IN (?, ?) "
                    "ORDER BY received DESC, id DESC", [hub_url, INBOX, REFUSED])
    return [_received(r) for r in rows]


def decide(db: sqlite_utils.Database, item_id: int, status: str, *,
           skill_name: str | None = None, reason: str | None = None) -> None:
    """Close an inbox item: the bundle is dropped (the library or nothing holds it now)."""
    if status not in STATUSES or status == INBOX:
        raise ValueError(f"not a decision: {status!r}")
    with transaction(db):
        db.execute("UPDATE community_received SET status = ?, skill_name = ?, reason = ?, "
                   "bundle = NULL, decided = ? WHERE id = ?",
                   [status, skill_name, reason, time.time(), item_id])
