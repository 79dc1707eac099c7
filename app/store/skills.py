"""The skills table: the database mirror of the SKILL.md folders, its FTS5 index and counters.

The folders are the source of truth for a skill's content (:mod:`app.skills.library`); these
rows exist so that retrieval and the skills page are single indexed queries. The ``skills_fts``
index is kept in sync by triggers, so only the ``skills`` rows are ever written here. Functions
that write leave the transaction to the caller unless they say otherwise: the library writes a
skill's row and its vector together.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils


def row_by_name(db: sqlite_utils.Database, name: str) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM skills WHERE name = ?", [name]))
    return rows[0] if rows else None


def upsert(
    db: sqlite_utils.Database,
    *,
    name: str,
    description: str,
    body: str,
    category: str | None,
    path: str,
    enabled: bool,
    retired: bool,
    uses: int,
    successes: int,
    origin_signals: str,
    community_origin: str | None,
    imported_from: str | None,
    applies: str,
    created: float,
    updated: float,
) -> None:
    """Insert a skill's row, or refresh every column of the row of that name but its id and
    creation time (the id is what skill uses and vectors point at)."""
    db.execute(
        "INSERT INTO skills (name, description, body, category, path, enabled, retired, "
        "uses, successes, origin_signals, community_origin, imported_from, applies, created, "
        "updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(name) DO UPDATE SET "
        "description = excluded.description, body = excluded.body, "
        "category = excluded.category, path = excluded.path, enabled = excluded.enabled, "
        "retired = excluded.retired, uses = excluded.uses, successes = excluded.successes, "
        "origin_signals = excluded.origin_signals, "
        "community_origin = excluded.community_origin, "
        "imported_from = excluded.imported_from, applies = excluded.applies, "
        "updated = excluded.updated",
        (
            name,
            description,
            body,
            category,
            path,
            int(enabled),
            int(retired),
            uses,
            successes,
            origin_signals,
            community_origin,
            imported_from,
            applies,
            created,
            updated,
        ),
    )


def insert_bare(
    db: sqlite_utils.Database, name: str, description: str, body: str, category: str, now: float
) -> int:
    """Insert a row with no SKILL.md behind it and return its id: the retrieval bench's
    padding only needs to exist in the index, and writing 10,000 files would dominate it."""
    cursor = db.execute(
        "INSERT INTO skills (name, description, body, category, created, updated) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (name, description, body, category, now, now),
    )
    return int(cursor.lastrowid)


def all_rows(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every skill's row, by name."""
    return list(db.query("SELECT * FROM skills ORDER BY name"))


def all_names(db: sqlite_utils.Database) -> list[str]:
    return [row["name"] for row in db.query("SELECT name FROM skills")]


def count(db: sqlite_utils.Database) -> int:
    return int(db.execute("SELECT count(*) FROM skills").fetchone()[0])


def names_created_after(db: sqlite_utils.Database, since: float) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM skills WHERE created > ?", [since])}


def matching(
    db: sqlite_utils.Database, query: str, bm25_weights: str, limit: int
) -> list[dict[str, Any]]:
    """Rows matching the FTS5 ``query``, ranked by BM25 with per-column ``bm25_weights``
    (a literal such as ``"4.0, 2.0, 1.0"``: FTS5 takes them as SQL arguments, not
    parameters)."""
    return list(
        db.query(
            "SELECT s.* FROM skills_fts JOIN skills s ON s.id = skills_fts.rowid "
            f"WHERE skills_fts MATCH ? ORDER BY bm25(skills_fts, {bm25_weights}) LIMIT ?",
            [query, limit],
        )
    )


def document_frequencies(db: sqlite_utils.Database, fts_queries: list[str]) -> list[int]:
    """How many skills match each FTS5 query, in one statement.

    Counting stays inside SQLite (well under 0.1 µs a row), so it is cheap even for a
    word half the library contains; fetching those rows into Python would not be.
    """
    parts = ", ".join(
        "(SELECT count(*) FROM skills_fts WHERE skills_fts MATCH ?)" for _ in fts_queries
    )
    row = db.execute(f"SELECT {parts}", fts_queries).fetchone()
    return [int(v) for v in row]


def postings(db: sqlite_utils.Database, fts_query: str) -> list[int]:
    """The ids of the skills matching an FTS5 query."""
    rows = db.execute("SELECT rowid FROM skills_fts WHERE skills_fts MATCH ?", [fts_query])
    return [row[0] for row in rows]


def _marks(items: list[Any]) -> str:
    return ", ".join("?" for _ in items)


def retrievable(db: sqlite_utils.Database, ids: list[int]) -> list[dict[str, Any]]:
    """What retrieval needs of these skills, for those enabled and not retired."""
    cursor = db.execute(
        "SELECT id, name, description, body, category, uses, successes, applies, "
        "community_origin FROM skills "
        f"WHERE id IN ({_marks(ids)}) AND enabled = 1 AND retired = 0",
        ids,
    )
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def texts(db: sqlite_utils.Database, ids: list[int]) -> list[tuple[int, str, str, str]]:
    """``(id, name, description, body)`` of these skills, whatever their state."""
    cursor = db.execute(
        f"SELECT id, name, description, body FROM skills WHERE id IN ({_marks(ids)})", ids
    )
    return cursor.fetchall()


def standing_ids(db: sqlite_utils.Database, applies: str, limit: int) -> list[int]:
    """Enabled, unretired skills that apply ``applies`` (every request), newest update first."""
    return [
        row[0]
        for row in db.execute(
            "SELECT id FROM skills WHERE applies = ? AND enabled = 1 AND retired = 0 "
            "ORDER BY updated DESC LIMIT ?",
            [applies, limit],
        )
    ]


def rename(db: sqlite_utils.Database, old: str, new: str) -> None:
    db.execute("UPDATE skills SET name = ? WHERE name = ?", [new, old])


def delete(db: sqlite_utils.Database, name: str) -> None:
    """Delete a skill's row; its uses and vector go by cascade, its FTS entry by trigger."""
    db.execute("DELETE FROM skills WHERE name = ?", [name])


def counters(db: sqlite_utils.Database, skill_id: int) -> tuple[str, int, int, bool] | None:
    """``(name, uses, successes, retired)`` of a skill, ``None`` when it is gone."""
    row = db.execute(
        "SELECT name, uses, successes, retired FROM skills WHERE id = ?", [skill_id]
    ).fetchone()
    return None if row is None else (row[0], row[1], row[2], bool(row[3]))


def add_outcome(
    db: sqlite_utils.Database, skill_id: int, uses: int, successes: int, updated: float
) -> None:
    """Add to a skill's judged uses and successes (successes never below zero: a verdict
    replaced by its opposite takes back a success)."""
    db.execute(
        "UPDATE skills SET uses = uses + ?, successes = max(0, successes + ?), "
        "updated = ? WHERE id = ?",
        [uses, successes, updated, skill_id],
    )


def set_retired(db: sqlite_utils.Database, skill_id: int) -> None:
    db.execute("UPDATE skills SET retired = 1 WHERE id = ?", [skill_id])
