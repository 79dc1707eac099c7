"""Run a callback once a window has been drawn for the first time.

Start-up work on other threads still needs Python's interpreter lock for its Python parts
(the model load reads the GGUF header in Python, the Markdown warm-up compiles Pygments'
regular expressions), and so does the main thread for every event it hands to Python code
(event filters, Python slots). Started before the window is drawn, that work kept the first
paint waiting for about a second on a 2-core machine; started after it, it costs the window
nothing. The same moment is what ``bench.startup`` measures as "window shown".
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget


class _FirstPaint(QObject):
    """An application-wide event filter that removes itself at the window's first paint."""

    def __init__(self, window: QWidget, callback: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._callback: Callable[[], None] | None = callback
        QApplication.instance().installEventFilter(self)
        QTimer.singleShot(0, self, self._if_hidden)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window() is self._window
        ):
            self._fire()
        return False

    def _if_hidden(self) -> None:
        """A window that is not shown when the event loop starts is never painted: go now."""
        if not self._window.isVisible():
            self._fire()

    def _fire(self) -> None:
        if self._callback is None:
            return
        QApplication.instance().removeEventFilter(self)
        callback, self._callback = self._callback, None
        QTimer.singleShot(0, self, callback)  # after the rest of this paint pass


def after_first_paint(window: QWidget, callback: Callable[[], None]) -> None:
    """Call ``callback`` on the main thread just after ``window``'s first paint pass.

    A paint of any of the window's widgets counts (a main window covered by its children
    may never get a paint event of its own). If the window is still hidden when the event
    loop first runs, ``callback`` runs then instead.
    """
    _FirstPaint(window, callback)
