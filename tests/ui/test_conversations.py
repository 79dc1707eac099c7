"""The sidebar: search, new, rename, delete (with confirmation), remembered window state."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.store import conversations as conv
from app.store.db import open_db
from app.ui.chat_view import PAGE
from app.ui.main_window import MainWindow


def _seed() -> tuple[int, int]:
    db = open_db()
    first = conv.create_conversation(db, "Sourdough baking")
    conv.add_message(db, first, "user", "How long should the dough rest?")
    conv.add_message(db, first, "assistant", "Let the levain rise for about twelve hours.")
    second = conv.create_conversation(db, "Rust lifetimes")
    conv.add_message(db, second, "user", "What does 'a mean?")
    db.conn.close()
    return first, second


def test_search_finds_message_text_and_titles(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    _first, second = _seed()
    window: MainWindow = make_window(ui_settings, wait_model=False)
    assert window.conversations.list.count() == 2

    window.search_action.trigger()
    assert window.focusWidget() is window.conversations.search
    qtbot.keyClicks(window.conversations.search, "levain")
    qtbot.waitUntil(lambda: window.conversations.list.count() == 1)
    item = window.conversations.list.item(0)
    assert item.text().startswith("Sourdough baking") and "levain" in item.text()

    window.conversations.search.setText("lifetimes")
    qtbot.waitUntil(lambda: window.conversations.list.item(0).text() == "Rust lifetimes")
    window.conversations.list.setCurrentRow(0)
    assert window.conversation_id == second
    assert window.chat.views()[0].content == "What does 'a mean?"

    window.conversations.search.setText("zzzz-nothing")
    qtbot.waitUntil(lambda: window.conversations.list.count() == 0)
    assert window.conversations.empty_label.isVisibleTo(window)


def test_new_rename_delete(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    first, _second = _seed()
    window: MainWindow = make_window(ui_settings, wait_model=False)

    window.new_action.trigger()
    assert window.conversation_id is None and window.chat.views() == []

    window.conversations.select(first)
    window.open_conversation(first)
    item = window.conversations.list.currentItem()
    item.setText("Bread notes")
    qtbot.waitUntil(lambda: conv.get_conversation(open_db(), first)["title"] == "Bread notes")

    window.conversations.confirm_delete(first, "Bread notes")
    box = window.conversations.confirm_box
    assert box is not None and box.isVisible()
    box.button(QMessageBox.StandardButton.Cancel).click()
    qtbot.wait(100)
    assert conv.get_conversation(open_db(), first) is not None

    window.conversations.confirm_delete(first, "Bread notes")
    window.conversations.confirm_box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: conv.get_conversation(open_db(), first) is None)
    qtbot.waitUntil(lambda: window.conversations.list.count() == 1)
    assert window.conversation_id is None


def test_window_geometry_and_conversation_are_remembered(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    first, _second = _seed()
    window: MainWindow = make_window(ui_settings, wait_model=False)
    window.open_conversation(first)
    window.resize(700, 520)
    qtbot.waitUntil(lambda: window.width() == 700)
    window.close()

    again: MainWindow = make_window(ui_settings, wait_model=False)
    assert (again.width(), again.height()) == (700, 520)
    assert again.conversation_id == first


def test_long_conversation_builds_only_its_last_page(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    db = open_db()
    long_chat = conv.create_conversation(db, "Long chat")
    for index in range(100):
        conv.add_message(db, long_chat, "user" if index % 2 == 0 else "assistant", f"m{index}")
    window: MainWindow = make_window(ui_settings, wait_model=False)
    window.open_conversation(long_chat)

    assert len(window.chat.views()) == 100
    shown = window.chat.message_widgets()
    assert len(shown) == PAGE and shown[-1].view.content == "m99"
    assert not window.chat.earlier_button.isHidden()
    window.chat.earlier_button.click()
    assert len(window.chat.message_widgets()) == 2 * PAGE
    window.chat.earlier_button.click()
    assert len(window.chat.message_widgets()) == 100
    assert window.chat.earlier_button.isHidden()
