"""Receiving from a real hub: search, preview, import, subscriptions, the inbox, trial."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from app import settings as settings_mod
from app.community import subscriptions
from app.community.browse import preview, search
from app.community.client import (
    HubClient,
    HubError,
    HubUnreachableError,
    SharingDisabledError,
    store_membership_token,
)
from app.skills.injection import COMMUNITY_EXAMPLE
from app.skills.library import SkillLibrary
from app.skills.outcomes import apply_signal, on_trial, record_uses, trial_note
from app.store import conversations as conv
from app.store.community import DISMISSED, IMPORTED, INBOX, Received
from app.store.db import open_db

from .conftest import GarbageHub, publish

EXAMPLE = ("How do I see what is using disk space here?", "Run `du -sh * | sort -h`.")


def test_search_and_preview_show_the_skill_as_it_would_enter_the_prompt(make_hub, make_user):
    hub = make_hub()
    remote = publish(hub, "disk-usage-du", "Use du -sh to see folder sizes.", domain="shell",
                     examples=(EXAMPLE,), endorsements=2)
    publish(hub, "git-rebase", "Rebase onto main before merging.", domain="git")
    publish(hub, "pending-one", "Not approved yet.", domain="shell", approve=False)
    bob = make_user("bob")
    bob.join(hub)
    with bob.active():
        client = bob.client()
        assert [s.name for s in search(client, domain="shell")] == ["disk-usage-du"]
        assert [s.name for s in search(client, text="rebase")] == ["git-rebase"]
        assert search(client, domain="shell", text="rebase") == []
        shown = preview(client, remote)
    assert shown.endorsements == 2 and shown.base_model == "smollm2"
    assert shown.contributor.startswith("c-") and shown.domains == ["shell"]
    prompt = shown.prompt_text()
    assert "- disk-usage-du: Use du -sh to see folder sizes." in prompt
    assert f"user: {EXAMPLE[0]}\n\n{COMMUNITY_EXAMPLE}" in prompt
    assert f"assistant: {EXAMPLE[1]}" in prompt
    assert "Community note from a member of 127.0.0.1" in prompt
    text = shown.markdown()
    assert f"origin once imported: {hub.url}#{remote}" in text
    assert "name: disk-usage-du" in text  # the SKILL.md itself


def test_import_puts_the_skill_on_trial_and_only_once(make_hub, make_user):
    hub = make_hub()
    remote = publish(hub, "disk-usage-du", "Use du -sh to see folder sizes.",
                     examples=(EXAMPLE,))
    bob = make_user("bob")
    bob.join(hub)
    with bob.active():
        skill = subscriptions.import_remote(bob.db, bob.client(), remote)
        stored = SkillLibrary(bob.db).get(skill.name)
        assert stored.enabled and stored.community_origin == f"{hub.url}#{remote}"
        assert on_trial(stored) and trial_note(stored) == "on trial: 0 of 5 uses judged"
        with pytest.raises(subscriptions.ReceiveError, match="already in your skills"):
            subscriptions.import_remote(bob.db, bob.client(), remote)
        with pytest.raises(ValueError, match="not a hub skill id"):
            subscriptions.import_remote(bob.db, bob.client(), "../tokens")
    assert "GET /v1/skills/../tokens" not in hub.app.paths


def test_a_failing_imported_skill_is_retired_like_the_users_own(make_hub, make_user):
    hub = make_hub()
    remote = publish(hub, "disk-usage-du", "Use du -sh to see folder sizes.")
    bob = make_user("bob")
    bob.join(hub)
    with bob.active():
        skill = subscriptions.import_remote(bob.db, bob.client(), remote)
        chat = conv.create_conversation(bob.db)
        for turn in range(5):
            conv.add_message(bob.db, chat, "user", f"disk space {turn}?")
            reply = conv.add_message(bob.db, chat, "assistant", "Try ls.")
            record_uses(bob.db, reply, [skill.id])
            retired = apply_signal(bob.db, reply, -1.0)
        assert retired == [skill.name]
        stored = SkillLibrary(bob.db).get(skill.name)
        assert stored.retired and stored.uses == 5 and not on_trial(stored)


def test_a_sync_fills_the_inbox_once_and_respects_decisions(make_hub, make_user):
    hub = make_hub()
    first = publish(hub, "git-rebase", "Rebase onto main before merging.", domain="git")
    second = publish(hub, "git-stash", "Stash before switching branches.", domain="git")
    publish(hub, "disk-usage-du", "Use du -sh to see folder sizes.", domain="shell")
    publish(hub, "git-pending", "Not visible yet.", domain="git", approve=False)
    bob = make_user("bob")
    bob.join(hub)
    with bob.active():
        assert subscriptions.subscribe(bob.db, " Git ") == "git"
        report = subscriptions.sync(bob.db, bob.client())
        assert sorted(report.waiting) == ["git-rebase", "git-stash"] and not report.enabled
        waiting = subscriptions.inbox(bob.db, hub.url)
        assert {i.remote_id for i in waiting} == {first, second}
        assert all(i.status == INBOX and i.bundle for i in waiting)
        assert SkillLibrary(bob.db).list_skills() == [], "nothing enabled by a sync alone"
        assert subscriptions.sync(bob.db, bob.client()).waiting == [], "fetched once"

        by_id = {i.remote_id: i for i in waiting}
        skill = subscriptions.enable(bob.db, bob.client(), by_id[first].id)
        assert SkillLibrary(bob.db).get(skill.name).enabled
        subscriptions.dismiss(bob.db, by_id[second].id)
        assert subscriptions.inbox(bob.db, hub.url) == []
        statuses = {r["remote_id"]: r["status"] for r in bob.db.query(
            "SELECT remote_id, status FROM community_received")}
        assert statuses == {first: IMPORTED, second: DISMISSED}
        SkillLibrary(bob.db).delete(skill.name)
        assert subscriptions.sync(bob.db, bob.client()).waiting == [], \
            "neither a dismissed nor a deleted skill comes back"
        with pytest.raises(subscriptions.ReceiveError):
            subscriptions.dismiss(bob.db, by_id[second].id)
        assert subscriptions.unsubscribe(bob.db, "git") == "git"
        assert subscriptions.sync(bob.db, bob.client()).domains == []


def test_trusted_skills_are_enabled_at_once(make_hub, make_user):
    hub = make_hub()
    publish(hub, "git-rebase", "Rebase onto main before merging.", domain="git",
            endorsements=2, approve=False)
    stash = publish(hub, "git-stash", "Stash before switching branches.", domain="git",
                    endorsements=1)
    bob = make_user("bob")
    settings = bob.join(hub)
    settings.community.trust_endorsements = 2
    with bob.active():
        settings_mod.save(settings)
        subscriptions.subscribe(bob.db, "git")
        report = subscriptions.sync(bob.db, bob.client())
        assert report.enabled == ["git-rebase"] and report.waiting == ["git-stash"]
        (enabled,) = SkillLibrary(bob.db).list_skills()
        assert enabled.name == "git-rebase" and enabled.enabled and on_trial(enabled)
    httpx.post(f"{hub.url}/v1/skills/{stash}/endorse", timeout=10,
               headers={"Authorization": f"Bearer {hub.storage.issue_token('carol')}"}
               ).raise_for_status()
    with bob.active():
        report = subscriptions.sync(bob.db, bob.client())
        assert report.enabled == ["git-stash"], "an inbox skill that reached the threshold"
        assert subscriptions.inbox(bob.db, hub.url) == []
        assert [s.name for s in SkillLibrary(bob.db).list_skills()] == ["git-rebase",
                                                                        "git-stash"]
        assert subscriptions.sync(bob.db, bob.client()).enabled == []


def test_with_sharing_off_a_sync_asks_nothing(make_hub, make_user):
    hub = make_hub()
    publish(hub, "git-rebase", "Rebase onto main before merging.", domain="git")
    before = len(hub.app.paths)
    bob = make_user("bob")
    bob.join(hub, share=False)
    with bob.active():
        subscriptions.subscribe(bob.db, "git")
        with pytest.raises(SharingDisabledError):
            subscriptions.sync(bob.db, bob.client())
        with pytest.raises(SharingDisabledError):
            search(bob.client())
    assert len(hub.app.paths) == before


def test_a_hub_that_answers_garbage_or_nothing_is_a_clear_error(garbage_hub, make_hub):
    settings = settings_mod.Settings()
    settings.community.share_enabled, settings.community.hub_url = True, garbage_hub.url
    store_membership_token(garbage_hub.url, "token")
    client = HubClient(settings, retries=0)
    with pytest.raises(HubError, match="not JSON"):
        search(client)
    shaped = GarbageHub(b'{"skills": []}', "application/json")
    try:
        settings.community.hub_url = shaped.url
        store_membership_token(shaped.url, "token")
        with pytest.raises(HubError, match="not a JSON list"):
            search(HubClient(settings, retries=0))
        with pytest.raises(HubError, match="does not verify"):
            preview(HubClient(settings, retries=0), "0123456789abcdef")
    finally:
        shaped.stop()
    down = make_hub(start=False)
    settings.community.hub_url = down.url
    store_membership_token(down.url, "token")
    with pytest.raises(HubUnreachableError):
        search(HubClient(settings, retries=0))


def test_a_rogue_skill_a_compromised_hub_serves_is_refused_in_preview_and_sync(
    make_hub, make_user
):
    from app.skills.skill import parse_skill

    from .hostile import ROGUE, signed

    hub = make_hub()
    skill = parse_skill(ROGUE)
    rogue = hub.storage.add_skill(signed(ROGUE), name=skill.name, description=skill.description,
                                  submitter="rogue", tags=["shell"])  # past the hub's checks
    hub.storage.approve(rogue)
    bob = make_user("bob")
    bob.join(hub)
    with bob.active():
        shown = preview(bob.client(), rogue)
        assert shown.refusal.startswith("this skill was refused because")
        assert shown.asked_always and shown.skill.applies == "relevant"
        assert shown.prompt_text().startswith("Never: an import refuses it")
        subscriptions.subscribe(bob.db, "shell")
        report = subscriptions.sync(bob.db, bob.client())
        assert report.waiting == [] and [name for name, _ in report.refused] == ["list-files"]
        (item,) = subscriptions.inbox(bob.db, hub.url)
        assert item.status == "refused" and item.bundle is None
        assert SkillLibrary(bob.db).list_skills() == []


def test_a_sync_asks_for_more_than_the_hubs_default_page(make_hub, make_user):
    """The hub lists 50 skills unless asked for more: a busy domain must not lose the rest."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.community.bundle import Identity, make_bundle

    hub = make_hub()
    key = Identity(Ed25519PrivateKey.generate())
    for n in range(55):
        text = (f"---\nname: tip-{n}\ndescription: Tip {n}.\n---\n\n## Lesson\n\nTip {n}.\n\n"
                "## Anti-pattern\n\nNone.\n\n## Example\n\n`true`\n")
        bundle = make_bundle(text, key, domain_tags=["git"], base_model_family="smollm2")
        hub.storage.approve(hub.storage.add_skill(bundle, name=f"tip-{n}", description="Tip.",
                                                  submitter="someone", tags=["git"]))
    bob = make_user("bob")
    bob.join(hub)
    with bob.active():
        subscriptions.subscribe(bob.db, "git")
        assert len(subscriptions.sync(bob.db, bob.client()).waiting) == 55


