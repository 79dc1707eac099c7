"""The learning bench's ``Replay`` on the real model: each teach kind goes through the same
code as the window, and the app's own reading of it is what gets reported. Replies are kept
short (a few tokens): these tests are about where each action lands, not what is said."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.store import conversations as conv
from app.store.signals import signals_for_message
from bench.learning import Replay


@pytest.fixture
def replay() -> Iterator[Replay]:
    replay = Replay("both", max_tokens=8)
    yield replay
    replay.close()


def _conversation(replay: Replay, prompt: str) -> list[dict[str, Any]]:
    """Every message of the (single) conversation started with ``prompt``, in id order."""
    rows = [r for r in replay.db["conversations"].rows if r["title"] == prompt[:60]]
    assert len(rows) == 1
    return list(replay.db["messages"].rows_where("conversation_id = ?", [rows[0]["id"]]))


def test_say_is_the_next_message_of_the_same_conversation_and_the_app_reads_it(
    replay: Replay,
) -> None:
    prompt = "How do I search for a word in all files?"
    taught = replay.teach_item({"prompt": prompt, "say": "No, that is wrong. I use ripgrep."})

    user, reply, said, answer = _conversation(replay, prompt)
    assert (user["role"], reply["role"], said["role"], answer["role"]) == (
        "user",
        "assistant",
        "user",
        "assistant",
    )
    assert said["content"] == "No, that is wrong. I use ripgrep."
    assert said["parent_id"] == reply["id"]
    assert answer["parent_id"] == said["id"], "the next message is answered too"
    recorded = [s["kind"] for s in signals_for_message(replay.db, reply["id"])]
    assert taught == {"prompt": prompt, "kind": "say", "signals": recorded}
    assert "verbal_correction" in recorded, "the app's classifier read it as a correction"


def test_regenerate_writes_a_new_reply_beside_the_first_and_keeps_it(replay: Replay) -> None:
    prompt = "Name a colour."
    taught = replay.teach_item({"prompt": prompt, "regenerate": True})

    user, first, second = _conversation(replay, prompt)
    assert first["parent_id"] == second["parent_id"] == user["id"]
    conversation = conv.get_conversation(replay.db, first["conversation_id"])
    assert conversation is not None and conversation["current_leaf_id"] == second["id"]
    assert [s["kind"] for s in signals_for_message(replay.db, first["id"])] == ["regenerate"]
    assert taught["kind"] == "regenerate" and taught["signals"] == ["regenerate"]


def test_going_on_after_a_regeneration_is_read_from_the_kept_reply(replay: Replay) -> None:
    prompt = "Name a fruit."
    taught = replay.teach_item({"prompt": prompt, "regenerate": True, "say": "Thanks, that works."})

    _, _, second, said, _ = _conversation(replay, prompt)
    assert said["parent_id"] == second["id"], "the user went on from the new reply"
    kept = [s["kind"] for s in signals_for_message(replay.db, second["id"])]
    assert "regenerate_kept" in kept
    assert sorted(taught["signals"]) == sorted(["regenerate", *kept])


def test_a_thumb_down_with_its_reason_is_saved_as_the_window_saves_it(replay: Replay) -> None:
    prompt = "How do I count lines in a file?"
    taught = replay.teach_item({"prompt": prompt, "thumb": "down", "reason": "Use wc -l."})

    _, reply = _conversation(replay, prompt)
    (signal,) = signals_for_message(replay.db, reply["id"])
    assert (signal["kind"], signal["score"], signal["hint"]) == ("thumb", -1, "Use wc -l.")
    assert taught["signals"] == ["thumb"]


def test_a_correction_is_saved_as_the_correct_button_saves_it(replay: Replay) -> None:
    prompt = "How do I list files?"
    replay.teach_item({"prompt": prompt, "correction": "Use `ls -la`."})

    _, reply = _conversation(replay, prompt)
    assert reply["corrected"] == "Use `ls -la`."
    assert [s["kind"] for s in signals_for_message(replay.db, reply["id"])] == ["correction"]
