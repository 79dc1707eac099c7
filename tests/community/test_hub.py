"""The hub refuses bad input with clear 4xx errors and stores nothing; no input makes it fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from app.community.bundle import Identity, load_identity, make_bundle, rotate_identity
from app.community.hub.app import HubSettings, create_app
from app.community.hub.storage import SqliteHubStorage

from .conftest import ADMIN_TOKEN

SKILL = """---
name: list-files-by-size
description: List the files of a folder sorted by size.
---

## Lesson

Use `ls -lhS`.

## Anti-pattern

Plain `ls -l`.

## Example

ls -lhS
"""


@pytest.fixture
def storage(tmp_path: Path) -> SqliteHubStorage:
    store = SqliteHubStorage(tmp_path / "hub.db")
    yield store
    store.close()


def _client(storage: SqliteHubStorage, **options) -> tuple[TestClient, dict[str, str]]:
    app = create_app(storage, HubSettings(admin_token=ADMIN_TOKEN, **options))
    return TestClient(app), {"Authorization": f"Bearer {storage.issue_token('t')}"}


def _bundle(identity: Identity | None = None, text: str = SKILL) -> dict:
    return make_bundle(text, identity or load_identity(), domain_tags=["shell"],
                       base_model_family="smollm2", uses=3, successes=2)


def test_no_input_makes_the_hub_fail(storage) -> None:
    """Schemathesis cases for every operation, with and without a valid token: never 5xx.

    Run in-process on the ASGI app (schemathesis' pytest plugin does not support pytest 9
    yet, so the cases come from each operation's Hypothesis strategy).
    """
    app = create_app(storage, HubSettings(admin_token=ADMIN_TOKEN, submit_limit=1000))
    token = storage.issue_token("fuzz")
    with TestClient(app) as client:
        client.post("/v1/skills", json=_bundle(), headers={"Authorization": f"Bearer {token}"})
    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 8

    for operation in operations:

        @given(case=operation.as_strategy(), authorized=st.booleans())
        @settings(max_examples=15, deadline=5000, suppress_health_check=list(HealthCheck),
                  database=None)
        def check(case, authorized: bool) -> None:
            headers = {"Authorization": f"Bearer {token}"} if authorized else None
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        check()


def test_openapi_schema_is_served(storage) -> None:
    client, _ = _client(storage)
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/skills", "/v1/skills/{skill_id}", "/v1/skills/{skill_id}/withdraw"} <= set(paths)


def test_a_valid_bundle_is_stored(storage) -> None:
    client, auth = _client(storage)
    answer = client.post("/v1/skills", json=_bundle(), headers=auth)
    assert answer.status_code == 201 and not answer.json()["visible"]
    assert storage.count_skills() == 1


@pytest.mark.parametrize(
    ("mutate", "status", "words"),
    [
        (lambda b: b.update(skill=b["skill"].replace("ls -lhS", "rm -rf /")), 400, "signature"),
        (lambda b: b.update(contributor="c-" + "0" * 24), 400, "contributor"),
        (lambda b: b.update(signature="not base64!"), 400, "base64"),
        (lambda b: b["metadata"].update(uses="3"), 422, "int"),
        (lambda b: b.update(extra="field"), 422, "extra"),
        (lambda b: b.pop("signature"), 422, "signature"),
        (lambda b: b.update(skill="x" * 40_000), 422, "skill"),
        (lambda b: b.update(skill="x" * 300_000), 413, "larger than"),
    ],
)
def test_bad_bundles_are_refused_and_nothing_is_stored(storage, mutate, status, words) -> None:
    client, auth = _client(storage)
    bundle = _bundle()
    mutate(bundle)
    answer = client.post("/v1/skills", json=bundle, headers=auth)
    assert answer.status_code == status
    assert words in json.dumps(answer.json()["detail"])
    assert storage.count_skills() == 0


def test_tokens_and_malformed_json_are_refused(storage) -> None:
    client, auth = _client(storage)
    bundle = _bundle()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        answer = client.post("/v1/skills", json=bundle, headers=headers)
        assert answer.status_code == 401 and "token" in answer.json()["detail"]
    broken = client.post("/v1/skills", content=b'{"schema": 1, "skill": ',
                         headers={**auth, "Content-Type": "application/json"})
    assert broken.status_code == 422 and "JSON" in json.dumps(broken.json()["detail"])
    assert client.post("/v1/tokens", json={"label": "x"}, headers=auth).status_code == 403
    issued = client.post("/v1/tokens", json={"label": "x"},
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    assert issued.status_code == 201 and storage.is_member(issued.json()["token"])
    assert storage.count_skills() == 0


def test_submissions_are_rate_limited_per_token(storage) -> None:
    client, auth = _client(storage, submit_limit=2)
    codes = [client.post("/v1/skills", json=_bundle(), headers=auth).status_code
             for _ in range(3)]
    assert codes == [201, 201, 429]
    _, other = _client(storage, submit_limit=2)
    assert client.post("/v1/skills", json=_bundle(), headers=other).status_code == 201
    assert storage.count_skills() == 3


def test_only_the_signing_key_can_withdraw(storage) -> None:
    client, auth = _client(storage)
    owner = load_identity()
    skill_id = client.post("/v1/skills", json=_bundle(owner), headers=auth).json()["id"]
    stranger = rotate_identity()
    from app.community.bundle import withdraw_payload

    forged = client.post(f"/v1/skills/{skill_id}/withdraw", headers=auth,
                         json=stranger.sign(withdraw_payload(skill_id)))
    assert forged.status_code == 403 and "contributor" in forged.json()["detail"]
    replayed = client.post(f"/v1/skills/{skill_id}/withdraw", headers=auth,
                           json=owner.sign(withdraw_payload("0" * 16)))
    assert replayed.status_code == 403
    done = client.post(f"/v1/skills/{skill_id}/withdraw", headers=auth,
                       json=owner.sign(withdraw_payload(skill_id)))
    assert done.status_code == 204
    assert client.get(f"/v1/skills/{skill_id}", headers=auth).status_code == 410


def test_python_m_app_community_hub_takes_serve_and_token_as_the_readme_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.community.hub import main

    assert main(["token", "--db", str(tmp_path / "hub.db"), "--label", "alice"]) == 0
    assert capsys.readouterr().out.startswith("fwm_")
    with pytest.raises(SystemExit):
        main(["hub", "token"])
