"""The trainer child process seen from the app's side: how to start it, what its lines mean.

The desktop supervisor, ``flywheel train`` and ``bench.learning`` all start the same
``trainer run --json`` process and read the same JSON lines, so the command and the parsing
live here once, without Qt or torch (the trainer's heavy imports stay in the child).
The trainer records a run's final loss only; the per-step losses a reader saw are added to
the run's metrics with :func:`record_losses`, so the dashboard can draw the loss curve.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import sqlite_utils

from app.cli import TRAINER_SUBCOMMAND
from app.store import training_runs

TERMINAL_EVENTS = ("done", "preempted", "error")
LOSSES_KEY = "losses"


def trainer_command(*extra: str) -> list[str]:
    """argv of a JSON-speaking trainer run.

    A source checkout runs the trainer package with the interpreter that runs the app. A
    frozen (PyInstaller) build has no interpreter that understands ``-m``: its executable is
    the app itself, so the trainer is that executable's hidden ``trainer`` sub-command, which
    the entry point dispatches before anything imports Qt.
    """
    if getattr(sys, "frozen", False):
        return [sys.executable, TRAINER_SUBCOMMAND, "run", "--json", *extra]
    return [sys.executable, "-m", "trainer", "run", "--json", *extra]


def parse_event(line: str) -> dict[str, Any] | None:
    """One stdout line as an event, or ``None`` for anything else (a stray library print)."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return None
    if not isinstance(event, dict) or not isinstance(event.get("event"), str):
        return None
    return event


def record_losses(db: sqlite_utils.Database, run_id: int, losses: list[list[float]]) -> None:
    """Merge ``[[step, loss], ...]`` into the run's metrics (kept sorted, one loss per step).

    A resumed run reports its later steps in a second process; merging keeps both halves.
    """

    def merge(metrics: dict[str, Any]) -> None:
        merged = {int(s): float(v) for s, v in metrics.get(LOSSES_KEY, [])}
        merged.update({int(s): float(v) for s, v in losses})
        metrics[LOSSES_KEY] = [[s, merged[s]] for s in sorted(merged)]

    training_runs.update_metrics(db, run_id, merge)
