"""Command cards follow what the reply says now and show what actually ran (issue 15 item 4),
and "Ask to fix" reads cleanly and answers the card's own reply (item 7)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.signals import capture
from app.store import commands as store
from app.store import conversations as conv
from app.store.db import open_db
from app.store.examples import examples_for_signal
from app.ui.command_card import fix_request_text
from app.ui.main_window import MainWindow
from app.ui.message_widget import MessageView, MessageWidget
from app.ui.theme import LIGHT_COLORS
from tests.ui.test_terminal_pane import (
    SHELL_TIMEOUT_MS,
    card_of,
    move_terminal,
    needs_sandbox,
    open_window,
    reply_proposing,
)

from .conftest import TURN_TIMEOUT_MS


def test_cards_follow_the_corrected_reply(qtbot: QtBot, make_window: Callable,
                                          ui_settings: settings_mod.Settings) -> None:
    conversation, reply = reply_proposing("ls -z")
    window: MainWindow = open_window(make_window, ui_settings, conversation)
    assert card_of(window, reply).proposed == "ls -z"

    window.chat.widget_for(reply).correct_button.click()
    dialog = window.correct_dialog
    assert dialog is not None
    dialog.editor.setPlainText("List them with:\n\n```bash\nls -a\n```\n")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: window.chat.views()[-1].corrected is not None)
    assert card_of(window, reply).proposed == "ls -a"
    assert card_of(window, reply).command_label.text() == "ls -a"


@needs_sandbox
def test_a_command_of_the_correction_teaches_nothing_about_the_original_text(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, tmp_path: Path
) -> None:
    conversation, reply = reply_proposing("echo from-the-model")
    db = open_db()
    capture.record_correction(db, reply, "Run:\n\n```bash\necho from-the-user\n```\n")
    window: MainWindow = open_window(make_window, ui_settings, conversation)
    move_terminal(qtbot, window, tmp_path)
    card = card_of(window, reply)
    assert card.proposed == "echo from-the-user"
    card.run_button.click()
    window.confirm_dialog.run_button.click()
    qtbot.waitUntil(lambda: card_of(window, reply).badge.text() == "exit 0 · sandboxed",
                    timeout=SHELL_TIMEOUT_MS)
    (run,) = store.commands_for_message(db, reply)
    (exit_signal,) = db.query("SELECT * FROM signals WHERE kind = 'command_exit'")
    assert exit_signal["command_id"] == run["id"]
    assert examples_for_signal(db, exit_signal["id"]) == [], (
        "the model never proposed this command: +1 on its text would teach the wrong reply")
    db.conn.close()


@needs_sandbox
def test_edit_then_run_shows_the_command_that_ran(qtbot: QtBot, make_window: Callable,
                                                  ui_settings: settings_mod.Settings,
                                                  tmp_path: Path) -> None:
    conversation, reply = reply_proposing("echo proposed")
    window: MainWindow = open_window(make_window, ui_settings, conversation)
    move_terminal(qtbot, window, tmp_path)
    card = card_of(window, reply)
    assert card.edited_label.isHidden()
    card.edit_button.click()
    card.editor.setPlainText("echo edited-by-me")
    card.run_edited_button.click()
    qtbot.waitUntil(lambda: card_of(window, reply).badge.text() == "exit 0 · sandboxed",
                    timeout=SHELL_TIMEOUT_MS)

    for shown in (card_of(window, reply), None):
        if shown is None:
            window.reload_chat()  # the card is rebuilt from the database
            shown = card_of(window, reply)
        assert shown.command_label.text() == "echo edited-by-me"
        assert shown.badge.text() == "exit 0 · sandboxed"
        assert not shown.edited_label.isHidden()
        assert "edited" in shown.edited_label.text()
        assert "echo proposed" in shown.edited_label.text()

    shown.run_button.click()  # Run runs the command the card shows: the user's, at once
    db = open_db()
    qtbot.waitUntil(lambda: len(store.commands_for_message(db, reply)) == 2,
                    timeout=SHELL_TIMEOUT_MS)
    again = store.commands_for_message(db, reply)[-1]
    assert (again["command"], again["origin"]) == ("echo edited-by-me", "edited")
    db.conn.close()
    qtbot.waitUntil(lambda: card_of(window, reply).badge.text() == "exit 0 · sandboxed")


def test_identical_commands_in_one_reply_get_one_card(qtbot: QtBot) -> None:
    text = ("First:\n\n```bash\nmake test\n```\n\nThen again:\n\n```bash\nmake test\n```\n\n"
            "And:\n\n```sh\nmake lint\n```\n")
    widget = MessageWidget(MessageView(1, "assistant", text), LIGHT_COLORS)
    qtbot.addWidget(widget)
    assert [card.proposed for card in widget.command_cards] == ["make test", "make lint"]


@needs_sandbox
def test_ask_to_fix_reads_cleanly_and_answers_the_cards_reply(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, tmp_path: Path
) -> None:
    ui_settings.terminal.allow_rules = ["ls *"]
    db = open_db()
    conversation = conv.create_conversation(db, "Fixing")
    conv.add_message(db, conversation, "user", "List the missing folder")
    failing = conv.add_message(db, conversation, "assistant",
                               "Run:\n\n```bash\nls /flywheel-missing-folder\n```\n")
    conv.add_message(db, conversation, "user", "And what time is it?")
    later = conv.add_message(db, conversation, "assistant", "I cannot tell the time.")
    window: MainWindow = open_window(make_window, ui_settings, conversation, wait_model=True)
    move_terminal(qtbot, window, tmp_path)
    card = card_of(window, failing)
    card.run_button.click()
    if window.confirm_dialog is not None:
        window.confirm_dialog.run_button.click()
    qtbot.waitUntil(lambda: card_of(window, failing).badge.text() == "exit 2 · sandboxed",
                    timeout=SHELL_TIMEOUT_MS)

    with qtbot.waitSignal(window.turn_done, timeout=TURN_TIMEOUT_MS):
        card_of(window, failing).fix_button.click()
    views = window.chat.views()
    assert [v.message_id for v in views[:2]] == [views[0].message_id, failing]
    asked = views[2]
    assert asked.role == "user" and views[3].role == "assistant"
    assert conv.get_message(db, asked.message_id)["parent_id"] == failing
    assert later not in [v.message_id for v in views], "the fix continues the card's reply"
    assert "ls /flywheel-missing-folder" in asked.content
    assert "No such file or directory" in asked.content
    shown = window.chat.widget_for(asked.message_id).text.toPlainText()
    assert "```" not in shown, "fences are drawn as code blocks, not shown raw"
    assert "ls /flywheel-missing-folder" in shown and "Please fix it." in shown
    db.conn.close()


def test_fix_request_fences_outlast_backticks_in_the_output() -> None:
    text = fix_request_text("echo '```'", 1, "```\nboom\n")
    assert "````bash\necho '```'\n````" in text
    assert text.endswith("Please fix it.")
    assert "The end of its output" not in fix_request_text("false", 1, "")
