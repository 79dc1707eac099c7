"""Examples built from signals: deterministic, de-duplicated, and gone with their evidence."""

from __future__ import annotations

import time
from typing import Any

import pytest
import sqlite_utils

from app.signals import capture, command_outcomes
from app.signals.examples import build_for_signal, rebuild_all, with_command
from app.store import conversations as conv
from app.store.examples import (
    NewExample,
    delete_example,
    examples_for_signal,
    save_example,
    signal_ids_of_example,
)
from app.store.signals import delete_signal, get_signal, record_signal

REPLY_WITH_COMMAND = "Install it with:\n\n```bash\npip install requets\n```\n"


def _scenario(db: sqlite_utils.Database, chat) -> None:
    """A session touching every kind of signal that builds examples."""
    _, corrected = chat.ask("How do I list hidden files?", "Use `ls`.")
    capture.record_correction(db, corrected, "Use `ls -a`.")
    _, thumbed = chat.ask("Tell me a joke", "A very long joke " * 10)
    capture.record_thumb(db, thumbed, up=False, reason="shorter please")
    first = chat.reply("Twelve.", to=chat.say("Name a prime number above 10"))
    second = chat.reply("Thirteen.", as_sibling_of=first)
    capture.record_regenerate(db, first, second)
    capture.after_user_message(db, chat.say("thanks, that's right!"))
    chat.reply("You're welcome.")
    capture.after_user_message(db, chat.say("no, I meant a prime number above 100"))
    _, proposal = chat.ask("install requests", REPLY_WITH_COMMAND)
    command_outcomes.record_command_outcome(
        db, chat.run("pip install requets", 1, message_id=proposal, output="ERROR: not found")
    )
    command_outcomes.record_command_outcome(db, chat.run("pip install requests", 0, origin="user"))
    _, edited = chat.ask("show hidden files", "Run:\n```bash\nls -z\n```")
    command_outcomes.record_command_outcome(
        db, chat.run("ls -a", 0, origin="edited", original="ls -z", message_id=edited)
    )


def _snapshot(db: sqlite_utils.Database) -> tuple[list[Any], list[Any]]:
    examples = [tuple(row) for row in db.execute("SELECT * FROM examples ORDER BY id")]
    links = [tuple(row) for row in db.execute("SELECT * FROM example_signals ORDER BY 1, 2")]
    return examples, links


def test_scenario_builds_every_kind_with_exact_prompts(db, chat) -> None:
    _scenario(db, chat)
    kinds = {row[0] for row in db.execute("SELECT DISTINCT kind FROM examples")}
    assert kinds == {"sft", "pair", "unpaired", "hinted"}
    prompts = {row[0] for row in db.execute("SELECT prompt FROM messages WHERE prompt IS NOT NULL")}
    for (prompt,) in db.execute("SELECT prompt FROM examples"):
        assert prompt in prompts, "every example starts from a prompt the model really saw"
    orphans = db.execute(
        "SELECT count(*) FROM examples WHERE id NOT IN (SELECT example_id FROM example_signals)"
    ).fetchone()[0]
    assert orphans == 0


def test_rebuild_is_deterministic_and_never_duplicates(db, chat) -> None:
    _scenario(db, chat)
    built = _snapshot(db)
    assert built[0], "the scenario must produce examples"
    first = rebuild_all(db)
    assert (first.added, first.removed, first.kept) == (0, 0, len(built[0]))
    assert _snapshot(db) == built
    rebuild_all(db)
    assert _snapshot(db) == built, "rebuilding twice changes nothing"
    for (signal_id,) in db.execute("SELECT id FROM signals").fetchall():
        ids = [row["id"] for row in examples_for_signal(db, signal_id)]
        assert build_for_signal(db, signal_id) == ids
    assert _snapshot(db) == built


