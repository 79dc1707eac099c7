"""Two users and a real hub: a correction becomes a skill, is shared, endorsed and reused."""

from __future__ import annotations

import httpx
import pytest

from app.community.bundle import load_identity
from app.community.client import (
    HubError,
    SharingDisabledError,
    drain_queue,
    import_skill,
)
from app.community.feedback import send_outcome_feedback
from app.community.sharing import approve, candidates, prepare, sharing_log, withdraw
from app.signals.capture import record_correction
from app.skills.learn import learn_from_signals
from app.skills.library import SkillLibrary
from app.skills.retrieve import retrieve
from app.store import conversations as conv

from .conftest import ADMIN_TOKEN

REQUEST = "How do I list the files in this folder sorted by size?"
REPLY = "Use `ls -l` to list the files with their sizes."
CORRECTED = ("Use `ls -lhS` to list the files sorted by size, biggest first. "
             "Ask alice.martin@example.org if the folder is on /home/alice/shared.")


def _learn_skill(db, settings) -> str:
    conversation = conv.create_conversation(db)
    conv.add_message(db, conversation, "user", REQUEST)
    reply = conv.add_message(db, conversation, "assistant", REPLY)
    signals = record_correction(db, reply, CORRECTED, settings=settings)
    learned = learn_from_signals(db, signals)
    assert len(learned) == 1
    return learned[0]


def test_a_shared_correction_reaches_another_user_after_endorsement(make_hub, make_user):
    hub = make_hub(endorsements_required=2)
    alice, bob, carol, dave = (make_user(n) for n in ("alice", "bob", "carol", "dave"))
    settings_a = alice.join(hub)
    for user in (bob, carol, dave):
        user.join(hub)

    with alice.active():
        name = _learn_skill(alice.db, settings_a)
        offered = candidates(alice.db)
        assert [s.name for s in offered] == [name]
        preview = prepare(offered[0])
        assert "alice.martin@example.org" not in preview.text
        assert "removed:" in preview.removed_summary() and "email" in preview.removed_summary()
        assert "ls -lhS" in preview.text
        identity = load_identity()
        export_id = approve(alice.db, preview, settings_a, identity)
        assert candidates(alice.db) == [], "an approved skill is not offered again"
        report = drain_queue(alice.db, alice.client())
        assert report.sent == [export_id]
        (record,) = sharing_log(alice.db)
        assert (record.status, record.skill_name, record.hub_url) == ("sent", name, hub.url)
        remote_id = record.remote_id
        with pytest.raises(HubError) as own:
            alice.client().endorse(remote_id)
        assert own.value.status == 403

    with bob.active():
        assert bob.client().list_skills() == [], "not visible before endorsements"
        with pytest.raises(HubError) as hidden:
            bob.client().list_skills(status="pending")
        assert hidden.value.status == 403 and "moderators" in hidden.value.detail
    pending = httpx.get(f"{hub.url}/v1/skills", params={"status": "pending"},
                        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).json()
    assert [s["id"] for s in pending] == [remote_id]
    assert pending[0]["contributor"] == identity.contributor

    for endorser in (carol, dave):
        with endorser.active():
            standing = endorser.client().endorse(remote_id)
    assert standing["visible"] and standing["endorsements"] == 2

    with bob.active():
        listed = bob.client().list_skills(domain=preview.domain_tags[0])
        assert [s["id"] for s in listed] == [remote_id]
        assert retrieve(bob.db, "list the files sorted by size") == []
        skill = import_skill(bob.db, bob.client(), remote_id)
        assert skill.community_origin == f"{hub.url}#{remote_id}"
        hits = retrieve(bob.db, "Please list the files in my folder sorted by size")
        assert [h.name for h in hits] == [skill.name]
        assert "example.org" not in SkillLibrary(bob.db).text(skill.name)
        # Untrusted imports stay under the user's control.
        SkillLibrary(bob.db).set_enabled(skill.name, False)
        assert retrieve(bob.db, "Please list the files in my folder sorted by size") == []
        SkillLibrary(bob.db).update_state(skill.name, enabled=True, uses=4, successes=4)
        queued = send_outcome_feedback(bob.db, bob.client())
        assert queued.queued == [skill.name] and queued.sent == {}
        sent = send_outcome_feedback(bob.db, bob.client(), hold_s=0)
        assert sent.sent == {remote_id: "endorsed"}

    with alice.active():
        withdraw(alice.db, export_id, alice.client(), identity)
        assert sharing_log(alice.db)[0].status == "withdrawn"
    with bob.active():
        assert bob.client().list_skills() == []
    assert hub.storage.get_skill(remote_id).bundle == {}, "withdrawn content is deleted"


def test_moderator_approval_makes_a_skill_visible(make_hub, make_user):
    hub = make_hub(endorsements_required=5)
    alice, bob = make_user("alice"), make_user("bob")
    settings_a = alice.join(hub)
    bob.join(hub)
    with alice.active():
        _learn_skill(alice.db, settings_a)
        approve(alice.db, prepare(candidates(alice.db)[0]), settings_a, load_identity())
        drain_queue(alice.db, alice.client())
        remote_id = sharing_log(alice.db)[0].remote_id
    with bob.active():
        refused = httpx.post(f"{hub.url}/v1/skills/{remote_id}/approve",
                             headers={"Authorization": "Bearer not-the-admin"})
        assert refused.status_code == 403
        assert bob.client().list_skills() == []
    approved = httpx.post(f"{hub.url}/v1/skills/{remote_id}/approve",
                          headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert approved.status_code == 200 and approved.json()["visible"]
    with bob.active():
        assert [s["id"] for s in bob.client().list_skills()] == [remote_id]


def test_with_sharing_off_no_request_reaches_the_hub(make_hub, make_user):
    hub = make_hub()
    alice = make_user("alice")
    settings = alice.join(hub)
    with alice.active():
        _learn_skill(alice.db, settings)
        preview = prepare(candidates(alice.db)[0])
        identity = load_identity()
        approve(alice.db, preview, settings, identity)  # approved while sharing was on
        settings.community.share_enabled = False
        client = alice.client()
        client.settings = settings
        calls = [
            lambda: drain_queue(alice.db, client),
            lambda: approve(alice.db, preview, settings, identity),
            lambda: client.submit({}),
            lambda: client.list_skills(),
            lambda: client.download("0123456789abcdef"),
            lambda: client.endorse("0123456789abcdef"),
            lambda: client.report("0123456789abcdef", "bad"),
            lambda: client.withdraw("0123456789abcdef", identity),
            lambda: send_outcome_feedback(alice.db, client, min_uses=0),
        ]
        for call in calls:
            with pytest.raises(SharingDisabledError):
                call()
        assert [r.status for r in sharing_log(alice.db)] == ["queued"]
    assert hub.app.paths == [], "not a single request was made"
    assert hub.storage.count_skills() == 0
