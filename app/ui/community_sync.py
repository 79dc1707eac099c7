"""The window's background sync of subscribed community domains.

A timer starts :func:`app.community.subscriptions.sync` every :data:`SYNC_INTERVAL_MS` (the
first one shortly after start-up) as a :class:`BackgroundJob` on its own database
connection, never on the UI thread; the Community page's *Check now* starts the same job.
The same job then sends the outcome feedback on imported skills that waited long enough in
the sharing log (:func:`app.community.feedback.send_outcome_feedback`). The hub client loads
at the first sync, not with the window. With sharing off nothing runs at all. A hub that is
down or answers nonsense only leaves a note (``last_note``) for the page: a background fetch
must not nag the user.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.settings import Settings
from app.store.db import open_db
from app.ui.background_job import BackgroundJob, Progress

if TYPE_CHECKING:  # the hub client loads at the first sync, not with the window
    from app.community.subscriptions import SyncReport

log = logging.getLogger(__name__)

SYNC_INTERVAL_MS = 30 * 60 * 1000
FIRST_SYNC_MS = 2 * 60 * 1000


class CommunitySync(QObject):
    """Runs one sync at a time; ``synced`` carries the :class:`SyncReport`, ``failed`` the
    sentence saying why it did not run through."""

    started = Signal()
    synced = Signal(object)
    failed = Signal(str)

    def __init__(self, settings: Callable[[], Settings], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._job: BackgroundJob | None = None
        self.last_note = "Not checked yet."
        self._stopped = False
        self.timer = QTimer(self)
        self.timer.setInterval(SYNC_INTERVAL_MS)
        self.timer.timeout.connect(self.sync_now)
        self.first = QTimer(self)
        self.first.setSingleShot(True)
        self.first.setInterval(FIRST_SYNC_MS)
        self.first.timeout.connect(self.sync_now)

    def start(self) -> None:
        """Sync shortly after start-up, then every :data:`SYNC_INTERVAL_MS`."""
        self.timer.start()
        self.first.start()

    def stop(self) -> None:
        """For good (the window is closing): no sync starts after this."""
        self._stopped = True
        self.timer.stop()
        self.first.stop()
        if self._job is not None:
            self._job.abandon()
            self._job = None

    @property
    def running(self) -> bool:
        return self._job is not None

    def sync_now(self) -> bool:
        """Start a sync; False (and no request) if one is running, sharing is off or the
        window has closed."""
        settings = self._settings()
        if self._stopped or self._job is not None or not settings.community.share_enabled:
            return False
        from app.community.browse import hub_problem
        from app.community.client import HubClient, HubError, HubUnreachableError
        from app.community.feedback import send_outcome_feedback
        from app.community.subscriptions import sync

        try:
            client = HubClient(self._settings, retries=1, timeout_s=15.0)
        except ValueError as exc:
            self._failed(exc)
            return False

        def work(_progress: Progress, cancel: threading.Event) -> tuple[SyncReport, str]:
            db = open_db()
            try:
                report = sync(db, client, cancelled=cancel.is_set)
                try:
                    feedback = send_outcome_feedback(db, client,
                                                     cancelled=cancel.is_set).summary()
                except (HubError, HubUnreachableError) as exc:  # it waits for the next sync
                    feedback = f"Feedback not sent: {hub_problem(exc)}"
                return report, feedback
            finally:
                db.close()

        self._job = BackgroundJob(work)
        self._job.report_to(_ignore_progress, self._done, self._failed)
        self._job.launch()
        self.started.emit()
        return True

    def _done(self, result: tuple[SyncReport, str]) -> None:
        self._job = None
        report, feedback = result
        self.last_note = f"Checked at {time.strftime('%H:%M')}: {report.summary()} {feedback}"
        self.synced.emit(report)

    def _failed(self, exc: object) -> None:
        from app.community.browse import hub_problem

        self._job = None
        note = hub_problem(exc) if isinstance(exc, BaseException) else str(exc)
        log.info("community sync did not run through: %s", note)
        self.last_note = f"Last check at {time.strftime('%H:%M')} failed: {note}"
        self.failed.emit(note)


def _ignore_progress(_done: int, _total: int | None) -> None:
    """A sync reports no progress; ``report_to`` wants a receiver anyway."""
