"""Training runs: one row per run of the trainer, with its status and metrics (JSON).

The trainer process writes the rows (:func:`start` and :func:`finish`, called by
``trainer/runs.py``); the app reads them for the dashboard and for deciding whether enough
new examples wait, and adds what only its reader of the trainer's output saw (the per-step
losses) to a run's metrics.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import sqlite_utils

from app.store.db import transaction


def all_runs(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every run, newest first."""
    return list(db.query("SELECT * FROM training_runs ORDER BY id DESC"))


def last_finished_start(db: sqlite_utils.Database) -> float | None:
    """When the newest run that ended (not interrupted, not still running) started."""
    row = db.execute(
        "SELECT MAX(started) FROM training_runs WHERE status NOT IN ('interrupted', 'running')"
    ).fetchone()
    return row[0] if row and row[0] is not None else None


def update_metrics(
    db: sqlite_utils.Database, run_id: int, update: Callable[[dict[str, Any]], None]
) -> bool:
    """Change a run's metrics in place with ``update``, read and written in one transaction
    (so no other writer's change between the two is lost). Metrics that are not a JSON
    object are read as ``{}``. Returns ``False`` when there is no such run."""
    with transaction(db):
        row = db.execute("SELECT metrics FROM training_runs WHERE id = ?", [run_id]).fetchone()
        if row is None:
            return False
        try:
            metrics = json.loads(row[0] or "{}")
        except json.JSONDecodeError:
            metrics = {}
        if not isinstance(metrics, dict):
            metrics = {}
        update(metrics)
        db.execute(
            "UPDATE training_runs SET metrics = ? WHERE id = ?", [json.dumps(metrics), run_id]
        )
    return True


def start(
    db: sqlite_utils.Database,
    base_sha256: str,
    n_examples: int,
    config_json: str,
    resume_id: int | None = None,
) -> int:
    """Open the row of a run that starts now and return its id.

    Rows of this base still marked running belong to a trainer that was killed (only one
    runs at a time), so they become interrupted. A run resumed from a checkpoint
    (``resume_id``, the run that saved it) takes its old row back, so one run stays one row;
    when that row is gone, a new one is made. All of it is one transaction, so a reader sees
    the rows as they were or as they are now, never half of the change.
    """
    with transaction(db):
        db.execute(
            "UPDATE training_runs SET status = 'interrupted' WHERE status = 'running' "
            "AND base_sha256 = ?",
            [base_sha256],
        )
        if resume_id is not None and db["training_runs"].count_where("id = ?", [resume_id]):
            db.execute("UPDATE training_runs SET status = 'running' WHERE id = ?", [resume_id])
            return int(resume_id)
        cursor = db.execute(
            "INSERT INTO training_runs (started, status, base_sha256, n_examples, config) "
            "VALUES (?, 'running', ?, ?, ?)",
            [time.time(), base_sha256, n_examples, config_json],
        )
        return int(cursor.lastrowid)


def finish(
    db: sqlite_utils.Database,
    run_id: int,
    status: str,
    metrics: dict[str, Any],
    error: str | None = None,
) -> None:
    """Record how a run ended (status, end time, metrics, error) in one write, so the row is
    never seen finished without its metrics. ``metrics`` must already be JSON-safe (the
    trainer replaces NaN and infinities first)."""
    with transaction(db):
        db.execute(
            "UPDATE training_runs SET status = ?, finished = ?, metrics = ?, error = ? "
            "WHERE id = ?",
            [status, time.time(), json.dumps(metrics), error, run_id],
        )
