"""Click to correct and thumbs: what the user sees and the signals stored in the database."""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.store import conversations as conv
from app.store.db import open_db
from app.store.signals import signals_for_message
from app.ui.main_window import MainWindow


def test_correct_reply_keeps_original_and_records_signal(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, send: Callable
) -> None:
    window: MainWindow = make_window(ui_settings)
    send(window, "How do I list files in a folder?")
    reply = window.chat.views()[-1]

    window.chat.message_widgets()[-1].correct_button.click()
    dialog = window.correct_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.editor.toPlainText() == reply.content
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not save.isEnabled(), "saving an unchanged reply would record a false correction"
    corrected = "Use `ls -la` in a terminal."
    dialog.editor.setPlainText(corrected)
    save.click()

    qtbot.waitUntil(lambda: window.chat.views()[-1].corrected == corrected)
    db = open_db()
    row = conv.get_message(db, reply.message_id)
    assert row["content"] == reply.content and row["corrected"] == corrected
    (signal,) = signals_for_message(db, reply.message_id)
    assert signal["kind"] == "correction" and signal["score"] == -1
    assert signal["hint"] == corrected and signal["detector"] == "ui"
    assert json.loads(signal["provenance"])["original"] == reply.content

    bubble = window.chat.message_widgets()[-1]
    assert not bubble.correction_row.isHidden()
    assert "ls -la" in bubble.text.toPlainText()
    bubble.original_toggle.click()
    assert bubble.shown_text() == reply.content
    assert "ls -la" not in bubble.text.toPlainText()
    assert bubble.original_toggle.text() == "show correction"


def test_thumbs_with_reason_and_a_change_of_mind(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, send: Callable
) -> None:
    window: MainWindow = make_window(ui_settings)
    send(window, "Tell me a joke.")
    reply = window.chat.views()[-1]

    window.chat.message_widgets()[-1].thumb_down.click()
    dialog = window.thumb_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.reason.setText("not funny")
    dialog.accept()
    qtbot.waitUntil(lambda: window.chat.views()[-1].thumb == -1)
    assert window.chat.message_widgets()[-1].thumb_down.isChecked()

    window.chat.message_widgets()[-1].thumb_up.click()
    window.thumb_dialog.accept()
    qtbot.waitUntil(lambda: window.chat.views()[-1].thumb == 1)

    signals = signals_for_message(open_db(), reply.message_id)
    assert [(s["kind"], s["score"], s["hint"]) for s in signals] == [("thumb", 1, None)]


def test_cancelled_thumb_records_nothing(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, send: Callable
) -> None:
    window: MainWindow = make_window(ui_settings)
    send(window, "Hello")
    window.chat.message_widgets()[-1].thumb_up.click()
    window.thumb_dialog.reject()
    qtbot.wait(200)
    assert window.store.pending == 0
    assert signals_for_message(open_db(), window.chat.views()[-1].message_id) == []


def test_paused_learning_keeps_correction_without_signal(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, send: Callable
) -> None:
    ui_settings.learning.paused = True
    window: MainWindow = make_window(ui_settings)
    send(window, "Hi")
    reply = window.chat.views()[-1]
    window.chat.message_widgets()[-1].correct_button.click()
    window.correct_dialog.editor.setPlainText("Hello! How can I help?")
    window.correct_dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: window.chat.views()[-1].corrected == "Hello! How can I help?")
    assert signals_for_message(open_db(), reply.message_id) == []


def test_a_capable_model_words_the_habit_three_corrections_teach(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings, send: Callable
) -> None:
    from app.skills.library import SkillLibrary

    ui_settings.learning.model_words_skills = True  # the served model stands in for one
    window: MainWindow = make_window(ui_settings)
    asked: list[str] = []

    def capable(prompt: str) -> str:  # the embedded model is not capable: a stub words it
        asked.append(prompt)
        return "Start every shell answer with “Command:”."

    window.model.worker.word = capable
    lessons = [
        ("How do I see free disk space?", "Command: `df -h` shows every disk."),
        ("How do I list running processes?", "Command: `ps aux` lists them all."),
        ("How do I show my IP address?", "Command: `ip addr` shows it."),
    ]
    for request, corrected in lessons:
        send(window, request)
        window.chat.message_widgets()[-1].correct_button.click()
        window.correct_dialog.editor.setPlainText(corrected)
        window.correct_dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        qtbot.waitUntil(lambda c=corrected: window.chat.views()[-1].corrected == c)
    qtbot.waitUntil(lambda: len(asked) == 1)
    skill = SkillLibrary(open_db()).get("start-with-command")
    assert "- Start every shell answer with “Command:”." in skill.body
