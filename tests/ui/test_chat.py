"""Chatting in the real window on the real embedded model: stream, stop, regenerate, edit."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.store import conversations as conv
from app.store.db import open_db
from app.ui.main_window import MainWindow

from .conftest import TURN_TIMEOUT_MS


def test_send_streams_reply_token_by_token(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, send: Callable
) -> None:
    window: MainWindow = make_window(ui_settings)
    tokens: list[str] = []
    live_lengths: list[int] = []

    def on_token(_turn_id: int, piece: str) -> None:
        tokens.append(piece)
        live_lengths.append(len(window.chat.live_text))

    window.model.worker.token.connect(on_token)
    send(window, "Name three colours.")

    assert len(tokens) > 1, "the reply must arrive as a stream, not in one piece"
    assert live_lengths == sorted(live_lengths) and live_lengths[-1] > 0
    views = window.chat.views()
    assert [v.role for v in views] == ["user", "assistant"]
    assert views[0].content == "Name three colours."
    assert views[1].content == "".join(tokens)
    db = open_db()
    rows = conv.current_path(db, window.conversation_id)
    assert [r["content"] for r in rows] == ["Name three colours.", "".join(tokens)]
    assert rows[1]["prompt"] and rows[1]["model"]
    title = conv.get_conversation(db, window.conversation_id)["title"]
    assert title == "Name three colours."
    assert window.conversations.list.count() == 1
    assert window.composer.button.text() == "Send"
    assert "tok/s" in window.status.speed_label.text()


def test_stop_keeps_partial_reply(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    ui_settings.model.max_reply_tokens = 400
    window: MainWindow = make_window(ui_settings)
    tokens: list[str] = []
    window.model.worker.token.connect(lambda _i, piece: tokens.append(piece))

    with qtbot.waitSignal(window.turn_done, timeout=TURN_TIMEOUT_MS):
        window.send_message("Write a long story about a lighthouse keeper and the sea.")
        assert window.composer.button.text() == "Stop"
        qtbot.waitUntil(lambda: len(tokens) >= 3, timeout=TURN_TIMEOUT_MS)
        window.stop_action.trigger()

    reply = conv.current_path(open_db(), window.conversation_id)[-1]
    assert reply["role"] == "assistant"
    assert reply["finish_reason"] == "cancelled"
    assert 3 <= reply["completion_tokens"] < 400
    assert window.chat.views()[-1].finish_reason == "cancelled"
    assert window.chat.message_widgets()[-1].meta_label.text().endswith("stopped")


def test_escape_is_the_stop_shortcut(
    make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    window: MainWindow = make_window(ui_settings, wait_model=False)
    assert window.stop_action.shortcut().toString() == "Esc"
    assert window.regenerate_action.shortcut().toString() == "Ctrl+Shift+R"
    assert window.new_action.shortcut().toString() == "Ctrl+N"
    assert window.settings_action.shortcut().toString() == "Ctrl+,"


def test_regenerate_creates_sibling_and_records_signal(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, send: Callable
) -> None:
    ui_settings.model.temperature = 1.0
    window: MainWindow = make_window(ui_settings)
    send(window, "Say something about cats.")
    first = window.chat.views()[-1]

    with qtbot.waitSignal(window.turn_done, timeout=TURN_TIMEOUT_MS):
        window.chat.message_widgets()[-1].regenerate_button.click()

    db = open_db()
    second = window.chat.views()[-1]
    assert second.message_id != first.message_id
    assert second.sibling_ids == (first.message_id, second.message_id)
    assert window.chat.message_widgets()[-1].branch_label.text() == "2/2"
    signals = list(db.query("SELECT * FROM signals WHERE kind = 'regenerate'"))
    assert len(signals) == 1
    assert signals[0]["message_id"] == first.message_id
    assert signals[0]["score"] == -1
    assert json.loads(signals[0]["provenance"])["replacement_message_id"] == second.message_id

    window.chat.message_widgets()[-1].prev_button.click()
    qtbot.waitUntil(lambda: window.chat.views()[-1].message_id == first.message_id)


def test_edit_and_resend_keeps_both_branches(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, send: Callable
) -> None:
    window: MainWindow = make_window(ui_settings)
    send(window, "What is the capital of France?")
    old_user, old_reply = window.chat.views()

    user_bubble = window.chat.message_widgets()[0]
    user_bubble.edit_button.click()
    user_bubble.editor.setPlainText("What is the capital of Italy?")
    with qtbot.waitSignal(window.turn_done, timeout=TURN_TIMEOUT_MS):
        user_bubble.edit_send_button.click()

    new_user, new_reply = window.chat.views()
    assert new_user.content == "What is the capital of Italy?"
    assert new_user.sibling_ids == (old_user.message_id, new_user.message_id)
    assert new_reply.message_id != old_reply.message_id
    assert window.chat.message_widgets()[0].branch_label.text() == "2/2"

    window.chat.message_widgets()[0].prev_button.click()
    qtbot.waitUntil(lambda: window.chat.views()[0].message_id == old_user.message_id)
    assert [v.message_id for v in window.chat.views()] == [
        old_user.message_id,
        old_reply.message_id,
    ]
    assert window.chat.message_widgets()[0].branch_label.text() == "1/2"

    window.chat.message_widgets()[0].next_button.click()
    qtbot.waitUntil(lambda: window.chat.views()[0].message_id == new_user.message_id)
    assert window.chat.views()[1].message_id == new_reply.message_id


def test_shift_enter_adds_a_line_instead_of_sending(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    window: MainWindow = make_window(ui_settings, wait_model=False)
    window.composer.edit.setPlainText("first line")
    window.composer.edit.moveCursor(window.composer.edit.textCursor().MoveOperation.End)
    qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert window.running is None
    assert window.composer.edit.toPlainText() == "first line\n"
