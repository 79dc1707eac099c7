"""The window's database survives its own file dialogs and a second Flywheel process.

Closing any descriptor of a file drops every POSIX lock the process holds on it, and SQLite
relies on those locks to know whether another process still uses the WAL. A file dialog that
looks inside the database files (Qt reads a file's first bytes to guess its type) therefore
made the next ``flywheel doctor`` believe it was alone: it deleted ``-wal`` and ``-shm`` under
the window, whose later turns went to a deleted file (issue 15, item 1).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QFileSystemModel, QPushButton
from pytestqt.qtbot import QtBot

from app import paths
from app import settings as settings_mod
from app.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[2]


def _held_locks() -> list[str]:
    """This process's POSIX locks, as ``/proc/locks`` lists them without the table's ordinal
    (it shifts whenever another process takes or drops a lock)."""
    pid = str(os.getpid())
    with open("/proc/locks", encoding="ascii") as table:
        return [" ".join(line.split()[1:]) for line in table if line.split()[4] == pid]


def _settle(done: Callable[[], bool], seconds: float = 3.0) -> None:
    """Let the dialog's background listing arrive (a nested event loop is running, so no
    qtbot.waitUntil here)."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.01)


def _browse_and_cancel(window: MainWindow) -> str:
    """Settings → Model → Browse…, let the dialog list its folder, then Cancel; return the
    folder it showed."""
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog is not None
    browse = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Browse…")
    shown: list[str] = []

    def show_and_cancel() -> None:
        chooser = QApplication.activeModalWidget()
        if not isinstance(chooser, QFileDialog):
            QTimer.singleShot(50, show_and_cancel)
            return
        model = chooser.findChild(QFileSystemModel)
        try:
            folder = chooser.directory().absolutePath()
            _settle(lambda: model.rowCount(model.index(folder)) > 0)
            chooser.grab()  # paints the listing: icons and types of every file in it
            _settle(lambda: False, seconds=0.5)
            shown.append(folder)
        finally:
            chooser.reject()

    QTimer.singleShot(0, show_and_cancel)
    browse.click()  # a modal file dialog; returns once it is cancelled
    dialog.reject()
    return shown[0]


def _second_process(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=300
    )


def _count_from_elsewhere(sql: str) -> str:
    code = (
        "import sqlite3, sys; from app import paths; "
        "c = sqlite3.connect(f'file:{paths.db_path()}?mode=ro', uri=True); "
        f"print(c.execute({sql!r}).fetchone()[0]); c.close()"
    )
    result = _second_process("-c", code)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")
def test_file_dialog_then_doctor_keeps_the_windows_database_whole(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    ui_settings: settings_mod.Settings,
    send: Callable[[MainWindow, str], None],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    home = tmp_path / "home"
    (home / "Downloads").mkdir(parents=True)
    (home / "Downloads" / "notes.txt").write_text("not a model")
    monkeypatch.setenv("HOME", str(home))
    window = make_window(ui_settings)
    send(window, "Say hello.")
    locks_before = _held_locks()
    assert locks_before, "the window holds SQLite locks on its database"

    shown = _browse_and_cancel(window)

    assert _held_locks() == locks_before, "the dialog dropped the window's database locks"
    doctor = _second_process("-m", "app", "doctor")
    assert "schema version" in doctor.stdout, doctor.stderr
    send(window, "Say goodbye.")
    send(window, "And once more.")

    user_turns = "SELECT count(*) FROM messages WHERE role = 'user'"
    assert window.db.execute(user_turns).fetchone()[0] == 3
    assert _count_from_elsewhere(user_turns) == "3", "a turn written by the window was lost"
    assert _count_from_elsewhere("PRAGMA integrity_check") == "ok"
    window.shutdown()
    check = sqlite3.connect(paths.db_path())
    assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert check.execute(user_turns).fetchone()[0] == 3
    check.close()
    assert shown == str(home), "the dialog must not start in the data folder"
