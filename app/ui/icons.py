"""Icons from ``assets/icons``: the app icon, and line icons tinted to the current theme.

Line icons are SVGs drawn in ``currentColor``; they are tinted here (the theme's text
colour) and rasterised once per size and colour, so they read well in light and dark mode
without shipping two sets. Emoji are not used because many Linux desktops lack a colour
emoji font and would show empty boxes. Only ``QImage``s are cached: a cached ``QPixmap`` or
``QIcon`` would outlive the ``QApplication`` at interpreter exit.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap, QTransform
from PySide6.QtSvg import QSvgRenderer

from app import paths

ICON_DIR = "icons"
APP_ICON = "flywheel"


def icon_path(name: str, suffix: str = ".svg") -> str:
    return str(paths.assets_dir() / ICON_DIR / f"{name}{suffix}")


def render_svg(svg: bytes, size: int) -> QImage:
    """Rasterise SVG bytes into a transparent square image."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(QByteArray(svg)).render(painter, QRectF(0, 0, size, size))
    painter.end()
    return image


@lru_cache(maxsize=8)
def _app_icon_image(size: int) -> QImage:
    return render_svg((paths.assets_dir() / ICON_DIR / f"{APP_ICON}.svg").read_bytes(), size)


def app_icon() -> QIcon:
    """The Flywheel icon at the sizes window managers and trays ask for."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addPixmap(QPixmap.fromImage(_app_icon_image(size)))
    return icon


@lru_cache(maxsize=32)
def _line_image(name: str, color: str, flipped: bool, size: int) -> QImage:
    svg = (paths.assets_dir() / ICON_DIR / f"{name}.svg").read_bytes()
    image = render_svg(svg.replace(b"currentColor", color.encode("ascii")), size)
    return image.transformed(QTransform().scale(1, -1)) if flipped else image


def line_icon(name: str, color: str, flipped: bool = False, size: int = 32) -> QIcon:
    """A ``currentColor`` line icon in ``color``; ``flipped`` mirrors it top to bottom."""
    return QIcon(QPixmap.fromImage(_line_image(name, color, flipped, size)))
