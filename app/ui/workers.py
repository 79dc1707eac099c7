"""Background threads of the window: the model worker and the database writer.

The Qt main thread must never wait for the model, the disk or a lock another thread holds,
so everything slow lives here, each on its own ``QThread`` with its own SQLite connection
(connections cannot cross threads):

- :class:`ModelWorker` owns the :class:`~app.model.runtime.ModelRuntime`: it loads models
  and runs turns, writing the turn's messages itself, and streams tokens back by signal.
- :class:`AsyncStore` runs small database writes (corrections, thumbs, renames, branch
  switches) on a second thread, so a click is never stuck behind a reply being recorded.

Reads for display stay on the main thread: in WAL mode a reader never waits for a writer.
The model stack (llama.cpp, the GGUF reader, the assistant's turn) is imported by the
worker's slots, on the model thread, so the window is drawn without waiting for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import shiboken6
import sqlite_utils
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from app import settings as settings_mod
from app.store import conversations as conv
from app.store.db import open_db, storage_error_message

if TYPE_CHECKING:
    from app.model.runtime import ModelRuntime

log = logging.getLogger(__name__)

TITLE_LENGTH = 60
SHUTDOWN_WAIT_MS = 60_000


@dataclass
class TurnRequest:
    """One reply to produce. ``cancel`` is set from the main thread to stop it early."""

    turn_id: int
    conversation_id: int | None
    settings: settings_mod.Settings
    user_text: str | None = None
    edit_of: int | None = None
    regenerate_of: int | None = None
    reply_to: int | None = None
    cancel: threading.Event = field(default_factory=threading.Event)


def model_settings_key(settings: settings_mod.Settings) -> tuple[Any, ...]:
    """The settings that require a model reload when they change."""
    model = settings.model
    return (model.path, model.threads, model.context_size, model.gpu_layers)


def _move_home(worker: QObject) -> None:
    """Hand a worker back to the main thread before its own thread ends, so it is deleted
    there (an object whose thread has finished can never process its deferred delete)."""
    app = QCoreApplication.instance()
    if app is not None:
        worker.moveToThread(app.thread())


class ThreadConnection:
    """The database connection of one worker thread, opened on first use.

    SQLite connections belong to the thread that opened them; after "Delete all data" the
    next use opens the new file.
    """

    def __init__(self) -> None:
        self._db: sqlite_utils.Database | None = None

    def get(self) -> sqlite_utils.Database:
        if self._db is None:
            self._db = open_db()
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.conn.close()
            self._db = None


class ModelWorker(QObject):
    """Lives on its own thread; owns the runtime and a database connection."""

    model_loading = Signal(str)
    model_loaded = Signal(str)
    model_failed = Signal(str, bool)  # message, whether the file itself was refused
    turn_started = Signal(int, int)  # turn id, conversation id (created if it was new)
    token = Signal(int, str)
    prompt_progress = Signal(int, int, int)  # turn id, prompt tokens read, tokens to read
    turn_finished = Signal(int, dict)
    turn_failed = Signal(int, str)
    user_message_unsaved = Signal(int)  # sent before turn_failed: the typed text was lost
    adapter_changed = Signal(str)  # active adapter version ("" = the bare base model)
    adapter_failed = Signal(str)
    embedder_ready = Signal(bool)  # whether retrieval by meaning is on (see warm_embedder)

    def __init__(self) -> None:
        super().__init__()
        self._runtime: ModelRuntime | None = None
        self._base_sha256 = ""
        self._connection = ThreadConnection()
        self._load_error = "The model is still loading."

    @Slot(object)
    def load(self, settings: settings_mod.Settings) -> None:
        """Load the configured model; on failure the previous model (if any) stays in use."""
        from app.assistant import configured_model_path, runtime_from_settings
        from app.model.catalog import ModelFileError

        try:
            path = configured_model_path(settings)
            self.model_loading.emit(path.name)
            runtime = runtime_from_settings(settings)
            runtime.load()
        except (ModelFileError, ValueError) as exc:  # llama.cpp refuses a file with ValueError
            self._load_error = f"The model could not be loaded: {exc}"
            self.model_failed.emit(self._load_error, True)
            return
        except Exception as exc:  # memory, the OS: the file may be fine; the window survives
            log.exception("model load failed")
            self._load_error = f"The model could not be loaded: {exc}"
            self.model_failed.emit(self._load_error, False)
            return
        previous, self._runtime = self._runtime, runtime
        if previous is not None:
            previous.close()
        self._base_sha256 = ""
        self.model_loaded.emit(path.name)
        self.use_active_adapter()
        self.warm_embedder()

    def warm_embedder(self) -> None:
        """Load the sentence embedder (converting it once) and embed the skills that have no
        vector yet, right after the chat model: the first turn then only embeds its request.
        Without an embedder, retrieval ranks skills by their words alone."""
        from app.model.embedder import shared_embedder
        from app.skills.vectors import backfill

        embedder = shared_embedder()
        if embedder is not None:
            try:
                backfill(self._connection.get(), embedder)
            except Exception:  # a full disk or a locked database: the skills wait for later
                log.exception("skill vectors not computed")
        self.embedder_ready.emit(embedder is not None)

    @Slot()
    def use_active_adapter(self) -> None:
        """Serve the registry's active adapter for this model (none: the bare base model).

        Queued after a promotion or a rollback, so it runs between turns; the runtime's swap
        also waits for a generation in progress, and the UI thread never waits at all.
        """
        from app.learning.registry import AdapterRegistry
        from app.model.catalog import file_sha256

        if self._runtime is None:
            return
        try:
            if not self._base_sha256:
                self._base_sha256 = file_sha256(self._runtime.path)
            registry = AdapterRegistry(self._connection.get())
            record = registry.active(self._base_sha256)
            path = registry.active_path(self._base_sha256)
            if path is None:
                self._runtime.remove_adapter()
            elif path != self._runtime.active_adapter:
                self._runtime.apply_adapter(path)
        except Exception as exc:  # a refused adapter leaves the previous one serving
            log.warning("adapter not applied: %s", exc)
            self.adapter_failed.emit(str(exc))
            return
        self.adapter_changed.emit(str(record.version) if record and path else "")

    def word(self, prompt: str) -> str:
        """The served model's answer to one of Flywheel's own questions (a habit's wording,
        when the user says the model is capable). Called from the store thread: the
        runtime's lock makes it wait for a reply being generated."""
        from app.assistant import complete

        runtime = self._runtime
        if runtime is None:
            raise RuntimeError(self._load_error)
        return complete(runtime, prompt)

    @Slot(object)
    def run_turn(self, request: TurnRequest) -> None:
        """Record the user's message, stream the reply token by token, record the reply."""
        from app.assistant import Turn

        if self._runtime is None:
            self.turn_failed.emit(request.turn_id, self._load_error)
            return
        if request.cancel.is_set():
            self.turn_failed.emit(request.turn_id, "Stopped before the reply started.")
            return
        turn: Turn | None = None
        try:
            db = self._connection.get()
            conversation_id = self._conversation_for(db, request)
            self.turn_started.emit(request.turn_id, conversation_id)
            turn = Turn(
                db,
                self._runtime,
                request.settings,
                conversation_id,
                user_text=request.user_text,
                edit_of=request.edit_of,
                regenerate_of=request.regenerate_of,
                reply_to=request.reply_to,
                cancel=request.cancel,
                progress=lambda done, total: self.prompt_progress.emit(
                    request.turn_id, done, total
                ),
            )
            for piece in turn:
                self.token.emit(request.turn_id, piece)
            result = turn.result
            assert result is not None  # set by Turn once its iteration ends
        except Exception as exc:  # bad prompt, full disk, llama.cpp error: report, keep going
            log.exception("turn failed")
            if request.user_text is not None and (turn is None or turn.user_id is None):
                self.user_message_unsaved.emit(request.turn_id)
            message = storage_error_message(exc) or str(exc) or type(exc).__name__
            self.turn_failed.emit(request.turn_id, message)
            return
        adapter = self._runtime.active_adapter
        self.turn_finished.emit(
            request.turn_id,
            {
                "conversation_id": conversation_id,
                "user_message_id": result.user_message_id,
                "assistant_message_id": result.assistant_message_id,
                "text": result.text,
                "stats": dict(result.stats),
                "adapter_version": adapter.parent.name if adapter else "",
            },
        )

    def _conversation_for(self, db: sqlite_utils.Database, request: TurnRequest) -> int:
        """The request's conversation, created (and titled after the message) when new."""
        if request.conversation_id is not None:
            return request.conversation_id
        title = " ".join((request.user_text or "").split())[:TITLE_LENGTH] or "New chat"
        return conv.create_conversation(db, title)

    @Slot()
    def forget_database(self) -> None:
        """Close the connection; the next turn opens the (possibly new) database file."""
        self._connection.close()

    @Slot()
    def shutdown(self) -> None:
        """Free the model and the connection on this thread, then end the thread."""
        if self._runtime is not None:
            self._runtime.close()
            self._runtime = None
        self.forget_database()
        thread = QThread.currentThread()
        _move_home(self)
        thread.quit()


