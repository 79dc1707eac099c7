"""Export everything Flywheel keeps about the user, or delete all of it.

Both work on the one user data folder (:func:`app.paths.user_dir`), which is the promise the
privacy page makes: what Flywheel learned about you is in that folder and nowhere else.

The database runs in WAL mode, so a raw copy of ``flywheel.db`` can miss recent commits (they
sit in ``-wal``) or catch a half-written page; the export takes a snapshot through SQLite's
backup API instead, converted to a single self-contained file. Deleting never follows a
symbolic link out of the folder and refuses a folder that is obviously not Flywheel's (a
mistaken ``FLYWHEEL_HOME=~`` must not wipe a home directory).
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import tempfile
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

from app import paths
from app.store.db import snapshot_db

ProgressCallback = Callable[[int, int], None]

# Entries Flywheel itself creates at the top of the data folder; a folder holding files but
# none of these is not ours to wipe.
_FLYWHEEL_ENTRIES = frozenset(
    {"flywheel.db", "settings.toml", "adapters", "skills", "logs", "models"}
)
# Everything Flywheel itself writes in the data folder: deletion touches nothing else, so a
# data folder pointed at a shared place (FLYWHEEL_HOME=~/Documents) never loses other files.
_OWNED_ENTRIES = _FLYWHEEL_ENTRIES | {"cache", "shell_history", "window.ini", "trainer.lock"}
_OWNED_PREFIXES = ("flywheel.db-", "settings.toml.", ".flywheel.db.", ".settings.toml.")
_DB_SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
# Already-compressed or incompressible payloads are stored, not deflated (saves minutes).
_STORED_SUFFIXES = frozenset({".gguf", ".safetensors", ".bin", ".pt", ".zip", ".gz", ".xz"})
_CHUNK = 1 << 20


class DataAdminError(Exception):
    """An export or delete that could not be done; the message says why in plain words."""


class ExportCancelled(DataAdminError):
    """The user cancelled the export; no zip file was left behind."""


def export_all_data(
    dest_zip: Path,
    progress: ProgressCallback | None = None,
    *,
    include_models: bool = False,
    cancel: threading.Event | None = None,
) -> Path:
    """Write a zip of the data folder to ``dest_zip`` (atomically) and return its path.

    Downloaded models are left out unless ``include_models``: they are not personal data and
    can be gigabytes. ``progress(done_bytes, total_bytes)`` is called as files are added.
    """
    root = paths.user_dir().resolve()
    dest_zip = Path(dest_zip).expanduser().resolve()
    if dest_zip.is_relative_to(root):
        raise DataAdminError(f"choose a place outside the data folder ({root}) for the export")
    db_file = paths.db_path().resolve()
    files = _files_to_export(root, db_file, include_models)
    total = sum(_size(f) for f in files) + (_size(db_file) if db_file.exists() else 0)
    try:
        dest_zip.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(
            dir=dest_zip.parent, prefix=f".{dest_zip.name}.", suffix=".tmp"
        )
        os.close(fd)
    except OSError as exc:
        raise DataAdminError(f"cannot write to {dest_zip.parent}: {exc.strerror or exc}") from exc
    tmp = Path(tmp_name)
    done = 0

    def advance(n_bytes: int) -> None:
        nonlocal done
        if cancel is not None and cancel.is_set():
            raise ExportCancelled("export cancelled; no file was written")
        done += n_bytes
        if progress:
            progress(done, total)

    try:
        with tempfile.TemporaryDirectory() as scratch, zipfile.ZipFile(tmp, "w") as archive:
            advance(0)
            if db_file.exists():
                snapshot = Path(scratch) / db_file.name
                snapshot_db(db_file, snapshot)
                archive.write(snapshot, db_file.name, compress_type=zipfile.ZIP_DEFLATED)
                advance(_size(db_file))
            for path in files:
                _add_file(archive, path, path.relative_to(root).as_posix(), advance)
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, dest_zip)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DataAdminError(f"the disk is full; no export was written ({dest_zip})") from exc
        raise DataAdminError(f"export failed: {exc.strerror or exc}") from exc
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise DataAdminError(f"could not snapshot the database: {exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest_zip


def delete_all_data(*, keep_models: bool = False) -> None:
    """Delete Flywheel's data: conversations, signals, examples, skills, adapters, caches,
    logs and settings. Downloaded models stay only if ``keep_models``. Files Flywheel did not
    create are left where they are.

    The caller must close its database connections first. Every entry is tried; the ones
    that could not be removed (a file locked by another program) are listed in the error.
    """
    root = paths.user_dir().resolve()
    _check_safe_to_wipe(root)
    models = paths.models_dir().name
    failures: list[str] = []
    for entry in sorted(root.iterdir()):
        if keep_models and entry.name == models:
            continue
        if entry.name not in _OWNED_ENTRIES and not entry.name.startswith(_OWNED_PREFIXES):
            continue
        try:
            _remove(entry)
        except OSError as exc:
            failures.append(f"{entry.name}: {exc.strerror or exc}")
    if failures:
        raise DataAdminError(
            "some data could not be deleted (close programs using it and try again): "
            + "; ".join(failures)
        )


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _files_to_export(root: Path, db_file: Path, include_models: bool) -> list[Path]:
    """Regular files under ``root``, without the live database files or symbolic links."""
    skipped = {db_file, *(db_file.with_name(db_file.name + s) for s in _DB_SIDE_SUFFIXES)}
    models = paths.models_dir().resolve()
    found: list[Path] = []
    for folder, dirs, names in os.walk(root):  # os.walk does not follow directory links
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if include_models or here / d != models)
        for name in sorted(names):
            path = here / name
            if path not in skipped and not path.is_symlink() and path.is_file():
                found.append(path)
    return found


def _add_file(
    archive: zipfile.ZipFile, path: Path, arcname: str, advance: Callable[[int], None]
) -> None:
    try:
        info = zipfile.ZipInfo.from_file(path, arcname)
        handle = path.open("rb")
    except FileNotFoundError:
        return  # removed since the listing (a rotated log): nothing to export
    stored = path.suffix.lower() in _STORED_SUFFIXES
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with handle, archive.open(info, "w") as out:
        while chunk := handle.read(_CHUNK):
            out.write(chunk)
            advance(len(chunk))


def _check_safe_to_wipe(root: Path) -> None:
    home = Path.home().resolve()
    if root == Path(root.anchor) or root == home or root in home.parents:
        raise DataAdminError(f"refusing to delete {root}: it is not a Flywheel data folder")
    names = {entry.name for entry in root.iterdir()}
    if names and not names & _FLYWHEEL_ENTRIES:
        raise DataAdminError(
            f"refusing to delete {root}: it does not look like a Flywheel data folder"
        )


def _remove(entry: Path) -> None:
    """Remove one top-level entry; a link is removed itself, never what it points to."""
    if entry.is_symlink() or not entry.is_dir():
        entry.unlink()
    else:
        shutil.rmtree(entry)
