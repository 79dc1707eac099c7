"""The trainer's run rows, through the store functions it calls (``trainer/runs.py``)."""

import json

from app.store import db as store_db
from app.store import training_runs


def _statuses(db) -> list[tuple[int, str, str]]:
    return db.execute("SELECT id, status, base_sha256 FROM training_runs ORDER BY id").fetchall()


def test_a_new_run_interrupts_the_killed_runs_of_its_base_only() -> None:
    db = store_db.open_db()
    killed = training_runs.start(db, "base-a", 5, "{}")
    other = training_runs.start(db, "base-b", 5, "{}")
    new = training_runs.start(db, "base-a", 6, '{"steps": 3}')
    assert _statuses(db) == [
        (killed, "interrupted", "base-a"),
        (other, "running", "base-b"),
        (new, "running", "base-a"),
    ]
    row = db["training_runs"].get(new)
    assert (row["n_examples"], row["config"]) == (6, '{"steps": 3}')


def test_a_resumed_run_takes_its_row_back_or_gets_a_new_one_when_it_is_gone() -> None:
    db = store_db.open_db()
    first = training_runs.start(db, "base", 5, "{}")
    training_runs.finish(db, first, "interrupted", {})
    assert training_runs.start(db, "base", 5, "{}", resume_id=first) == first
    assert _statuses(db) == [(first, "running", "base")]
    db.execute("DELETE FROM training_runs")
    fresh = training_runs.start(db, "base", 5, "{}", resume_id=first)
    assert _statuses(db) == [(fresh, "running", "base")]


def test_finish_records_status_metrics_and_error() -> None:
    db = store_db.open_db()
    run_id = training_runs.start(db, "base", 5, "{}")
    training_runs.finish(db, run_id, "failed", {"loss": None}, error="ValueError: x")
    row = db["training_runs"].get(run_id)
    assert (row["status"], row["error"]) == ("failed", "ValueError: x")
    assert json.loads(row["metrics"]) == {"loss": None}
    assert row["finished"] >= row["started"]
