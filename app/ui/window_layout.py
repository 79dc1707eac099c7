"""Where the window was when it closed: its geometry, the splitter, the docks and the
conversation it showed, kept in ``window.ini`` in the data folder."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

from app import paths

STATE_FILE = "window.ini"


class WindowLayout:
    """The saved layout of one main window and its splitter."""

    def __init__(self, window: QMainWindow, splitter: QSplitter) -> None:
        self.window = window
        self.splitter = splitter
        self._state = QSettings(str(paths.user_dir() / STATE_FILE), QSettings.Format.IniFormat)

    def restore(self) -> int | None:
        """Put the window back as it was; returns the id of the conversation it showed."""
        geometry = self._state.value("geometry")
        if geometry is not None:
            self.window.restoreGeometry(geometry)
        splitter = self._state.value("splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        docks = self._state.value("docks")
        if docks is not None:
            self.window.restoreState(docks)
        last = self._state.value("conversation")
        return int(last) if last is not None and str(last).isdigit() else None

    def save(self, conversation_id: int | None) -> None:
        self._state.setValue("geometry", self.window.saveGeometry())
        self._state.setValue("splitter", self.splitter.saveState())
        self._state.setValue("docks", self.window.saveState())
        self._state.setValue("conversation", conversation_id or "")
        self._state.sync()
