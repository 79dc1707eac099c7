"""The window's side of the settings dialog: opening it, and a full data deletion."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.data_admin import delete_all_data
from app.store import conversations as conv
from app.store.db import open_db
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog


def test_settings_action_opens_the_dialog(
    make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    window: MainWindow = make_window(ui_settings, wait_model=False)
    assert window.settings_action.isEnabled()
    window.settings_action.trigger()
    assert isinstance(window.settings_dialog, SettingsDialog)
    assert window.settings_dialog.isVisible()
    window.settings_dialog.reject()


def test_after_deleting_all_data_the_window_starts_fresh(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, send: Callable
) -> None:
    window: MainWindow = make_window(ui_settings)
    send(window, "Remember this.")
    assert window.conversations.list.count() == 1

    delete_all_data()
    window.data_deleted()
    assert window.conversations.list.count() == 0 and window.chat.views() == []
    qtbot.waitUntil(lambda: window.model_ready)

    send(window, "A new beginning.")
    assert [row["title"] for row in conv.list_conversations(open_db())] == ["A new beginning."]
    assert window.conversations.list.count() == 1
