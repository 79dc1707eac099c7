"""A full disk in the window: nothing typed or streamed vanishes, and the next turn works once
space is freed (real window, real model, a real full file system)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.store import conversations as conv
from app.store.db import open_db
from app.ui.main_window import MainWindow
from tests.tiny_disk import fill, mounted

from .conftest import TURN_TIMEOUT_MS


@pytest.fixture
def tiny_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The data folder on a real 8 MB file system."""
    with mounted(tmp_path) as mount:
        monkeypatch.setenv("FLYWHEEL_HOME", str(mount / "home"))
        yield mount


def _send(qtbot: QtBot, window: MainWindow, text: str) -> None:
    window.composer.edit.setPlainText(text)
    with qtbot.waitSignal(window.turn_done, timeout=TURN_TIMEOUT_MS):
        qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)


def test_a_full_disk_keeps_the_streamed_reply_and_the_typed_message_on_screen(
    tiny_home: Path,
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    ui_settings: settings_mod.Settings,
) -> None:
    window = make_window(ui_settings)
    filled: list[bool] = []

    def fill_on_first_token(_turn_id: int, _piece: str) -> None:
        if not filled:  # on the model thread, before the reply is recorded
            filled.append(True)
            fill(tiny_home)

    window.model.worker.token.connect(fill_on_first_token, Qt.ConnectionType.DirectConnection)
    _send(qtbot, window, "Say hello in French.")
    window.model.worker.token.disconnect(fill_on_first_token)

    assert filled
    assert "disk is full" in window.banner.text()
    unsaved = window.chat.message_widgets()[-1]
    assert unsaved.view.role == "assistant" and unsaved.view.content.strip()
    assert unsaved.notes_label is not None and "not saved" in unsaved.notes_label.text().lower()
    assert "disk is full" in unsaved.notes_label.text()
    assert unsaved.text.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    qtbot.waitUntil(lambda: unsaved.isVisible() and unsaved.copy_button.isVisible())

    _send(qtbot, window, "What is the capital of France?")
    assert window.composer.edit.toPlainText() == "What is the capital of France?"

    (tiny_home / "filler").unlink()
    _send(qtbot, window, "Say hello in Spanish.")
    views = window.chat.views()
    assert [v.content for v in views if v.role == "user"] == [
        "Say hello in French.", "Say hello in Spanish."
    ]
    assert views[-1].role == "assistant" and views[-1].message_id is not None
    db = open_db()
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conversations = conv.list_conversations(db)
        assert len(conversations) == 1
        path = conv.current_path(db, conversations[0]["id"])
        assert [m["content"] for m in path][-2] == "Say hello in Spanish."
    finally:
        db.conn.close()
