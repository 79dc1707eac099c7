"""The Community page against a real hub on 127.0.0.1: search, preview, import, subscribe and
sync into the inbox, enable, dismiss, disable, delete; a hub that is down, slow or answers
garbage; sharing off asks nothing."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.community.client import store_membership_token
from app.skills.injection import COMMUNITY_EXAMPLE
from app.skills.library import SkillLibrary
from app.skills.retrieve import retrieve
from app.store.db import open_db
from app.ui.community_page import CommunityPage
from app.ui.main_window import MainWindow
from app.ui.skills_page import SkillsPage
from tests.community.conftest import GarbageHub, Hub, garbage_hub, make_hub, publish

__all__ = ["garbage_hub", "make_hub"]  # fixtures used here

HUB_MS = 30_000
EXAMPLE = ("What uses the disk in this folder?", "Run `du -sh * | sort -h`.")


def join(settings: settings_mod.Settings, hub_url: str, token: str = "token",
         share: bool = True) -> settings_mod.Settings:
    settings.community.share_enabled, settings.community.hub_url = share, hub_url
    store_membership_token(hub_url, token)
    return settings


@pytest.fixture
def hub(make_hub: Callable[..., Hub]) -> Hub:
    hub = make_hub()
    publish(hub, "disk-usage-du", "Use du -sh to see folder sizes.", domain="shell",
            examples=(EXAMPLE,), endorsements=1)
    publish(hub, "git-rebase", "Rebase onto main before merging.", domain="git")
    publish(hub, "git-stash", "Stash before switching branches.", domain="git")
    return hub


@pytest.fixture
def window(make_window: Callable[..., MainWindow], ui_settings: settings_mod.Settings, hub: Hub
           ) -> MainWindow:
    return make_window(join(ui_settings, hub.url, hub.storage.issue_token("page")),
                       wait_model=False)


def open_page(window: MainWindow) -> CommunityPage:
    """View → Community… (Ctrl+Shift+M), as the user opens it."""
    (action,) = [a for a in window.findChildren(QAction) if a.text() == "&Community…"]
    assert action.shortcut().toString() == "Ctrl+Shift+M"
    action.trigger()
    assert window.community_dialog is not None and window.community_dialog.isVisible()
    page = window.community_dialog.findChild(CommunityPage)
    assert page is not None
    return page


@pytest.fixture
def page(qtbot: QtBot, ui_settings: settings_mod.Settings, hub: Hub) -> Iterator[CommunityPage]:
    settings = join(ui_settings, hub.url, hub.storage.issue_token("page"))
    page = CommunityPage(lambda: settings)
    qtbot.addWidget(page)
    page.show()
    yield page
    page.shutdown()


def click(qtbot: QtBot, button) -> None:
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def texts(widget) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count())]


def test_search_preview_and_import_from_the_window(qtbot: QtBot, window: MainWindow) -> None:
    page = open_page(window)
    assert page.sharing_note.isHidden()
    page.domain_edit.setText("shell")
    click(qtbot, page.search_button)
    qtbot.waitUntil(lambda: page.results.count() == 1, timeout=HUB_MS)
    assert texts(page.results) == ["disk-usage-du — shell · 1 endorsement(s)"]
    assert not page.import_button.isEnabled()
    page.results.setCurrentRow(0)
    qtbot.waitUntil(lambda: page.previewed is not None, timeout=HUB_MS)
    shown = page.preview_view.toPlainText()
    assert "> - disk-usage-du: Use du -sh to see folder sizes." in shown  # a quoted note
    assert f"user: {EXAMPLE[0]}\n\n{COMMUNITY_EXAMPLE}" in shown
    assert f"assistant: {EXAMPLE[1]}" in shown
    for fact in ("endorsements: 1", "reports:", "base model family: smollm2", "contributor: c-"):
        assert fact in shown
    page.preview_view.setFocus()  # the prompt block's Copy link, from the keyboard
    qtbot.keyClick(page.preview_view, Qt.Key.Key_Tab)
    qtbot.keyClick(page.preview_view, Qt.Key.Key_Return)
    assert QApplication.clipboard().text() == page.previewed.prompt_text()
    assert page.preview_view.toPlainText() == shown, "the preview stays"
    click(qtbot, page.import_button)
    qtbot.waitUntil(lambda: page.message.text().startswith("Imported"), timeout=HUB_MS)
    assert page.message.text() == "Imported disk-usage-du: enabled, on trial: 0 of 5 uses judged."
    qtbot.waitUntil(lambda: page.imported.list.count() == 1)
    assert page.imported.labels() == ["disk-usage-du (on trial: 0 of 5 uses judged)"]
    assert SkillLibrary(open_db()).get("disk-usage-du").enabled
    window.pages.open_skills()  # the Skills page shows where it came from
    skills = window.skills_dialog.findChild(SkillsPage)
    qtbot.waitUntil(lambda: skills.list.count() == 1)
    assert texts(skills.list) == ["disk-usage-du (community, on trial)"]


def test_subscribe_sync_fills_the_inbox_then_enable_and_dismiss(
    qtbot: QtBot, page: CommunityPage, hub: Hub
) -> None:
    page.subscribe_edit.setText("Git")
    with qtbot.waitSignal(page.sync.synced, timeout=HUB_MS):
        click(qtbot, page.subscribe_button)  # subscribing checks the domain at once
    qtbot.waitUntil(lambda: page.inbox_list.count() == 2)
    assert texts(page.subscription_list) == ["git"]
    assert page.tabs.tabText(1) == "Inbox (2)"
    assert "2 new in the inbox" in page.sync_note.text()
    assert SkillLibrary(open_db()).list_skills() == [], "nothing enabled by a sync"
    page.inbox_list.setCurrentRow(0)
    first = page.inbox_list.currentItem().data(Qt.ItemDataRole.UserRole).item.name
    shown = page.inbox_view.toPlainText()
    assert f"- {first}:" in shown, "previewed at once from the stored bundle"
    assert "reports: unknown" in shown and not page.enable_button.isEnabled()
    qtbot.waitUntil(lambda: "reports: 0" in page.inbox_view.toPlainText(), timeout=HUB_MS)
    assert "contributor's record: 1 skill(s) shared, 0 endorsement(s), 0 report(s)" in \
        page.inbox_view.toPlainText(), "then with the hub's current standing"
    click(qtbot, page.enable_button)
    qtbot.waitUntil(lambda: page.message.text().startswith("Imported"), timeout=HUB_MS)
    qtbot.waitUntil(lambda: page.inbox_list.count() == 1)
    assert SkillLibrary(open_db()).get(first).enabled
    page.inbox_list.setCurrentRow(0)
    second = page.inbox_list.currentItem().text()
    qtbot.waitUntil(lambda: "reports: 0" in page.inbox_view.toPlainText(), timeout=HUB_MS)
    with qtbot.waitSignal(page.sync.synced, timeout=HUB_MS):
        click(qtbot, page.check_button)  # a sync while the user reads an item
    qtbot.waitUntil(lambda: not page.busy)  # the lists are refilled after it
    assert page.inbox_list.currentItem().text() == second, "the selection stays"
    assert "reports: 0" in page.inbox_view.toPlainText(), "and so does what is shown"
    click(qtbot, page.dismiss_button)
    qtbot.waitUntil(lambda: page.inbox_list.count() == 0)
    assert page.tabs.tabText(1) == "Inbox"
    qtbot.waitUntil(page.check_button.isEnabled, timeout=HUB_MS)  # (the item's refresh)
    with qtbot.waitSignal(page.sync.synced, timeout=HUB_MS):
        click(qtbot, page.check_button)
    assert "0 new in the inbox" in page.sync_note.text()
    assert page.inbox_list.count() == 0, "a dismissed skill does not come back"


def test_an_imported_skill_can_be_disabled_made_standing_and_deleted(
    qtbot: QtBot, page: CommunityPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    page.text_edit.setText("du")
    click(qtbot, page.search_button)
    qtbot.waitUntil(lambda: page.results.count() == 1, timeout=HUB_MS)
    page.results.setCurrentRow(0)
    qtbot.waitUntil(lambda: page.import_button.isEnabled(), timeout=HUB_MS)
    click(qtbot, page.import_button)
    imported = page.imported
    qtbot.waitUntil(lambda: imported.list.count() == 1, timeout=HUB_MS)
    asked = "what uses the disk, folder sizes?"
    assert [h.name for h in retrieve(open_db(), asked)] == ["disk-usage-du"]
    imported.list.setCurrentRow(0)
    assert "from the community: http://127.0.0.1" in imported.view.toPlainText()
    assert imported.toggle_button.text() == "Turn off"
    click(qtbot, imported.toggle_button)
    qtbot.waitUntil(lambda: imported.labels() == ["disk-usage-du (off)"])
    assert retrieve(open_db(), asked) == []

    imported.list.setCurrentRow(0)
    questions: list[str] = []
    monkeypatch.setattr(imported, "_confirm", lambda text: questions.append(text) or True)
    assert imported.always_button.text() == "Apply to every request…"
    click(qtbot, imported.always_button)
    qtbot.waitUntil(lambda: imported.message.text() == "Applies to every request.")
    assert "do this only for a skill you have read and trust" in questions[0]
    assert SkillLibrary(open_db()).get("disk-usage-du").applies == "always"
    qtbot.waitUntil(lambda: imported.list.count() == 1
                    and imported.list.item(0).data(Qt.ItemDataRole.UserRole).applies == "always")
    imported.list.setCurrentRow(0)
    assert imported.always_button.text() == "Apply only when relevant"

    click(qtbot, imported.delete_button)
    qtbot.waitUntil(lambda: imported.list.count() == 0)
    assert SkillLibrary(open_db()).list_skills() == []


def forced(hub: Hub, text: str) -> str:
    """A skill put straight into the hub's storage and approved, past the hub's submission
    checks: what a compromised hub, or one from before the checks, would serve."""
    from app.skills.skill import parse_skill
    from tests.community.hostile import signed

    skill = parse_skill(text)
    remote_id = hub.storage.add_skill(signed(text), name=skill.name,
                                      description=skill.description, submitter="rogue",
                                      tags=["shell"])
    hub.storage.approve(remote_id)
    return remote_id


def test_a_rogue_skill_from_a_compromised_hub_is_shown_refused_and_cannot_be_taken(
    qtbot: QtBot, page: CommunityPage, hub: Hub
) -> None:
    from tests.community.hostile import ROGUE

    forced(hub, ROGUE)
    page.text_edit.setText("list files")
    click(qtbot, page.search_button)
    qtbot.waitUntil(lambda: page.results.count() == 1, timeout=HUB_MS)
    page.results.setCurrentRow(0)
    qtbot.waitUntil(lambda: page.previewed is not None, timeout=HUB_MS)
    shown = page.preview_view.toPlainText()
    assert "REFUSED at import: this skill was refused because" in shown
    assert "Never: an import refuses it" in shown and "Worked examples" not in shown
    assert "only you can choose that" in shown  # it asked for every request
    assert not page.import_button.isEnabled()
    page.subscribe_edit.setText("shell")
    with qtbot.waitSignal(page.sync.synced, timeout=HUB_MS):
        click(qtbot, page.subscribe_button)
    assert "1 refused" in page.sync_note.text()
    qtbot.waitUntil(lambda: "list-files (refused)" in texts(page.inbox_list))
    page.inbox_list.setCurrentRow(texts(page.inbox_list).index("list-files (refused)"))
    assert "this skill was refused because" in page.inbox_view.toPlainText()
    assert not page.enable_button.isEnabled() and page.dismiss_button.isEnabled()
    assert SkillLibrary(open_db()).list_skills() == []


def test_the_trust_setting_is_saved(page: CommunityPage) -> None:
    assert page.trust_spin.value() == 0 and page.trust_spin.text() == "never"
    page.trust_spin.setValue(1)
    page.trust_spin.setValue(12)  # typed: not taken before the user is done
    assert settings_mod.load().community.trust_endorsements == 0
    page.trust_spin.setValue(3)
    page.trust_spin.editingFinished.emit()
    assert settings_mod.load().community.trust_endorsements == 3
    assert page._settings().community.trust_endorsements == 3


def test_a_hub_that_is_down_leaves_a_message_and_a_working_window(
    qtbot: QtBot, make_window: Callable[..., MainWindow], ui_settings: settings_mod.Settings,
    make_hub: Callable[..., Hub],
) -> None:
    down = make_hub(start=False)
    window = make_window(join(ui_settings, down.url), wait_model=False)
    page = open_page(window)
    click(qtbot, page.search_button)
    qtbot.waitUntil(lambda: "did not answer" in page.message.text(), timeout=HUB_MS)
    assert page.message.text().startswith(f"The hub {down.url} did not answer")
    assert page.search_button.isEnabled(), "the page can try again"
    page.subscribe_edit.setText("shell")  # local work still works; the check of it fails
    with qtbot.waitSignal(page.sync.failed, timeout=HUB_MS):
        click(qtbot, page.subscribe_button)
    qtbot.waitUntil(lambda: texts(page.subscription_list) == ["shell"])
    assert f"failed: The hub {down.url} did not answer" in page.sync_note.text()
    assert page.check_button.isEnabled()
    window.pages.open_skills()
    assert window.skills_dialog is not None and window.skills_dialog.isVisible()
    assert window.isEnabled() and window.composer.edit.isEnabled()


def test_a_hub_that_answers_garbage_leaves_a_clear_message(
    qtbot: QtBot, page: CommunityPage, garbage_hub: GarbageHub
) -> None:
    join(page._settings(), garbage_hub.url)
    click(qtbot, page.search_button)
    qtbot.waitUntil(lambda: "could not be used" in page.message.text(), timeout=HUB_MS)
    assert "not JSON" in page.message.text() and page.results.count() == 0
    assert garbage_hub.requests == ["/v1/skills?status=visible"]


def test_a_hub_that_does_not_know_the_token_says_where_to_fix_it(
    qtbot: QtBot, page: CommunityPage, hub: Hub
) -> None:
    join(page._settings(), hub.url, "not-a-member")
    click(qtbot, page.search_button)
    qtbot.waitUntil(lambda: "membership token" in page.message.text(), timeout=HUB_MS)
    assert page.message.text() == ("The hub did not accept this install (unknown membership "
                                   "token): check the membership token in Settings → Privacy.")


def test_a_slow_hub_never_blocks_the_window(
    qtbot: QtBot, window: MainWindow
) -> None:
    gate = threading.Event()
    slow = GarbageHub(b"[]", "application/json", gate=gate)
    try:
        join(window.settings, slow.url)
        page = open_page(window)
        page.subscribe_edit.setText("git")
        click(qtbot, page.search_button)
        assert page.message.text() == "Searching…" and not page.search_button.isEnabled()
        qtbot.waitUntil(lambda: len(slow.requests) == 1, timeout=HUB_MS)
        click(qtbot, page.subscribe_button)  # the window answers while the hub does not
        qtbot.waitUntil(lambda: texts(page.subscription_list) == ["git"])
        window.pages.open_skills()
        assert window.skills_dialog.isVisible() and page.message.text() != "No skills found."
        gate.set()
        qtbot.waitUntil(lambda: page.message.text() == "No skills found.", timeout=HUB_MS)
    finally:
        gate.set()
        slow.stop()


def test_with_sharing_off_the_page_explains_and_asks_nothing(
    qtbot: QtBot, make_window: Callable[..., MainWindow], ui_settings: settings_mod.Settings,
    hub: Hub,
) -> None:
    before = len(hub.app.paths)
    window = make_window(join(ui_settings, hub.url, share=False), wait_model=False)
    page = open_page(window)
    assert page.sharing_note.isVisible() and "needs community sharing on" in \
        page.sharing_note.text()
    assert not page.search_button.isEnabled() and not page.check_button.isEnabled()
    page.search()  # even called directly
    assert page.message.text() == (
        "No request made: community sharing is turned off in the settings.")
    page.check_now()
    assert window.community_sync.sync_now() is False
    page.subscribe_edit.setText("git")
    click(qtbot, page.subscribe_button)
    qtbot.waitUntil(lambda: texts(page.subscription_list) == ["git"])
    assert page.message.text() == "Subscribed to git."
    qtbot.wait(200)
    assert len(hub.app.paths) == before, "not a single request"


def test_turning_sharing_on_meanwhile_shows_when_the_page_is_active_again(
    qtbot: QtBot, make_window: Callable[..., MainWindow], ui_settings: settings_mod.Settings,
    hub: Hub,
) -> None:
    window = make_window(join(ui_settings, hub.url, hub.storage.issue_token("page"),
                              share=False), wait_model=False)
    page = open_page(window)
    assert page.sharing_note.isVisible() and not page.search_button.isEnabled()
    turned_on = copy.deepcopy(window.settings)
    turned_on.community.share_enabled = True
    window.apply_settings(turned_on)  # what the settings dialog's OK does
    QApplication.sendEvent(page, QEvent(QEvent.Type.ActivationChange))
    assert not page.sharing_note.isVisible() and page.search_button.isEnabled()
    click(qtbot, page.search_button)
    qtbot.waitUntil(lambda: page.results.count() == 3, timeout=HUB_MS)


def test_the_windows_background_sync_fills_the_inbox(
    qtbot: QtBot, window: MainWindow, hub: Hub
) -> None:
    from app.community.subscriptions import subscribe

    subscribe(open_db(), "git")
    with qtbot.waitSignal(window.community_sync.synced, timeout=HUB_MS):
        assert window.community_sync.sync_now()
        assert window.community_sync.running
    assert "2 new in the inbox" in window.banner.text()
    page = open_page(window)
    qtbot.waitUntil(lambda: page.inbox_list.count() == 2)


def test_a_closed_window_starts_no_sync(
    qtbot: QtBot, make_window: Callable[..., MainWindow], ui_settings: settings_mod.Settings,
    hub: Hub,
) -> None:
    """The window's timers die with it: a sync started later would open whatever data folder
    is current then."""
    from app.community.subscriptions import subscribe

    subscribe(open_db(), "git")
    window = make_window(join(ui_settings, hub.url, hub.storage.issue_token("page")),
                         wait_model=False)
    qtbot.waitUntil(lambda: window.community_sync.timer.isActive())  # after the first paint
    assert window.community_sync.first.isActive()
    window.shutdown()
    assert not window.community_sync.timer.isActive()
    assert not window.community_sync.first.isActive()
    before = len(hub.app.paths)
    assert window.community_sync.sync_now() is False
    assert len(hub.app.paths) == before



def test_the_trust_setting_survives_an_open_settings_dialog(window: MainWindow) -> None:
    window.open_settings()
    dialog = window.settings_dialog
    page = open_page(window)
    page.trust_spin.setValue(4)
    page.trust_spin.editingFinished.emit()
    assert window.settings.community.trust_endorsements == 4
    dialog.accept()
    assert window.settings.community.trust_endorsements == 4
    assert settings_mod.load().community.trust_endorsements == 4
