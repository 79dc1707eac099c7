"""The commands a reply proposes, from a command card's Run to its result on the card.

The window owns one :class:`CommandRuns`: it asks the terminal policy (and the user, in a
dialog, when the policy says so) whether a card's command may run, starts it in the terminal
dock, and shows on the visible cards what their commands did. It also probes the sandbox
once, off the UI thread, and says so in the banner where proposed commands cannot run in it.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QWidget

from app import settings as settings_mod
from app.store import commands as command_store
from app.store import conversations as conv
from app.terminal.policy import Approval, Decision, decide
from app.terminal.runner import (
    RunOutcome,
    RunRequest,
    hub_guarded,
    known_sandbox_status,
    sandbox_status,
    session_refusal,
)
from app.ui.background_job import BackgroundJob
from app.ui.banner import Banner
from app.ui.chat_view import ChatView
from app.ui.command_card import CommandCard
from app.ui.confirm_command import ConfirmCommandDialog
from app.ui.terminal_pane import TerminalPane

OUTSIDE_REASON = ("you chose to run it outside the sandbox: it runs as you, and can change any "
                  "of your files and use the network")


class CommandRuns(QObject):
    """Proposed commands: approval, runs in the terminal dock, results on the cards.

    ``db`` and ``settings`` are read at each use: the window replaces both (new settings, a
    fresh database after all data was deleted).
    """

    def __init__(self, window: QWidget, chat: ChatView, terminal: TerminalPane, banner: Banner,
                 db: Callable[[], sqlite_utils.Database],
                 settings: Callable[[], settings_mod.Settings]) -> None:
        super().__init__(window)
        self.window = window
        self.chat = chat
        self.terminal = terminal
        self.banner = banner
        self._db = db
        self._settings = settings
        self.confirm_dialog: ConfirmCommandDialog | None = None  # tests look it up
        self._closed = False
        self._commands: dict[int, tuple[tuple[int, str], str]] = {}  # job: (card key, command)
        chat.command_run_requested.connect(self.run_proposed_command)
        terminal.command_finished.connect(self._command_finished)
        terminal.command_failed.connect(self._command_failed)

    @Slot(object, str, bool)
    def run_proposed_command(self, card: CommandCard, command: str, sandboxed: bool) -> None:
        """A command card's Run: in the sandbox by default (with the network if the card's
        box is ticked), or outside it when the user chose that, which always needs a click
        in a dialog (the typed word for the deny list) even when allow rules match. Ask as
        the policy says (allow rules from the user's settings only), then run it in the
        terminal dock. A refusal or an error is written in the card."""
        status = known_sandbox_status()
        can_sandbox = bool(status and status[0])
        if sandboxed and not can_sandbox:
            card.show_error(f"The sandbox is not available: {status[1] if status else 'checking'}")
            return
        if sandboxed and (refusal := session_refusal(self.terminal.session)):
            card.show_error(refusal)
            return
        network = sandboxed and card.allow_network
        # Whitespace does not make an edit: the edit box turns no-break spaces and line
        # separators into plain ones, which must not turn a proposal into "the user's own".
        edited = command.split() != card.proposed.split()
        settings = self._settings()
        try:
            decision = decide(command, "user" if edited else "assistant",
                              settings.terminal.allow_rules, sandboxed=sandboxed)
        except ValueError as exc:
            card.show_error(str(exc))
            return
        if not edited:
            try:
                used = conv.community_skills_used(self._db(), card.message_id)
            except KeyError:
                card.show_error("This reply no longer exists, so its command is not run.")
                return
            decision = hub_guarded(decision, used)
        if can_sandbox and not sandboxed:  # leaving the sandbox is always confirmed
            reasons = tuple(r for r in decision.reasons if r != "you wrote this command yourself")
            approval = (decision.approval if decision.approval is Approval.TYPED_CONFIRMATION
                        else Approval.ASK)
            decision = Decision(approval, (OUTSIDE_REASON, *reasons))
        timeout = settings.terminal.command_timeout_s
        request = RunRequest(command, "edited" if edited else "assistant",
                             message_id=card.message_id,
                             original_command=card.proposed if edited else None,
                             sandboxed=sandboxed, network=network,
                             timeout_s=timeout if timeout > 0 else None)
        key = (card.message_id, card.proposed)
        if decision.approval is Approval.AUTO_RUN:
            self._start_command(key, request)
            return
        dialog = ConfirmCommandDialog(command, decision, cwd=str(self.terminal.session.cwd),
                                      sandboxed=sandboxed, network=network, parent=self.window)
        dialog.accepted.connect(lambda: self._start_command(key, request))
        dialog.finished.connect(lambda _result: self._dialog_closed(dialog))
        self.confirm_dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: ConfirmCommandDialog) -> None:
        if self.confirm_dialog is dialog:
            self.confirm_dialog = None
        dialog.deleteLater()

    def check_sandbox(self) -> None:
        """Probe the sandbox off the UI thread; where it cannot work, say so once."""
        job = BackgroundJob(lambda _progress, _cancel: sandbox_status())
        job.report_to(lambda _done, _total: None, self._sandbox_known,
                      lambda error: self._sandbox_known((False, str(error))))
        job.launch()

    def _sandbox_known(self, status: object) -> None:
        available, reason = status  # type: ignore[misc]
        if not available and not self._closed:
            self.banner.show_message(
                f"Proposed commands run without a sandbox on this system: {reason}. "
                "Flywheel asks before each one, and it runs as you.")

    def close(self) -> None:
        """The window is closing: a late sandbox probe says nothing any more."""
        self._closed = True

    def _start_command(self, key: tuple[int, str], request: RunRequest) -> None:
        self._commands[self.terminal.run(request)] = (key, request.command)
        self.show_results()

    def _card(self, key: tuple[int, str]) -> CommandCard | None:
        widget = self.chat.widget_for(key[0])
        return widget.card_for(key[1]) if widget is not None else None

    def show_results(self) -> None:
        """Show on the visible cards what their commands did (cards are rebuilt with the chat,
        so the state comes from the database and the runs still going)."""
        cards = [card for widget in self.chat.message_widgets() for card in widget.command_cards]
        if not cards:
            return
        runs = command_store.latest_runs(self._db(), sorted({card.message_id for card in cards}))
        running = dict(self._commands.values())
        for card in cards:
            key = (card.message_id, card.proposed)
            if key in running:
                card.show_running(running[key])
            elif key in runs:
                row = runs[key]
                card.show_result(row["command"], row["exit_code"], row["output_tail"] or "",
                                 bool(row["timed_out"]), sandboxed=bool(row["sandboxed"]),
                                 network=bool(row["network"]))

    @Slot(int, object)
    def _command_finished(self, job: int, _outcome: RunOutcome) -> None:
        if self._commands.pop(job, None) is not None:
            self.show_results()

    @Slot(int, str)
    def _command_failed(self, job: int, message: str) -> None:
        entry = self._commands.pop(job, None)
        if entry is None:
            return  # a line typed in the terminal: the pane handles it
        card = self._card(entry[0])
        if card is not None:
            card.show_error(message)
        self.banner.show_message(f"The command could not run: {message}")
