"""The chat list's side of the window: what the list shows (every chat, or the search's
results), renaming and deleting a chat, and exporting one (File → Export chat… or the
list's menu). Writes run on the store thread; the list is refilled when they are done."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils
from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QDialog, QWidget

from app.store import conversations as conv
from app.ui.banner import Banner
from app.ui.chat_turns import ChatTurns
from app.ui.conversation_list import ConversationList
from app.ui.status_bar import StatusBar
from app.ui.workers import AsyncStore


class ConversationActions(QObject):
    """Fills the chat list and carries out its actions.

    ``shown`` is the conversation the window shows, ``show`` shows another one (None: a new
    chat) and ``renamed`` runs once a rename is stored; ``db`` is read at each use.
    """

    def __init__(self, window: QWidget, sidebar: ConversationList, turns: ChatTurns,
                 store: AsyncStore, status: StatusBar, banner: Banner,
                 db: Callable[[], sqlite_utils.Database], shown: Callable[[], int | None],
                 show: Callable[[int | None], None], renamed: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self.sidebar = sidebar
        self.turns = turns
        self.store = store
        self.status = status
        self.banner = banner
        self._db = db
        self._shown = shown
        self._show = show
        self._renamed = renamed
        self.export_dialog: QDialog | None = None  # tests look it up
        sidebar.rename_requested.connect(self.rename)
        sidebar.delete_requested.connect(self.delete)
        sidebar.export_requested.connect(self.export_chat)
        sidebar.search_changed.connect(self.refresh)

    @Slot()
    def refresh(self) -> None:
        """Fill the sidebar: every conversation, or search results while searching."""
        db, shown = self._db(), self._shown()
        query = self.sidebar.query()
        if not query:
            self.sidebar.show_conversations(conv.list_conversations(db), shown)
            return
        lowered = query.lower()
        results: dict[int, dict[str, Any]] = {}
        for row in conv.list_conversations(db):
            if lowered in row["title"].lower():
                results[int(row["id"])] = {"conversation_id": row["id"], "title": row["title"]}
        for row in conv.search_messages(db, query):
            results.setdefault(int(row["conversation_id"]), row)
        self.sidebar.show_results(list(results.values()), shown)

    @Slot(int, str)
    def rename(self, conversation_id: int, title: str) -> None:
        self.store.submit(
            lambda db: conv.rename_conversation(db, conversation_id, title),
            lambda _: self._after_rename(),
        )

    def _after_rename(self) -> None:
        self.refresh()
        self._renamed()

    @Slot(int)
    def delete(self, conversation_id: int) -> None:
        if self.turns.conversation == conversation_id and self.turns.running is not None:
            self.banner.show_message("Stop the reply before deleting its conversation.")
            return
        if conversation_id == self._shown():
            self._show(None)
        self.store.submit(
            lambda db: conv.delete_conversation(db, conversation_id),
            lambda _: self.refresh(),
        )

    @Slot()
    def export_shown(self) -> None:
        shown = self._shown()
        if shown is not None:
            self.export_chat(shown)

    @Slot(int)
    def export_chat(self, conversation_id: int) -> None:
        """Ask where to save one chat (File → Export chat…, or the chat list's menu)."""
        from app.ui.export_dialog import ExportChatDialog

        row = conv.get_conversation(self._db(), conversation_id)
        if row is None:
            return
        dialog = ExportChatDialog(conversation_id, row["title"], self.window)
        dialog.chosen.connect(lambda path, fmt: self._write_export(conversation_id, path, fmt))
        dialog.finished.connect(lambda _result: self._export_closed(dialog))
        self.export_dialog = dialog
        dialog.open()

    def _export_closed(self, dialog: QDialog) -> None:
        if self.export_dialog is dialog:
            self.export_dialog = None
        dialog.deleteLater()

    def _write_export(self, conversation_id: int, path: Path, fmt: str) -> None:
        """Write the file on the store thread; say where it went, or why it could not."""
        from app.chat_export import export_chat

        self.store.submit(
            lambda db: export_chat(db, conversation_id, path, fmt),
            lambda written: self.status.showMessage(f"Chat exported to {written}", 10_000),
            lambda message: self.banner.show_message(f"The chat was not exported: {message}"),
        )
