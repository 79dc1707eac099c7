"""Opening the database: version check first, then WAL, pragmas and pending migrations.

One connection per thread (SQLite connections must not be shared across threads); every
caller opens its own through :func:`open_db` (or :func:`connect` for a raw connection).

No connection of Flywheel's checkpoints or deletes the WAL when it closes
(``SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE``). SQLite decides it is the last user of a database by
taking a POSIX lock, and a process loses all its POSIX locks on a file as soon as anything
in it closes any descriptor of that file (a file dialog guessing a file's type does). The
closing process would then delete ``-wal`` and ``-shm`` under a window still writing to
them, and the window's later turns would go to a deleted file. Checkpoints still happen as
the WAL grows (``wal_autocheckpoint``); the WAL file simply stays, capped in size by
``journal_size_limit``.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from app import paths
from app.store.migrations import MIGRATIONS

MIGRATIONS_TABLE = "_migrations"
SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE = 1006  # sqlite3.h; Python 3.12 names it in sqlite3
WAL_SIZE_LIMIT = 16 * 1024 * 1024

log = logging.getLogger(__name__)


class SchemaTooNewError(RuntimeError):
    """The database was written by a newer Flywheel; opening it here could damage it."""


def schema_version() -> int:
    """The schema version this code writes (the number of known migrations)."""
    return len(MIGRATIONS)


def stored_schema_version(conn: sqlite3.Connection) -> int:
    """The schema version the database says it has (``PRAGMA user_version``)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def database_file(conn: sqlite3.Connection) -> str:
    """The main database's file path (``""`` for an in-memory database)."""
    return conn.execute("SELECT file FROM pragma_database_list WHERE name = 'main'").fetchone()[0]


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (MIGRATIONS_TABLE,)
    ).fetchone()
    if not exists:
        return []
    return [row[0] for row in conn.execute(f"SELECT name FROM {MIGRATIONS_TABLE} ORDER BY rowid")]


def _check_not_newer(conn: sqlite3.Connection, path: Path) -> None:
    """Both marks of a newer schema count: a migration this version does not know, and a
    ``user_version`` above the number it knows (a newer version may set one without the
    other, e.g. a rebuilt migrations table)."""
    known = {m.__name__ for m in MIGRATIONS}
    unknown = [name for name in applied_migrations(conn) if name not in known]
    user_version = stored_schema_version(conn)
    if unknown or user_version > schema_version():
        found = f"migration {unknown[-1]}" if unknown else f"schema version {user_version}"
        raise SchemaTooNewError(
            f"The database {path} was created by a newer version of Flywheel "
            f"(it has {found}, this version knows up to {MIGRATIONS[-1].__name__}, "
            f"schema version {schema_version()}). Update Flywheel; the database was not changed."
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
            # Another connection (a second process, a background job's) may have applied it
            # since ``done`` was read; this transaction's write lock makes the check final.
            if not conn.execute(f"SELECT 1 FROM {MIGRATIONS_TABLE} WHERE name = ?",
                                (migration.__name__,)).fetchone():
                migration(db)
                conn.execute(
                    f"INSERT INTO {MIGRATIONS_TABLE} (name, applied) VALUES (?, ?)",
                    (migration.__name__, time.time()),
                )
        conn.execute(f"PRAGMA user_version = {len(done) + 1}")
        done.add(migration.__name__)


def _no_checkpoint_on_close(conn: sqlite3.Connection) -> bool:
    """Switch off the checkpoint (and WAL deletion) SQLite does when a connection closes.

    Python 3.12 has ``Connection.setconfig``. Python 3.11 has no way to reach
    ``sqlite3_db_config``, so the handle is read from the connection object, whose layout is
    fixed for a released CPython version (``PyObject_HEAD`` then ``sqlite3 *db``), and the
    call goes to the SQLite library the ``_sqlite3`` module uses. The handle is checked
    (its file name must be the connection's) before anything is set, and the option is read
    back. Returns whether the option is on.
    """
    setconfig = getattr(conn, "setconfig", None)
    if setconfig is not None:
        setconfig(SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, True)
        return bool(conn.getconfig(SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE))
    if sys.implementation.name != "cpython" or sys.version_info[:2] != (3, 11):
        return False
    try:
        import _sqlite3

        lib = ctypes.CDLL(_sqlite3.__file__)
        filename = lib.sqlite3_db_filename
        db_config = lib.sqlite3_db_config
    except (ImportError, OSError, AttributeError):
        return False
    handle = ctypes.c_void_p.from_address(id(conn) + object.__basicsize__).value
    filename.restype = ctypes.c_char_p
    filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    if not handle or filename(handle, b"main") != database_file(conn).encode():
        return False
    state = ctypes.c_int(-1)
    db_config(ctypes.c_void_p(handle), ctypes.c_int(SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE),
              ctypes.c_int(1), ctypes.byref(state))
    return state.value == 1


def connect(path: Path, timeout: float = 10) -> sqlite3.Connection:
    """A raw connection that never checkpoints or deletes the WAL when it closes."""
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    if not _no_checkpoint_on_close(conn):
        log.warning("SQLite's no-checkpoint-on-close option is not available here")
    return conn


def snapshot_db(source: Path, target: Path) -> None:
    """A consistent copy of a live WAL database, as one file that opens on its own."""
    src = connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def open_db(path: Path | None = None) -> sqlite_utils.Database:
    """Open (creating or migrating) the Flywheel database.

    Raises :class:`SchemaTooNewError` for a database from a newer version, before writing
    anything to it, and ``sqlite3.DatabaseError`` for a file that is not a database.
    """
    path = path or paths.db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path)
    try:
        _check_not_newer(conn, path)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA journal_size_limit = {WAL_SIZE_LIMIT}")
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


def storage_error_message(exc: BaseException) -> str | None:
    """One clear line for what a damaged, newer, read-only or full database (or data
    folder) raises, or ``None`` when ``exc`` is not such an error."""
    if isinstance(exc, SchemaTooNewError):
        return str(exc)
    text = str(exc)
    full = "disk is full" in text or getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
    if full and isinstance(exc, sqlite3.DatabaseError | OSError):
        return "the disk is full: Flywheel cannot save anything until space is freed"
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"the data folder cannot be written ({text}); check its permissions"
    if not isinstance(exc, sqlite3.DatabaseError):
        return None
    if "readonly" in text or "unable to open" in text:
        return f"the database cannot be written ({text}); check the data folder's permissions"
    if "malformed" in text or "not a database" in text:
        return f"the database is damaged ({text}); Flywheel did not change it"
    return f"the database cannot be used: {text}"
