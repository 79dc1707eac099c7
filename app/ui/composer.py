"""Where the user types: Enter sends, Shift+Enter breaks the line, Send turns into Stop.

The box grows with its text up to ``MAX_LINES`` and then scrolls, like the composers of the
chat apps people already know.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QWidget

MAX_LINES = 8


class ComposerEdit(QPlainTextEdit):
    """A plain-text box that submits on Enter (without Shift) instead of inserting a line."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setPlaceholderText("Message Flywheel…  (Enter to send, Shift+Enter for a new line)")
        self.document().documentLayout().documentSizeChanged.connect(self._fit_height)
        self._fit_height()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        is_enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if is_enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            event.accept()
            self.submitted.emit()
            return
        super().keyPressEvent(event)

    def _fit_height(self, *_: object) -> None:
        line = self.fontMetrics().lineSpacing()
        lines = min(MAX_LINES, max(1, self.document().lineCount()))
        margins = self.contentsMargins()
        extra = 2 * int(self.document().documentMargin()) + margins.top() + margins.bottom()
        self.setFixedHeight(lines * line + extra + 4)


class Composer(QWidget):
    """The text box and the Send/Stop button. ``send_requested`` carries the text."""

    send_requested = Signal(str)
    stop_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = ComposerEdit()
        self.button = QPushButton("Send")
        self.button.setDefault(True)
        self.button.setMinimumWidth(80)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 10)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignBottom)
        self.edit.submitted.connect(self._submit)
        self.button.clicked.connect(self._button_clicked)
        self._generating = False

    def set_generating(self, generating: bool) -> None:
        """While a reply streams the button stops it; typing the next message stays possible."""
        self._generating = generating
        self.button.setText("Stop" if generating else "Send")
        self.button.setToolTip("Stop the reply (Esc)" if generating else "Send (Enter)")

    def _button_clicked(self) -> None:
        if self._generating:
            self.stop_requested.emit()
        else:
            self._submit()

    def _submit(self) -> None:
        if self._generating:
            return
        text = self.edit.toPlainText().strip()
        if not text:
            return
        self.edit.clear()
        self.send_requested.emit(text)

    def focus(self) -> None:
        self.edit.setFocus()
