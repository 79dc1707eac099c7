"""Light and dark appearance, following the system unless the user picked one.

Qt reports the desktop's colour scheme (``QStyleHints.colorScheme``) but not every platform
theme turns it into a palette, so Flywheel sets the palette itself on the Fusion style (the
one style that honours custom palettes everywhere) and re-applies it when the system scheme
changes. Widgets that draw their own colours (chat bubbles, highlighted code) read them from
:class:`Theme` and listen to ``changed``.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from app.ui import markdown

CHOICES = ("system", "light", "dark")


@dataclass(frozen=True)
class Colors:
    """Colours of Flywheel's own surfaces, beyond what the palette covers."""

    user_bubble: str
    assistant_bubble: str
    bubble_border: str
    muted_text: str
    accent: str
    banner_error: str
    banner_error_text: str
    html: markdown.Palette


LIGHT_COLORS = Colors(
    "#e7effd", "#ffffff", "#d8dee4", "#636c76", "#1f6feb", "#fdecea", "#8a1c12", markdown.LIGHT
)
DARK_COLORS = Colors(
    "#1c2a3f", "#1e1f22", "#34373c", "#9aa0a6", "#4c8dff", "#4a1f1c", "#ffd7d2", markdown.DARK
)


def _dark_palette() -> QPalette:
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a",
        QPalette.ColorRole.AlternateBase: "#26272b",
        QPalette.ColorRole.ToolTipBase: "#2d2e31",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
        QPalette.ColorRole.PlaceholderText: "#8c9196",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#2d2e31",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.BrightText: "#ff6b6b",
        QPalette.ColorRole.Highlight: "#3d6fd6",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.LinkVisited: "#c58af9",
        QPalette.ColorRole.Light: "#3c3d41",
        QPalette.ColorRole.Midlight: "#323336",
        QPalette.ColorRole.Mid: "#2a2b2e",
        QPalette.ColorRole.Dark: "#141517",
        QPalette.ColorRole.Shadow: "#000000",
    }
    for role, color in roles.items():
        palette.setColor(role, QColor(color))
    disabled = QPalette.ColorGroup.Disabled
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(disabled, role, QColor("#6f7378"))
    return palette


def system_prefers_dark() -> bool:
    """The desktop's choice; when Qt cannot tell, judge by the platform palette's window."""
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    window = QApplication.style().standardPalette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


class Theme(QObject):
    """The application's current appearance; ``changed`` fires when light/dark flips."""

    changed = Signal()

    def __init__(self, app: QApplication, choice: str = "system") -> None:
        super().__init__(app)
        self._app = app
        self._choice = "system"
        self._dark: bool | None = None
        app.setStyle("Fusion")
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._system_changed)
        self.set_choice(choice)

    @property
    def dark(self) -> bool:
        return bool(self._dark)

    @property
    def colors(self) -> Colors:
        return DARK_COLORS if self._dark else LIGHT_COLORS

    @property
    def choice(self) -> str:
        return self._choice

    def set_choice(self, choice: str) -> None:
        """``system``, ``light`` or ``dark``; anything else falls back to ``system``."""
        self._choice = choice if choice in CHOICES else "system"
        self._apply()

    def _system_changed(self) -> None:
        if self._choice == "system":
            self._apply()

    def _apply(self) -> None:
        dark = self._choice == "dark" or (self._choice == "system" and system_prefers_dark())
        if dark == self._dark:
            return
        self._dark = dark
        palette = _dark_palette() if dark else self._app.style().standardPalette()
        self._app.setPalette(palette)
        self.changed.emit()


_current: Theme | None = None


def install(app: QApplication, choice: str = "system") -> Theme:
    """Create (once per application) and return the theme every widget reads."""
    global _current
    if _current is None or _current.parent() is not app:
        _current = Theme(app, choice)
    else:
        _current.set_choice(choice)
    return _current


def current() -> Theme:
    """The installed theme; installs the default one on the running application if needed."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("no QApplication is running")
    return _current if _current is not None and _current.parent() is app else install(app)
