"""File → Export chat…: where to save one chat, as Markdown or JSON.

The dialog starts in the user's Documents folder (or home), never in Flywheel's data folder:
a file dialog lists, stats and may sniff the files of the folder it shows, and a process
that opens and closes a database file loses its SQLite locks on it. The format follows the
file's type: its suffix, else the filter chosen in the dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from app import paths
from app.chat_export import format_for, suggested_file_name

FILTERS = {"Markdown (*.md)": "md", "JSON (*.json)": "json"}


def start_folder() -> Path:
    """Documents when the desktop has one, else what `paths.dialog_start_dir` chooses:
    never the data folder, where the database is."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return paths.dialog_start_dir(documents or None)


class ExportChatDialog(QFileDialog):
    """A save dialog for one chat; ``chosen(path, format)`` once the user picked a file."""

    chosen = Signal(object, str)

    def __init__(self, conversation_id: int, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Export chat")
        self.conversation_id = conversation_id
        self.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        self.setFileMode(QFileDialog.FileMode.AnyFile)
        self.setNameFilters(list(FILTERS))
        self.setDefaultSuffix("md")
        self.setDirectory(str(start_folder()))
        self.selectFile(suggested_file_name(title))
        self.filterSelected.connect(self._filter_changed)
        self.fileSelected.connect(self._file_selected)

    def _filter_changed(self, name_filter: str) -> None:
        self.setDefaultSuffix(FILTERS.get(name_filter, "md"))

    def _file_selected(self, name: str) -> None:
        path = Path(name)
        self.chosen.emit(path, format_for(path, FILTERS.get(self.selectedNameFilter(), "md")))