def test_an_imported_skill_in_a_real_turn_is_judged_by_the_users_feedback(
    make_hub, make_user, runtime
):
    """The same path as the user's own skills: retrieved into a turn on the real model,
    recorded as used, judged by a thumb (retirement after five failures: see above)."""
    from app.assistant import Turn
    from app.signals.capture import record_thumb
    from app.skills.learn import learn_from_signals

    hub = make_hub()
    remote = publish(hub, "disk-usage-du", "Use du -sh to see folder sizes.",
                     examples=(EXAMPLE,))
    bob = make_user("bob")
    settings = bob.join(hub)
    settings.model.max_reply_tokens, settings.model.temperature = 8, 0.0
    with bob.active():
        skill = subscriptions.import_remote(bob.db, bob.client(), remote)
        chat = conv.create_conversation(bob.db)
        turn = Turn(bob.db, runtime, settings, chat,
                    user_text="How do I see what is using disk space in this folder?")
        list(turn)
        reply = turn.result.assistant_message_id
        assert "Community note" in conv.get_message(bob.db, reply)["prompt"]
        learn_from_signals(bob.db, record_thumb(bob.db, reply, up=False, settings=settings))
        judged = SkillLibrary(bob.db).get(skill.name)
        assert (judged.uses, judged.successes) == (1, 0)
        assert trial_note(judged) == "on trial: 1 of 5 uses judged"


