"""Runs the trainer while the user is away and stops it the moment they come back.

The trainer is a separate process (torch must never load into the window, and a crash or a
kill there costs the app nothing). This QObject starts it in a ``QProcess``, turns its JSON
lines into typed signals, and preempts it on user activity with SIGTERM: the trainer saves
a checkpoint and exits 3, and the next idle period resumes from it. A trainer that ignores
SIGTERM for :data:`KILL_AFTER_MS` is killed. A timer re-checks the idle conditions
(:mod:`app.learning.idle`) every :data:`CHECK_INTERVAL_MS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlite_utils
from PySide6.QtCore import QEvent, QObject, QProcess, QTimer, Signal, Slot

from app import settings as settings_mod
from app.learning.idle import Decision, IdleCheck
from app.learning.trainer_process import (
    TERMINAL_EVENTS,
    parse_event,
    record_losses,
    trainer_command,
)
from app.store.db import open_db

CHECK_INTERVAL_MS = 30_000
KILL_AFTER_MS = 5_000
EXIT_PREEMPTED = 3


class TrainingSupervisor(QObject):
    """One trainer at a time; ``on_activity`` preempts, ``train_now`` starts regardless of idle.

    ``command`` builds the trainer's argv (tests pass flags such as ``--config``).
    """

    state_changed = Signal(str)
    progress = Signal(int, int, float)  # step, total, loss
    finished = Signal(dict)  # the trainer's ``done`` event
    failed = Signal(str)
    promoted = Signal(int)  # new active adapter version: hot-swap it

    def __init__(
        self,
        settings: settings_mod.Settings,
        *,
        idle: IdleCheck | None = None,
        command: Callable[[], list[str]] = trainer_command,
        db: sqlite_utils.Database | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.idle = idle or IdleCheck()
        self.command = command
        self.db = db or open_db()
        self.last_input = time.time()
        self.state = "idle"
        self._process: QProcess | None = None
        self._buffer = b""
        self._final: dict | None = None
        self._stopping = False
        self._forced = False
        self._run_id: int | None = None
        self._losses: dict[int, list[list[float]]] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self.check)
        self._kill_timer = QTimer(self)
        self._kill_timer.setSingleShot(True)
        self._kill_timer.setInterval(KILL_AFTER_MS)
        self._kill_timer.timeout.connect(self._kill)

    # -- control ---------------------------------------------------------------------------

    def start_monitoring(self) -> None:
        self._timer.start()

    def set_settings(self, settings: settings_mod.Settings) -> None:
        """New settings apply at the next check; turning learning off stops a run now."""
        self.settings = settings
        if self.running and (not settings.learning.enabled or settings.learning.paused):
            self.stop()

    @property
    def running(self) -> bool:
        return self._process is not None

    @Slot()
    def on_activity(self) -> None:
        """The user typed or clicked: remember when, and give the machine back to them."""
        self.last_input = time.time()
        if self.running and not self._forced:
            self.stop()

    @Slot()
    def check(self) -> Decision:
        """The periodic test: start training when every idle condition holds."""
        if self.running:
            return Decision(False, self.state)
        decision = self.idle.decide(self.settings.learning, self.last_input, self.db)
        if decision.train:
            self._start(forced=False)
        else:
            self._set_state(decision.reason)
        return decision

    @Slot()
    def train_now(self) -> Decision:
        """The "Train now" button: no waiting for idleness, but never while learning is off."""
        if self.running:
            return Decision(False, "already training")
        decision = self.idle.decide(self.settings.learning, self.last_input, self.db, forced=True)
        if decision.train:
            self._start(forced=True)
        else:
            self._set_state(decision.reason)
            self.failed.emit(f"learning is {decision.reason}")
        return decision

    @Slot()
    def stop(self) -> None:
        """Ask the trainer to checkpoint and exit; kill it if it has not within 5 s."""
        if self._process is None or self._stopping:
            return
        self._stopping = True
        self._set_state("stopping")
        self._process.terminate()
        self._kill_timer.start()

    def shutdown(self, wait_ms: int = KILL_AFTER_MS) -> None:
        """At quit: stop the trainer and wait for it, so no orphan keeps the cores busy."""
        self._timer.stop()
        process = self._process
        if process is None:
            return
        self.stop()
        if not process.waitForFinished(wait_ms):
            process.kill()
            process.waitForFinished(wait_ms)

    # -- the process -------------------------------------------------------------------------

    def _start(self, *, forced: bool) -> None:
        argv = self.command()
        process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        process.readyReadStandardOutput.connect(self._read)
        process.finished.connect(self._finished)
        process.errorOccurred.connect(self._error)
        self._process, self._buffer, self._final = process, b"", None
        self._stopping, self._forced = False, forced
        self._set_state("starting")
        process.start(argv[0], argv[1:])

    @Slot()
    def _read(self) -> None:
        if self._process is None:
            return
        self._buffer += bytes(self._process.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            event = parse_event(line.decode("utf-8", "replace"))
            if event is not None:
                self._handle(event)

    def _handle(self, event: dict) -> None:
        kind = event["event"]
        if kind == "start":
            self._run_id = event.get("run_id")
            self._set_state("resuming" if event.get("resuming") else "training")
        elif kind == "progress":
            step, total = int(event["step"]), int(event["total"])
            loss = event.get("loss")
            if self._run_id is not None and loss is not None:
                self._losses.setdefault(self._run_id, []).append([step, float(loss)])
            self.progress.emit(step, total, float("nan") if loss is None else float(loss))
            self._set_state(f"training {100 * step // max(1, total)} %")
        elif kind == "phase":
            self._set_state({"export": "saving adapter", "eval": "testing adapter"}.get(
                event.get("phase"), str(event.get("phase"))))
        elif kind in TERMINAL_EVENTS:
            self._final = event

    @Slot(int, QProcess.ExitStatus)
    def _finished(self, exit_code: int, _status: QProcess.ExitStatus) -> None:
        self._kill_timer.stop()
        self._read()
        final, self._final = self._final, None
        self._process.deleteLater()
        self._process = None
        if final is not None and final["event"] == "done":
            self._record_losses(final)
            status = final.get("status")
            self.finished.emit(final)
            if status == "promoted":
                self._set_state("new adapter active")
                self.promoted.emit(int(final.get("version") or 0))
            elif status == "rejected":
                self._set_state("kept the current adapter (new one not better)")
            else:
                self._set_state(f"idle ({final.get('reason', 'nothing to learn')})")
        elif final is not None and final.get("busy"):  # a `flywheel train` is running
            self._set_state("another trainer is running; trying again later")
        elif exit_code == EXIT_PREEMPTED or self._stopping:
            self._set_state("paused (will resume when you are away)")
        else:
            message = (final or {}).get("message") or f"trainer exited with code {exit_code}"
            self._set_state("training failed")
            self.failed.emit(message)

    def _record_losses(self, final: dict) -> None:
        run_id = final.get("run_id")
        losses = self._losses.pop(run_id, None) if run_id is not None else None
        if losses:
            record_losses(self.db, int(run_id), losses)

    @Slot(QProcess.ProcessError)
    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and self._process is not None:
            self._process.deleteLater()
            self._process = None
            self._set_state("training failed")
            self.failed.emit("the trainer could not be started")

    @Slot()
    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)


class ActivityWatcher(QObject):
    """An application-wide event filter: any key, click or scroll counts as the user's return.

    App-level idleness is the one signal every platform has; the OS probes only add to it.
    """

    activity = Signal()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY_EVENTS:
            self.activity.emit()
        return False


_ACTIVITY_EVENTS = frozenset(
    {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.Wheel}
)
