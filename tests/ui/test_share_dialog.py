"""The consent preview and the sharing log, driven like a user would."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.community.anonymize import LocalIdentity
from app.community.sharing import ExportRecord, prepare
from app.skills.library import SkillLibrary
from app.skills.skill import Skill, compose_body
from app.store.db import open_db
from app.ui.share_dialog import HIGHLIGHT, ShareDialog, SharingLogDialog


def _previews():
    library = SkillLibrary(open_db())
    for name, lesson in (("mail-reports", "Send reports to jane.doe@example.com and "
                          "ops@example.com from /home/jdoe/reports."),
                         ("plain", "Use `du -sh` to see folder sizes.")):
        library.add(Skill(name=name, description=f"About {name}.",
                          body=compose_body(lesson, "Guessing.", "du -sh .")))
    nobody = LocalIdentity(None, None, None, None)
    return [prepare(s, nobody) for s in library.list_skills()]


def test_the_preview_highlights_removals_and_collects_decisions(qtbot):
    previews = _previews()
    dialog = ShareDialog(previews, "https://hub.example.org")
    qtbot.addWidget(dialog)
    approved, skipped = [], []
    dialog.approved.connect(approved.append)
    dialog.skipped.connect(skipped.append)

    assert "mail-reports" in dialog.title.text()
    assert "2 emails" in dialog.summary.text() and "path" in dialog.summary.text()
    assert HIGHLIGHT in dialog.text.toHtml().lower()
    assert "jane.doe" not in dialog.text.toPlainText()
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    assert "plain" in dialog.title.text()
    assert dialog.summary.text() == "Nothing removed"
    qtbot.mouseClick(dialog.skip_button, Qt.MouseButton.LeftButton)
    assert [p.skill_name for p in approved] == ["mail-reports"]
    assert [p.skill_name for p in skipped] == ["plain"]
    assert dialog.result() == ShareDialog.DialogCode.Accepted


def test_the_log_offers_withdraw_only_where_it_applies(qtbot):
    records = [
        ExportRecord(2, "tar", "https://hub.example.org", "sent", 1.7e9, 1.7e9, None, "ab", None),
        ExportRecord(1, "rsync", "https://hub.example.org", "withdrawn", 1.7e9, 1.7e9, 1.7e9,
                     "cd", None),
    ]
    dialog = SharingLogDialog(records)
    qtbot.addWidget(dialog)
    wanted = []
    dialog.withdraw_requested.connect(wanted.append)
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, 2).text() == "sent"
    assert dialog.table.cellWidget(1, 5) is None
    qtbot.mouseClick(dialog.table.cellWidget(0, 5), Qt.MouseButton.LeftButton)
    assert wanted == [2]
    dialog.set_records([])
    assert dialog.table.rowCount() == 0 and not dialog.empty.isHidden()


def test_the_share_action_explains_itself_when_sharing_is_off(qtbot):
    from PySide6.QtWidgets import QWidget

    from app.settings import Settings
    from app.ui.share_dialog import open_share_flow

    parent = QWidget()
    qtbot.addWidget(parent)
    messages = []
    assert open_share_flow(parent, open_db(), Settings(), messages.append) is None
    assert "sharing is turned off" in messages[0]