def test_enable_racing_a_trusting_sync_imports_once_and_stays_imported(make_hub, make_user):
    hub = make_hub()
    remote = publish(hub, "git-rebase", "Rebase onto main before merging.", domain="git",
                     endorsements=2)
    bob = make_user("bob")
    settings = bob.join(hub)
    settings.community.trust_endorsements = 2
    with bob.active():
        settings_mod.save(settings)
        subscriptions.subscribe(bob.db, "git")
        page_db = open_db()  # the page's Enable runs on its own connection
        subscriptions.store.record(page_db, Received(
            hub_url=hub.url, remote_id=remote, name="git-rebase", description="", status=INBOX))
        item = subscriptions.store.get_by_remote(page_db, hub.url, remote)
        client = bob.client()
        real_show = client.show

        def show_while_the_user_enables(remote_id):
            """The sync downloads the skill while the user clicks Enable on the page."""
            client.show = real_show
            subscriptions.enable(page_db, bob.client(), item.id)
            return real_show(remote_id)

        client.show = show_while_the_user_enables
        report = subscriptions.sync(bob.db, client)
        names = [s.name for s in SkillLibrary(bob.db).list_skills()]
        row = subscriptions.store.get_by_remote(bob.db, hub.url, remote)
        page_db.close()
    assert names == ["git-rebase"], "imported once, not again under a suffixed name"
    assert row.status == IMPORTED and report.refused == []


