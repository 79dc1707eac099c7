"""A capable model's wording of a habit, kept only when the examples bear it out.

The embedded 135M model is not capable (its setting is off by default), so the "capable
model" here is a stub that returns a fixed sentence: what is tested is that the learn path
asks for the wording once, keeps a wording the examples support, and refuses one they do
not (the rule's sentence stays).
"""

from __future__ import annotations

import pytest
import sqlite_utils

from app.settings import Settings
from app.skills.library import SkillLibrary
from app.store import conversations as conv
from app.store.db import open_db
from app.ui.feedback import save_correction

UNIT = [
    ("How far is Paris from London?", "It is 210 miles.", "Paris is about 340 km from London."),
    ("How long is the Nile?", "The Nile is 4,130 miles long.", "The Nile is 6,650 km long."),
    ("How far is a marathon?", "A marathon is 26.2 miles.", "A marathon is 42.195 km."),
    ("How far is Rome from Milan?", "About 300 miles.", "About 480 km."),
]


@pytest.fixture
def db() -> sqlite_utils.Database:
    return open_db()


def correct_with(db: sqlite_utils.Database, answer: str) -> list[str]:
    """Correct the UNIT replies with a capable model that answers ``answer``; its prompts."""
    asked: list[str] = []

    def model(prompt: str) -> str:
        asked.append(prompt)
        return answer

    for request, reply, corrected in UNIT:
        conversation = conv.create_conversation(db)
        conv.add_message(db, conversation, "user", request)
        message = conv.add_message(db, conversation, "assistant", reply)
        save_correction(db, message, corrected, Settings(), model)
    return asked


def test_the_capable_models_wording_is_kept_when_the_examples_bear_it_out(
    db: sqlite_utils.Database,
) -> None:
    asked = correct_with(db, "Give every distance in km, never in miles.")
    assert len(asked) == 1, "asked once, when the habit is found; later corrections keep it"
    assert "Give quantities in km" in asked[0] and "42.195 km" in asked[0]
    (skill,) = SkillLibrary(db).list_skills()
    full = SkillLibrary(db).get(skill.name)
    assert "- Give every distance in km, never in miles." in full.body
    assert skill.description.startswith("Give every distance in km, never in miles.")
    assert full.habit["wording"] == "Give every distance in km, never in miles."
    assert len(full.examples) == 4


@pytest.mark.parametrize(
    "wording",
    [
        "Give every distance in kilometres.",  # does not name what the examples add
        "Give distances in km and run `units` to convert them.",  # a command none of them has
        "km",  # no sentence
    ],
)
def test_a_wording_the_examples_do_not_bear_out_is_refused(
    db: sqlite_utils.Database, wording: str
) -> None:
    correct_with(db, wording)
    (skill,) = SkillLibrary(db).list_skills()
    full = SkillLibrary(db).get(skill.name)
    assert "- Give quantities in km instead of “miles”." in full.body
    assert "wording" not in full.habit


def test_a_failing_model_leaves_the_rules_sentence(db: sqlite_utils.Database) -> None:
    def broken(prompt: str) -> str:
        raise RuntimeError("The model is still loading.")

    for request, reply, corrected in UNIT[:3]:
        conversation = conv.create_conversation(db)
        conv.add_message(db, conversation, "user", request)
        message = conv.add_message(db, conversation, "assistant", reply)
        save_correction(db, message, corrected, Settings(), broken)
    (skill,) = SkillLibrary(db).list_skills()
    assert skill.name == "give-km-not-miles"
    assert Settings().learning.model_words_skills is False
