"""Skills' sentence embeddings (table ``skill_vectors``, migration m012).

A skill's vectors are embedded once, when the skill is written: its main vector (name,
description and lesson; for a habit, the centre of the requests it was taught on), then one
row per other view of it (its name and description alone; see
:mod:`app.skills.vectors`). Retrieval then embeds only the request and
compares it with all of them at once. The rows of one skill are one float32 blob (main row
first), tagged with the embedding model that made them and a hash of the texts embedded, so
a changed text or a new model is noticed and only those are recomputed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sqlite_utils

DTYPE = np.float32


def version(db: sqlite_utils.Database) -> int:
    """A number that changes whenever any vector is added, replaced or deleted (triggers)."""
    return int(db.execute("SELECT version FROM skill_vectors_version").fetchone()[0])


def stored_hash(db: sqlite_utils.Database, skill_id: int, model: str) -> str | None:
    """The hash of the text behind a skill's vector from ``model`` (``None``: no such vector)."""
    row = db.execute(
        "SELECT text_sha256 FROM skill_vectors WHERE skill_id = ? AND model = ?", [skill_id, model]
    ).fetchone()
    return row[0] if row else None


def save(
    db: sqlite_utils.Database,
    skill_id: int,
    model: str,
    text_sha256: str,
    vector: np.ndarray,
    reach: float | None = None,
) -> None:
    """Store (or replace) one skill's vectors (one row, or a matrix whose first row is the
    main vector) and its reach (``None``: none); the caller holds the transaction."""
    db.execute(
        "INSERT INTO skill_vectors (skill_id, model, text_sha256, vector, reach) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(skill_id) DO UPDATE SET model = excluded.model, "
        "text_sha256 = excluded.text_sha256, vector = excluded.vector, reach = excluded.reach",
        [skill_id, model, text_sha256, np.asarray(vector, dtype=DTYPE).tobytes(), reach],
    )


def all_vectors(
    db: sqlite_utils.Database, model: str, dims: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, float]]:
    """Every vector from ``model``: the skill ids, how many rows each skill has, all rows
    stacked (unit length, each skill's main row first) and the reach of the skills that
    have one, by id."""
    rows = db.execute(
        "SELECT skill_id, vector, reach FROM skill_vectors WHERE model = ?", [model]
    ).fetchall()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    width = dims * np.dtype(DTYPE).itemsize
    counts = np.fromiter((len(r[1]) // width for r in rows), dtype=np.int64, count=len(rows))
    blob = b"".join(r[1] for r in rows)
    reach = {int(r[0]): float(r[2]) for r in rows if r[2] is not None}
    return ids, counts, np.frombuffer(blob, dtype=DTYPE).reshape(-1, dims), reach


def skills_with_vectors(db: sqlite_utils.Database, model: str) -> list[dict[str, Any]]:
    """Every skill's text and the hash behind its current vector (``None``: none yet)."""
    cursor = db.execute(
        "SELECT s.id, s.name, s.description, s.body, v.text_sha256 AS vector_hash "
        "FROM skills s LEFT JOIN skill_vectors v ON v.skill_id = s.id AND v.model = ?",
        [model],
    )
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
