"""The Edit box of a sent message behaves like the composer and opens where it can be seen
(issue 15 item 7)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.ui.chat_view import ChatView
from app.ui.message_widget import MessageView, MessageWidget
from app.ui.theme import LIGHT_COLORS


def test_enter_sends_the_edit_and_shift_enter_breaks_the_line(qtbot: QtBot) -> None:
    bubble = MessageWidget(MessageView(7, "user", "first line"), LIGHT_COLORS)
    qtbot.addWidget(bubble)
    bubble.show()
    bubble.edit_button.click()
    assert bubble.editor is not None
    qtbot.keyClick(bubble.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(bubble.editor, "second line")
    assert bubble.editor.toPlainText() == "first line\nsecond line"
    with qtbot.waitSignal(bubble.edit_submitted) as sent:
        qtbot.keyClick(bubble.editor, Qt.Key.Key_Return)
    assert sent.args == [7, "first line\nsecond line"]
    assert bubble.editor is None, "the box closes once the edit is sent"


def _inside(chat: ChatView, widget: QWidget) -> bool:
    viewport = chat.viewport()
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return viewport.rect().contains(QRect(top_left, widget.size()))


def test_the_edit_box_opens_inside_the_view(qtbot: QtBot) -> None:
    chat = ChatView(LIGHT_COLORS)
    qtbot.addWidget(chat)
    chat.resize(600, 400)
    chat.show()
    views = []
    for n in range(12):
        views.append(MessageView(2 * n + 1, "user", f"question {n}\n" * 3))
        views.append(MessageView(2 * n + 2, "assistant", f"answer {n}\n\n" * 3))
    chat.show_messages(views)
    chat.scroll_to_bottom()
    qtbot.waitUntil(lambda: chat.verticalScrollBar().maximum() > 0)
    for message_id in (1, 13):  # the first user message, then one near the bottom edge
        bubble = chat.widget_for(message_id)
        assert bubble is not None
        top = bubble.mapTo(chat.widget(), QPoint(0, 0)).y()
        bar = chat.verticalScrollBar()
        bar.setValue(bar.maximum() if message_id == 1 else top - chat.viewport().height() + 40)
        assert not _inside(chat, bubble)

        bubble.edit_button.click()
        assert bubble.editor is not None and bubble.edit_row is not None
        qtbot.wait(50)  # the chat lays the box out (and must not scroll it away after)
        assert _inside(chat, bubble.editor), message_id
        assert _inside(chat, bubble.edit_row), message_id
        bubble.edit_row.findChildren(QPushButton)[0].click()  # Cancel
