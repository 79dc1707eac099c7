"""The consent preview and the sharing log, driven like a user would (a real hub on
127.0.0.1 where something is sent)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import keyring.errors
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.community.anonymize import LocalIdentity
from app.community.bundle import MAX_SKILL_CHARS
from app.community.client import store_membership_token
from app.community.hub.app import HubSettings, create_app
from app.community.hub.storage import SqliteHubStorage
from app.community.sharing import QUEUED, ExportRecord, prepare
from app.settings import Settings
from app.skills.library import SkillLibrary
from app.skills.skill import Skill, compose_body
from app.store.db import open_db
from app.ui.share_dialog import HIGHLIGHT, ShareDialog, SharingLogDialog, open_share_flow
from tests.community.conftest import CountingApp, Hub, free_port
from tests.ui.gated_keyring import GatedKeyring, event_loop_runs

SEND_TIMEOUT_MS = 30_000


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
    parent = QWidget()
    qtbot.addWidget(parent)
    messages = []
    assert open_share_flow(parent, open_db(), Settings(), messages.append) is None
    assert "sharing is turned off" in messages[0]
    on_without_hub = Settings()  # (a settings.toml written before the dialog refused this)
    on_without_hub.community.share_enabled = True
    assert open_share_flow(parent, open_db(), on_without_hub, messages.append) is None
    assert "Sharing is on, but the hub address cannot be used" in messages[1]


@pytest.fixture
def hub(tmp_path) -> Iterator[Hub]:
    storage = SqliteHubStorage(tmp_path / "hub.db")
    served = Hub(storage, CountingApp(create_app(storage, HubSettings(admin_token="admin"))),
                 free_port())
    served.start()
    yield served
    served.stop()
    storage.close()


@pytest.fixture
def sharing(hub: Hub) -> Settings:
    """Sharing on, pointed at the hub, with a membership token in the keyring."""
    settings = Settings()
    settings.community.share_enabled = True
    settings.community.hub_url = hub.url
    store_membership_token(hub.url, hub.storage.issue_token("tester"))
    return settings


def add_skill(name: str, lesson: str) -> None:
    SkillLibrary(open_db()).add(Skill(name=name, description=f"About {name}.",
                                      body=compose_body(lesson, "Guessing.", "du -sh .")))


@pytest.fixture
def open_flow(qtbot: QtBot) -> Callable[[Settings, list[str]], ShareDialog]:
    """The "Share skills…" action of a window (the parent lives as long as the test)."""
    parent = QWidget()
    qtbot.addWidget(parent)

    def open_it(settings: Settings, messages: list[str]) -> ShareDialog:
        dialog = open_share_flow(parent, open_db(), settings, messages.append)
        assert dialog is not None
        return dialog

    return open_it


def offered(dialog: ShareDialog) -> Callable[[], bool]:
    return lambda: dialog.offer is not None


def test_a_skill_that_cannot_be_shared_is_listed_and_the_others_still_offered(
    qtbot: QtBot, hub: Hub, sharing: Settings, open_flow: Callable
) -> None:
    add_skill("huge", "Long lesson. " * (MAX_SKILL_CHARS // 10))  # over 32K, under 256 KB
    add_skill("plain", "Use `du -sh` to see folder sizes.")
    messages: list[str] = []
    dialog = open_flow(sharing, messages)
    assert "Preparing" in dialog.title.text() and not dialog.approve_button.isEnabled()
    assert dialog.progress.isVisibleTo(dialog)
    qtbot.waitUntil(offered(dialog))
    assert not dialog.progress.isVisibleTo(dialog)
    assert "plain" in dialog.title.text() and "1 of 1" in dialog.title.text()
    refused = dialog.refused_label.text()
    assert dialog.refused_label.isVisibleTo(dialog)
    assert "huge" in refused and f"longer than {MAX_SKILL_CHARS} characters" in refused
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(messages), timeout=SEND_TIMEOUT_MS)
    assert messages == ["Shared 1 skill(s); 0 waiting for the hub."]
    exports = list(open_db().query("SELECT skill_name, status FROM exports"))
    assert exports == [{"skill_name": "plain", "status": "sent"}]
    (stored,) = hub.storage.list_skills(None, None, 10)
    assert stored.bundle["skill"].startswith("---\nname: plain\n")


def test_when_no_skill_can_be_shared_the_dialog_says_why(
    qtbot: QtBot, sharing: Settings, open_flow: Callable
) -> None:
    add_skill("huge", "Long lesson. " * (MAX_SKILL_CHARS // 10))
    dialog = open_flow(sharing, [])
    qtbot.waitUntil(offered(dialog))
    assert dialog.title.text() == "None of your new skills can be shared."
    assert "huge" in dialog.refused_label.text()
    assert not dialog.approve_button.isEnabled() and not dialog.skip_button.isEnabled()
    assert dialog.result() != ShareDialog.DialogCode.Accepted  # open until the user has read it


def test_the_signing_key_is_read_off_the_ui_thread(
    qtbot: QtBot, sharing: Settings, gated: GatedKeyring, open_flow: Callable
) -> None:
    add_skill("plain", "Use `du -sh` to see folder sizes.")
    dialog = open_flow(sharing, [])
    event_loop_runs(qtbot)
    assert dialog.offer is None and not dialog.approve_button.isEnabled()
    gated.gate.set()
    qtbot.waitUntil(offered(dialog))
    assert dialog.approve_button.isEnabled()
    assert gated.callers and threading.main_thread() not in gated.callers


def test_a_failing_keyring_is_reported_in_the_dialog(
    qtbot: QtBot, sharing: Settings, gated: GatedKeyring, open_flow: Callable
) -> None:
    add_skill("plain", "Use `du -sh` to see folder sizes.")
    gated.failure = keyring.errors.KeyringLocked("the keyring is locked")
    gated.gate.set()
    dialog = open_flow(sharing, [])
    qtbot.waitUntil(lambda: "cannot start" in dialog.title.text())
    assert dialog.title.text() == (
        "Sharing cannot start: the system keyring cannot be read: the keyring is locked")
    assert not dialog.approve_button.isEnabled() and not dialog.progress.isVisibleTo(dialog)
    assert list(open_db().query("SELECT * FROM exports WHERE status = ?", [QUEUED])) == []
