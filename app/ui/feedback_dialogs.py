"""The chat's feedback buttons: Correct and the thumbs open their dialogs, and what the user
confirms there is saved on the store thread (:mod:`app.ui.feedback`), then the chat redrawn."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QDialog, QWidget

from app import settings as settings_mod
from app.ui import feedback
from app.ui.chat_view import ChatView
from app.ui.correct_dialog import CorrectDialog
from app.ui.thumb_dialog import ThumbDialog
from app.ui.workers import AsyncStore, ModelThread


class FeedbackDialogs(QObject):
    """The open Correct or thumb dialog (tests and the screenshot script look them up).

    ``settings`` is read when a dialog is confirmed; ``saved`` runs once the store has it.
    """

    def __init__(self, window: QWidget, chat: ChatView, store: AsyncStore, model: ModelThread,
                 settings: Callable[[], settings_mod.Settings],
                 saved: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self.chat = chat
        self.store = store
        self.model = model
        self._settings = settings
        self._saved = saved
        self.correct_dialog: CorrectDialog | None = None
        self.thumb_dialog: ThumbDialog | None = None
        chat.correct_requested.connect(self.open_correct_dialog)
        chat.thumb_requested.connect(self.open_thumb_dialog)

    @Slot(int)
    def open_correct_dialog(self, message_id: int) -> None:
        widget = self.chat.widget_for(message_id)
        if widget is None:
            return
        dialog = CorrectDialog(message_id, widget.view.corrected or widget.view.content,
                               self.window)
        dialog.accepted.connect(lambda: self._save_correction(dialog))
        dialog.finished.connect(lambda _result: self._closed(dialog))
        self.correct_dialog = dialog
        dialog.open()

    def _save_correction(self, dialog: CorrectDialog) -> None:
        message_id, text, settings = dialog.message_id, dialog.corrected_text(), self._settings()
        word = self.model.worker.word if settings.learning.model_words_skills else None
        self.store.submit(
            lambda db: feedback.save_correction(db, message_id, text, settings, word),
            lambda _: self._saved(),
        )

    @Slot(int, bool)
    def open_thumb_dialog(self, message_id: int, up: bool) -> None:
        dialog = ThumbDialog(message_id, up, self.window)
        dialog.accepted.connect(lambda: self._save_thumb(dialog))
        dialog.finished.connect(lambda _result: self._closed(dialog))
        self.thumb_dialog = dialog
        dialog.open()

    def _save_thumb(self, dialog: ThumbDialog) -> None:
        message_id, up, reason = dialog.message_id, dialog.up, dialog.reason_text()
        settings = self._settings()
        self.store.submit(
            lambda db: feedback.save_thumb(db, message_id, up, reason, settings),
            lambda _: self._saved(),
        )

    def _closed(self, dialog: QDialog) -> None:
        if self.correct_dialog is dialog:
            self.correct_dialog = None
        if self.thumb_dialog is dialog:
            self.thumb_dialog = None
        dialog.deleteLater()
