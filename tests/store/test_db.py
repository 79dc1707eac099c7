import json
import sqlite3

import pytest

from app import paths
from app.store import db as store_db
from app.store.migrations import MIGRATIONS


def test_new_database_is_migrated_and_in_wal_mode() -> None:
    db = store_db.open_db()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == store_db.schema_version()
    names = set(db.table_names())
    for table in (
        "conversations", "messages", "signals", "commands", "examples", "skills",
        "adapters", "training_runs", "exports", "messages_fts",
    ):
        assert table in names


def test_reopening_applies_nothing_twice() -> None:
    store_db.open_db().conn.close()
    db = store_db.open_db()
    rows = db.execute("SELECT name FROM _migrations").fetchall()
    assert [r[0] for r in rows] == [m.__name__ for m in MIGRATIONS]


def test_a_migration_another_connection_applied_meanwhile_is_not_run_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two connections opening a database with pending migrations at once (the window's
    store thread and a background job, or the window and the CLI): the one that read the
    list of applied migrations first must not apply them again after the other did."""
    store_db.open_db().conn.close()
    monkeypatch.setattr(store_db, "applied_migrations", lambda _conn: [])  # read too early
    db = store_db.open_db()
    rows = db.execute("SELECT name FROM _migrations").fetchall()
    assert [r[0] for r in rows] == [m.__name__ for m in MIGRATIONS]


def test_newer_database_is_refused_and_left_untouched() -> None:
    db = store_db.open_db()
    db.execute("INSERT INTO _migrations (name, applied) VALUES ('m999_from_the_future', 0)")
    db.conn.close()
    before = paths.db_path().read_bytes()
    with pytest.raises(store_db.SchemaTooNewError, match="newer version"):
        store_db.open_db()
    assert paths.db_path().read_bytes() == before


def test_newer_user_version_alone_is_refused() -> None:
    db = store_db.open_db()
    db.execute(f"PRAGMA user_version = {store_db.schema_version() + 1}")
    db.conn.close()
    with pytest.raises(store_db.SchemaTooNewError, match="schema version"):
        store_db.open_db()
    conn = sqlite3.connect(paths.db_path())
    assert conn.execute("PRAGMA user_version").fetchone()[0] == store_db.schema_version() + 1
    conn.close()


def test_failed_migration_rolls_back(monkeypatch) -> None:
    def m002_broken(db) -> None:
        db.execute("CREATE TABLE half_done (id INTEGER)")
        raise RuntimeError("boom")

    store_db.open_db().conn.close()
    monkeypatch.setattr(store_db, "MIGRATIONS", [*MIGRATIONS, m002_broken])
    with pytest.raises(RuntimeError):
        store_db.open_db()
    conn = sqlite3.connect(paths.db_path())
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "half_done" not in tables
    applied = [r[0] for r in conn.execute("SELECT name FROM _migrations")]
    assert "m002_broken" not in applied


def test_not_a_database_gives_clear_error() -> None:
    paths.db_path().write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        store_db.open_db()


def test_a_second_process_never_deletes_the_wal_of_a_process_that_lost_its_locks() -> None:
    """Closing any descriptor of a file drops the process's POSIX locks on it (a file
    dialog reading a file's type does it): another process must still not take itself for
    the last user and delete the WAL the first one keeps writing to."""
    import subprocess
    import sys

    db = store_db.open_db()
    db.execute("CREATE TABLE notes (text TEXT)")
    db.execute("INSERT INTO notes VALUES ('before')")
    for name in ("", "-wal", "-shm"):
        with open(f"{paths.db_path()}{name}", "rb") as handle:  # what the dialog did
            handle.read(16)
    child = subprocess.run(
        [sys.executable, "-c", "from app.store.db import open_db; open_db().conn.close()"],
        capture_output=True, text=True, timeout=60,
    )
    assert child.returncode == 0, child.stderr
    assert paths.db_path().with_name("flywheel.db-wal").exists()
    db.execute("INSERT INTO notes VALUES ('after')")
    elsewhere = sqlite3.connect(f"file:{paths.db_path()}?mode=ro", uri=True)
    assert elsewhere.execute("SELECT count(*) FROM notes").fetchone()[0] == 2
    assert elsewhere.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    elsewhere.close()
    db.conn.close()


def test_a_hint_logged_in_an_older_run_is_taken_out_of_its_metrics() -> None:
    # runs before the teacher report left user text out kept each hint and reply in metrics
    from app.store.migrations import m014_teacher_texts_out_of_run_metrics

    db = store_db.open_db()
    logged = {"id": 3, "hint": "my token is hunter2", "reply": "x", "followed": True, "how": "g"}
    metrics = {"gate": 1, "teacher": {"checked": 1, "examples": [logged, {**logged, "id": 4}]}}
    for row_id, text in ((1, json.dumps(metrics)), (2, "{}"), (3, "not json")):
        db["training_runs"].insert(
            {"id": row_id, "started": 0, "status": "promoted", "base_sha256": "s", "metrics": text}
        )
    m014_teacher_texts_out_of_run_metrics(db)
    kept = json.loads(db["training_runs"].get(1)["metrics"])
    shown = {"id": 3, "followed": True, "how": "g"}
    assert kept == {"gate": 1, "teacher": {"checked": 1, "examples": [shown, {**shown, "id": 4}]}}
    assert [db["training_runs"].get(i)["metrics"] for i in (2, 3)] == ["{}", "not json"]
