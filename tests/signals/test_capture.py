"""Capturing next-state signals through the real store: what each user action records."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import sqlite_utils

from app import settings as settings_mod
from app.signals import capture, command_outcomes
from app.skills.directive import directive_from_signal
from app.store import conversations as conv
from app.store.examples import examples_for_signal
from app.store.signals import get_signal, signals_for_command, signals_for_message

REPLY_WITH_COMMAND = "Install it with:\n\n```bash\npip install requets\n```\n"


def _signal(db: sqlite_utils.Database, signal_id: int) -> dict[str, Any]:
    row = get_signal(db, signal_id)
    assert row is not None
    return {**row, "provenance": json.loads(row["provenance"])}


def _examples(db: sqlite_utils.Database, signal_id: int) -> dict[str, dict[str, Any]]:
    rows = examples_for_signal(db, signal_id)
    assert len({row["kind"] for row in rows}) == len(rows), "one example per kind expected"
    return {row["kind"]: row for row in rows}


def _count(db: sqlite_utils.Database, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_click_correction_learns_the_corrected_text(db, chat) -> None:
    _, reply = chat.ask("How do I list hidden files?", "Use `ls`.")
    (signal_id,) = capture.record_correction(db, reply, "Use `ls -a` to include hidden files.")

    assert conv.get_message(db, reply)["corrected"] == "Use `ls -a` to include hidden files."
    signal = _signal(db, signal_id)
    assert (signal["kind"], signal["score"], signal["detector"]) == ("correction", -1, "ui")
    assert signal["hint"] == "Use `ls -a` to include hidden files."
    assert signal["provenance"]["original"] == "Use `ls`."
    examples = _examples(db, signal_id)
    assert set(examples) == {"sft", "pair"}
    for example in examples.values():
        assert example["prompt"] == chat.prompt_of(reply), "the exact prompt the model saw"
    assert examples["sft"]["target"] == "Use `ls -a` to include hidden files."
    assert examples["pair"]["chosen"] == "Use `ls -a` to include hidden files."
    assert examples["pair"]["rejected"] == "Use `ls`."


def test_changed_correction_replaces_and_reverting_withdraws(db, chat) -> None:
    _, reply = chat.ask("How do I list hidden files?", "Use `ls`.")
    capture.record_correction(db, reply, "Use `ls -a`.")
    (second,) = capture.record_correction(db, reply, "Use `ls -A`.")
    (signal,) = signals_for_message(db, reply)
    assert signal["hint"] == "Use `ls -A`.", "the superseded correction is withdrawn"
    assert _examples(db, second)["sft"]["target"] == "Use `ls -A`."
    assert _count(db, "examples") == 2
    assert capture.record_correction(db, reply, "Use `ls -A`.") == [], "unchanged: nothing new"

    assert capture.record_correction(db, reply, "  Use `ls`.  ") == []
    assert conv.get_message(db, reply)["corrected"] is None
    assert signals_for_message(db, reply) == [] and _count(db, "examples") == 0


def test_bad_correction_input_is_a_clear_error(db, chat) -> None:
    user, reply = chat.ask("hi", "hello")
    with pytest.raises(ValueError, match="empty"):
        capture.record_correction(db, reply, "   ")
    with pytest.raises(ValueError, match="not an assistant reply"):
        capture.record_correction(db, user, "something")
    with pytest.raises(KeyError):
        capture.record_thumb(db, 9999, up=True)


def test_thumb_down_with_reason_then_thumb_up_replaces_it(db, chat) -> None:
    _, reply = chat.ask("Tell me a joke", "Why did the chicken cross the road? " * 5)
    (down,) = capture.record_thumb(db, reply, up=False, reason="  Too long, keep it short. ")
    signal = _signal(db, down)
    assert (signal["score"], signal["hint"]) == (-1, "Too long, keep it short.")
    examples = _examples(db, down)
    assert set(examples) == {"unpaired", "hinted"}
    assert examples["unpaired"]["label"] == -1
    assert examples["hinted"]["hint"] == "Too long, keep it short."
    assert examples["hinted"]["reply"] == conv.get_message(db, reply)["content"]

    (up,) = capture.record_thumb(db, reply, up=True, reason="funny after all")
    assert [s["score"] for s in signals_for_message(db, reply)] == [1], "the new thumb replaces"
    examples = _examples(db, up)
    assert set(examples) == {"unpaired"} and examples["unpaired"]["label"] == 1
    assert _count(db, "examples") == 1


def test_regenerate_then_going_on_from_the_regeneration(db, chat) -> None:
    user, first = chat.ask("Name a prime number above 10", "Twelve.")
    second = chat.reply("Thirteen.", as_sibling_of=first)
    (discard,) = capture.record_regenerate(db, first, second)
    assert _signal(db, discard)["score"] == -1
    assert examples_for_signal(db, discard) == [], "no pair until the user keeps one"
    assert capture.record_regenerate(db, first, second) == [], "a reply is discarded once"

    following = chat.say("Thanks, that's right!")
    kept, acceptance = capture.after_user_message(db, following)
    signal = _signal(db, kept)
    assert (signal["kind"], signal["message_id"]) == ("regenerate_kept", second)
    assert 0 < signal["score"] < 1, "keeping a regeneration is weak evidence"
    assert signal["provenance"]["discarded_message_ids"] == [first]
    pair = _examples(db, kept)["pair"]
    assert (pair["chosen"], pair["rejected"]) == ("Thirteen.", "Twelve.")
    assert pair["prompt"] == chat.prompt_of(second)
    assert [e["id"] for e in examples_for_signal(db, discard)] == [pair["id"]]
    assert _signal(db, acceptance)["kind"] == "acceptance"
    assert user == conv.get_message(db, second)["parent_id"]


def _kept(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM signals WHERE kind = 'regenerate_kept'"))


def _pairs(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM examples WHERE kind = 'pair'"))


def test_going_on_to_complain_about_a_regeneration_is_not_keeping_it(db, chat) -> None:
    """Issue 15 item 5: "Enfant, enfant." was learned as preferred for "Say hello in French"
    because the message sent from it (later edited) counted as keeping it."""
    _, first = chat.ask("Say hello in French", "Bonjour !")
    junk = chat.reply("Enfant, enfant.", as_sibling_of=first)
    capture.record_regenerate(db, first, junk)
    complaint = chat.say("No, I asked how to say hello in French")
    capture.after_user_message(db, complaint)
    assert _kept(db) == [] and _pairs(db) == []
    edited = chat.say("Say hello in French please", as_sibling_of=complaint)
    capture.after_user_message(db, edited)
    assert _kept(db) == [] and _pairs(db) == [], "an edit of the next message is no keeping"
    assert {s["kind"] for s in signals_for_message(db, junk)} == {"requery"}


def test_an_edited_next_message_replaces_the_kept_verdict(db, chat) -> None:
    chat.ask("Say hello in French", "Enfant, enfant.")
    first = conv.get_conversation(db, chat.id)["current_leaf_id"]
    second = chat.reply("Bonjour !", as_sibling_of=first)
    capture.record_regenerate(db, first, second)
    following = chat.say("ok and goodbye?")
    (kept_id, *_) = capture.after_user_message(db, following)
    kept = _signal(db, kept_id)
    assert kept["message_id"] == second and kept["provenance"]["next_user_id"] == following
    (pair,) = _pairs(db)
    assert pair["weight"] == pytest.approx(capture.KEPT_SCORE * kept["confidence"])

    complaint = chat.say("that is not french", as_sibling_of=following)
    capture.after_user_message(db, complaint)
    assert _kept(db) == [] and _pairs(db) == [], "the newer message says it failed"


def test_a_kept_verdict_is_as_sure_as_the_message_that_kept_it(db, chat) -> None:
    """Weight follows certainty: a plain follow-up keeps a reply more surely than a message
    that may be a complaint."""
    confidences = []
    for following in ("ok and goodbye?", "Thanks! And how do I say goodbye?"):
        chat.ask("Say hello in French", "Enfant, enfant.")
        first = conv.get_conversation(db, chat.id)["current_leaf_id"]
        second = chat.reply("Bonjour !", as_sibling_of=first)
        (kept_id, *_) = capture.after_user_message(db, chat.say(following))
        kept = _signal(db, kept_id)
        assert kept["message_id"] == second
        confidences.append(kept["confidence"])
    assert capture.KEPT_CONFIDENCE > confidences[0] > confidences[1] > 0


def test_requery_soon_after_is_negative_and_late_requery_is_not(db, chat) -> None:
    _, reply = chat.ask("what's the capital of australia", "Sydney is famous for its Opera House.")
    again = chat.say("what's the capital of australia")
    (requery,) = capture.after_user_message(db, again)
    signal = _signal(db, requery)
    assert (signal["kind"], signal["score"], signal["detector"]) == ("requery", -1, "nextmsg")
    assert signal["confidence"] >= capture.MIN_CONFIDENCE
    assert signal["provenance"]["next_user_id"] == again
    assert signal["provenance"]["assistant_id"] == reply
    unpaired = _examples(db, requery)["unpaired"]
    assert unpaired["label"] == -1 and unpaired["reply"].startswith("Sydney")
    assert capture.after_user_message(db, again) == [], "the same message is read once"

    late_chat_reply = chat.reply("Sydney, probably.", to=again)
    late = chat.say("what's the capital of australia")
    db.execute("UPDATE messages SET created = created + 7200 WHERE id = ?", [late])
    assert capture.after_user_message(db, late) == [], "an hour later it is a new need"
    assert signals_for_message(db, late_chat_reply) == []


def test_requery_half_an_hour_later_is_less_confident(db, chat) -> None:
    _, reply = chat.ask("what's the capital of australia", "Sydney is famous for its Opera House.")
    soon = chat.say("what's the capital of australia")
    (quick,) = capture.after_user_message(db, soon)
    quick_confidence = _signal(db, quick)["confidence"]
    edited = chat.say("what's the capital of australia", as_sibling_of=soon)
    db.execute("UPDATE messages SET created = created + 1800 WHERE id = ?", [edited])
    (slow,) = capture.after_user_message(db, edited)
    (only,) = signals_for_message(db, reply)
    assert only["id"] == slow, "an edited next message replaces the verdict"
    assert capture.MIN_CONFIDENCE <= _signal(db, slow)["confidence"] < quick_confidence


def test_verbal_correction_carries_the_hint(db, chat) -> None:
    _, reply = chat.ask("how do I count lines in a file", "In PowerShell: `(Get-Content f).Length`")
    following = chat.say("no, I meant in bash")
    (signal_id,) = capture.after_user_message(db, following)
    signal = _signal(db, signal_id)
    assert (signal["kind"], signal["score"]) == ("verbal_correction", -1)
    assert signal["hint"] == "I meant in bash"
    hinted = _examples(db, signal_id)["hinted"]
    assert (
        hinted["hint"] == "I meant in bash"
        and hinted["reply"] == conv.get_message(db, reply)["content"]
    )


def test_acceptance_is_a_weak_positive(db, chat) -> None:
    chat.ask("how do I undo the last git commit", "`git reset --soft HEAD~1`")
    (signal_id,) = capture.after_user_message(db, chat.say("perfect, thanks!"))
    signal = _signal(db, signal_id)
    assert signal["kind"] == "acceptance" and 0 < signal["score"] < 1
    unpaired = _examples(db, signal_id)["unpaired"]
    assert unpaired["label"] == 1
    assert unpaired["weight"] == pytest.approx(signal["score"] * signal["confidence"])


def test_new_topic_records_nothing(db, chat) -> None:
    chat.ask("unzip a file on linux", "```bash\nunzip file.zip\n```")
    assert capture.after_user_message(db, chat.say("what is the tallest mountain in Europe?")) == []
    assert _count(db, "signals") == 0 and _count(db, "examples") == 0


def test_first_message_and_wrong_role(db, chat) -> None:
    first = chat.say("hello")
    assert capture.after_user_message(db, first) == []
    reply = chat.reply("hi!", to=first)
    with pytest.raises(ValueError, match="not a user message"):
        capture.after_user_message(db, reply)


def test_failed_proposed_command_then_its_successful_rerun(db, chat) -> None:
    _, reply = chat.ask("install requests", REPLY_WITH_COMMAND)
    output = "\x1b[31mERROR: No matching distribution found for requets\x1b[0m\n"
    failed = chat.run("pip install requets", 1, message_id=reply, output="x\n" * 2000 + output)
    (failure,) = command_outcomes.record_command_outcome(db, failed)
    signal = _signal(db, failure)
    assert (signal["kind"], signal["score"], signal["detector"]) == ("command_exit", -1, "terminal")
    assert signal["hint"].startswith("`pip install requets` failed with exit code 1:")
    assert signal["hint"].endswith("No matching distribution found for requets")
    assert "\x1b" not in signal["hint"] and len(signal["hint"]) < 700
    assert set(_examples(db, failure)) == {"unpaired", "hinted"}
    assert command_outcomes.record_command_outcome(db, failed) == [], "a run is judged once"

    rerun = chat.run("pip install requets", 0, message_id=reply)
    (success,) = command_outcomes.record_command_outcome(db, rerun)
    assert _signal(db, success)["score"] == 1
    assert _examples(db, success)["unpaired"]["label"] == 1
    assert get_signal(db, failure) is not None, "the failure stays on record"
    assert examples_for_signal(db, failure) == [], "but it was the environment, not the reply"


def test_edited_command_is_a_correction_of_the_reply(db, chat) -> None:
    _, reply = chat.ask("show hidden files", "Run:\n```bash\nls -z\n```")
    run = chat.run("ls -a", 0, origin="edited", original="ls -z", message_id=reply)
    (signal_id,) = command_outcomes.record_command_outcome(db, run)
    signal = _signal(db, signal_id)
    assert (signal["kind"], signal["command_id"], signal["message_id"]) == (
        "command_edit",
        run,
        reply,
    )
    examples = _examples(db, signal_id)
    assert examples["sft"]["target"] == "Run:\n```bash\nls -a\n```"
    assert examples["pair"]["rejected"] == "Run:\n```bash\nls -z\n```"
    directive = directive_from_signal(db, signal_id)
    assert directive is not None and (directive.original, directive.corrected) == ("ls -z", "ls -a")


def test_user_typed_fail_then_fix_pair(db, chat) -> None:
    now = time.time()
    failed = chat.run(
        "git comit -m 'fix'",
        1,
        origin="user",
        output="git: 'comit' is not a git command",
        finished=now - 20,
    )
    unrelated = chat.run("make test", 2, origin="user", finished=now - 10)
    fixed = chat.run("git commit -m 'fix'", 0, origin="user", finished=now)
    assert command_outcomes.find_fix_pair(db, fixed) == failed
    assert command_outcomes.record_command_outcome(db, failed) == [], (
        "a user's own failure is no signal")
    (signal_id,) = command_outcomes.record_command_outcome(db, fixed)
    signal = _signal(db, signal_id)
    assert (signal["kind"], signal["command_id"], signal["score"]) == ("command_fix", failed, -1)
    assert signal["provenance"]["fixed_command"] == "git commit -m 'fix'"
    assert signal["provenance"]["fixed_command_id"] == fixed
    assert signal["provenance"]["failed_command"] == "git comit -m 'fix'"
    assert examples_for_signal(db, signal_id) == [], "a user's command has no prompt to learn"
    directive = directive_from_signal(db, signal_id)
    assert directive is not None and directive.corrected == "git commit -m 'fix'"
    assert command_outcomes.find_fix_pair(db, fixed) is None, "a failure is fixed once"
    assert signals_for_command(db, unrelated) == []


def test_fix_of_a_proposed_command_teaches_the_reply(db, chat) -> None:
    _, reply = chat.ask("install requests", REPLY_WITH_COMMAND)
    failed = chat.run("pip install requets", 1, message_id=reply, finished=time.time() - 30)
    command_outcomes.record_command_outcome(db, failed)
    fixed = chat.run("pip install requests", 0, origin="user")
    (signal_id,) = command_outcomes.record_command_outcome(db, fixed)
    examples = _examples(db, signal_id)
    assert examples["sft"]["target"] == REPLY_WITH_COMMAND.replace("requets", "requests")
    assert examples["pair"]["rejected"] == REPLY_WITH_COMMAND
    assert examples["sft"]["prompt"] == chat.prompt_of(reply)


@pytest.mark.parametrize(
    ("failed", "fixed", "age_s"),
    [
        ("git comit -m x", "git commit -m x", 400),  # too long ago
        ("git comit -m x", "git comit -m x", 10),  # a rerun, not a fix
        ("ls -z", "rm -z", 10),  # another program
        ("python setup.py install", "cargo build --release", 10),  # unrelated
    ],
)
def test_find_fix_pair_rejects(db, chat, failed: str, fixed: str, age_s: float) -> None:
    now = time.time()
    chat.run(failed, 1, origin="user", finished=now - age_s)
    fix = chat.run(fixed, 0, origin="user", finished=now)
    assert command_outcomes.find_fix_pair(db, fix) is None


def test_command_similarity_sees_typos_and_added_words() -> None:
    assert command_outcomes.command_similarity("apt install foo", "sudo apt install foo") >= 0.5
    assert command_outcomes.command_similarity("pytohn app.py", "python app.py") >= 0.5
    assert command_outcomes.command_similarity("ls", "cargo build") < 0.3


def test_unknown_exit_code_teaches_nothing(db, chat) -> None:
    _, reply = chat.ask("run the tests", "```bash\npytest\n```")
    killed = chat.run("pytest", None, message_id=reply)
    assert command_outcomes.record_command_outcome(db, killed) == []
    with pytest.raises(ValueError, match="fix pair"):
        command_outcomes.record_command_fix(db, chat.run("a", 0, origin="user"), chat.run("b", 0))


def test_missing_prompt_keeps_the_signal_without_examples(db, chat) -> None:
    _, reply = chat.ask("hi", "hello", prompt=False)
    (signal_id,) = capture.record_thumb(db, reply, up=False, reason="rude")
    assert get_signal(db, signal_id) is not None
    assert examples_for_signal(db, signal_id) == []


def _everything(db: sqlite_utils.Database, chat, settings=None) -> list[int]:
    """One of every action; returns all the signal ids recorded."""
    _, reply = chat.ask("How do I list hidden files?", "Use `ls`.")
    ids = capture.record_correction(db, reply, "Use `ls -a`.", settings=settings)
    ids += capture.record_thumb(db, reply, up=False, reason="wrong", settings=settings)
    ids += capture.record_regenerate(db, reply, settings=settings)
    ids += capture.after_user_message(db, chat.say("no, I meant in bash"), settings=settings)
    _, proposal = chat.ask("install requests", REPLY_WITH_COMMAND)
    run = chat.run("pip install requets", 1, message_id=proposal)
    ids += command_outcomes.record_command_outcome(db, run, settings=settings)
    fix = chat.run("pip install requests", 0, origin="user")
    ids += command_outcomes.record_command_outcome(db, fix, settings=settings)
    return ids


@pytest.mark.parametrize("switch", ["paused", "disabled"])
def test_paused_or_disabled_learning_records_nothing(db, chat, switch: str) -> None:
    settings = settings_mod.Settings()
    if switch == "paused":
        settings.learning.paused = True
    else:
        settings.learning.enabled = False
    settings_mod.save(settings)  # the functions read the saved settings when given none
    assert _everything(db, chat) == []
    assert _count(db, "signals") == 0 and _count(db, "examples") == 0
    corrected = db.execute("SELECT count(*) FROM messages WHERE corrected IS NOT NULL")
    assert corrected.fetchone()[0] == 1, "the user's correction itself is still kept"


def test_excluded_conversation_records_nothing(db, chat) -> None:
    capture.set_excluded(db, chat.id, True)
    assert _everything(db, chat, settings_mod.Settings()) == []
    assert _count(db, "signals") == 0 and _count(db, "examples") == 0


def test_excluding_forgets_what_was_learned_from_the_conversation(db, chat) -> None:
    other = type(chat)(db)
    _, kept_reply = other.ask("What is 2+2?", "5")
    kept = capture.record_correction(db, kept_reply, "4")
    ids = _everything(db, chat)
    assert len(ids) >= 5 and _count(db, "examples") > 2
    assert capture.set_excluded(db, chat.id, True) == len(ids)
    assert [row["id"] for row in db.query("SELECT id FROM signals")] == kept
    assert _count(db, "examples") == 2, "only the other conversation's examples remain"
    assert conv.get_conversation(db, chat.id)["excluded_from_learning"] == 1
    assert capture.set_excluded(db, chat.id, False) == 0
    assert conv.get_conversation(db, chat.id)["excluded_from_learning"] == 0
    with pytest.raises(KeyError):
        capture.set_excluded(db, 9999, True)
