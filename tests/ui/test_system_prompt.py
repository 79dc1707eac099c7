"""Settings → System prompt: edited in the window, used by the next reply, reset to default."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.model.prompt import DEFAULT_SYSTEM_PROMPT
from app.store import conversations as conv
from app.store.db import open_db
from app.ui.main_window import MainWindow
from app.ui.settings_dialog import SettingsDialog

CUSTOM = "You are Pip. Answer every question with one word."


def last_prompt() -> str:
    db = open_db()
    row = next(db.query("SELECT prompt FROM messages WHERE role = 'assistant' ORDER BY id DESC"))
    return row["prompt"]


def open_prompt_page(window: MainWindow) -> SettingsDialog:
    window.settings_action.trigger()
    dialog = window.settings_dialog
    assert isinstance(dialog, SettingsDialog)
    dialog.tabs.setCurrentWidget(dialog.prompt_page)
    return dialog


def press_ok(dialog: SettingsDialog) -> None:
    dialog.button_box.button(dialog.button_box.StandardButton.Ok).click()


def test_the_system_prompt_is_edited_used_and_reset(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, send: Callable
) -> None:
    window: MainWindow = make_window(ui_settings)
    dialog = open_prompt_page(window)
    page = dialog.prompt_page
    assert page.editor.toPlainText() == DEFAULT_SYSTEM_PROMPT
    assert page.state_label.text() == "Flywheel's default prompt."
    assert not page.reset_button.isEnabled()
    page.editor.setPlainText(CUSTOM)
    assert page.state_label.text() == "Your own prompt." and page.reset_button.isEnabled()
    press_ok(dialog)
    assert settings_mod.load().model.system_prompt == CUSTOM
    assert window.settings.model.system_prompt == CUSTOM

    send(window, "Name a colour.")
    prompt = last_prompt()
    assert prompt.startswith(f"<|im_start|>system\n{CUSTOM}<|im_end|>\n")
    assert DEFAULT_SYSTEM_PROMPT not in prompt

    dialog = open_prompt_page(window)
    assert dialog.prompt_page.editor.toPlainText() == CUSTOM
    dialog.prompt_page.reset_button.click()
    assert dialog.prompt_page.editor.toPlainText() == DEFAULT_SYSTEM_PROMPT
    press_ok(dialog)
    assert settings_mod.load().model.system_prompt == ""  # the default is stored as "unset"

    send(window, "Name a fruit.")
    assert last_prompt().startswith(f"<|im_start|>system\n{DEFAULT_SYSTEM_PROMPT}<|im_end|>\n")
    assert len(conv.list_conversations(open_db())) == 1


def test_an_emptied_box_means_the_default(qtbot: QtBot) -> None:
    settings = settings_mod.Settings()
    settings.model.system_prompt = CUSTOM
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.prompt_page.editor.setPlainText("   \n")
    assert dialog.prompt_page.value() == ""
    assert dialog.prompt_page.reset_button.isEnabled()
