"""Quitting while a background job still runs (a community sync waiting on a slow hub) ends
the process cleanly: Qt aborts a process whose QThread is destroyed while it runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from app.ui.app import run_event_loop
from app.ui.background_job import BackgroundJob

app = QApplication([])
BackgroundJob(lambda _progress, _cancel: time.sleep(1.5)).launch()
QTimer.singleShot(100, app.quit)
raise SystemExit(run_event_loop(app))
"""


def test_quitting_while_a_background_job_runs_exits_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FLYWHEEL_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Destroyed while thread" not in result.stderr


def test_a_job_that_outlasts_the_quit_wait_does_not_abort_the_process(tmp_path: Path) -> None:
    script = SCRIPT.replace("time.sleep(1.5)", "time.sleep(5)").replace(
        "run_event_loop(app)", "run_event_loop(app, wait_ms=200)")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FLYWHEEL_HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Destroyed while thread" not in result.stderr
