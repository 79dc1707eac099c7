"""Run bookkeeping: the ``training_runs`` row of one trainer run and the adapter it registers.

Kept apart from the run itself (``trainer/__main__.py``) because it is what the app reads
afterwards (the dashboard, the idle scheduler): which run is which row, how it ended, and
which adapter version it left behind. The SQL is in ``app/store/training_runs.py``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import sqlite_utils

from app.learning.registry import AdapterRegistry
from app.store import training_runs
from trainer.config import TrainConfig


def finite(value: Any) -> Any:
    """JSON has no NaN/inf; a diverged loss is recorded (and reported) as null instead of
    breaking a row's metrics or an event line."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def start_run(
    db: sqlite_utils.Database,
    resume: dict | None,
    base_sha256: str,
    config: TrainConfig,
    n_examples: int,
) -> int:
    """Reuse the interrupted run's row when resuming (its id is in the checkpoint's meta),
    so one run stays one row."""
    run_id = (resume or {}).get("meta", {}).get("run_id")
    return training_runs.start(db, base_sha256, n_examples, config.to_json(), run_id)


def finish_run(
    db: sqlite_utils.Database,
    run_id: int,
    status: str,
    metrics: dict | None = None,
    error: str | None = None,
) -> None:
    """Record how the run ended; a run that stopped early has no metrics (``{}``)."""
    training_runs.finish(db, run_id, status, finite(metrics or {}), error)


def register(
    registry: AdapterRegistry,
    base_sha256: str,
    candidate: Path,
    config: TrainConfig,
    metrics: dict[str, Any],
    run_id: int,
) -> int:
    """Record the candidate with its gate results, then promote or reject it."""
    record = registry.register(base_sha256, candidate, config.to_json(), metrics, run_id)
    if metrics["promote"]:
        registry.promote(base_sha256, record.version)
    else:
        registry.reject(base_sha256, record.version)
    return record.version
