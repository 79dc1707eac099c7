"""Asks for the optional reason behind a thumb.

The reason becomes the signal's directive hint ("too long", "wrong flag"), which teaches
far more than the bare ±1, so it is asked for every time, and skipping it is one key.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget


class ThumbDialog(QDialog):
    """Accepting (with or without a reason) records the thumb; cancelling records nothing."""

    def __init__(self, message_id: int, up: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message_id = message_id
        self.up = up
        self.setWindowTitle("Good reply" if up else "Bad reply")
        question = QLabel(
            "What was good about it? (optional)" if up else "What was wrong with it? (optional)"
        )
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("e.g. clear and short" if up else "e.g. wrong command")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(question)
        layout.addWidget(self.reason)
        layout.addWidget(buttons)
        self.setMinimumWidth(380)

    def reason_text(self) -> str:
        return self.reason.text().strip()
