"""The "Correct" editor: the user rewrites a reply the way it should have been.

A correction is the strongest signal Flywheel gets (it says what was wrong *and* what is
right), so the dialog starts from the reply itself: fixing one word should take one edit.
It is opened non-modally with ``open()`` so the window keeps streaming and repainting.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class CorrectDialog(QDialog):
    """Edits a reply; ``corrected_text()`` is the result once the dialog is accepted."""

    def __init__(self, message_id: int, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message_id = message_id
        self.setWindowTitle("Correct the reply")
        self.resize(640, 420)
        hint = QLabel(
            "Rewrite the reply the way it should have been. The original is kept; "
            "Flywheel learns from the difference."
        )
        hint.setWordWrap(True)
        self.editor = QPlainTextEdit(text)
        # Replies are Markdown, often with code: a fixed-width font keeps indentation honest.
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept_if_changed)
        self.buttons.rejected.connect(self.reject)
        self.editor.textChanged.connect(self._update_save)
        self._original = text
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.buttons)
        self._update_save()
        self.editor.setFocus()

    def corrected_text(self) -> str:
        return self.editor.toPlainText().strip()

    def _update_save(self) -> None:
        text = self.corrected_text()
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setEnabled(bool(text) and text != self._original.strip())

    def _accept_if_changed(self) -> None:
        text = self.corrected_text()
        if text and text != self._original.strip():
            self.accept()
