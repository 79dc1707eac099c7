"""A capable served model re-reads doubtful next-message verdicts; off by default.

The model here is a stub answering yes or no: the capable path is for a model the user
says is capable, and the embedded 135M model is not one (it is never asked).
"""

from __future__ import annotations

import json

import pytest

from app import settings as settings_mod
from app.assistant import Turn
from app.model.runtime import ModelRuntime
from app.signals import capture, nextmsg_confirm
from app.signals.nextmsg import classify_next_message
from app.signals.nextmsg_confirm import AMBIGUOUS_BELOW, confirm_verdict, parse_answer
from app.store import conversations as conv
from app.store.db import open_db

# A doubtful new topic: "more formal" may well ask to redo the greeting.
DOUBTFUL = ("Say hi.", "Hi!", "more formal")
# A confident one.
CLEAR = ("list the files here", "```bash\nls -l\n```", "thanks! now how do I count them?")


class StubModel:
    """Answers every question with ``answer`` and remembers the questions."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        return self.answer


def test_the_doubtful_example_is_doubtful() -> None:
    verdict = classify_next_message(*DOUBTFUL)
    assert verdict.label != "correction" and verdict.confidence < AMBIGUOUS_BELOW
    assert classify_next_message(*CLEAR).confidence >= AMBIGUOUS_BELOW


def test_yes_makes_a_doubtful_verdict_a_correction_with_its_hint() -> None:
    model = StubModel("Yes.")
    verdict = confirm_verdict(classify_next_message(*DOUBTFUL), *DOUBTFUL, model)
    assert (verdict.label, verdict.hint, verdict.score) == ("correction", "more formal", -1.0)
    assert verdict.confidence >= capture.MIN_CONFIDENCE
    assert verdict.model_answer == "yes"
    assert "more formal" in model.prompts[0] and "yes or no" in model.prompts[0]


def test_no_turns_a_doubtful_correction_into_the_next_best_label() -> None:
    doubtful = classify_next_message(*DOUBTFUL)
    as_correction = doubtful.__class__(**{
        **doubtful.__dict__, "label": "correction", "confidence": 0.4, "hint": "more formal",
    })
    verdict = confirm_verdict(as_correction, *DOUBTFUL, StubModel("no"))
    probs = doubtful.probabilities
    best = max((lab for lab in probs if lab != "correction"), key=probs.__getitem__)
    assert (verdict.label, verdict.hint, verdict.model_answer) == (best, None, "no")


def test_a_confident_verdict_is_not_asked() -> None:
    model = StubModel("yes")
    verdict = classify_next_message(*CLEAR)
    assert confirm_verdict(verdict, *CLEAR, model) is verdict
    assert model.prompts == []


@pytest.mark.parametrize("answer", ["", "maybe", "I cannot tell"])
def test_an_answer_that_is_neither_yes_nor_no_changes_nothing(answer: str) -> None:
    verdict = classify_next_message(*DOUBTFUL)
    assert confirm_verdict(verdict, *DOUBTFUL, StubModel(answer)) == verdict


def test_a_failing_model_changes_nothing() -> None:
    def broken(_prompt: str) -> str:
        raise RuntimeError("model unloaded")

    verdict = classify_next_message(*DOUBTFUL)
    assert confirm_verdict(verdict, *DOUBTFUL, broken) == verdict


def test_answers_are_parsed_by_their_first_yes_or_no() -> None:
    assert parse_answer(" Yes, it does.") is True
    assert parse_answer("No.") is False
    assert parse_answer("nothing") is None


def test_capture_records_the_confirmed_correction_with_provenance(db, chat) -> None:
    chat.ask(*DOUBTFUL[:2])
    following = chat.say(DOUBTFUL[2])
    (signal_id,) = capture.after_user_message(db, following, ask=StubModel("yes"))
    signal = db["signals"].get(signal_id)
    assert (signal["kind"], signal["hint"]) == ("verbal_correction", "more formal")
    assert json.loads(signal["provenance"])["model_answer"] == "yes"


def test_capture_without_a_model_records_nothing_for_the_doubtful_message(db, chat) -> None:
    chat.ask(*DOUBTFUL[:2])
    assert capture.after_user_message(db, chat.say(DOUBTFUL[2])) == []


def _two_turns(runtime: ModelRuntime, config: settings_mod.Settings) -> None:
    db = open_db()
    cid = conv.create_conversation(db)
    config.model.max_reply_tokens = 8
    config.model.temperature = 0.0
    list(Turn(db, runtime, config, cid, user_text=DOUBTFUL[0]))
    list(Turn(db, runtime, config, cid, user_text=DOUBTFUL[2]))


def test_the_model_is_not_asked_by_default(runtime: ModelRuntime, monkeypatch) -> None:
    assert settings_mod.Settings().learning.model_words_skills is False
    model = StubModel("yes")
    monkeypatch.setattr("app.assistant.complete", lambda _rt, prompt, **_: model(prompt))
    monkeypatch.setattr(nextmsg_confirm, "AMBIGUOUS_BELOW", 1.01)  # every verdict doubtful
    _two_turns(runtime, settings_mod.Settings())
    assert model.prompts == []


def test_a_turn_asks_the_capable_model(runtime: ModelRuntime, monkeypatch) -> None:
    model = StubModel("yes")
    monkeypatch.setattr("app.assistant.complete", lambda _rt, prompt, **_: model(prompt))
    monkeypatch.setattr(nextmsg_confirm, "AMBIGUOUS_BELOW", 1.01)
    config = settings_mod.Settings()
    config.learning.model_words_skills = True
    _two_turns(runtime, config)
    assert len(model.prompts) == 1 and "more formal" in model.prompts[0]
