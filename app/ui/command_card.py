"""A card under an assistant reply for each shell command it proposes.

Why cards rather than a "run" link in the text: the command is shown on its own, exactly as
it would run, with its own buttons — Run, Copy, Edit then run, an "allow network" box and
Run outside the sandbox — and after the run its exit code and which way it ran. Run is the
sandboxed run where bubblewrap works (the system read-only, only the terminal's folder
writable, no network unless the box is ticked for that run); leaving the sandbox is a
separate button that the window always confirms. A failure offers "Ask to fix", which hands
the command, its exit code and the end of its output back to the model as the next user
turn; a sandboxed failure that reads like a missing network also offers to run it again
with the network. Why a run was refused is written in the card, not in a tooltip. The card
only asks: the window decides whether a confirmation is needed and runs the command in the
terminal pane.

Whether the sandbox works is known only after a bubblewrap probe that may take seconds; a
card made before the probe has finished waits for it on a background job, with Run disabled
meanwhile, so drawing a reply never waits for it.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.terminal.runner import known_sandbox_status, run_mode_text, sandbox_status
from app.terminal.sandbox import looks_like_missing_network
from app.ui.background_job import BackgroundJob

SUCCESS_COLOR = "#2e7d32"
FAILURE_COLOR = "#c62828"
FIX_TAIL_LINES = 30
FIX_TAIL_CHARS = 2000  # the end of the output is where the error is; small models read little
SANDBOX_TIP = ("Run in the sandbox: the system read-only, only the terminal's current folder "
               "writable, a private /tmp, no network unless allowed")
SANDBOX_CHECKING = "Checking whether commands can be sandboxed here…"
OUTSIDE_TIP = "Run as you, with all your files and the network (asks first)"
NETWORK_NOTE = ("This looks like it needed the network, which the sandbox cuts off. "
                "Allow network and run it again if you trust it to go online.")


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
    run it (the command differs from `proposed` after "Edit then run"; `allow_network` says
    whether a sandboxed run may use the network); `fix_requested(message_id, text)` asks it
    to send `text` as the user's answer to this card's reply. `sandbox` is (available, why
    not); None: the card finds out itself, off the UI thread.

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
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notice.setAccessibleName("Why")
        self.notice.hide()
        layout.addWidget(self.notice)
        layout.addWidget(self.after_bar)

    def _buttons(self, sandbox: tuple[bool, str] | None) -> QWidget:
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.run_button = _button("Run", SANDBOX_CHECKING)
        self.copy_button = _button("Copy", "Copy the command")
        self.edit_button = _button("Edit then run", "Change the command before running it")
        self.network_box = QCheckBox("allow network")
        self.network_box.setToolTip("Let this run of the command use the network")
        self.outside_button = _button("Run outside the sandbox…", OUTSIDE_TIP)
        self.sandbox_ok: bool | None = None  # None: not known yet
        self._running = False
        self.run_edited_button = _button("Run", "Run the edited command")
        self.cancel_edit_button = _button("Cancel", "Keep the proposed command")
        self.badge = QLabel()
        self.badge.setAccessibleName("Exit code")
        self.fix_button = _button("Ask to fix", "Send the error to Flywheel and ask for a fix")
        self.network_button = _button("Allow network and run again",
                                      "Run the command in the sandbox again, with the network")
        self.run_button.clicked.connect(lambda: self._request(self.last_command, self._sandboxed()))
        self.outside_button.clicked.connect(lambda: self._request(self.last_command, False))
        self.network_button.clicked.connect(self._rerun_with_network)
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.last_command))
        self.edit_button.clicked.connect(self.start_edit)
        self.run_edited_button.clicked.connect(self._run_edited)
        self.cancel_edit_button.clicked.connect(self._end_edit)
        self.fix_button.clicked.connect(self._ask_fix)
        for widget in (self.run_button, self.copy_button, self.edit_button, self.network_box,
                       self.outside_button, self.run_edited_button, self.cancel_edit_button):
            row.addWidget(widget)
        row.addStretch(1)
        row.addWidget(self.badge)
        self.after_bar = QWidget()  # what a failed run offers, on its own line: rows stay short
        after = QHBoxLayout(self.after_bar)
        after.setContentsMargins(0, 0, 0, 0)
        after.setSpacing(4)
        after.addWidget(self.fix_button)
        after.addWidget(self.network_button)
        after.addStretch(1)
        for hidden in (self.run_edited_button, self.cancel_edit_button, self.badge,
                       self.fix_button, self.network_button):
            hidden.hide()
        status = sandbox or known_sandbox_status()
        if status is None:
            self.run_button.setEnabled(False)
            self.network_box.hide()
            self.outside_button.hide()
            self._probe_sandbox()
        else:
            self.set_sandbox(status)
        return bar

    # -- sandbox ---------------------------------------------------------------------------

    def _probe_sandbox(self) -> None:
        job = BackgroundJob(lambda _progress, _cancel: sandbox_status())
        job.report_to(lambda _done, _total: None, self.set_sandbox, self._sandbox_failed)
        job.launch()

    def set_sandbox(self, status: tuple[bool, str]) -> None:
        """Make Run the sandboxed run if ``status`` (available, why not) says it works, else
        the plain run (the window said once why there is no sandbox)."""
        available, reason = status
        self.sandbox_ok = bool(available)
        self.run_button.setToolTip(
            SANDBOX_TIP if available else f"Run in the terminal (no sandbox here: {reason})")
        self.network_box.setVisible(self.sandbox_ok)
        self.outside_button.setVisible(self.sandbox_ok)
        if not self._running:
            self._enable_runs()

    def _sandbox_failed(self, error: Exception) -> None:
        self.set_sandbox((False, f"it could not be checked: {error}"))

    def _sandboxed(self) -> bool:
        return self.sandbox_ok is True

    @property
    def allow_network(self) -> bool:
        """Whether the run being asked for may use the network (ticked for this run only)."""
        return self._sandboxed() and self.network_box.isChecked()

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
        for widget in (self.run_button, self.copy_button, self.edit_button):
            widget.setVisible(not editing)
        self.outside_button.setVisible(not editing and self._sandboxed())
        self.run_edited_button.setVisible(editing)
        self.cancel_edit_button.setVisible(editing)

    def _run_edited(self) -> None:
        command = self.editor.toPlainText().strip("\n")
        if command.strip():
            self._end_edit()
            self._request(command, self._sandboxed())

    # -- running ---------------------------------------------------------------------------

    def _request(self, command: str, sandboxed: bool) -> None:
        """Ask the window to run `command`; the network box counts for this run only."""
        self.run_requested.emit(self, command, sandboxed)
        self.network_box.setChecked(False)

    def _rerun_with_network(self) -> None:
        self.network_box.setChecked(True)
        self._request(self.last_command, True)

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
        self._running = True
        self._badge("running…", None)
        self._say("")
        for widget in (self.fix_button, self.network_button):
            widget.hide()
        for widget in (self.run_button, self.outside_button, self.edit_button, self.network_box):
            widget.setEnabled(False)

    def show_result(self, command: str, exit_code: int | None, output_tail: str,
                    timed_out: bool = False, *, sandboxed: bool = False,
                    network: bool = False) -> None:
        """Show the command that ran, its exit code (green 0, red otherwise) and which way
        it ran; offer "Ask to fix" on failure, and the network again when a sandboxed run
        seems to have missed it."""
        self._show_command(command)
        self.exit_code, self.output_tail = exit_code, output_tail
        if timed_out:
            text = "timed out" if exit_code is None else f"timed out · exit {exit_code}"
        else:
            text = "stopped" if exit_code is None else f"exit {exit_code}"
        failed = exit_code != 0 or timed_out
        self._badge(f"{text} · {run_mode_text(sandboxed, network)}",
                    FAILURE_COLOR if failed else SUCCESS_COLOR)
        self.fix_button.setVisible(failed)
        offline = failed and sandboxed and not network and looks_like_missing_network(output_tail)
        self.network_button.setVisible(offline)
        self._say(NETWORK_NOTE if offline else "")
        self._enable_runs()

    def show_error(self, message: str) -> None:
        """The command could not be started (busy terminal, refused sandbox, …): the reason
        is written in the card."""
        self._badge("not run", FAILURE_COLOR)
        self._say(message)
        self._enable_runs()

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _enable_runs(self) -> None:
        self._running = False
        self.run_button.setEnabled(self.sandbox_ok is not None)
        for widget in (self.outside_button, self.edit_button, self.network_box):
            widget.setEnabled(True)

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