Job = Callable[[sqlite_utils.Database], Any]


class _StoreWorker(QObject):
    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self) -> None:
        super().__init__()
        self._connection = ThreadConnection()

    @Slot(int, object)
    def run(self, job_id: int, job: Job) -> None:
        try:
            result = job(self._connection.get())
        except Exception as exc:
            log.exception("database job failed")
            self.failed.emit(job_id, str(exc) or type(exc).__name__)
            return
        self.finished.emit(job_id, result)

    @Slot()
    def forget_database(self) -> None:
        self._connection.close()

    @Slot()
    def shutdown(self) -> None:
        self.forget_database()
        thread = QThread.currentThread()
        _move_home(self)
        thread.quit()


class AsyncStore(QObject):
    """Runs ``job(db)`` callables on the store thread, in order, and calls back on this one."""

    _submit = Signal(int, object)
    _forget = Signal()
    _stop = Signal()
    error = Signal(str)  # a job failed and had no error callback of its own

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None, QObject | None]] = {}
        self._next_id = 0
        self._thread = QThread()
        self._thread.setObjectName("flywheel-store")
        self._worker = _StoreWorker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._forget.connect(self._worker.forget_database)
        self._stop.connect(self._worker.shutdown)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._thread.start()

    def submit(
        self,
        job: Job,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        owner: QObject | None = None,
    ) -> int:
        """Queue ``job``; ``on_done(result)`` or ``on_error(message)`` runs on this thread.

        A page that can be closed while its job runs passes itself as ``owner``: once the
        owner is deleted its callbacks are dropped instead of touching dead widgets.
        """
        self._next_id += 1
        self._callbacks[self._next_id] = (on_done, on_error, owner)
        self._submit.emit(self._next_id, job)
        return self._next_id

    @property
    def pending(self) -> int:
        return len(self._callbacks)

    def reopen(self) -> None:
        """After queued jobs, close the connection; the next job opens the database anew."""
        self._forget.emit()

    def _live_callbacks(self, job_id: int) -> tuple[Callable | None, Callable | None]:
        on_done, on_error, owner = self._callbacks.pop(job_id, (None, None, None))
        if owner is not None and not shiboken6.isValid(owner):
            return None, lambda _message: None
        return on_done, on_error

    def _on_finished(self, job_id: int, result: object) -> None:
        on_done, _ = self._live_callbacks(job_id)
        if on_done is not None:
            on_done(result)

    def _on_failed(self, job_id: int, message: str) -> None:
        _, on_error = self._live_callbacks(job_id)
        if on_error is not None:
            on_error(message)
        else:
            self.error.emit(message)

    def shutdown(self) -> None:
        """Finish queued jobs, close the connection and stop the thread; drop the callbacks
        (they would touch a window that is closing)."""
        if self._thread.isRunning():
            self._stop.emit()
            self._thread.wait(SHUTDOWN_WAIT_MS)
        self._callbacks.clear()


