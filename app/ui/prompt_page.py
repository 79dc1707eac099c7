"""Settings → System prompt: the instructions the model gets before every chat.

An empty setting means Flywheel's shipped prompt, and the page saves the shipped text as
empty too, so a later version's better default reaches users who never changed it. Each
reply records the exact prompt it was given and the trainer learns from those records, so
what the adapter is trained on always matches what the model saw (train/serve parity),
whichever system prompt was in use at the time.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.model.prompt import DEFAULT_SYSTEM_PROMPT
from app.settings import ModelSettings, field_help

NOTE = (
    "Flywheel gives the model these instructions before every chat, ahead of the skills it "
    "learned. A change applies from the next reply on; earlier replies, and what Flywheel "
    "learns from them, keep the prompt they were written with."
)


class SystemPromptPage(QWidget):
    """Edit the system prompt; *Reset to default* brings back the shipped one."""

    def __init__(self, model: ModelSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        note = QLabel(NOTE)
        note.setWordWrap(True)
        self.editor = QPlainTextEdit(model.system_prompt.strip() or DEFAULT_SYSTEM_PROMPT)
        self.editor.setToolTip(field_help(model, "system_prompt"))
        self.state_label = QLabel()
        self.reset_button = QPushButton("Reset to default")
        self.reset_button.clicked.connect(self.reset)
        self.editor.textChanged.connect(self._show_state)
        row = QHBoxLayout()
        row.addWidget(self.state_label, 1)
        row.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.editor, 1)
        layout.addLayout(row)
        self._show_state()

    def value(self) -> str:
        """What to store: empty for the default (or an emptied box), else the user's text."""
        text = self.editor.toPlainText().strip()
        return "" if text == DEFAULT_SYSTEM_PROMPT else text

    def reset(self) -> None:
        self.editor.setPlainText(DEFAULT_SYSTEM_PROMPT)

    def _show_state(self) -> None:
        custom = bool(self.value())
        self.state_label.setText("Your own prompt." if custom else "Flywheel's default prompt.")
        self.reset_button.setEnabled(custom or not self.editor.toPlainText().strip())
