"""Theme and text size, chosen in the window: the View menu's entries and Settings → Appearance.

Both change ``[ui] theme`` and ``[ui] font_size`` in ``settings.toml``; the window applies a
change at once (palette through :mod:`app.ui.theme`, text size through the application font,
which every widget without a font of its own follows) and saves it.

Text size is stored in points, 0 meaning "the desktop's size": the desktop's font is kept
the first time a size is applied, so going back to 0 restores it exactly rather than a
guess of what it was.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QActionGroup, QFont, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QLabel,
    QMenu,
    QSpinBox,
    QWidget,
)

from app.settings import UiSettings, field_help
from app.ui.theme import CHOICES

FONT_MIN, FONT_MAX = 6, 32
THEME_LABELS = {"system": "Follow the system", "light": "Light", "dark": "Dark"}

_desktop_font: QFont | None = None


def _application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("no QApplication is running")
    return app


def desktop_font_size() -> int:
    """The desktop's text size in points (before Flywheel changed it)."""
    global _desktop_font
    if _desktop_font is None:
        _desktop_font = QFont(_application().font())
    return _desktop_font.pointSize()


def clamp_font_size(size: int) -> int:
    """0 stays 0 (the desktop's size); anything else is kept within what stays readable."""
    return 0 if size <= 0 else max(FONT_MIN, min(FONT_MAX, size))


def apply_font_size(size: int) -> None:
    """Set the application's text size (0: the desktop's); widgets follow at once."""
    desktop_font_size()  # keep the desktop's font before the first change
    assert _desktop_font is not None
    font = QFont(_desktop_font)
    size = clamp_font_size(size)
    if size:
        font.setPointSize(size)
    app = _application()
    if app.font() != font:
        app.setFont(font)


def stepped_font_size(size: int, step: int) -> int:
    """The size one step larger or smaller than ``size`` (0 counts as the desktop's size)."""
    current = size if size > 0 else desktop_font_size()
    return max(FONT_MIN, min(FONT_MAX, current + step))


class AppearanceMenu(QObject):
    """The View menu's Theme submenu and text-size entries. It only asks: ``theme_chosen``
    and ``font_size_chosen`` go to the window, which applies and saves."""

    theme_chosen = Signal(str)
    font_size_chosen = Signal(int)

    def __init__(self, menu: QMenu, ui: UiSettings) -> None:
        super().__init__(menu)
        self._font_size = ui.font_size
        theme_menu = menu.addMenu("T&heme")
        group = QActionGroup(self)
        self.theme_actions: dict[str, QAction] = {}
        for choice in CHOICES:
            action = QAction(THEME_LABELS[choice], self, checkable=True)
            action.triggered.connect(lambda _=False, c=choice: self.theme_chosen.emit(c))
            group.addAction(action)
            theme_menu.addAction(action)
            self.theme_actions[choice] = action
        self.larger_action = self._add(menu, "&Larger text", ("Ctrl+=", "Ctrl++"), 1)
        self.smaller_action = self._add(menu, "S&maller text", ("Ctrl+-",), -1)
        self.reset_action = self._add(menu, "&Default text size", ("Ctrl+0",), 0)
        self.show_settings(ui)

    def _add(self, menu: QMenu, text: str, shortcuts: tuple[str, ...], step: int) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(key) for key in shortcuts])
        action.triggered.connect(lambda: self._step(step))
        menu.addAction(action)
        return action

    def _step(self, step: int) -> None:
        size = stepped_font_size(self._font_size, step) if step else 0
        self.font_size_chosen.emit(size)

    def show_settings(self, ui: UiSettings) -> None:
        """Check the theme in use and remember the size (after a change from anywhere)."""
        self._font_size = clamp_font_size(ui.font_size)
        self.theme_actions.get(ui.theme, self.theme_actions["system"]).setChecked(True)


class AppearancePage(QWidget):
    """Settings → Appearance: theme and text size, edited with the rest of the dialog."""

    def __init__(self, ui: UiSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme_combo = QComboBox()
        for choice in CHOICES:
            self.theme_combo.addItem(THEME_LABELS[choice], choice)
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(ui.theme)))
        self.theme_combo.setToolTip(field_help(ui, "theme"))
        self.font_spin = QSpinBox()
        self.font_spin.setRange(FONT_MIN - 1, FONT_MAX)
        self.font_spin.setSpecialValueText("System size")
        self.font_spin.setSuffix(" pt")
        self.font_spin.setValue(clamp_font_size(ui.font_size) or FONT_MIN - 1)
        self.font_spin.setToolTip(field_help(ui, "font_size"))
        note = QLabel("Ctrl+= and Ctrl+- change the text size from the window too.")
        note.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow("Theme:", self.theme_combo)
        form.addRow("Text size:", self.font_spin)
        form.addRow(note)

    def collect(self, ui: UiSettings) -> None:
        """Write the page's choices into ``ui`` (the dialog's edited copy)."""
        ui.theme = str(self.theme_combo.currentData())
        value = self.font_spin.value()
        ui.font_size = 0 if value < FONT_MIN else value