class ModelThread(QObject):
    """The model worker on its own thread, driven by queued signals from the window."""

    _load = Signal(object)
    _turn = Signal(object)
    _forget = Signal()
    _stop = Signal()
    _adapter = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = ModelWorker()
        self._thread = QThread()
        self._thread.setObjectName("flywheel-model")
        self.worker.moveToThread(self._thread)
        self._load.connect(self.worker.load)
        self._turn.connect(self.worker.run_turn)
        self._forget.connect(self.worker.forget_database)
        self._adapter.connect(self.worker.use_active_adapter)
        self._stop.connect(self.worker.shutdown)
        self._thread.start()

    def load(self, settings: settings_mod.Settings) -> None:
        self._load.emit(settings)

    def run_turn(self, request: TurnRequest) -> None:
        self._turn.emit(request)

    def use_active_adapter(self) -> None:
        """Swap in the registry's active adapter after the current turn (hot-swap)."""
        self._adapter.emit()

    def reopen_database(self) -> None:
        """After the current turn, close the connection; the next turn opens it anew."""
        self._forget.emit()

    def shutdown(self, running: TurnRequest | None = None) -> None:
        """Stop a running reply, free the model and wait for the thread to end."""
        if running is not None:
            running.cancel.set()
        if self._thread.isRunning():
            self._stop.emit()
            self._thread.wait(SHUTDOWN_WAIT_MS)
