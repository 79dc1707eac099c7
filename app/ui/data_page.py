"""The settings dialog's Data tab: where the user's data lives, export it all, delete it all.

Both operations walk the whole data folder, so they run on a
:class:`~app.ui.background_job.BackgroundJob` and the window stays responsive. An export can
be cancelled by closing the dialog; a delete cannot stop half-way, so the dialog stays open
until it is done. Deleting needs the word DELETE typed, not just a click.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import paths
from app.data_admin import delete_all_data, export_all_data
from app.ui.background_job import BackgroundJob, Work, progress_text, set_progress

CONFIRM_WORD = "DELETE"


class ConfirmDeleteDialog(QDialog):
    """Asks the user to type DELETE; offers to keep the downloaded model files."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Delete all data")
        text = QLabel(
            f"This deletes your conversations, learning signals, examples, skills, trained "
            f"adapters, logs and settings from {paths.user_dir()}. It cannot be undone.\n\n"
            f"Type {CONFIRM_WORD} to confirm."
        )
        text.setWordWrap(True)
        self.word_edit = QLineEdit()
        self.word_edit.setPlaceholderText(CONFIRM_WORD)
        self.keep_models_check = QCheckBox("Keep downloaded model files")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.delete_button = self.buttons.addButton(
            "Delete everything", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.delete_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.word_edit)
        layout.addWidget(self.keep_models_check)
        layout.addWidget(self.buttons)
        self.word_edit.textChanged.connect(
            lambda value: self.delete_button.setEnabled(value.strip() == CONFIRM_WORD)
        )
        self.delete_button.clicked.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    @property
    def keep_models(self) -> bool:
        return self.keep_models_check.isChecked()


class DataPage(QWidget):
    """The data folder with an Open button, Export all / Delete all, progress and status.

    ``download_busy`` tells whether a model download is running: deleting then has to wait,
    since the download would write into the folder being emptied. ``deleted`` is emitted once
    everything is gone.
    """

    deleted = Signal()

    def __init__(self, download_busy: Callable[[], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._download_busy = download_busy
        self._job: BackgroundJob | None = None
        self._busy_text = ""
        self._cancellable = True
        self._on_success: Callable[[object], None] = lambda _result: None

        folder = QLabel(str(paths.user_dir()))
        folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        open_folder = QPushButton("Open folder")
        open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(paths.user_dir())))
        )
        self.export_button = QPushButton("Export all data…")
        self.export_button.clicked.connect(self._ask_export)
        self.delete_button = QPushButton("Delete all data…")
        self.delete_button.clicked.connect(self._ask_delete)
        self.progress_bar = QProgressBar()
        self.progress_bar.hide()
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        folder_row = QHBoxLayout()
        folder_row.addWidget(QLabel("Your data folder:"))
        folder_row.addWidget(folder, 1)
        folder_row.addWidget(open_folder)
        layout = QVBoxLayout(self)
        layout.addLayout(folder_row)
        layout.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.delete_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)
        layout.addStretch(1)

    def _ask_export(self) -> None:
        default = paths.dialog_start_dir() / f"flywheel-export-{time.strftime('%Y%m%d-%H%M')}.zip"
        name, _ = QFileDialog.getSaveFileName(
            self, "Export all data", str(default), "Zip archives (*.zip)"
        )
        if name:
            self.start_export(Path(name))

    def start_export(self, dest: Path) -> None:
        """Export the data folder to ``dest`` on a worker thread."""
        self._start_job(
            lambda progress, cancel: export_all_data(dest, progress, cancel=cancel),
            "Exporting…",
            lambda path: self._finished(f"Exported your data to {path}."),
            cancellable=True,
        )

    def _ask_delete(self) -> None:
        if self._download_busy():
            self.status_label.setText("Wait for the model download to finish or cancel it.")
            return
        confirm = ConfirmDeleteDialog(self)
        if confirm.exec() == QDialog.DialogCode.Accepted:
            self.start_delete(keep_models=confirm.keep_models)

    def start_delete(self, *, keep_models: bool) -> None:
        """Delete the data folder's contents on a worker thread (after the user confirmed)."""
        self._start_job(
            lambda progress, cancel: delete_all_data(keep_models=keep_models),
            "Deleting…",
            self._deleted,
            cancellable=False,
        )

    def must_stay_open(self) -> bool:
        """True, and says so on the page, while a job that cannot be cancelled is running."""
        if self._job is not None and not self._cancellable:
            self.status_label.setText(f"{self._busy_text} please wait until it is done.")
            return True
        return False

    def abandon(self) -> None:
        """Cancel a running export and stop listening (the page is going away)."""
        job, self._job = self._job, None
        if job is not None:
            job.abandon()

    def _start_job(
        self,
        work: Work,
        busy_text: str,
        on_success: Callable[[object], None],
        *,
        cancellable: bool,
    ) -> None:
        if self._job is not None:
            return
        job = BackgroundJob(work)
        job.report_to(self._on_progress, self._on_succeeded, self._on_failed)
        self._job, self._busy_text, self._on_success = job, busy_text, on_success
        self._cancellable = cancellable
        self.export_button.setEnabled(False)
        self.delete_button.setEnabled(False)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.show()
        self.status_label.setText(busy_text)
        job.launch()

    def _on_progress(self, done: int, total: int) -> None:
        set_progress(self.progress_bar, done, total)
        self.status_label.setText(f"{self._busy_text} {progress_text(done, total)}")

    def _on_succeeded(self, result: object) -> None:
        self._on_success(result)

    def _on_failed(self, error: Exception) -> None:
        self._finished(f"Failed: {error}")

    def _finished(self, message: str) -> None:
        self._job = None
        self.progress_bar.hide()
        self.export_button.setEnabled(True)
        self.delete_button.setEnabled(True)
        self.status_label.setText(message)

    def _deleted(self, _result: object) -> None:
        self._finished("All data was deleted. Flywheel starts fresh from here.")
        self.deleted.emit()
