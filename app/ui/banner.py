"""A dismissible strip above the chat for problems the user should see but not be blocked by.

A broken model file or settings file is reported here instead of in a modal box: the window
stays usable (old conversations, search, settings) while the message waits to be read.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from app.ui.theme import Colors


class Banner(QFrame):
    """Hidden until :meth:`show_message`; the optional action button emits ``action``."""

    action = Signal()

    def __init__(self, colors: Colors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.action_button = QPushButton()
        self.action_button.clicked.connect(self.action)
        close = QToolButton()
        close.setText("×")
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(close)
        self.set_colors(colors)
        self.hide()

    def set_colors(self, colors: Colors) -> None:
        self.setStyleSheet(
            f"QFrame#banner {{ background: {colors.banner_error}; border-radius: 6px; }}"
            f"QFrame#banner QLabel {{ color: {colors.banner_error_text}; }}"
        )

    def show_message(self, text: str, action_text: str = "") -> None:
        self.label.setText(text)
        self.action_button.setText(action_text)
        self.action_button.setVisible(bool(action_text))
        self.show()

    def text(self) -> str:
        return self.label.text() if not self.isHidden() else ""
