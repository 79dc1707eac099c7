"""A scrolling, read-only view of untrusted Markdown (a hub skill's preview, an imported skill).

A plain ``QTextBrowser`` follows every link itself: a code block's *Copy* link
(``flywheel-copy:N``, see :mod:`app.ui.markdown`) then blanks the view and Qt warns that it
has no such document. Here *Copy* puts that block on the clipboard, web and mail links open
in the user's browser, and nothing else is followed.
"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTextBrowser, QWidget

from app.ui import markdown
from app.ui.message_widget import open_safe_link


class MarkdownView(QTextBrowser):
    """Shows Markdown through the safe renderer; :meth:`show_markdown` replaces the text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._link_clicked)
        self._markdown = ""

    def show_markdown(self, text: str) -> None:
        self._markdown = text
        self.setHtml(markdown.to_html(text) if text else "")

    def _link_clicked(self, url: QUrl) -> None:
        if url.scheme() == markdown.COPY_SCHEME and url.path().isdigit():
            blocks = markdown.code_blocks(self._markdown)
            index = int(url.path())
            if index < len(blocks):
                QGuiApplication.clipboard().setText(blocks[index])
        else:
            open_safe_link(url)