def test_rebuild_from_scratch_gives_the_same_examples(db, chat) -> None:
    _scenario(db, chat)
    columns = "kind, dedup_key, prompt, target, chosen, rejected, reply, label, hint, weight"
    before = sorted(db.execute(f"SELECT {columns} FROM examples").fetchall())
    db.execute("DELETE FROM examples")
    report = rebuild_all(db)
    assert report.added == len(before) and report.removed == 0
    assert sorted(db.execute(f"SELECT {columns} FROM examples").fetchall()) == before


def test_rebuild_removes_examples_no_signal_implies(db, chat) -> None:
    _, reply = chat.ask("hi", "hello")
    (signal_id,) = capture.record_thumb(db, reply, up=True)
    db.execute(
        "INSERT INTO examples (kind, dedup_key, prompt, target, created) "
        "VALUES ('sft', 'stale', 'p', 't', 0)"
    )
    stale = db.execute("SELECT id FROM examples WHERE dedup_key = 'stale'").fetchone()[0]
    db.execute("INSERT INTO example_signals VALUES (?, ?)", [stale, signal_id])
    assert rebuild_all(db).removed == 1
    assert [row["kind"] for row in examples_for_signal(db, signal_id)] == ["unpaired"]


def test_same_lesson_from_two_signals_is_one_example_with_two_links(db, chat) -> None:
    chat.ask("what's the capital of australia", "Sydney is famous for its Opera House.")
    reply = conv.get_conversation(db, chat.id)["current_leaf_id"]
    (thumb,) = capture.record_thumb(db, reply, up=False)
    (requery,) = capture.after_user_message(db, chat.say("what's the capital of australia"))
    (example,) = examples_for_signal(db, thumb)
    assert [row["id"] for row in examples_for_signal(db, requery)] == [example["id"]]
    assert signal_ids_of_example(db, example["id"]) == [thumb, requery]
    assert example["weight"] == 1.0, "the stronger signal's weight"
    assert db.execute("SELECT count(*) FROM examples").fetchone()[0] == 1


def test_dedup_key_is_content_not_weight() -> None:
    a = NewExample("unpaired", "prompt", reply="r", label=-1.0, weight=0.4)
    assert a.dedup_key == NewExample("unpaired", "prompt", reply="r", label=-1.0).dedup_key
    assert a.dedup_key != NewExample("unpaired", "prompt", reply="r", label=1.0).dedup_key
    assert a.dedup_key != NewExample("hinted", "prompt", reply="r", hint=None).dedup_key


def test_deleting_a_signal_deletes_its_examples_only(db, chat) -> None:
    _, reply = chat.ask("How do I list hidden files?", "Use `ls`.")
    (correction,) = capture.record_correction(db, reply, "Use `ls -a`.")
    _, other = chat.ask("Tell me a joke", "No.")
    (thumb,) = capture.record_thumb(db, other, up=False)
    assert len(examples_for_signal(db, correction)) == 2
    delete_signal(db, correction)
    assert get_signal(db, correction) is None
    kinds = [row[0] for row in db.execute("SELECT kind FROM examples")]
    assert kinds == ["unpaired"], "the other signal's example stays"
    (example,) = examples_for_signal(db, thumb)
    assert delete_example(db, example["id"])
    assert get_signal(db, thumb) is not None, "deleting an example keeps its signal"
    assert not delete_example(db, example["id"])
    rebuild_all(db)
    assert examples_for_signal(db, thumb) == [], "a deleted example is not rebuilt"
    assert build_for_signal(db, thumb) == []


def test_deleting_a_conversation_takes_its_examples(db, chat) -> None:
    _, reply = chat.ask("How do I list hidden files?", "Use `ls`.")
    capture.record_correction(db, reply, "Use `ls -a`.")
    _, proposal = chat.ask("install requests", REPLY_WITH_COMMAND)
    failed = chat.run("pip install requets", 1, message_id=proposal)
    command_outcomes.record_command_outcome(db, failed)
    assert db.execute("SELECT count(*) FROM examples").fetchone()[0] == 4
    conv.delete_conversation(db, chat.id)
    assert db.execute("SELECT count(*) FROM examples").fetchone()[0] == 0


