"""Every code block in a reply has a Copy link that puts exactly that block's code on the
clipboard (clicked with the mouse, in the real rich-text widget)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QGuiApplication, QTextCursor
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.store import conversations as conv
from app.store.db import open_db
from app.ui import markdown
from app.ui.main_window import MainWindow
from app.ui.message_widget import MessageText, MessageView, MessageWidget
from app.ui.theme import LIGHT_COLORS

REPLY = (
    "First install it:\n\n"
    "```bash\npip install rich\n```\n\n"
    "Then, in a list:\n\n"
    "1. write this:\n\n"
    "   ```python\n   from rich import print\n   print('<b>hi</b> `x`')\n   ```\n\n"
    "And an indented block:\n\n"
    "    plain code\n      keeps its indent\n\n"
    "A link of the model's own cannot copy anything: [Copy](flywheel-copy:0)."
)
BLOCKS = [
    "pip install rich",
    "from rich import print\nprint('<b>hi</b> `x`')",
    "plain code\n  keeps its indent",
]


def copy_links(text: MessageText) -> list[tuple[str, QPoint]]:
    """Each link in the shown document that reads "Copy": its address and where to click."""
    document = text.document()
    links = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            href = fragment.charFormat().anchorHref()
            if href and fragment.text() == "Copy":
                cursor = QTextCursor(document)
                cursor.setPosition(fragment.position() + 1)
                links.append((href, text.cursorRect(cursor).center()))
            iterator += 1
        block = block.next()
    return links


def test_each_code_blocks_copy_link_copies_exactly_its_code(qtbot: QtBot) -> None:
    assert markdown.code_blocks(REPLY) == BLOCKS
    widget = MessageWidget(MessageView(1, "assistant", REPLY), LIGHT_COLORS)
    qtbot.addWidget(widget)
    widget.resize(700, 600)
    widget.show()
    qtbot.waitExposed(widget)
    links = copy_links(widget.text)
    assert [href for href, _ in links] == ["flywheel-copy:0", "flywheel-copy:1", "flywheel-copy:2"]
    clipboard = QGuiApplication.clipboard()
    for (_, point), code in zip(links, BLOCKS, strict=True):
        clipboard.setText("before")
        qtbot.mouseClick(widget.text.viewport(), Qt.MouseButton.LeftButton, pos=point)
        assert clipboard.text() == code


def test_a_corrected_reply_copies_the_code_of_the_text_shown(qtbot: QtBot) -> None:
    view = MessageView(
        2, "assistant", "```sh\nrm -rf build\n```", corrected="```sh\nmake clean\n```"
    )
    widget = MessageWidget(view, LIGHT_COLORS)
    qtbot.addWidget(widget)
    widget.copy_code(0)
    assert QGuiApplication.clipboard().text() == "make clean"
    widget.original_toggle.click()
    widget.copy_code(0)
    assert QGuiApplication.clipboard().text() == "rm -rf build"
    QGuiApplication.clipboard().setText("kept")
    widget.copy_code(5)  # no such block: nothing happens
    assert QGuiApplication.clipboard().text() == "kept"


def test_replies_in_the_window_have_copy_links(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    db = open_db()
    cid = conv.create_conversation(db, "Code")
    conv.add_message(db, cid, "user", "Show me code ```not a block```")
    conv.add_message(db, cid, "assistant", REPLY)
    window: MainWindow = make_window(ui_settings, wait_model=False)
    user, reply = window.chat.message_widgets()
    assert copy_links(user.text) == []  # inline code, not a block
    assert len(copy_links(reply.text)) == 3
    reply.text.anchorClicked.emit(QUrl(copy_links(reply.text)[1][0]))
    assert QGuiApplication.clipboard().text() == BLOCKS[1]


def test_a_code_block_in_the_users_own_message_copies_too(qtbot: QtBot) -> None:
    text = "This failed:\n```console\n$ make\nError 2\n```\nand ```not closed"
    widget = MessageWidget(MessageView(3, "user", text), LIGHT_COLORS)
    qtbot.addWidget(widget)
    widget.resize(600, 300)
    widget.show()
    qtbot.waitExposed(widget)
    [(href, point)] = copy_links(widget.text)
    assert href == "flywheel-copy:0"
    qtbot.mouseClick(widget.text.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert QGuiApplication.clipboard().text() == "$ make\nError 2"
