"""Start-up work waits for the window's first paint, and never for a window not shown."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow
from pytestqt.qtbot import QtBot

from app.ui.first_paint import after_first_paint


def _window(qtbot: QtBot) -> QMainWindow:
    window = QMainWindow()
    window.setCentralWidget(QLabel("hello"))  # covers the window: only the label is painted
    qtbot.addWidget(window)
    return window


def test_the_callback_runs_once_after_a_shown_window_is_painted(qtbot: QtBot) -> None:
    window = _window(qtbot)
    calls: list[bool] = []
    after_first_paint(window, lambda: calls.append(window.isVisible()))
    window.show()

    qtbot.waitUntil(lambda: bool(calls))
    window.centralWidget().repaint()
    qtbot.wait(50)
    assert calls == [True]


def test_the_callback_runs_when_the_event_loop_starts_if_the_window_is_hidden(
    qtbot: QtBot,
) -> None:
    window = _window(qtbot)
    calls: list[int] = []
    after_first_paint(window, lambda: calls.append(1))

    assert calls == [], "never synchronously"
    qtbot.waitUntil(lambda: calls == [1])
    window.show()
    qtbot.waitExposed(window)
    qtbot.wait(50)
    assert calls == [1]
