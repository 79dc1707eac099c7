"""A keyring that answers only when the test lets it, as a locked Secret Service answers only
once the user has typed the password into its unlock prompt."""

from __future__ import annotations

import threading

import keyring.errors
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from bench.memory_keyring import MemoryKeyring

KEYRING_WAIT_S = 30  # a test that forgets the gate still ends


class GatedKeyring(MemoryKeyring):
    """Each call waits for :attr:`gate`, then answers (or raises :attr:`failure`); it notes
    the thread that asked, so a test can tell that the UI thread never did."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.callers: list[threading.Thread] = []
        self.failure: keyring.errors.KeyringError | None = None

    def _wait(self) -> None:
        self.callers.append(threading.current_thread())
        self.gate.wait(KEYRING_WAIT_S)
        if self.failure is not None:
            raise self.failure

    def get_password(self, service: str, username: str) -> str | None:
        self._wait()
        return super().get_password(service, username)

    def set_password(self, service: str, username: str, password: str) -> None:
        self._wait()
        super().set_password(service, username, password)


def event_loop_runs(qtbot: QtBot) -> None:
    """A timer fires: the UI thread is free while a keyring call waits."""
    timer = QTimer()
    timer.setSingleShot(True)
    with qtbot.waitSignal(timer.timeout, timeout=KEYRING_WAIT_S * 1000 // 2):
        timer.start(0)