def test_kept_regeneration_pair_is_backed_by_both_signals(db, chat) -> None:
    first = chat.reply("Twelve.", to=chat.say("Name a prime number above 10"))
    second = chat.reply("Thirteen.", as_sibling_of=first)
    (discard,) = capture.record_regenerate(db, first, second)
    capture.after_user_message(db, chat.say("ok and one above 20?"))
    (pair,) = examples_for_signal(db, discard)
    assert (pair["chosen"], pair["rejected"]) == ("Thirteen.", "Twelve.")
    delete_signal(db, discard)
    assert db.execute("SELECT count(*) FROM examples WHERE kind = 'pair'").fetchone()[0] == 0


def test_with_command_replaces_only_a_command_that_is_there() -> None:
    assert with_command("run `ls -z` now", "ls -z", "ls -a") == "run `ls -a` now"
    assert with_command("run it", "ls -z", "ls -a") is None
    assert with_command("run `ls`", "ls", "ls") is None


def test_unknown_signal_is_a_clear_error(db) -> None:
    with pytest.raises(KeyError):
        build_for_signal(db, 12345)


def test_signal_without_examples_rule_builds_none(db, chat) -> None:
    _, reply = chat.ask("hi", "hello")
    signal_id = record_signal(db, "acceptance", message_id=reply, score=0.0, detector="test")
    assert build_for_signal(db, signal_id) == [], "a zero-strength signal teaches nothing"


def test_trainer_accepts_every_built_example(db, chat) -> None:
    data = pytest.importorskip("trainer.data")
    _scenario(db, chat)
    examples, skipped = data.load_examples(db)
    assert (
        skipped == [] and len(examples) == db.execute("SELECT count(*) FROM examples").fetchone()[0]
    )
    for example in examples:
        if example.kind == "hinted":
            assert example.hint and example.reply and example.prompt.endswith(
                "<|im_start|>assistant\n"
            )


def test_timing_does_not_change_the_examples(db, chat) -> None:
    """Rows keep the time of the signal they came from, so a rebuild later is identical."""
    _, reply = chat.ask("hi", "hello")
    (signal_id,) = capture.record_thumb(db, reply, up=True)
    created = examples_for_signal(db, signal_id)[0]["created"]
    time.sleep(0.01)
    db.execute("DELETE FROM examples")
    rebuild_all(db)
    assert examples_for_signal(db, signal_id)[0]["created"] == created


def test_examples_of_a_reply_written_with_skills_carry_the_prompt_without_them(db, chat) -> None:
    _, reply = chat.ask("How do I list hidden files?", "Use `ls`.")
    plain = chat.prompt_of(reply)
    conv.update_message(db, reply, prompt="skills\n" + plain, prompt_plain=plain)
    (signal,) = capture.record_correction(db, reply, "Use `ls -a`.")
    rows = examples_for_signal(db, signal)
    assert {row["kind"] for row in rows} == {"sft", "pair"}
    assert all(row["prompt_plain"] == plain and row["prompt"] != plain for row in rows)
    assert rebuild_all(db).added == 0, "the plain prompt is not part of an example's identity"


def test_an_example_saved_without_its_plain_prompt_gets_it_later(db, chat) -> None:
    _, reply = chat.ask("How do I list hidden files?", "Use `ls`.")
    (signal,) = capture.record_correction(db, reply, "Use `ls -a`.")
    (row, *_) = examples_for_signal(db, signal)
    assert row["prompt_plain"] is None
    again = NewExample(row["kind"], row["prompt"], target=row["target"], prompt_plain="plain")
    assert save_example(db, again, signal, time.time()) == row["id"]
    (row, *_) = examples_for_signal(db, signal)
    assert row["prompt_plain"] == "plain"
