"""The approval dialog shown before a proposed command runs.

Why it looks like this: the user approves exactly the text that will run, so the command is
shown whole, in a monospace box, with every invisible or look-alike-making character
(escape sequences, zero-width and bidirectional marks) spelled out — a reply cannot hide
`; rm -rf ~` behind a carriage return or a right-to-left override. A command on the deny
list needs the confirmation word typed: a reflexive click on "Run" is not enough. Cancel is
the focused button, so a stray Enter never approves anything. The heading says where the
command runs: inside the sandbox (and whether with the network) or outside it, as the user.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.terminal.policy import Approval, Decision
from app.terminal.runner import CONFIRM_WORD, visible_command

DANGER_COLOR = "#c62828"


class ConfirmCommandDialog(QDialog):
    """Asks before `command` runs. `decision` (from `policy.decide`) sets how: a click for
    ASK, the typed word `CONFIRM_WORD` for TYPED_CONFIRMATION."""

    def __init__(self, command: str, decision: Decision, *, cwd: str = "",
                 sandboxed: bool = False, network: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.command = command
        self.decision = decision
        self.typed = decision.approval is Approval.TYPED_CONFIRMATION
        self.setWindowTitle("Run this command?")
        self.setModal(True)
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        where = f" in {cwd}" if cwd else ""
        if sandboxed:
            net = "with the network" if network else "no network"
            how = f" inside the sandbox (system read-only, only this folder writable, {net})"
        else:
            how = (" outside the sandbox, as you (it can change any of your files and use the "
                   "network)")
        heading = QLabel(f"Flywheel will run this command{where}{how}:")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        self.command_view = QPlainTextEdit(visible_command(command))
        self.command_view.setReadOnly(True)
        self.command_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        lines = min(max(command.count("\n") + 1, 2), 12)
        self.command_view.setFixedHeight(self.command_view.fontMetrics().lineSpacing() * lines + 16)
        layout.addWidget(self.command_view)
        self.reasons_label = QLabel(self._reasons_html())
        self.reasons_label.setWordWrap(True)
        layout.addWidget(self.reasons_label)
        self.confirm_edit: QLineEdit | None = None
        if self.typed:
            prompt = QLabel(f"This command can do damage that cannot be undone. "
                            f"Type <b>{CONFIRM_WORD}</b> to run it anyway:")
            prompt.setWordWrap(True)
            layout.addWidget(prompt)
            self.confirm_edit = QLineEdit()
            self.confirm_edit.setPlaceholderText(CONFIRM_WORD)
            self.confirm_edit.setAccessibleName(f"Type {CONFIRM_WORD} to confirm")
            self.confirm_edit.textChanged.connect(self._update_run_button)
            layout.addWidget(self.confirm_edit)
        self.buttons = QDialogButtonBox()
        self.run_button = QPushButton("Run")
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.AcceptRole)
        for button in (self.run_button, self.cancel_button):
            button.setAutoDefault(False)
            button.setDefault(False)
        if self.typed:
            palette = self.run_button.palette()
            palette.setColor(QPalette.ColorRole.ButtonText, QColor(DANGER_COLOR))
            self.run_button.setPalette(palette)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._update_run_button()
        (self.confirm_edit or self.cancel_button).setFocus()

    def _reasons_html(self) -> str:
        color = DANGER_COLOR if self.typed else "palette(text)"
        items = "".join(f"<li>{_escape(reason)}</li>" for reason in self.decision.reasons)
        title = "Why Flywheel stops here:" if self.typed else "Why Flywheel asks:"
        return f'<span style="color:{color};">{title}<ul>{items}</ul></span>'

    def _update_run_button(self) -> None:
        self.run_button.setEnabled(self.confirmed_text_ok())

    def confirmed_text_ok(self) -> bool:
        """True when Run may be pressed: always for ASK, after the exact word otherwise."""
        return self.confirm_edit is None or self.confirm_edit.text().strip() == CONFIRM_WORD

    def accept(self) -> None:
        if self.confirmed_text_ok():
            super().accept()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
