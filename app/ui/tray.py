"""The window's icon in the system tray, where the desktop has one: a click brings the
window back (it hides there when "minimize to tray" is on), its menu shows or quits."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMainWindow, QMenu, QSystemTrayIcon

from app.ui.icons import app_icon


def show_window(window: QMainWindow) -> None:
    """Bring a hidden or minimized window back to the front."""
    window.showNormal()
    window.raise_()
    window.activateWindow()


def build_tray(window: QMainWindow, quit_app: Callable[[], None]) -> QSystemTrayIcon | None:
    """The shown tray icon of ``window``, or None where the desktop has no tray."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    tray = QSystemTrayIcon(app_icon(), window)
    tray.setToolTip("Flywheel")
    menu = QMenu(window)
    menu.addAction("Show Flywheel", lambda: show_window(window))
    menu.addAction("Quit", quit_app)
    tray.setContextMenu(menu)

    def activated(reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            show_window(window)

    tray.activated.connect(activated)
    tray.show()
    return tray
