"""The "What Flywheel learned" page: plain words, filters, deletion, pause and exclusion."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app import settings as settings_mod
from app.model.prompt import render_chat
from app.signals import capture, command_outcomes
from app.store import conversations as conv
from app.store.commands import CommandRun, record_command
from app.store.db import open_db
from app.ui.learned_view import ALL, EXAMPLES, SIGNALS, LearnedView


def _count(table: str) -> int:
    return open_db().execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.fixture
def learned() -> dict[str, int]:
    """Two conversations with a correction, a failed proposed command and a thumb."""
    db = open_db()
    first = conv.create_conversation(db, "files")
    conv.add_message(db, first, "user", "How do I list hidden files?")
    prompt = render_chat([{"role": "user", "content": "How do I list hidden files?"}])
    reply = conv.add_message(db, first, "assistant", "Use `ls`.", prompt=prompt)
    (correction,) = capture.record_correction(db, reply, "Use `ls -a`.")
    time.sleep(0.01)
    conv.add_message(db, first, "user", "install requests")
    prompt = render_chat([{"role": "user", "content": "install requests"}])
    proposal = conv.add_message(
        db, first, "assistant", "```bash\npip install requets\n```", prompt=prompt
    )
    run = CommandRun("pip install requets", "assistant", "/tmp", 1, 0.2, "ERROR", proposal)
    (failure,) = command_outcomes.record_command_outcome(db, record_command(db, run))
    time.sleep(0.01)
    second = conv.create_conversation(db, "jokes")
    conv.add_message(db, second, "user", "Tell me a joke")
    joke = conv.add_message(db, second, "assistant", "No.", prompt=render_chat([]))
    (thumb,) = capture.record_thumb(db, joke, up=False, reason="be funnier")
    return {
        "first": first,
        "second": second,
        "correction": correction,
        "failure": failure,
        "thumb": thumb,
    }


@pytest.fixture
def view(qtbot: QtBot, learned: dict[str, int]) -> Iterator[LearnedView]:
    view = LearnedView()
    qtbot.addWidget(view)
    view.show()
    qtbot.waitUntil(lambda: view.list.count() > 0 and not view.busy)
    yield view
    view.shutdown()


def _texts(view: LearnedView) -> list[str]:
    return [view.list.item(row).text() for row in range(view.list.count())]


def _idle(qtbot: QtBot, view: LearnedView) -> None:
    qtbot.waitUntil(lambda: not view.busy)


def test_lists_signals_and_examples_newest_first_in_plain_words(
    view: LearnedView, learned: dict[str, int]
) -> None:
    texts = _texts(view)
    assert len(texts) == 3 + 6, "three signals and the six examples built from them"
    created = [entry.created for entry in view.visible_entries()]
    assert created == sorted(created, reverse=True)
    assert any(
        "You corrected a reply about “How do I list hidden files?” — the corrected answer will "
        "be learned. (2 training examples)" in text
        for text in texts
    )
    assert any("A command it proposed failed (exit 1): pip install requets" in t for t in texts)
    assert any(
        "You disliked a reply about “Tell me a joke” because “be funnier”" in t for t in texts
    )
    assert any(
        "Example: learn to answer “How do I list hidden files?” with “Use `ls -a`.”" in t
        for t in texts
    )
    assert "thumb" in view.visible_entries()[0].detail, "the newest (the thumb) comes first"

    view.select(("signal", learned["correction"]))
    assert "Reply:\nUse `ls`." in view.detail.toPlainText()
    assert view.delete_button.isEnabled()


def test_filters_and_search(view: LearnedView) -> None:
    view.filter.setCurrentText("Commands")
    assert [e.kind for e in view.visible_entries()] == ["signal"]
    assert view.list.count() == 1 and "pip install requets" in _texts(view)[0]
    view.filter.setCurrentText(EXAMPLES)
    assert {e.kind for e in view.visible_entries()} == {"example"} and view.list.count() == 6
    view.filter.setCurrentText(SIGNALS)
    assert view.list.count() == 3
    view.search.setText("FUNNIER")
    assert view.list.count() == 1 and "disliked" in _texts(view)[0]
    view.filter.setCurrentText(ALL)
    view.search.setText("")
    assert view.list.count() == 9


def test_deleting_a_signal_takes_its_examples_and_an_example_goes_alone(
    qtbot: QtBot, view: LearnedView, learned: dict[str, int]
) -> None:
    view.select(("signal", learned["correction"]))
    view.delete_button.click()
    _idle(qtbot, view)
    assert "2 training example(s)" in view.message.text()
    assert view.list.count() == 9 - 3
    assert _count("signals") == 2 and _count("examples") == 4

    view.filter.setCurrentText(EXAMPLES)
    view.list.setCurrentRow(0)
    view.delete_button.click()
    _idle(qtbot, view)
    assert "The signal behind it stays" in view.message.text()
    assert _count("signals") == 2 and _count("examples") == 3
    assert view.list.count() == 3


def test_pause_toggle_saves_the_setting_and_stops_recording(
    qtbot: QtBot, view: LearnedView
) -> None:
    with qtbot.waitSignal(view.learning_paused_changed) as paused:
        view.pause_check.setChecked(True)
    assert paused.args == [True]
    assert settings_mod.load().learning.paused is True
    db = open_db()
    chat = conv.create_conversation(db)
    conv.add_message(db, chat, "user", "hi")
    reply = conv.add_message(db, chat, "assistant", "hello", prompt=render_chat([]))
    assert capture.record_thumb(db, reply, up=True) == []

    view.pause_check.setChecked(False)
    assert settings_mod.load().learning.paused is False
    assert capture.record_thumb(db, reply, up=True) != []


def test_exclude_current_conversation_after_confirmation(
    qtbot: QtBot, view: LearnedView, learned: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not view.exclude_button.isEnabled(), "no conversation shown yet"
    view.set_conversation(learned["first"])
    _idle(qtbot, view)
    assert view.exclude_button.isEnabled()
    assert view.exclude_button.text() == "Exclude this conversation…"

    monkeypatch.setattr(view, "_confirm", lambda text: False)
    view.exclude_button.click()
    _idle(qtbot, view)
    assert _count("signals") == 3, "declined: nothing changes"

    questions: list[str] = []
    monkeypatch.setattr(view, "_confirm", lambda text: questions.append(text) or True)
    view.exclude_button.click()
    _idle(qtbot, view)
    assert "will be deleted" in questions[0]
    assert "forgot 2 signal(s)" in view.message.text()
    assert _count("signals") == 1 and _count("examples") == 2, "only the jokes remain"
    assert conv.get_conversation(open_db(), learned["first"])["excluded_from_learning"] == 1
    assert view.exclude_button.text() == "Include this conversation again"
    assert view.list.count() == 3

    view.exclude_button.click()
    _idle(qtbot, view)
    assert conv.get_conversation(open_db(), learned["first"])["excluded_from_learning"] == 0
    assert view.exclude_button.text() == "Exclude this conversation…"
    assert len(questions) == 1, "including again needs no confirmation"
