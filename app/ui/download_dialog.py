"""Downloading a model from inside the settings dialog.

The download runs as a :class:`~app.ui.background_job.BackgroundJob`, so the dialog stays
responsive; closing the dialog cancels it, and a cancelled download removes its partial file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.model.download import DownloadCancelled, download_gguf, hf_url, target_name
from app.ui.background_job import PROGRESS_STEPS, BackgroundJob, progress_text, set_progress


class DownloadPanel(QWidget):
    """Repository and file fields, Download / Cancel, a progress bar and a status line.

    The repository field also takes a full http(s) address of a GGUF file. ``downloaded``
    carries the path of the validated model in the models folder.
    """

    downloaded = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._job: BackgroundJob | None = None
        self.repo_edit = QLineEdit()
        self.repo_edit.setPlaceholderText("owner/name, or a full https:// address of a .gguf")
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText("model-Q4_K_M.gguf")
        self.download_button = QPushButton("Download")
        self.cancel_button = QPushButton("Cancel download")
        self.cancel_button.setEnabled(False)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_bar.setValue(0)
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Repository:", self.repo_edit)
        form.addRow("File:", self.file_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.download_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)

        self.download_button.clicked.connect(self.start)
        self.repo_edit.installEventFilter(self)
        self.file_edit.installEventFilter(self)
        self.cancel_button.clicked.connect(self.cancel)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Return in the fields starts the download instead of pressing the dialog's OK."""
        if (
            watched in (self.repo_edit, self.file_edit)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            self.start()
            return True
        return super().eventFilter(watched, event)

    def is_busy(self) -> bool:
        return self._job is not None

    def start(self) -> None:
        """Check the fields and start the download on a worker thread."""
        if self._job is not None:
            return
        repo, file = self.repo_edit.text().strip(), self.file_edit.text().strip()
        try:
            if repo.lower().startswith(("http://", "https://")):
                url, name = repo, target_name(repo, file or None)
            else:
                url, name = hf_url(repo, file), target_name(file)
        except ValueError as exc:
            self.status_label.setText(f"Cannot download: {exc}.")
            return
        job = BackgroundJob(
            lambda progress, cancel: download_gguf(
                url, filename=name, progress=progress, cancel=cancel
            )
        )
        job.report_to(self._on_progress, self._on_succeeded, self._on_failed)
        self._job = job
        self._set_busy(True)
        self.progress_bar.setValue(0)
        self.status_label.setText(f"Connecting to {url} …")
        job.launch()

    def cancel(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.status_label.setText("Cancelling…")

    def abandon(self) -> None:
        """Cancel and stop listening (the panel is going away; the job cleans up alone)."""
        job, self._job = self._job, None
        if job is not None:
            job.abandon()

    def _set_busy(self, busy: bool) -> None:
        self.download_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        self.repo_edit.setEnabled(not busy)
        self.file_edit.setEnabled(not busy)
        self.busy_changed.emit(busy)

    def _on_progress(self, done: int, total: int | None) -> None:
        set_progress(self.progress_bar, done, total)
        if self._job is not None and not self._job.cancel_event.is_set():
            self.status_label.setText(f"Downloading: {progress_text(done, total)}")

    def _on_succeeded(self, path: Path) -> None:
        self._job = None
        self._set_busy(False)
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_bar.setValue(PROGRESS_STEPS)
        self.status_label.setText(f"Downloaded and checked {path.name}.")
        self.downloaded.emit(path)

    def _on_failed(self, error: Exception) -> None:
        self._job = None
        self._set_busy(False)
        self.progress_bar.setRange(0, PROGRESS_STEPS)
        self.progress_bar.setValue(0)
        if isinstance(error, DownloadCancelled):
            self.status_label.setText("Download cancelled; the partial file was removed.")
        else:
            self.status_label.setText(f"Download failed: {error}")
