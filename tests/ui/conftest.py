"""Fixtures for the window tests: real model, real database, offscreen Qt."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import keyring
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.ui.main_window import MainWindow
from tests.ui.gated_keyring import GatedKeyring

MODEL_TIMEOUT_MS = 60_000
TURN_TIMEOUT_MS = 60_000

# The offscreen platform plugin cannot forward a window's size hints and says so each time a
# layout changes a top-level minimum size; that is the test platform talking, not the app.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/ui/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


@pytest.fixture
def gated() -> Iterator[GatedKeyring]:
    """A keyring that waits for the test's go (the autouse memory keyring is restored after)."""
    backend = GatedKeyring()
    keyring.set_keyring(backend)
    yield backend
    backend.gate.set()


@pytest.fixture
def ui_settings() -> settings_mod.Settings:
    """Greedy, short replies on a small context, on one thread: fast and repeatable even on
    a busy machine (llama.cpp's threads spin-wait on each other when cores are contended)."""
    settings = settings_mod.Settings()
    settings.model.threads = 1
    settings.model.max_reply_tokens = 12
    settings.model.temperature = 0.0
    settings.model.context_size = 2048
    return settings


@pytest.fixture
def make_window(qtbot: QtBot) -> Iterator[Callable[..., MainWindow]]:
    """Build a MainWindow on given settings, shown, optionally waiting for the model."""
    windows: list[MainWindow] = []

    def make(settings: settings_mod.Settings, wait_model: bool = True) -> MainWindow:
        window = MainWindow(settings)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        if wait_model:
            qtbot.waitUntil(lambda: window.model_ready, timeout=MODEL_TIMEOUT_MS)
        return window

    yield make
    for window in windows:
        window.shutdown()


@pytest.fixture
def send(qtbot: QtBot) -> Callable[[MainWindow, str], None]:
    """Type ``text`` into the composer, press Enter and wait until the reply is displayed."""

    def send_and_wait(window: MainWindow, text: str) -> None:
        window.composer.edit.setPlainText(text)
        with qtbot.waitSignal(window.turn_done, timeout=TURN_TIMEOUT_MS):
            qtbot.keyClick(window.composer.edit, Qt.Key.Key_Return)

    return send_and_wait
