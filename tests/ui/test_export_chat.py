"""File → Export chat… and the chat list's Export…: the real save dialog, the file written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app import paths
from app import settings as settings_mod
from app.store import conversations as conv
from app.store.db import open_db
from app.ui.export_dialog import ExportChatDialog, start_folder
from app.ui.main_window import MainWindow


def make_chat(title: str, question: str, answer: str) -> int:
    db = open_db()
    cid = conv.create_conversation(db, title)
    conv.add_message(db, cid, "user", question)
    conv.add_message(db, cid, "assistant", answer)
    return cid


def save_as(dialog: ExportChatDialog, path: Path, name_filter: str | None = None) -> None:
    """What the user does in the dialog: pick a file type, type a name, press Save."""
    if name_filter is not None:
        dialog.selectNameFilter(name_filter)
        dialog.filterSelected.emit(name_filter)
    dialog.setDirectory(str(path.parent))
    dialog.selectFile(path.name)
    dialog.accept()


def test_file_export_chat_writes_markdown_of_the_open_chat(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, tmp_path: Path
) -> None:
    make_chat("Colours", "Name a colour.", "**Red**.")
    window: MainWindow = make_window(ui_settings, wait_model=False)
    assert window.export_action.shortcut().toString() == "Ctrl+Shift+E"
    assert window.export_action.isEnabled()
    window.export_action.trigger()
    dialog = window.export_dialog
    assert isinstance(dialog, ExportChatDialog) and dialog.isVisible()
    shown = Path(dialog.directory().absolutePath()).resolve()
    assert shown not in (paths.user_dir().resolve(), paths.db_path().resolve().parent)
    assert dialog.selectedFiles()[0].endswith("Colours.md")

    target = tmp_path / "out" / "colours.md"
    target.parent.mkdir()
    save_as(dialog, target)
    qtbot.waitUntil(target.exists, timeout=10_000)
    text = target.read_text()
    assert text.startswith("# Colours") and "**Red**." in text and "Name a colour." in text


def test_the_chat_lists_menu_exports_that_chat_as_json(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, tmp_path: Path
) -> None:
    other = make_chat("Other", "Hello?", "Hi.")
    make_chat("Shown", "Name a fruit.", "Pear.")
    window: MainWindow = make_window(ui_settings, wait_model=False)
    chats = window.conversations.list
    item = next(chats.item(i) for i in range(chats.count())
                if chats.item(i).text().startswith("Other"))
    menu = window.conversations.menu_for(item)  # (popping it up needs a real display)
    next(a for a in menu.actions() if a.text() == "Export…").trigger()
    dialog = window.export_dialog
    assert isinstance(dialog, ExportChatDialog) and dialog.conversation_id == other

    save_as(dialog, tmp_path / "other", "JSON (*.json)")  # no suffix typed: the filter says
    written = tmp_path / "other.json"
    qtbot.waitUntil(written.exists, timeout=10_000)
    record = json.loads(written.read_text())
    assert record["id"] == other
    assert [m["content"] for m in record["messages"]] == ["Hello?", "Hi."]


def test_a_failed_export_is_reported_and_the_window_goes_on(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, tmp_path: Path
) -> None:
    make_chat("Colours", "Name a colour.", "Red.")
    window: MainWindow = make_window(ui_settings, wait_model=False)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    window.conversation_actions._write_export(window.conversation_id, blocker / "chat.md", "md")
    qtbot.waitUntil(lambda: "not exported" in window.banner.label.text(), timeout=10_000)


def test_no_chat_no_export(make_window: Callable, ui_settings: settings_mod.Settings) -> None:
    window: MainWindow = make_window(ui_settings, wait_model=False)
    assert not window.export_action.isEnabled()


def test_the_dialog_never_starts_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("FLYWHEEL_HOME", str(home))  # the data folder is the home folder
    assert start_folder().resolve() == tmp_path.resolve()
    (home / "Documents").mkdir()
    assert start_folder() == home / "Documents"
