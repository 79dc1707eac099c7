"""Where a hub keeps skills, endorsements, reports and membership tokens.

The hub talks to :class:`HubStorage` only, so a community that outgrows one SQLite file can
put PostgreSQL behind the same methods. :class:`SqliteHubStorage` is a database file of its
own, never the user's ``flywheel.db``. Tokens are stored as SHA-256 hashes: a copy of the
database does not let anyone in.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StoredSkill:
    """One submitted bundle and its standing on the hub."""

    id: str
    bundle: dict[str, Any]
    submitter: str  # token hash of the member who submitted it
    approved: bool
    withdrawn: bool
    endorsements: int
    reports: int
    created_day: str


@dataclass(frozen=True)
class ContributorRecord:
    """How a contributor's skills on this hub (withdrawn ones aside) were received."""

    skills: int
    endorsements: int
    reports: int


class HubStorage(Protocol):
    """Everything the hub's endpoints need to persist."""

    def issue_token(self, label: str) -> str: ...

    def is_member(self, token: str) -> bool: ...

    def add_skill(self, bundle: dict[str, Any], *, name: str, description: str, submitter: str,
                  tags: list[str]) -> str: ...

    def get_skill(self, skill_id: str) -> StoredSkill | None: ...

    def list_skills(self, domain: str | None, text: str | None, limit: int) -> list[StoredSkill]:
        ...

    def endorse(self, skill_id: str, member: str) -> int: ...

    def submitted_as(self, member: str, contributor: str) -> bool: ...

    def contributor_record(self, contributor: str) -> ContributorRecord: ...

    def report(self, skill_id: str, member: str, reason: str) -> int: ...

    def approve(self, skill_id: str) -> None: ...

    def withdraw(self, skill_id: str) -> None: ...

    def count_skills(self) -> int: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, label TEXT, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS skills (
    id TEXT PRIMARY KEY, bundle TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
    contributor TEXT NOT NULL, submitter TEXT NOT NULL, created_day TEXT NOT NULL,
    approved INTEGER NOT NULL DEFAULT 0, withdrawn INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS skill_tags (skill_id TEXT NOT NULL, tag TEXT NOT NULL,
    PRIMARY KEY (skill_id, tag));
CREATE INDEX IF NOT EXISTS skill_tags_tag ON skill_tags(tag);
CREATE INDEX IF NOT EXISTS skills_contributor ON skills(contributor, submitter);
CREATE TABLE IF NOT EXISTS endorsements (skill_id TEXT NOT NULL, member TEXT NOT NULL,
    PRIMARY KEY (skill_id, member));
CREATE TABLE IF NOT EXISTS reports (skill_id TEXT NOT NULL, member TEXT NOT NULL,
    reason TEXT NOT NULL, PRIMARY KEY (skill_id, member));
"""

# Endorsements count once per member (token), and never from a token that submitted anything
# signed with the skill's key (an earlier endorsement by it stops counting once it does). A
# second token that never submitted with that key does count: the hub cannot tell that one
# person holds both, so the one-token-per-person rule is the admin's to keep.
_ENDORSEMENTS = """(SELECT count(*) FROM endorsements e WHERE e.skill_id = s.id AND e.member NOT IN
    (SELECT o.submitter FROM skills o WHERE o.contributor = s.contributor))"""
_SELECT = f"""
SELECT s.*, {_ENDORSEMENTS} AS endorsements,
       (SELECT count(*) FROM reports r WHERE r.skill_id = s.id) AS reports
FROM skills s
"""


class SqliteHubStorage:
    """:class:`HubStorage` in one SQLite file; safe to share between server threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def _rows(self, sql: str, params: list[Any]) -> list[sqlite3.Row]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def _write(self, statements: list[tuple[str, list[Any]]]) -> None:
        """Run statements in one transaction: all of them are stored or none."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for sql, params in statements:
                    self._conn.execute(sql, params)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def issue_token(self, label: str) -> str:
        token = "fwm_" + secrets.token_urlsafe(32)
        self._write([("INSERT INTO tokens VALUES (?, ?, ?)", [token_hash(token), label,
                                                              time.time()])])
        return token

    def is_member(self, token: str) -> bool:
        return bool(self._rows("SELECT 1 FROM tokens WHERE hash = ?", [token_hash(token)]))

    def add_skill(self, bundle: dict[str, Any], *, name: str, description: str, submitter: str,
                  tags: list[str]) -> str:
        """Store a verified bundle; its name and description are indexed for search."""
        skill_id = secrets.token_hex(8)
        statements = [(
            "INSERT INTO skills (id, bundle, name, description, contributor, submitter, "
            "created_day) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [skill_id, json.dumps(bundle), name, description, bundle["contributor"], submitter,
             bundle["metadata"]["created_day"]],
        )]
        statements += [("INSERT OR IGNORE INTO skill_tags VALUES (?, ?)", [skill_id, t])
                       for t in tags]
        self._write(statements)
        return skill_id

    @staticmethod
    def _stored(row: sqlite3.Row) -> StoredSkill:
        return StoredSkill(
            id=row["id"], bundle=json.loads(row["bundle"]), submitter=row["submitter"],
            approved=bool(row["approved"]), withdrawn=bool(row["withdrawn"]),
            endorsements=row["endorsements"], reports=row["reports"],
            created_day=row["created_day"],
        )

    def get_skill(self, skill_id: str) -> StoredSkill | None:
        rows = self._rows(_SELECT + " WHERE s.id = ?", [skill_id])
        return self._stored(rows[0]) if rows else None

    def list_skills(self, domain: str | None, text: str | None, limit: int) -> list[StoredSkill]:
        sql, params = _SELECT + " WHERE s.withdrawn = 0", []
        if domain:
            sql += " AND s.id IN (SELECT skill_id FROM skill_tags WHERE tag = ?)"
            params.append(domain)
        for word in (text or "").lower().split()[:8]:
            sql += (" AND (lower(s.name) LIKE ? ESCAPE '!'"
                    " OR lower(s.description) LIKE ? ESCAPE '!')")
            pattern = "%" + word.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"
            params += [pattern, pattern]
        sql += " ORDER BY s.created_day DESC, s.rowid DESC LIMIT ?"
        return [self._stored(r) for r in self._rows(sql, [*params, limit])]

    def endorse(self, skill_id: str, member: str) -> int:
        self._write([("INSERT OR IGNORE INTO endorsements VALUES (?, ?)", [skill_id, member])])
        return self._rows("SELECT count(*) FROM endorsements WHERE skill_id = ?", [skill_id])[0][0]

    def submitted_as(self, member: str, contributor: str) -> bool:
        """Whether ``member`` ever submitted a skill signed by ``contributor``'s key."""
        return bool(self._rows("SELECT 1 FROM skills WHERE contributor = ? AND submitter = ?",
                               [contributor, member]))

    def contributor_record(self, contributor: str) -> ContributorRecord:
        rows = self._rows(
            f"SELECT count(*), coalesce(sum(endorsements), 0), coalesce(sum(reports), 0) "
            f"FROM ({_SELECT} WHERE s.contributor = ? AND s.withdrawn = 0)", [contributor])
        return ContributorRecord(*(int(v) for v in rows[0]))

    def report(self, skill_id: str, member: str, reason: str) -> int:
        self._write([("INSERT OR REPLACE INTO reports VALUES (?, ?, ?)",
                      [skill_id, member, reason])])
        return self._rows("SELECT count(*) FROM reports WHERE skill_id = ?", [skill_id])[0][0]

    def approve(self, skill_id: str) -> None:
        self._write([("UPDATE skills SET approved = 1 WHERE id = ?", [skill_id])])

    def withdraw(self, skill_id: str) -> None:
        """Withdrawn skills keep a row (so their id is never reused) but lose their content."""
        self._write([("UPDATE skills SET withdrawn = 1, bundle = '{}' WHERE id = ?", [skill_id]),
                     ("DELETE FROM skill_tags WHERE skill_id = ?", [skill_id])])

    def count_skills(self) -> int:
        return self._rows("SELECT count(*) FROM skills", [])[0][0]
