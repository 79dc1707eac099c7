"""``flywheel smoke-test``: open the real window, send one message, wait for the reply.

A packaged build can look complete and still miss a Qt plugin, a llama.cpp library, the
embedded model, the sentence-embedding model or an asset; each of those only shows when the
window runs a turn. So this drives the window the way a person does (the composer's text box
and its Send button, the same path as Enter), waits for the reply on the window's own signals
and reports what it measured as one JSON line. It runs in the caller's event loop, so the
test suite can run it in-process against the real model, and the packaging script can run it
in the frozen app.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from app import settings as settings_mod

SMOKE_MESSAGE = "Say hello in one short sentence."
SMOKE_TIMEOUT_S = 180.0
# Enough tokens to prove that decoding works; a smoke test has no use for a long answer.
SMOKE_REPLY_TOKENS = 48


@dataclass
class SmokeResult:
    """What one smoke run saw; ``ok`` is False with ``error`` saying where it stopped.

    Times are seconds from the start of the run (before the window is built), as a person
    launching the app would count them.
    """

    ok: bool = False
    error: str = ""
    model: str = ""
    adapter: str = ""  # the LoRA adapter version that served the reply ("" = the base model)
    reply_chars: int = 0
    reply_tokens: int | None = None
    window_s: float | None = None  # the window is built (database, widgets, workers)
    model_s: float | None = None  # the model worker reports the model loaded
    embedder: bool = False  # the sentence embedder loaded (retrieval by meaning is on)
    first_token_s: float | None = None  # the first piece of the reply is streamed
    reply_s: float | None = None  # the reply is finished and recorded
    decode_tok_s: float | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def run_smoke(
    settings: settings_mod.Settings | None = None,
    message: str = SMOKE_MESSAGE,
    timeout_s: float = SMOKE_TIMEOUT_S,
) -> SmokeResult:
    """Open a MainWindow on ``settings`` (default: the user's, with a short reply cap), send
    ``message`` through the composer and wait for the reply; the window is shut down after.

    The message is sent as soon as the window is up, as a quick user would: the worker runs
    the turn after the load it is busy with, and a model that failed to load fails the turn
    with the load error, so no outcome can slip between two signals. Needs a QApplication.
    Never raises for an app failure: the result says what went wrong, because the caller has
    to print it and exit non-zero rather than show a traceback.
    """
    from app.assistant import configured_model_path
    from app.ui.main_window import MainWindow

    assert QApplication.instance() is not None, "create the QApplication first"
    if settings is None:
        settings = settings_mod.load()
        settings.model.max_reply_tokens = min(settings.model.max_reply_tokens,
                                              SMOKE_REPLY_TOKENS)
    result = SmokeResult(model=configured_model_path(settings).name)
    loop = QEventLoop()
    started = time.perf_counter()

    def since_start() -> float:
        return time.perf_counter() - started

    def fail(text: str) -> None:
        if not result.error:
            result.error = text
        loop.quit()

    def send() -> None:
        window.composer.edit.setPlainText(message)
        window.composer.button.click()
        if window.running is None:
            fail("the window did not start a turn when Send was clicked")

    def model_loaded(_name: str) -> None:
        result.model_s = since_start()

    def embedder_ready(loaded: bool) -> None:
        result.embedder = loaded

    def token(_turn_id: int, _piece: str) -> None:
        if result.first_token_s is None:
            result.first_token_s = since_start()

    def finished(_turn_id: int, reply: dict) -> None:
        stats = reply.get("stats") or {}
        result.reply_s = since_start()
        result.adapter = reply.get("adapter_version") or ""
        result.reply_chars = len(reply.get("text") or "")
        result.reply_tokens = stats.get("completion_tokens")
        result.decode_tok_s = stats.get("decode_tok_s")
        result.ok = result.reply_chars > 0 and result.embedder
        if not result.reply_chars:
            result.error = "the reply was empty"
        elif not result.embedder:
            result.error = "the sentence embedder did not load: skills are ranked by words only"
        loop.quit()

    window = MainWindow(settings)
    result.window_s = since_start()
    worker = window.model.worker
    worker.model_loaded.connect(model_loaded)
    worker.embedder_ready.connect(embedder_ready)
    worker.token.connect(token)
    worker.turn_finished.connect(finished)
    worker.turn_failed.connect(lambda _turn_id, text: fail(f"the reply failed: {text}"))
    deadline = QTimer(singleShot=True)
    deadline.timeout.connect(lambda: fail(f"no reply within {timeout_s:g} s"))
    deadline.start(round(timeout_s * 1000))
    window.show()
    QTimer.singleShot(0, send)
    try:
        loop.exec()
    finally:
        deadline.stop()
        window.shutdown()
        window.hide()
        window.deleteLater()
    return result


def smoke_main(message: str | None = None, timeout_s: float | None = None) -> int:
    """The ``flywheel smoke-test`` process: one JSON line on stdout, exit 0 only on a reply."""
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    qt_app.setApplicationName("Flywheel")
    result = run_smoke(None, message or SMOKE_MESSAGE, timeout_s or SMOKE_TIMEOUT_S)
    print(json.dumps(result.to_json_dict()), flush=True)
    if not result.ok:
        print(f"smoke test failed: {result.error}", file=sys.stderr)
    return 0 if result.ok else 1
