"""Training runs: one row per run of the trainer, with its status and metrics (JSON).

The trainer process writes the rows (``trainer/__main__.py``); the app reads them for the
dashboard and for deciding whether enough new examples wait, and adds what only its reader
of the trainer's output saw (the per-step losses) to a run's metrics.
"""

from __future__ import annotations

import json
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
