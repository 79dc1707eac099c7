"""The sidebar: conversations, a full-text search box, new / rename / delete.

It only displays and asks: the window runs the search and the database writes. Renaming
edits the item in place; deleting asks for confirmation first, because it also deletes what
Flywheel learned from that conversation.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

SEARCH_DELAY_MS = 200
ID_ROLE = Qt.ItemDataRole.UserRole


class _List(QListWidget):
    """A list whose Delete key asks to delete the selected conversation."""

    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Delete and self.state() != self.State.EditingState:
            self.delete_pressed.emit()
            return
        super().keyPressEvent(event)


class ConversationList(QWidget):
    """Conversations, most recent first; in search mode, the messages that match."""

    selected = Signal(int)
    new_requested = Signal()
    rename_requested = Signal(int, str)
    delete_requested = Signal(int)
    export_requested = Signal(int)
    search_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.new_button = QPushButton("+  New chat")
        self.new_button.setToolTip("Start a new conversation (Ctrl+N)")
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search chats (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.list = _List()
        self.list.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSpacing(3)  # (no style sheet: it would freeze the palette on theme changes)
        self.empty_label = QLabel("No matches")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty_label)
        self.confirm_box: QMessageBox | None = None
        self.context_menu: QMenu | None = None
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.search_changed.emit(self.query()))
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.new_button.clicked.connect(self.new_requested)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemChanged.connect(self._item_edited)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.delete_pressed.connect(self._delete_current)
        self._filling = False

    def query(self) -> str:
        return self.search.text().strip()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(ID_ROLE)) if item is not None else None

    # -- filling --------------------------------------------------------------------------

    def show_conversations(self, rows: list[dict[str, Any]], current_id: int | None) -> None:
        """The normal view: every conversation, editable titles."""
        items = []
        for row in rows:
            item = QListWidgetItem(row["title"])
            item.setToolTip(row["title"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            items.append((int(row["id"]), item))
        self._fill(items, current_id)
        self.empty_label.hide()

    def show_results(self, rows: list[dict[str, Any]], current_id: int | None) -> None:
        """Search view: one entry per matching conversation, with the best matching snippet."""
        items = []
        for row in rows:
            snippet = " ".join(str(row.get("snippet") or "").split())
            text = f"{row['title']}\n{snippet}" if snippet else row["title"]
            item = QListWidgetItem(text)
            item.setToolTip(text)
            items.append((int(row["conversation_id"]), item))
        self._fill(items, current_id)
        self.empty_label.setVisible(not items)

    def _fill(self, items: list[tuple[int, QListWidgetItem]], current_id: int | None) -> None:
        self._filling = True
        try:
            self.list.clear()
            for conversation_id, item in items:
                item.setData(ID_ROLE, conversation_id)
                self.list.addItem(item)
                if conversation_id == current_id:
                    self.list.setCurrentItem(item)
        finally:
            self._filling = False

    def select(self, conversation_id: int | None) -> None:
        """Highlight ``conversation_id`` without announcing it (the window already knows)."""
        self._filling = True
        try:
            self.list.setCurrentItem(None)
            for row in range(self.list.count()):
                item = self.list.item(row)
                if item.data(ID_ROLE) == conversation_id:
                    self.list.setCurrentItem(item)
                    break
        finally:
            self._filling = False

    # -- user actions ---------------------------------------------------------------------

    def _current_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        if not self._filling and current is not None:
            self.selected.emit(int(current.data(ID_ROLE)))

    def _item_edited(self, item: QListWidgetItem) -> None:
        if self._filling:
            return
        title = " ".join(item.text().split())
        if title:
            self.rename_requested.emit(int(item.data(ID_ROLE)), title)

    def _context_menu(self, position: QPoint) -> None:
        item = self.list.itemAt(position)
        if item is None:
            return
        self.list.setCurrentItem(item)
        self.context_menu = self.menu_for(item)
        self.context_menu.popup(self.list.viewport().mapToGlobal(position))

    def menu_for(self, item: QListWidgetItem) -> QMenu:
        """What can be done to one chat (its right-click menu)."""
        menu = QMenu(self)
        if item.flags() & Qt.ItemFlag.ItemIsEditable:
            menu.addAction("Rename", lambda: self.list.editItem(item))
        conversation_id = int(item.data(ID_ROLE))
        menu.addAction("Export…", lambda: self.export_requested.emit(conversation_id))
        menu.addAction("Delete…", self._delete_current)
        return menu

    def start_rename(self) -> None:
        item = self.list.currentItem()
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEditable:
            self.list.editItem(item)

    def _delete_current(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            self.confirm_delete(int(item.data(ID_ROLE)), item.text().split("\n")[0])

    def confirm_delete(self, conversation_id: int, title: str) -> None:
        """Ask first (non-modally, the window keeps working); delete only on Yes."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete conversation",
            f"Delete “{title}”?\n\nIts messages and the feedback you gave on them will be "
            "removed. This cannot be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.button(QMessageBox.StandardButton.Yes).setText("Delete")
        box.finished.connect(lambda _result: self._delete_answered(box, conversation_id))
        self.confirm_box = box
        box.open()

    def _delete_answered(self, box: QMessageBox, conversation_id: int) -> None:
        self.confirm_box = None
        confirmed = box.clickedButton() is box.button(QMessageBox.StandardButton.Yes)
        box.deleteLater()
        if confirmed:
            self.delete_requested.emit(conversation_id)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
