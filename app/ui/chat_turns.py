"""The chat's turns: what the user asks for (send, ask to fix, regenerate, edit and resend,
stop) becomes one turn on the model thread, streamed into the chat while it runs.

One turn at a time. Each has an id, so that late signals of a turn that was stopped,
abandoned at shutdown or replaced are ignored. The window owns one :class:`ChatTurns` and
reacts to its signals: it redraws the chat, the conversation list and the menus.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from app import settings as settings_mod
from app.ui.banner import Banner
from app.ui.chat_view import ChatView
from app.ui.composer import Composer
from app.ui.message_widget import MessageView
from app.ui.status_bar import StatusBar
from app.ui.workers import ModelThread, TurnRequest


class ChatTurns(QObject):
    """Starts turns, streams them into the chat, ends them.

    ``shown`` is the conversation the window shows (None: a new chat) and ``settings`` the
    window's settings, both read at each use.
    """

    starting = Signal()  # a turn is on screen and about to be queued on the model thread
    conversation_created = Signal(int)  # the running turn's first message created it
    ended = Signal(int, str, str)  # turn id, a streamed reply that was not saved, why not

    def __init__(self, model: ModelThread, chat: ChatView, composer: Composer,
                 status: StatusBar, banner: Banner, shown: Callable[[], int | None],
                 settings: Callable[[], settings_mod.Settings],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.chat = chat
        self.composer = composer
        self.status = status
        self.banner = banner
        self._shown = shown
        self._settings = settings
        self.running: TurnRequest | None = None
        self.conversation: int | None = None  # the running turn's conversation
        self._counter = 0
        worker = model.worker
        worker.turn_started.connect(self._turn_started)
        worker.token.connect(self._token)
        worker.prompt_progress.connect(self._prompt_progress)
        worker.turn_finished.connect(self._turn_finished)
        worker.turn_failed.connect(self._turn_failed)
        worker.user_message_unsaved.connect(self._user_message_unsaved)
        composer.send_requested.connect(self.send_message)
        composer.stop_requested.connect(self.stop)
        chat.regenerate_requested.connect(self.regenerate)
        chat.edit_submitted.connect(self.edit_and_resend)
        chat.fix_requested.connect(self.ask_to_fix)

    # -- what the user asks for -------------------------------------------------------------

    def _start(self, prefix: list[MessageView], **kind: Any) -> None:
        if self.running is not None:
            return
        self._counter += 1
        self.running = TurnRequest(self._counter, self._shown(), self._settings(), **kind)
        self.conversation = self._shown()
        self.composer.set_generating(True)
        self.chat.begin_live_reply(prefix)
        self.starting.emit()  # (the window queues the model's load before the turn)
        self.model.run_turn(self.running)

    @Slot(str)
    def send_message(self, text: str) -> None:
        """Send ``text`` as the next user message of the shown conversation."""
        text = text.strip()
        if text and self.running is None:
            self._start([*self.chat.views(), MessageView(None, "user", text)], user_text=text)

    @Slot(int, str)
    def ask_to_fix(self, reply_id: int, text: str) -> None:
        """Send a command card's "Ask to fix" as the answer to that card's reply, on its
        branch: right after the reply, whatever the conversation's current leaf is."""
        views = self.chat.views()
        index = next((i for i, v in enumerate(views) if v.message_id == reply_id), None)
        if index is not None and self.running is None:
            prefix = [*views[: index + 1], MessageView(None, "user", text)]
            self._start(prefix, user_text=text, reply_to=reply_id)

    @Slot(int)
    def regenerate(self, message_id: int) -> None:
        """Write a new reply beside ``message_id``; the discarded one gets a negative signal."""
        views = self.chat.views()
        index = next((i for i, v in enumerate(views) if v.message_id == message_id), None)
        if index is not None and views[index].role == "assistant":
            self._start(views[:index], regenerate_of=message_id)

    @Slot()
    def regenerate_last(self) -> None:
        views = self.chat.views()
        if views and views[-1].can_regenerate and views[-1].message_id is not None:
            self.regenerate(views[-1].message_id)

    @Slot(int, str)
    def edit_and_resend(self, message_id: int, text: str) -> None:
        """Send an edited version of an earlier user message as a new branch."""
        views = self.chat.views()
        index = next((i for i, v in enumerate(views) if v.message_id == message_id), None)
        if index is not None and views[index].role == "user":
            prefix = [*views[:index], MessageView(None, "user", text)]
            self._start(prefix, user_text=text, edit_of=message_id)

    @Slot()
    def stop(self) -> None:
        """Stop the streaming reply; what was written so far is kept."""
        if self.running is not None:
            self.running.cancel.set()

    def abandon(self) -> TurnRequest | None:
        """Forget the running turn, whose late signals are then ignored (the window is
        closing); returns it, for the model thread to cancel."""
        running, self.running = self.running, None
        return running

    # -- what the model thread says ---------------------------------------------------------

    def _is_running(self, turn_id: int) -> bool:
        return self.running is not None and self.running.turn_id == turn_id

    def _streaming_shown(self, turn_id: int) -> bool:
        return self._is_running(turn_id) and self.conversation == self._shown()

    @Slot(int, int)
    def _turn_started(self, turn_id: int, conversation_id: int) -> None:
        if self._is_running(turn_id) and self.conversation is None:
            self.conversation = conversation_id
            self.conversation_created.emit(conversation_id)

    @Slot(int, str)
    def _token(self, turn_id: int, piece: str) -> None:
        if self._streaming_shown(turn_id):
            self.chat.append_live(piece)

    @Slot(int, int, int)
    def _prompt_progress(self, turn_id: int, done: int, total: int) -> None:
        if self._streaming_shown(turn_id):
            self.chat.set_prompt_progress(done, total)

    @Slot(int, dict)
    def _turn_finished(self, turn_id: int, result: dict) -> None:
        if not self._is_running(turn_id):
            return
        stats = result.get("stats") or {}
        self.status.set_speed(stats.get("decode_tok_s"))
        self.status.set_adapter(result.get("adapter_version") or "")
        self._end(turn_id)

    @Slot(int)
    def _user_message_unsaved(self, turn_id: int) -> None:
        """The typed message could not be recorded: give it back to the composer (unless
        the user has started typing the next one)."""
        if self._is_running(turn_id) and not self.composer.edit.toPlainText().strip():
            self.composer.edit.setPlainText(self.running.user_text or "")

    @Slot(int, str)
    def _turn_failed(self, turn_id: int, message: str) -> None:
        if not self._is_running(turn_id):
            return
        self.banner.show_message(f"The reply failed: {message}")
        shown = self.conversation == self._shown()
        self._end(turn_id, unsaved=self.chat.live_text if shown else "", why=message)

    def _end(self, turn_id: int, unsaved: str = "", why: str = "") -> None:
        """Back to idle; the window redraws the chat (see :attr:`ended`)."""
        self.running = None
        self.conversation = None
        self.composer.set_generating(False)
        self.ended.emit(turn_id, unsaved, why)
