"""The Skills and "What Flywheel learned" pages open from the window, and replies show which
skills were in their prompt."""

from __future__ import annotations

import json
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.store import conversations as conv
from app.store.db import open_db
from app.ui.main_window import MainWindow


def test_reply_shows_the_skills_it_used(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    db = open_db()
    cid = conv.create_conversation(db, "json")
    conv.add_message(db, cid, "user", "pretty print json?")
    conv.add_message(
        db,
        cid,
        "assistant",
        "Use jq.",
        skills_used=json.dumps([{"id": 1, "name": "use-jq"}, {"id": 2, "name": "quote-paths"}]),
    )
    window: MainWindow = make_window(ui_settings, wait_model=False)
    window.open_conversation(cid)
    qtbot.waitUntil(lambda: len(window.chat.message_widgets()) == 2)
    reply = window.chat.message_widgets()[-1]
    assert reply.skills_toggle is not None
    assert reply.skills_toggle.text().startswith("used 2 skills")
    assert not reply.skills_list.isVisible()
    reply.skills_toggle.click()
    assert reply.skills_list.isVisible()
    assert "use-jq" in reply.skills_list.text()
    assert window.chat.message_widgets()[0].skills_toggle is None


def test_skills_and_learned_pages_open(
    qtbot: QtBot, make_window: Callable, ui_settings: settings_mod.Settings
) -> None:
    window: MainWindow = make_window(ui_settings, wait_model=False)
    window.pages.open_skills()
    assert window.skills_dialog is not None and window.skills_dialog.isVisible()
    window.skills_dialog.close()
    window.pages.open_learned()
    assert window.learned_dialog is not None and window.learned_dialog.isVisible()
    window.learned_dialog.close()
