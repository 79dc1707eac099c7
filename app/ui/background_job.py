"""A blocking function run on its own QThread, and showing its progress on a bar.

The Qt main thread must never wait on the network or the disk, so every long operation the
settings dialog starts (a model download, an export, a delete) runs as a :class:`BackgroundJob`:
one blocking function on its own QThread, reporting through queued signals. A job outlives
the widget that started it if it has to (closing the dialog cancels it, and a cancelled
download still removes its partial file), so jobs keep themselves alive until they finish.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import ClassVar

from PySide6.QtCore import QObject, QThread, Signal, SignalInstance
from PySide6.QtWidgets import QProgressBar

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
Work = Callable[[Progress, threading.Event], object]

PROGRESS_STEPS = 1000  # QProgressBar holds an int; byte counts of big models do not fit


class BackgroundJob(QThread):
    """Run ``work(progress, cancel_event)`` off the main thread and report by signals.

    ``progress`` carries ``(done, total)`` as Python ints (``total`` may be None);
    ``succeeded`` carries the function's result and ``failed`` the exception it raised.
    Exactly one of them is emitted per run.
    """

    progress = Signal(object, object)
    succeeded = Signal(object)
    failed = Signal(object)

    _running: ClassVar[set[BackgroundJob]] = set()

    def __init__(self, work: Work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self.cancel_event = threading.Event()
        self.finished.connect(self._release)
        self._receivers: tuple[Callable[..., None], ...] = ()

    def report_to(
        self,
        on_progress: Callable[[int, int | None], None],
        on_succeeded: Callable[[object], None],
        on_failed: Callable[[Exception], None],
    ) -> None:
        """Connect the widget's handlers to ``progress``, ``succeeded`` and ``failed``."""
        self._receivers = (on_progress, on_succeeded, on_failed)
        for signal, slot in zip(self._signals(), self._receivers, strict=True):
            signal.connect(slot)

    def abandon(self) -> None:
        """Cancel and stop reporting: the widget that started the job is going away.

        The job still finishes alone (a cancelled download removes its partial file), but
        nothing is delivered to a widget that no longer exists.
        """
        self.cancel()
        for signal, slot in zip(self._signals(), self._receivers, strict=True):
            signal.disconnect(slot)
        self._receivers = ()

    def _signals(self) -> tuple[SignalInstance, ...]:
        return (self.progress, self.succeeded, self.failed)

    def launch(self) -> None:
        """Start the job; it keeps itself referenced until its thread has ended."""
        BackgroundJob._running.add(self)
        self.start()

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self) -> None:
        try:
            result = self._work(self.progress.emit, self.cancel_event)
        except Exception as exc:  # every failure is shown to the user; none may kill the app
            log.warning("background job failed: %s", exc, exc_info=True)
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)

    def _release(self) -> None:
        BackgroundJob._running.discard(self)
        self.deleteLater()

    @classmethod
    def finish_all(cls, timeout_ms: int = 10_000) -> bool:
        """Cancel every running job and wait for them (call before the application quits)."""
        jobs = list(cls._running)
        for job in jobs:
            job.cancel()
        return all(job.wait(timeout_ms) for job in jobs)


def progress_text(done: int, total: int | None) -> str:
    """Human-readable amount of a transfer, e.g. ``'12.5 of 98.0 MB'``."""
    if total:
        return f"{done / 1e6:,.1f} of {total / 1e6:,.1f} MB"
    return f"{done / 1e6:,.1f} MB"


def set_progress(bar: QProgressBar, done: int, total: int | None) -> None:
    """Show byte progress on a bar, as a busy indicator when the total is unknown."""
    if not total:
        bar.setRange(0, 0)
        return
    bar.setRange(0, PROGRESS_STEPS)
    bar.setValue(min(PROGRESS_STEPS, done * PROGRESS_STEPS // total))
