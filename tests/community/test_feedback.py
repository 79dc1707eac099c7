"""Outcome feedback: imported skills that keep helping are endorsed and those that keep failing
reported, through the sharing log (where a waiting verdict can be cancelled), only with
sharing on, once per skill and verdict. A real hub on 127.0.0.1; the sharing log dialog is the
real one."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

from app.community import subscriptions
from app.community.client import HubError, SharingDisabledError, import_skill
from app.community.feedback import HOLD_S, send_outcome_feedback, verdict
from app.community.sharing import QUEUED, SENT, sharing_log, withdraw
from app.skills.library import SkillLibrary
from app.store.db import transaction
from app.ui.community_sync import CommunitySync
from app.ui.share_dialog import open_sharing_log

from .conftest import publish


@pytest.mark.parametrize(("uses", "successes", "expected"), [
    (2, 2, None),  # too few uses to judge
    (3, 3, "endorse"), (10, 7, "endorse"), (10, 6, None),  # >= 70 % after 3 uses
    (10, 3, None), (10, 2, "report"), (3, 0, "report"),  # < 30 %
])
def test_the_readme_thresholds(uses, successes, expected) -> None:
    assert verdict(uses, successes) == expected


def _imported(hub, user, specs: dict[str, tuple[int, int]]) -> dict[str, str]:
    """Import one published skill per name and give it (uses, successes); name -> hub id."""
    ids = {}
    with user.active():
        for name, (uses, successes) in specs.items():
            remote_id = publish(hub, name, f"Lesson about {name.replace('-', ' ')}.")
            skill = import_skill(user.db, user.client(), remote_id)
            SkillLibrary(user.db).update_state(skill.name, uses=uses, successes=successes)
            ids[name] = remote_id
    return ids


def _feedback_requests(hub) -> list[str]:
    return [p for p in hub.app.paths if p.endswith(("/endorse", "/report"))]


def test_verdicts_wait_in_the_sharing_log_can_be_cancelled_and_go_once(make_hub,
                                                                      make_user) -> None:
    hub = make_hub()
    bob = make_user("bob")
    bob.join(hub)
    ids = _imported(hub, bob, {"helps": (4, 4), "fails": (5, 1), "unsure": (5, 3),
                               "young": (2, 2), "cancelled": (3, 3)})
    with bob.active():
        first = send_outcome_feedback(bob.db, bob.client())
        assert sorted(first.queued) == ["cancelled", "fails", "helps"]
        assert first.sent == {} and _feedback_requests(hub) == [], "nothing sent at once"
        log = {r.label: r for r in sharing_log(bob.db)}
        assert {"endorsement of helps", "report on fails", "endorsement of cancelled"} <= set(log)
        assert all(log[label].status == QUEUED and log[label].can_withdraw
                   for label in ("endorsement of helps", "report on fails"))
        # Cancelled from the sharing log: no signing key needed (Bob never shared anything).
        assert withdraw(bob.db, log["endorsement of cancelled"].id, None, None).startswith(
            "Cancelled")

        sent = send_outcome_feedback(bob.db, bob.client(), hold_s=0)
        assert sent.sent == {ids["helps"]: "endorsed", ids["fails"]: "reported"}
        assert sorted(_feedback_requests(hub)) == sorted([
            f"POST /v1/skills/{ids['helps']}/endorse", f"POST /v1/skills/{ids['fails']}/report"])
        assert hub.storage.get_skill(ids["helps"]).endorsements == 1
        assert hub.storage.get_skill(ids["fails"]).reports == 1
        log = {r.label: r for r in sharing_log(bob.db)}
        assert log["endorsement of helps"].status == SENT and log["endorsement of helps"].sent
        assert not log["endorsement of helps"].can_withdraw, "a hub cannot take one back"
        assert log["endorsement of cancelled"].status == "cancelled"

        # More uses later: the same verdicts are never queued or sent again.
        SkillLibrary(bob.db).update_state("helps", uses=9, successes=9)
        again = send_outcome_feedback(bob.db, bob.client(), hold_s=0)
        assert (again.queued, again.sent) == ([], {})
        assert len(_feedback_requests(hub)) == 2
        # A new verdict on the same skill is a different item.
        SkillLibrary(bob.db).update_state("helps", uses=20, successes=5)
        assert send_outcome_feedback(bob.db, bob.client(), hold_s=0).sent == {
            ids["helps"]: "reported"}


def test_with_sharing_off_nothing_is_queued_or_sent(make_hub, make_user) -> None:
    hub = make_hub()
    bob = make_user("bob")
    settings = bob.join(hub)
    _imported(hub, bob, {"helps": (4, 4)})
    before = list(hub.app.paths)
    with bob.active():
        settings.community.share_enabled = False
        client = bob.client()
        client.settings = settings
        with pytest.raises(SharingDisabledError):
            send_outcome_feedback(bob.db, client, hold_s=0)
        assert sharing_log(bob.db) == []
    assert hub.app.paths == before


def test_a_refused_verdict_is_kept_and_a_down_hub_keeps_it_queued(make_hub, make_user) -> None:
    hub = make_hub()
    bob = make_user("bob")
    bob.join(hub)
    ids = _imported(hub, bob, {"helps": (4, 4), "gone": (4, 4)})
    hub.storage.withdraw(ids["gone"])
    with bob.active():
        report = send_outcome_feedback(bob.db, bob.client(), hold_s=0)
        assert report.sent == {ids["helps"]: "endorsed"}
        assert [remote for remote, _ in report.refused] == [ids["gone"]]
        gone = next(r for r in sharing_log(bob.db) if r.label == "endorsement of gone")
        assert gone.status == "refused" and "withdrawn" in gone.error
        SkillLibrary(bob.db).update_state("helps", uses=9, successes=1)
        hub.stop()
        down = send_outcome_feedback(bob.db, bob.client(retries=0), hold_s=0)
        assert down.sent == {} and down.waiting == 1
        assert [r.status for r in sharing_log(bob.db) if r.label == "report on helps"] == [
            QUEUED]


@pytest.mark.qt_log_ignore("propagateSizeHints")  # the offscreen platform's noise
def test_a_waiting_verdict_is_cancelled_from_the_sharing_log_dialog(qtbot, make_hub,
                                                                   make_user) -> None:
    hub = make_hub()
    bob = make_user("bob")
    settings = bob.join(hub)
    _imported(hub, bob, {"helps": (4, 4)})
    with bob.active():
        send_outcome_feedback(bob.db, bob.client())
        parent = QWidget()
        qtbot.addWidget(parent)
        messages: list[str] = []
        dialog = open_sharing_log(parent, bob.db, settings, messages.append)
        assert dialog.table.item(0, 0).text() == "endorsement of helps"
        button = dialog.table.cellWidget(0, 5)
        assert isinstance(button, QPushButton) and button.text() == "Cancel"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: messages != [], timeout=10_000)
        assert messages == ["Cancelled: it will not be sent."]
        assert dialog.table.item(0, 2).text() == "cancelled"
        assert dialog.table.cellWidget(0, 5) is None
        assert send_outcome_feedback(bob.db, bob.client(), hold_s=0).sent == {}
        dialog.close()
    assert _feedback_requests(hub) == []


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_the_windows_background_sync_sends_what_waited(qtbot, make_hub, make_user) -> None:
    hub = make_hub()
    bob = make_user("bob")
    settings = bob.join(hub)
    ids = _imported(hub, bob, {"helps": (4, 4)})
    with bob.active():
        sync = CommunitySync(lambda: settings)
        with qtbot.waitSignal(sync.synced, timeout=30_000):
            assert sync.sync_now()
        assert "1 newly queued" in sync.last_note and _feedback_requests(hub) == []
        with transaction(bob.db):  # an hour later
            bob.db.execute("UPDATE exports SET created = created - ? WHERE kind != 'skill'",
                           [HOLD_S + 1])
        with qtbot.waitSignal(sync.synced, timeout=30_000):
            assert sync.sync_now()
        assert "1 sent" in sync.last_note
    assert _feedback_requests(hub) == [f"POST /v1/skills/{ids['helps']}/endorse"]


def _at_first_request(hub, action) -> list[str]:
    """Make the hub call ``action`` while it answers the first request from now on; returns
    the requests it receives from now on."""
    seen: list[str] = []
    inner = hub.app.app

    async def app(scope, receive, send) -> None:
        if scope["type"] == "http":
            seen.append(f"{scope['method']} {scope['path']}")
            if len(seen) == 1:
                action()
        await inner(scope, receive, send)

    hub.app.app = app
    return seen


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_switching_sharing_off_stops_a_running_sync(qtbot, make_hub, make_user) -> None:
    hub = make_hub()
    for name in ("git-rebase", "git-stash"):
        publish(hub, name, f"Lesson about {name}.", domain="git")
    bob = make_user("bob")
    holder = [bob.join(hub)]
    with bob.active():
        subscriptions.subscribe(bob.db, "git")
        def switch_off() -> None:  # a new object, as ``apply_settings`` swaps in
            holder[0] = replace(holder[0], community=replace(holder[0].community,
                                                             share_enabled=False))

        seen = _at_first_request(hub, switch_off)
        sync = CommunitySync(lambda: holder[0])
        with qtbot.waitSignal(sync.failed, timeout=30_000):
            assert sync.sync_now()
        assert "sharing is turned off" in sync.last_note
    assert seen == ["GET /v1/skills"], "no request after sharing was switched off"


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_a_cancelled_sync_makes_no_further_request(qtbot, make_hub, make_user) -> None:
    hub = make_hub()
    for name in ("git-rebase", "git-stash"):
        publish(hub, name, f"Lesson about {name}.", domain="git")
    bob = make_user("bob")
    settings = bob.join(hub)
    _imported(hub, bob, {"helps": (4, 4)})
    with bob.active():
        subscriptions.subscribe(bob.db, "git")
        send_outcome_feedback(bob.db, bob.client())  # queued: sent by a sync an hour later
        with transaction(bob.db):
            bob.db.execute("UPDATE exports SET created = created - ? WHERE kind != 'skill'",
                           [HOLD_S + 1])
        sync = CommunitySync(lambda: settings)
        seen = _at_first_request(hub, lambda: sync._job.cancel())  # as quitting does
        with qtbot.waitSignal(sync.synced, timeout=30_000):
            assert sync.sync_now()
    assert seen == ["GET /v1/skills"], "no request after the sync was cancelled"


def test_a_verdict_the_hub_cannot_take_now_stays_queued(make_hub, make_user) -> None:
    hub = make_hub()
    bob = make_user("bob")
    bob.join(hub)
    ids = _imported(hub, bob, {"helps": (4, 4)})
    inner = hub.app.app

    async def forbidden(scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"detail": "token revoked"}'})

    hub.app.app = forbidden
    with bob.active():
        with pytest.raises(HubError):
            send_outcome_feedback(bob.db, bob.client(), hold_s=0)
        assert [r.status for r in sharing_log(bob.db) if r.kind != "skill"] == [QUEUED]
        hub.app.app = inner
        report = send_outcome_feedback(bob.db, bob.client(), hold_s=0)
    assert report.sent == {ids["helps"]: "endorsed"}
