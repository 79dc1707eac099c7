"""A page of the main window whose database work runs on the store thread.

Pages such as the skills library and "What Flywheel learned" never touch the database on
the GUI thread: they submit jobs to an :class:`AsyncStore` and only render results. The
bookkeeping around that (sharing or owning the store thread, counting queued jobs so the
window can show it is busy, showing a job's failure on the page) is the same for each page,
so it lives here once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlite_utils
from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from app.ui.workers import AsyncStore


class StorePage(QWidget):
    """Base of a page that runs its database jobs on a store thread.

    Pass the window's :class:`AsyncStore` to share its thread; without one the page starts
    its own and stops it in :meth:`shutdown` (called on close). ``message`` is the page's
    status line; a subclass places it in its layout.
    """

    busy_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None, store: AsyncStore | None = None) -> None:
        super().__init__(parent)
        self._owns_store = store is None
        self.store = store or AsyncStore(self)
        self._pending = 0
        self.message = QLabel()
        self.message.setWordWrap(True)

    @property
    def busy(self) -> bool:
        """True while a job of this page is queued or running."""
        return self._pending > 0

    def _run(
        self, job: Callable[[sqlite_utils.Database], Any], on_done: Callable[[Any], None]
    ) -> None:
        """Run ``job`` on the store thread, then ``on_done`` with its result on this thread."""
        self._pending += 1
        self.busy_changed.emit(True)

        def done(result: Any) -> None:
            self._finish()
            on_done(result)

        def failed(message: str) -> None:
            self._finish()
            self._say(message, error=True)

        self.store.submit(job, done, failed, owner=self)

    def _finish(self) -> None:
        self._pending -= 1
        if not self._pending:
            self.busy_changed.emit(False)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b42318;" if error else "")
        self.message.setText(text)

    def _confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Flywheel", text)
        return answer == QMessageBox.StandardButton.Yes

    def shutdown(self) -> None:
        """Stop the page's own store thread (a shared one belongs to the window)."""
        if self._owns_store:
            self.store.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
