"""Opening the database: version check first, then WAL, pragmas and pending migrations.

One connection per thread (SQLite connections must not be shared across threads); every
caller opens its own through :func:`open_db`.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from app import paths
from app.store.migrations import MIGRATIONS

MIGRATIONS_TABLE = "_migrations"


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer Flywheel; opening it here could damage it."""


def schema_version() -> int:
    """The schema version this code writes (the number of known migrations)."""
    return len(MIGRATIONS)


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,)
    ).fetchone()
    if not exists:
        return []
    return [row[0] for row in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY rowid")]


def _check_not_newer(conn: sqlite3.Connection, path: Path) -> None:
    known = {m.__name__ for m in MIGRATIONS}
    unknown = [name for name in applied_migrations(conn) if name not in known]
    if unknown:
        raise SchemaTooNewError(
            f"The database {path} was created by a newer version of Flywheel "
            f"(it has migration {unknown[-1]}, this version knows up to "
            f"{MIGRATIONS[-1].__name__}). Update Flywheel; the database was not changed."
        )


def migrate(db: sqlite_utils.Database) -> None:
    """Apply pending migrations, each in its own transaction."""
    conn = db.conn
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} (name TEXT PRIMARY KEY, applied REAL)"
    )
    done = set(applied_migrations(conn))
    for migration in MIGRATIONS:
        if migration.__name__ in done:
            continue
        with transaction(db):
            migration(db)
            conn.execute(
                f"INSERT INTO {MIGRATIONS_TABLE} (name, applied) VALUES (?, ?)",
                (migration.__name__, time.time()),
            )
        conn.execute(f"PRAGMA user_version = {len(done) + 1}")
        done.add(migration.__name__)


def open_db(path: Path | None = None) -> sqlite_utils.Database:
    """Open (creating or migrating) the Flywheel database.

    Raises :class:`SchemaTooNewError` for a database from a newer version, before writing
    anything to it, and ``sqlite3.DatabaseError`` for a file that is not a database.
    """
    path = path or paths.db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        _check_not_newer(conn, path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        db = sqlite_utils.Database(conn)
        migrate(db)
    except BaseException:
        conn.close()
        raise
    return db


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run a block atomically: everything in it is committed together or not at all."""
    conn = db.conn
    if conn.in_transaction:
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
