"""One recorded turn on the real model: what is stored, and skills in the prompt."""

from __future__ import annotations

import threading

from app import settings as settings_mod
from app.assistant import Turn
from app.model.runtime import ModelRuntime
from app.skills.library import SkillLibrary
from app.skills.skill import Skill
from app.store import conversations as conv
from app.store.db import open_db


def short_settings() -> settings_mod.Settings:
    config = settings_mod.Settings()
    config.model.max_reply_tokens = 16
    config.model.temperature = 0.0
    return config


def test_turn_records_the_exact_prompt_and_stats(runtime: ModelRuntime) -> None:
    db = open_db()
    cid = conv.create_conversation(db)
    turn = Turn(db, runtime, short_settings(), cid, user_text="Name a colour.")
    pieces = list(turn)
    assert turn.result is not None and pieces
    reply = conv.get_message(db, turn.result.assistant_message_id)
    assert reply["content"] == "".join(pieces)
    assert reply["prompt"] == runtime.prompt_text(
        [
            {"role": "system", "content": turn.system_prompt},
            {"role": "user", "content": "Name a colour."},
        ],
        16,
    )
    assert reply["model"] == runtime.path.name
    assert reply["finish_reason"] in ("stop", "length")
    assert reply["skills_used"] == "[]"
    assert reply["prompt_plain"] is None, "without skills the prompt is already plain"


def test_relevant_skill_goes_into_the_prompt_and_is_recorded(runtime: ModelRuntime) -> None:
    db = open_db()
    SkillLibrary(db).add(
        Skill(
            name="pretty-print-json-with-jq",
            description="Pretty-printing or querying JSON files on the command line",
            body="## Lesson\nUse `jq . file.json` to pretty-print JSON.\n",
        )
    )
    cid = conv.create_conversation(db)
    turn = Turn(db, runtime, short_settings(), cid, user_text="How do I pretty-print a JSON file?")
    list(turn)
    reply = conv.get_message(db, turn.result.assistant_message_id)
    assert "jq" in reply["prompt"]
    assert "pretty-print-json-with-jq" in reply["skills_used"]
    uses = db.execute("SELECT count(*) FROM skill_uses WHERE message_id = ?", [reply["id"]])
    assert uses.fetchone()[0] == 1
    # The trainer also gets the prompt as it would have been without the skill.
    assert reply["prompt_plain"] == runtime.prompt_text(
        [
            {"role": "system", "content": turn.system_prompt},
            {"role": "user", "content": "How do I pretty-print a JSON file?"},
        ],
        16,
    )

    other = conv.create_conversation(db)
    unrelated = Turn(db, runtime, short_settings(), other, user_text="Write a haiku about rain.")
    list(unrelated)
    assert "jq" not in conv.get_message(db, unrelated.result.assistant_message_id)["prompt"]


def test_cancelled_turn_keeps_the_partial_reply(runtime: ModelRuntime) -> None:
    db = open_db()
    cid = conv.create_conversation(db)
    cancel = threading.Event()
    config = short_settings()
    config.model.max_reply_tokens = 200
    turn = Turn(db, runtime, config, cid, user_text="Tell me a long story.", cancel=cancel)
    for count, _piece in enumerate(turn):
        if count == 2:
            cancel.set()
    reply = conv.get_message(db, turn.result.assistant_message_id)
    assert reply["finish_reason"] == "cancelled"
    assert reply["completion_tokens"] <= 4


def test_regenerate_adds_a_sibling_reply(runtime: ModelRuntime) -> None:
    db = open_db()
    cid = conv.create_conversation(db)
    first = Turn(db, runtime, short_settings(), cid, user_text="Say hi.")
    list(first)
    again = Turn(
        db, runtime, short_settings(), cid, regenerate_of=first.result.assistant_message_id
    )
    list(again)
    siblings = conv.siblings(db, again.result.assistant_message_id)
    assert [m["id"] for m in siblings] == [
        first.result.assistant_message_id,
        again.result.assistant_message_id,
    ]
    assert again.result.user_message_id == first.result.user_message_id


def test_verbal_correction_becomes_signal_example_and_skill(runtime: ModelRuntime) -> None:
    db = open_db()
    cid = conv.create_conversation(db)
    first = Turn(db, runtime, short_settings(), cid, user_text="How do I read a JSON file in bash?")
    list(first)
    fix = "no, that's wrong, use jq instead of grep"
    second = Turn(db, runtime, short_settings(), cid, user_text=fix)
    list(second)
    reply_id = first.result.assistant_message_id
    kinds = [
        row["kind"] for row in db.query("SELECT kind FROM signals WHERE message_id = ?", [reply_id])
    ]
    assert kinds == ["verbal_correction"]
    example = db.execute("SELECT kind, prompt, hint FROM examples").fetchone()
    assert example[0] == "hinted"
    assert example[1] == conv.get_message(db, reply_id)["prompt"]
    assert "jq" in example[2]
    assert db.execute("SELECT count(*) FROM skills").fetchone()[0] == 1
