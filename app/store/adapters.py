"""Registered LoRA adapters: one row per version trained for a base model, with its status.

A version is a ``candidate`` until the gate decides, then ``active`` (at most one per base),
``retired`` (it served before) or ``rejected``. The files live under ``adapters/`` and are
handled by :mod:`app.learning.registry`; this table is what says which one serves, so every
change of status happens in one transaction and the active pointer is never lost.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from app.store.db import transaction


def versions(db: sqlite_utils.Database, base_sha256: str) -> list[dict[str, Any]]:
    """Every version registered for a base model, oldest first."""
    return list(
        db.query("SELECT * FROM adapters WHERE base_sha256 = ? ORDER BY version", [base_sha256])
    )


def get(db: sqlite_utils.Database, base_sha256: str, version: int) -> dict[str, Any] | None:
    rows = list(
        db.query(
            "SELECT * FROM adapters WHERE base_sha256 = ? AND version = ?",
            [base_sha256, version],
        )
    )
    return rows[0] if rows else None


def active(db: sqlite_utils.Database, base_sha256: str) -> dict[str, Any] | None:
    rows = list(
        db.query(
            "SELECT * FROM adapters WHERE base_sha256 = ? AND status = 'active'",
            [base_sha256],
        )
    )
    return rows[0] if rows else None


def highest_version(db: sqlite_utils.Database, base_sha256: str) -> int:
    """The highest version registered for a base model, 0 when none is."""
    row = db.execute(
        "SELECT coalesce(max(version), 0) FROM adapters WHERE base_sha256 = ?", [base_sha256]
    ).fetchone()
    return int(row[0])


def insert_candidate(
    db: sqlite_utils.Database,
    base_sha256: str,
    version: int,
    path: str,
    sha256: str,
    run_id: int | None,
    metrics: str,
    created: float,
) -> None:
    """Record a new version as a candidate; the caller holds the transaction in which it
    also moved the version's folder into place."""
    db.execute(
        "INSERT INTO adapters (base_sha256, version, path, sha256, status, run_id, "
        "metrics, created) VALUES (?, ?, ?, ?, 'candidate', ?, ?, ?)",
        [base_sha256, version, path, sha256, run_id, metrics, created],
    )


def activate(db: sqlite_utils.Database, base_sha256: str, version: int | None) -> None:
    """Retire the active version of a base model and make ``version`` active (``None``: the
    bare base), in one transaction."""
    with transaction(db):
        db.execute(
            "UPDATE adapters SET status = 'retired' "
            "WHERE base_sha256 = ? AND status = 'active'",
            [base_sha256],
        )
        if version is not None:
            db.execute(
                "UPDATE adapters SET status = 'active' WHERE base_sha256 = ? AND version = ?",
                [base_sha256, version],
            )


def reject(db: sqlite_utils.Database, base_sha256: str, version: int) -> None:
    with transaction(db):
        db.execute(
            "UPDATE adapters SET status = 'rejected' WHERE base_sha256 = ? AND version = ?",
            [base_sha256, version],
        )
