"""A card under an assistant reply for each shell command it proposes.

Why cards rather than a "run" link in the text: the command is shown on its own, exactly as
it would run, with its own buttons — Run, Copy, Edit then run, Run in sandbox — and after
the run its exit code. A failure offers "Ask to fix", which hands the command, its exit code
and the end of its output back to the model as the next user turn. The card only asks: the
window decides whether a confirmation is needed and runs the command in the terminal pane.

Whether "Run in sandbox" can work is known only after a bubblewrap probe that may take
seconds; a card made before the probe has finished waits for it on a background job, with
the button disabled meanwhile, so drawing a reply never waits for it.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.terminal.runner import known_sandbox_status, sandbox_status
from app.ui.background_job import BackgroundJob

SUCCESS_COLOR = "#2e7d32"
FAILURE_COLOR = "#c62828"
FIX_TAIL_LINES = 30
FIX_TAIL_CHARS = 2000  # the end of the output is where the error is; small models read little
SANDBOX_TIP = "Run with the system read-only, no network, only the current folder writable"
SANDBOX_CHECKING = "Checking whether commands can be sandboxed here…"


def fix_request_text(command: str, exit_code: int | None, output_tail: str) -> str:
    """The user turn "Ask to fix" sends: the command, how it ended, the end of its output.

    Both go in fenced blocks, which the model reads well and the chat shows as code (a user
    message is verbatim text apart from its fenced blocks)."""
    lines = output_tail.rstrip("\n").split("\n")[-FIX_TAIL_LINES:]
    tail = "\n".join(lines)[-FIX_TAIL_CHARS:]
    ending = (f"failed with exit code {exit_code}" if exit_code is not None
              else "was stopped before it finished")
    parts = [f"This command {ending}:", _fenced(command, "bash")]
    if tail.strip():
        parts += ["The end of its output:", _fenced(tail, "")]
    return "\n".join([*parts, "Please fix it."])


def _fenced(text: str, language: str) -> str:
    """``text`` in a fenced block whose fence is longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def _button(text: str, tip: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    button.setAccessibleName(text)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


class CommandCard(QFrame):
    """One proposed command. `run_requested(card, command, sandboxed)` asks the window to
    run it (the command differs from `proposed` after "Edit then run"); `fix_requested(
    message_id, text)` asks it to send `text` as the user's answer to this card's reply.
    `sandbox` is (available, why not); None: the card finds out itself, off the UI thread.

    The card shows the command that ran last (an edited one says so, with the proposal),
    and its buttons act on that command."""

    run_requested = Signal(object, str, bool)
    fix_requested = Signal(int, str)

    def __init__(self, message_id: int, proposed: str,
                 sandbox: tuple[bool, str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message_id = message_id
        self.proposed = proposed
        self.last_command = proposed
        self.exit_code: int | None = None
        self.output_tail = ""
        self.setFrameShape(QFrame.Shape.StyledPanel)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(4)
        self.command_label = QLabel(proposed)
        self.command_label.setFont(mono)
        self.command_label.setTextFormat(Qt.TextFormat.PlainText)
        self.command_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.command_label.setWordWrap(True)
        layout.addWidget(self.command_label)
        self.edited_label = QLabel()
        self.edited_label.setTextFormat(Qt.TextFormat.PlainText)
        self.edited_label.setWordWrap(True)
        self.edited_label.setAccessibleName("Edited command")
        muted = self.edited_label.palette()
        muted.setColor(QPalette.ColorRole.WindowText,
                       muted.color(QPalette.ColorRole.PlaceholderText))
        self.edited_label.setPalette(muted)
        self.edited_label.hide()
        layout.addWidget(self.edited_label)
        self.editor = QPlainTextEdit(proposed)
        self.editor.setFont(mono)
        self.editor.setFixedHeight(self.editor.fontMetrics().lineSpacing() * 4 + 12)
        self.editor.hide()
        layout.addWidget(self.editor)
        layout.addWidget(self._buttons(sandbox))

    def _buttons(self, sandbox: tuple[bool, str] | None) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.run_button = _button("Run", "Run this command in the terminal")
        self.copy_button = _button("Copy", "Copy the command")
        self.edit_button = _button("Edit then run", "Change the command before running it")
        self.sandbox_button = _button("Run in sandbox", SANDBOX_CHECKING)
        self.sandbox_ok = False
        self.sandbox_button.setEnabled(False)
        status = sandbox or known_sandbox_status()
        if status is None:
            self._probe_sandbox()
        else:
            self.set_sandbox(status)
        self.run_edited_button = _button("Run", "Run the edited command")
        self.cancel_edit_button = _button("Cancel", "Keep the proposed command")
        self.badge = QLabel()
        self.badge.setAccessibleName("Exit code")
        self.fix_button = _button("Ask to fix", "Send the error to Flywheel and ask for a fix")
        self.run_button.clicked.connect(lambda: self._request(self.last_command, False))
        self.sandbox_button.clicked.connect(lambda: self._request(self.last_command, True))
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.last_command))
        self.edit_button.clicked.connect(self.start_edit)
        self.run_edited_button.clicked.connect(self._run_edited)
        self.cancel_edit_button.clicked.connect(self._end_edit)
        self.fix_button.clicked.connect(self._ask_fix)
        for widget in (self.run_button, self.copy_button, self.edit_button,
                       self.sandbox_button, self.run_edited_button, self.cancel_edit_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.badge)
        row.addWidget(self.fix_button)
        for hidden in (self.run_edited_button, self.cancel_edit_button, self.badge,
                       self.fix_button):
            hidden.hide()
        return bar

    # -- sandbox ---------------------------------------------------------------------------

    def _probe_sandbox(self) -> None:
        job = BackgroundJob(lambda _progress, _cancel: sandbox_status())
        job.report_to(lambda _done, _total: None, self.set_sandbox, self._sandbox_failed)
        job.launch()

    def set_sandbox(self, status: tuple[bool, str]) -> None:
        """Enable "Run in sandbox" if ``status`` (available, why not) says it works."""
        available, reason = status
        self.sandbox_ok = bool(available)
        self.sandbox_button.setEnabled(self.sandbox_ok and self.run_button.isEnabled())
        self.sandbox_button.setToolTip(
            SANDBOX_TIP if available else f"Sandbox unavailable: {reason}")

    def _sandbox_failed(self, error: Exception) -> None:
        self.set_sandbox((False, f"it could not be checked: {error}"))

    # -- editing ---------------------------------------------------------------------------

    def start_edit(self) -> None:
        """Show the command in an editor; its Run button runs the edited text."""
        self.editor.setPlainText(self.last_command)
        self._set_editing(True)
        self.editor.setFocus()

    def _end_edit(self) -> None:
        self._set_editing(False)

    def _set_editing(self, editing: bool) -> None:
        self.editor.setVisible(editing)
        self.command_label.setVisible(not editing)
        self.edited_label.setVisible(not editing and self.edited)
        for widget in (self.run_button, self.copy_button, self.edit_button, self.sandbox_button):
            widget.setVisible(not editing)
        self.run_edited_button.setVisible(editing)
        self.cancel_edit_button.setVisible(editing)

    def _run_edited(self) -> None:
        command = self.editor.toPlainText().strip("\n")
        if command.strip():
            self._end_edit()
            self._request(command, False)

    # -- running ---------------------------------------------------------------------------

    def _request(self, command: str, sandboxed: bool) -> None:
        self.run_requested.emit(self, command, sandboxed)

    @property
    def edited(self) -> bool:
        """Whether the command shown is the user's edit rather than the proposal (spacing
        alone is no edit: the edit box normalises some spaces)."""
        return self.last_command.split() != self.proposed.split()

    def _show_command(self, command: str) -> None:
        """Show ``command`` as the card's command; an edit says what was proposed."""
        self.last_command = command
        self.command_label.setText(command)
        self.edited_label.setText(f"✎ edited by you · proposed: {self.proposed}")
        self.edited_label.setVisible(self.edited and not self.editor.isVisible())

    def show_running(self, command: str) -> None:
        """The command was approved and is running (or waiting for the terminal)."""
        self._show_command(command)
        self._badge("running…", None)
        self.fix_button.hide()
        self.run_button.setEnabled(False)
        self.sandbox_button.setEnabled(False)
        self.edit_button.setEnabled(False)

    def show_result(self, command: str, exit_code: int | None, output_tail: str,
                    timed_out: bool = False) -> None:
        """Show the command that ran and its exit code (green 0, red otherwise); offer
        "Ask to fix" on failure."""
        self._show_command(command)
        self.exit_code, self.output_tail = exit_code, output_tail
        if timed_out:
            text = "timed out" if exit_code is None else f"timed out · exit {exit_code}"
        else:
            text = "stopped" if exit_code is None else f"exit {exit_code}"
        self._badge(text, SUCCESS_COLOR if exit_code == 0 and not timed_out else FAILURE_COLOR)
        self.fix_button.setVisible(exit_code != 0 or timed_out)
        self._enable_runs()

    def show_error(self, message: str) -> None:
        """The command could not be started (busy terminal, no sandbox, …)."""
        self._badge("not run", FAILURE_COLOR)
        self.badge.setToolTip(message)
        self._enable_runs()

    def _enable_runs(self) -> None:
        self.run_button.setEnabled(True)
        self.edit_button.setEnabled(True)
        self.sandbox_button.setEnabled(self.sandbox_ok)

    def _badge(self, text: str, color: str | None) -> None:
        self.badge.setText(text)
        self.badge.setToolTip("")
        palette = self.badge.palette()
        default = self.palette().color(QPalette.ColorRole.WindowText)
        palette.setColor(QPalette.ColorRole.WindowText, QColor(color) if color else default)
        self.badge.setPalette(palette)
        font = self.badge.font()
        font.setBold(color is not None)
        self.badge.setFont(font)
        self.badge.show()

    def _ask_fix(self) -> None:
        self.fix_requested.emit(
            self.message_id, fix_request_text(self.last_command, self.exit_code, self.output_tail))
