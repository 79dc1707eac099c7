"""Start the Qt application and show the main window."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import sys
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from app import paths
from app.store.db import SchemaTooNewError
from app.ui.background_job import BackgroundJob
from app.ui.first_paint import after_first_paint

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

log = logging.getLogger(__name__)

QUIT_WAIT_MS = 30_000  # per job still running at quit (a hub request times out before)
PROBE_ENV = "FLYWHEEL_STARTUP_PROBE"  # "1": print start-up events; "exit": also quit when ready


class StartupProbe(QObject):
    """Prints start-up milestones as JSON lines for ``bench.startup``: the window shown, the
    model loaded, then the sentence embedder loaded (with ``exit``, the app then quits).

    "Window shown" is just after the window's first paint pass (see ``first_paint``), not the
    ``show()`` call. A QObject on the main thread, so the model worker's signals reach it
    queued. Times are wall-clock (``time.time()``), for the bench to compare with the moment
    it launched the process; ``cpu_s`` is the CPU time this process had used by then.
    """

    def __init__(self, window: MainWindow, exit_when_ready: bool) -> None:
        super().__init__(window)
        self._window = window
        self._exit = exit_when_ready
        window.model.worker.model_loaded.connect(self._model_ready)
        window.model.worker.embedder_ready.connect(self._embedder_ready)
        window.model.worker.model_failed.connect(self._model_failed)
        after_first_paint(window, lambda: self._print("window_shown"))

    def _print(self, event: str, **fields: object) -> None:
        line = {"event": event, "t": time.time(), "cpu_s": time.process_time(), **fields}
        print(json.dumps(line), flush=True)

    @Slot(str)
    def _model_ready(self, _name: str) -> None:
        import psutil

        self._print("model_ready", rss_bytes=psutil.Process().memory_info().rss)

    @Slot(bool)
    def _embedder_ready(self, loaded: bool) -> None:
        """The sentence embedder follows the model on the same thread: with both loaded the
        process holds everything a turn needs."""
        import psutil

        rss = psutil.Process().memory_info().rss
        self._print("embedder_ready", rss_bytes=rss, loaded=loaded)
        if self._exit:
            QTimer.singleShot(0, self._window.quit)

    @Slot(str, bool)
    def _model_failed(self, message: str, _refused: bool) -> None:
        self._print("model_failed", message=message)
        if self._exit:
            QTimer.singleShot(0, self._window.quit)


def run_gui() -> int:
    from PySide6.QtWidgets import QMessageBox

    from app import settings as settings_mod
    from app.ui import theme
    from app.ui.icons import app_icon
    from app.ui.main_window import MainWindow

    qt_app = QApplication.instance() or QApplication(sys.argv)
    qt_app.setApplicationName("Flywheel")
    qt_app.setOrganizationName("Flywheel")
    qt_app.setDesktopFileName("flywheel")
    qt_app.setWindowIcon(app_icon())
    settings = settings_mod.load()
    theme.install(qt_app, settings.ui.theme)
    try:
        window = MainWindow(settings)
    except (SchemaTooNewError, sqlite3.DatabaseError) as exc:
        # The database is the user's history: explain, never "repair" it by overwriting.
        QMessageBox.critical(
            None,
            "Flywheel cannot open its database",
            f"{exc}\n\nDatabase: {paths.db_path()}",
        )
        return 1
    probe = os.environ.get(PROBE_ENV)
    if probe:
        StartupProbe(window, exit_when_ready=probe == "exit")
    window.show()
    return run_event_loop(qt_app)


def run_event_loop(qt_app: QApplication, wait_ms: int = QUIT_WAIT_MS) -> int:
    """Run the event loop, then cancel and wait for background jobs still running (a
    community sync on a slow hub, an export): Qt aborts a process whose QThread is destroyed
    while it runs, which is what ending the interpreter does to them. A job still running
    after ``wait_ms`` is left behind: the process ends at once instead (the database is
    transactional, so an unfinished write is simply not there)."""
    code = qt_app.exec()
    if not BackgroundJob.finish_all(wait_ms):
        log.warning("a background job still ran %d ms after quitting; ending without it",
                    wait_ms)
        logging.shutdown()
        os._exit(code)
    return code