def test_an_imported_row_is_never_downgraded(make_user):
    from app.store import community as received
    from app.store.community import REFUSED

    bob = make_user("bob")
    with bob.active():
        row = Received(hub_url="http://127.0.0.1:1", remote_id="0123456789abcdef", name="x",
                       description="", status=IMPORTED, skill_name="x")
        received.record(bob.db, row)
        for status in (REFUSED, INBOX):
            stored = received.record(bob.db, replace(row, status=status, reason="late"))
            assert stored.status == IMPORTED and stored.skill_name == "x"


def _skill_answers(hub, status: int, body: bytes) -> list[bool]:
    """Make the hub answer ``status`` and ``body`` for one skill (not its list) while the
    returned flag is set."""
    inner, on = hub.app.app, [True]

    async def app(scope, receive, send) -> None:
        if on[0] and scope["type"] == "http" and scope["path"].count("/") == 3:
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", b"text/html")]})
            await send({"type": "http.response.body", "body": body})
            return
        await inner(scope, receive, send)

    hub.app.app = app
    return on


@pytest.mark.parametrize(("status", "body"), [(403, b'{"detail": "token revoked"}'),
                                              (401, b'{"detail": "unknown token"}'),
                                              (200, b"<html>proxy login</html>")])
def test_a_temporary_hub_error_is_not_a_refusal(make_hub, make_user, status, body):
    hub = make_hub()
    publish(hub, "git-rebase", "Rebase onto main before merging.", domain="git")
    bob = make_user("bob")
    bob.join(hub)
    on = _skill_answers(hub, status, body)
    with bob.active():
        subscriptions.subscribe(bob.db, "git")
        with pytest.raises(HubError):
            subscriptions.sync(bob.db, bob.client())
        assert subscriptions.inbox(bob.db, hub.url) == [], "nothing recorded as refused"
        on[0] = False
        report = subscriptions.sync(bob.db, bob.client())
    assert report.waiting == ["git-rebase"] and report.refused == []
