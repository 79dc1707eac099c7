"""The hub client: the offline queue, retries, and transport security."""

from __future__ import annotations

import inspect

import pytest

from app import settings as settings_mod
from app.community import client as client_mod
from app.community.bundle import load_identity
from app.community.client import HubClient, HubUnreachableError, check_hub_url, drain_queue
from app.community.sharing import approve, sharing_log, skip
from app.skills.library import SkillLibrary
from app.skills.skill import Skill, compose_body


def _skill(db, name: str) -> Skill:
    body = compose_body(f"Run `{name}` with care.", "Guessing.", f"{name} --help")
    return SkillLibrary(db).add(Skill(name=name, description=f"How to use {name}.", body=body,
                                      category="shell"))


def test_exports_queue_while_the_hub_is_down_and_drain_when_it_is_up(make_hub, make_user):
    from app.community.sharing import candidates, prepare

    hub = make_hub(start=False)
    alice = make_user("alice")
    settings = alice.join(hub)
    with alice.active():
        for name in ("rsync", "tar"):
            _skill(alice.db, name)
        previews = [prepare(s) for s in candidates(alice.db)]
        identity = load_identity()
        first = approve(alice.db, previews[0], settings, identity)
        skip(alice.db, previews[1], settings)
        client = alice.client(retries=2)
        with pytest.raises(HubUnreachableError):
            client.list_skills()
        report = drain_queue(alice.db, client)
        assert (report.sent, report.still_queued) == ([], 1)
        assert [(r.id, r.status) for r in sharing_log(alice.db)] == [(first, "queued")]

    hub.start()
    with alice.active():
        report = drain_queue(alice.db, alice.client())
        assert report.sent == [first] and report.still_queued == 0
        (record,) = sharing_log(alice.db)
        assert record.status == "sent" and record.sent is not None and record.remote_id
        assert drain_queue(alice.db, alice.client()).sent == [], "each export is sent once"
    assert hub.storage.count_skills() == 1
    assert hub.app.paths.count("POST /v1/skills") == 1


def test_a_refused_export_is_marked_and_not_retried(make_hub, make_user):
    hub = make_hub()
    alice = make_user("alice")
    alice.join(hub)
    with alice.active():
        alice.db.execute(
            "INSERT INTO exports (skill_name, hub_url, status, payload, created) "
            "VALUES ('x', ?, 'queued', '{\"schema\": 1}', 0)", [hub.url])
        report = drain_queue(alice.db, alice.client())
        assert report.refused and report.refused[0][1]
        assert sharing_log(alice.db)[0].status == "refused"
        assert drain_queue(alice.db, alice.client()).refused == []


@pytest.mark.parametrize("url", ["http://hub.example.org", "ftp://127.0.0.1", "hub.example.org",
                                 "http://127.0.0.1.evil.example", ""])
def test_unsafe_hub_addresses_are_refused(url: str) -> None:
    with pytest.raises(ValueError):
        check_hub_url(url)
    settings = settings_mod.Settings()
    settings.community.share_enabled, settings.community.hub_url = True, url
    with pytest.raises(ValueError):
        HubClient(settings)


def test_https_and_local_addresses_are_accepted() -> None:
    assert check_hub_url("https://hub.example.org/") == "https://hub.example.org"
    assert check_hub_url("http://127.0.0.1:8765") == "http://127.0.0.1:8765"
    assert check_hub_url("http://localhost:8765/") == "http://localhost:8765"


def test_certificate_verification_is_never_turned_off() -> None:
    source = inspect.getsource(client_mod)
    assert "verify=" not in source and "verify =" not in source
