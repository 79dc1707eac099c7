"""bench.community's machinery without a model, against a real hub process on 127.0.0.1:
the rogue member's fixtures, what reaches member B, and leak counting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.community.bundle import Identity, make_bundle
from app.community.client import HubClient, store_membership_token
from app.model.embedder import FILE_NAME as EMBEDDER_FILE
from app.settings import Settings
from app.skills.library import SkillLibrary
from app.skills.skill import (
    APPLIES_ALWAYS,
    APPLIES_RELEVANT,
    Skill,
    compose_body,
    parse_skill,
    render_skill,
)
from app.store.db import open_db
from bench.community import GOALS, load_community_scenario, verdict
from bench.community_parts import (
    HubProcess,
    find_leaks,
    find_partial_leaks,
    receive,
    rogue_fixtures,
    rogue_reached,
    scanned_files,
    send_rogue,
)
from bench.learning import ScenarioError

REPO = Path(__file__).resolve().parents[2]
KINDS = {"command", "steering", "control-token", "fetch-and-run", "secret", "hidden",
         "applies-always"}


@pytest.fixture
def hub(tmp_path: Path):
    hub = HubProcess(tmp_path / "hub")
    yield hub
    hub.stop()


def member(hub: HubProcess) -> tuple[object, HubClient]:
    settings = Settings()
    settings.community.share_enabled = True
    settings.community.hub_url = hub.url
    store_membership_token(hub.url, hub.token("member-b"))
    return open_db(), HubClient(settings, retries=0)


def test_every_rogue_kind_is_signed_and_sent_and_then_visible_to_b(hub: HubProcess) -> None:
    fixtures = rogue_fixtures()
    assert {f.kind for f in fixtures} == KINDS
    outcome = send_rogue(hub, "shell", fixtures)
    assert outcome.submitted == len(fixtures)
    # The hub's content checks refuse every hostile kind; the knitting skill is harmless.
    assert outcome.accepted == ["zqappliesalways9"]
    assert set(outcome.refusals) == {f.marker for f in fixtures} - {"zqappliesalways9"}
    assert all(r.startswith("400: ") for r in outcome.refusals.values())
    # Made visible anyway (approved, or planted as a hub without checks would store them).
    _db, client = member(hub)
    listed = client.list_skills(domain="shell")
    assert {s["id"] for s in listed} == set(outcome.remote_ids)


def test_what_reached_b_is_counted_by_kind(hub: HubProcess) -> None:
    outcome = send_rogue(hub, "shell", rogue_fixtures())
    db, _client = member(hub)
    ids = {f.marker: rid for rid, f in outcome.remote_ids.items()}
    assert rogue_reached(db, hub.url, outcome) == []
    library = SkillLibrary(db)
    # A client without checks: a hostile skill enabled in B's library has reached B ...
    library.add(_imported(outcome, ids["zqcommand1"], hub.url))
    # ... and the harmless one only if it kept `applies: always`.
    harmless = library.add(_imported(outcome, ids["zqappliesalways9"], hub.url))
    assert harmless.applies == APPLIES_ALWAYS
    assert rogue_reached(db, hub.url, outcome) == ["zqappliesalways9", "zqcommand1"]
    library.update_state(harmless.name, applies=APPLIES_RELEVANT)
    library.set_enabled("handy-zqcommand1", False)
    assert rogue_reached(db, hub.url, outcome) == []


def _imported(outcome, remote_id: str, hub_url: str):
    fixture = outcome.remote_ids[remote_id]
    skill = parse_skill(render_skill(fixture.skill), "<rogue>")
    skill.community_origin = f"{hub_url}#{remote_id}"
    return skill


def test_b_receiving_from_the_hub_enables_only_what_passes(hub: HubProcess) -> None:
    """Every rogue skill is visible at the hub, and B enables everything in its inbox: B's
    own checks at import keep every hostile one out; the harmless one stays topical."""
    outcome = send_rogue(hub, "shell", rogue_fixtures())
    db, client = member(hub)
    received = receive(db, client, ["shell"])
    assert received["enabled"] == ["handy-zqappliesalways9"]
    assert len(received["refused"]) == outcome.submitted - 1
    assert {s.name for s in SkillLibrary(db).list_skills()} == {"handy-zqappliesalways9"}
    assert rogue_reached(db, hub.url, outcome) == []


def test_sensitive_strings_are_found_in_the_hubs_files_however_they_are_spelled(
    hub: HubProcess, tmp_path: Path
) -> None:
    text = render_skill(Skill(name="greeting", description="Say hello to Zoë Ångström",
                              body=compose_body("Greet /home/zoe/x.", "None.", "Hi.")))
    bundle = make_bundle(text, Identity(Ed25519PrivateKey.generate()), domain_tags=["x"],
                         base_model_family="smollm2")
    hub.plant(bundle, "greeting")
    leaks = find_leaks(["Zoë Ångström", "/home/zoe/x", "never-stored"], hub.files())
    assert set(leaks) == {"Zoë Ångström", "/home/zoe/x"}
    assert json.dumps("Zoë Ångström")[1:-1] != "Zoë Ångström"  # the escaped spelling counts
    assert find_leaks(["ZOË ÅNGSTRÖM".lower()], hub.files())  # in any letter case
    (tmp_path / "kw.txt").write_text("also: jonas, lindqvist, maria", encoding="utf-8")
    words = find_partial_leaks(["Jonas Lindqvist", "maria.keller"], [tmp_path / "kw.txt"],
                               context="Ask Maria about it.")
    assert set(words) == {"jonas", "lindqvist"}  # "maria" is a word the scenario uses
    (tmp_path / "b" / "skills").mkdir(parents=True)
    (tmp_path / "b" / "skills" / "note.md").write_text("mail /home/zoe/x", encoding="utf-8")
    (tmp_path / "b" / "cache").symlink_to(hub.db_path.parent, target_is_directory=True)
    assert find_leaks(["/home/zoe/x"], scanned_files(tmp_path / "b")) == {
        "/home/zoe/x": [str(tmp_path / "b" / "skills" / "note.md")]
    }
    model = tmp_path / "b" / "models" / EMBEDDER_FILE  # a vocabulary full of first names
    model.parent.mkdir()
    model.write_text("jonas lindqvist /home/zoe/x", encoding="utf-8")
    assert model not in scanned_files(tmp_path / "b")


def test_scenarios_need_well_formed_community_fields(tmp_path: Path) -> None:
    base = {"name": "s", "teach": [{"prompt": "p", "correction": "c"}],
            "heldout": [{"prompt": "p", "expect": "x"}]}
    path = tmp_path / "s.json"
    for bad in ({"sensitive": [""]}, {"control": [{"prompt": "p"}]},
                {"control": [{"prompt": "p", "reject": "("}]}, {"domain": ""}):
        path.write_text(json.dumps({**base, **bad}))
        with pytest.raises(ScenarioError):
            load_community_scenario(path)
    path.write_text(json.dumps(base))
    assert load_community_scenario(path)["control"] == []
    shipped = sorted((REPO / "bench" / "scenarios" / "tune").glob("community_*.json"))
    assert shipped and all(load_community_scenario(p)["sensitive"] for p in shipped)


def test_the_verdict_covers_every_scenario() -> None:
    good = {"name": "a", "b_over_application": 0.0, "leaked": 0, "rogue_reached_b": 0,
            "b_echoes": 0}
    bad = {**good, "name": "b", "leaked": 1}
    means = {"b_adoption_skills": 0.7, "b_adoption_both": 0.9}
    assert verdict([good], means)["goals_met"]
    judged = verdict([good, bad], means)
    assert not judged["goals_met"] and judged["met"]["leaked"] is False
    assert set(judged["met"]) == set(GOALS)
    echoing = {**good, "name": "c", "b_echoes": 1}  # a reply copied a community label
    assert verdict([good, echoing], means)["met"]["b_echoes"] is False


def test_a_name_in_a_teaching_request_still_counts_as_a_leaked_word(tmp_path: Path) -> None:
    from bench.community import _context

    scenario = {"teach": [{"prompt": "Find what Jonas Lindqvist sent.", "correction": "Use fd."}],
                "heldout": [{"prompt": "Find files.", "expect": "fd"}], "control": [],
                "sensitive": ["Jonas Lindqvist"]}
    (tmp_path / "hub.txt").write_text("also: find, jonas, lindqvist, sent", encoding="utf-8")
    words = find_partial_leaks(scenario["sensitive"], [tmp_path / "hub.txt"], _context(scenario))
    assert set(words) == {"jonas", "lindqvist"}
