"""Theme and text size from the window: View menu, shortcuts, Settings → Appearance; applied
at once and saved to settings.toml."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.store import conversations as conv
from app.store.db import open_db
from app.ui import appearance
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog


@pytest.fixture(autouse=True)
def desktop_text_size_after() -> Iterator[None]:
    """The application (and its font) outlives the test: give other tests the desktop's."""
    yield
    appearance.apply_font_size(0)


def window_background(window: MainWindow) -> int:
    return window.palette().color(QPalette.ColorRole.Window).lightness()


def test_view_theme_switches_live_and_is_saved(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    ui_settings.ui.theme = "light"
    window: MainWindow = make_window(ui_settings, wait_model=False)
    assert window.appearance_menu.theme_actions["light"].isChecked()
    assert window_background(window) > 128

    window.appearance_menu.theme_actions["dark"].trigger()
    assert window.theme.dark
    qtbot.waitUntil(lambda: window_background(window) < 128)
    assert window.chat.colors == window.theme.colors  # the bubbles were recoloured too
    assert settings_mod.load().ui.theme == "dark"
    assert window.appearance_menu.theme_actions["dark"].isChecked()

    window.appearance_menu.theme_actions["light"].trigger()
    assert not window.theme.dark and settings_mod.load().ui.theme == "light"


def test_text_size_shortcuts_resize_the_chat_live_and_are_saved(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    db = open_db()
    cid = conv.create_conversation(db, "Sizes")
    conv.add_message(db, cid, "user", "Hello")
    conv.add_message(db, cid, "assistant", "Some **text**.")
    window: MainWindow = make_window(ui_settings, wait_model=False)
    desktop = appearance.desktop_font_size()
    bubble = window.chat.message_widgets()[-1].text
    assert bubble.font().pointSize() == desktop
    height = bubble.height()

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.chat.setFocus()
    qtbot.keyClick(window.chat, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.chat, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.font().pointSize() == desktop + 2
    qtbot.waitUntil(lambda: bubble.font().pointSize() == desktop + 2)  # shown text follows
    qtbot.waitUntil(lambda: bubble.height() > height)
    assert settings_mod.load().ui.font_size == desktop + 2

    qtbot.keyClick(window.chat, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert settings_mod.load().ui.font_size == desktop + 1
    qtbot.keyClick(window.chat, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.font().pointSize() == desktop
    assert settings_mod.load().ui.font_size == 0


def test_a_saved_text_size_applies_at_start(
    make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    ui_settings.ui.font_size = 17
    make_window(ui_settings, wait_model=False)
    assert QApplication.font().pointSize() == 17


def test_settings_appearance_tab_applies_and_saves(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    ui_settings.ui.theme = "light"
    window: MainWindow = make_window(ui_settings, wait_model=False)
    window.settings_action.trigger()
    dialog = window.settings_dialog
    assert isinstance(dialog, SettingsDialog)
    page = dialog.appearance_page
    assert page.theme_combo.currentData() == "light"
    assert page.font_spin.text() == "System size"
    page.theme_combo.setCurrentIndex(page.theme_combo.findData("dark"))
    page.font_spin.setValue(15)
    dialog.button_box.button(dialog.button_box.StandardButton.Ok).click()

    assert window.theme.dark and QApplication.font().pointSize() == 15
    assert window.appearance_menu.theme_actions["dark"].isChecked()
    saved = settings_mod.load().ui
    assert (saved.theme, saved.font_size) == ("dark", 15)
