"""Directive and evaluative next states on the real model: a correction said in words is
taught by a checked reply of the model itself, and the gate scores it; a kept regeneration
trains a preference."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlite_utils
import torch

from app.model.prompt import DEFAULT_SYSTEM_PROMPT, render_chat
from app.signals import capture
from app.signals.hint_terms import hint_terms
from app.signals.hints import follows
from app.skills.learn import learn_from_signals
from app.skills.library import SkillLibrary
from app.store import conversations as conv
from app.store.db import open_db
from trainer.__main__ import lora
from trainer.base import load_base
from trainer.config import TrainConfig
from trainer.data import Encoder, Example, load_examples, split_holdout
from trainer.evaluate import Scorer, canary_text, score
from trainer.frozen import Stack
from trainer.loop import StopGuard, train
from trainer.objectives import objective_weight, sequence_logp
from trainer.teacher import Teacher, write_back

pytestmark = pytest.mark.slow

REQUEST = "What is recursion?"
SAID = "no, always end your answer with a line that starts with Summary:"
# A reply as long as the model's own: the teacher, copying its length, runs into the limit.
LONG_ANSWER = (
    "A list comprehension builds a list in one expression:\n\n```python\n"
    "squares = [x * x for x in range(10)]\n```\n\nIt reads as: for each x in range(10), put"
    " x * x in the list. You can add a condition:\n\n```python\n"
    "evens = [x for x in range(10) if x % 2 == 0]\n```"
)


def _reply(db: sqlite_utils.Database, conversation: int, user: int, text: str) -> int:
    """An assistant reply recorded as a Turn records it, with the prompt the model saw."""
    path = conv.path_to(db, user)
    messages = [{"role": "system", "content": DEFAULT_SYSTEM_PROMPT}]
    messages += [{"role": m["role"], "content": m["content"]} for m in path]
    return conv.add_message(
        db, conversation, "assistant", text, parent_id=user, prompt=render_chat(messages)
    )


def _teach(
    model_path: Path, tmp_path: Path, examples: list[Example], config: TrainConfig,
    encoder: Encoder | None = None,
) -> tuple[list[Example], Teacher]:
    """The examples as the teacher returns them, and the teacher (its report), closed."""
    encoder = encoder or Encoder(model_path, 384)
    teacher = Teacher(model_path, None, encoder, config, tmp_path / "t.json", 1)
    try:
        return teacher.teach(examples), teacher
    finally:
        teacher.close()


def _corrected_in_words(
    db: sqlite_utils.Database,
    request: str = REQUEST,
    answer: str = "Recursion is when a function calls itself.",
) -> int:
    """The user asks, the model answers, the user's next message corrects it in words."""
    conversation = conv.create_conversation(db)
    user = conv.add_message(db, conversation, "user", request)
    reply = _reply(db, conversation, user, answer)
    said = conv.add_message(db, conversation, "user", SAID, reply)
    signals = capture.after_user_message(db, said)
    learn_from_signals(db, signals)
    return reply


def test_a_verbal_correction_is_taught_by_a_checked_teacher_reply_that_the_gate_scores(
    model_path: Path, tmp_path: Path
) -> None:
    db = open_db()
    reply_id = _corrected_in_words(db)
    examples, skipped = load_examples(db)
    assert skipped == [] and [e.kind for e in examples] == ["hinted"]
    encoder = Encoder(model_path, 384)
    taught, teacher = _teach(model_path, tmp_path, examples, TrainConfig(), encoder)
    assert len(taught) == 1 and teacher.report.checked == 1
    hinted = taught[0]
    original = conv.get_message(db, reply_id)["content"]
    assert follows(hinted.target, hint_terms(hinted.hint, original))
    assert "Summary:" in hinted.target and "the user said" not in hinted.target.lower()
    assert hinted.target.strip() != hinted.hint.strip()
    # The student is the prompt without the hint; the teacher's context holds the hint.
    assert SAID not in hinted.prompt and hinted.hint in hinted.hint_context
    # Held out, it is scored by the gate like a correction is.
    _, held = split_holdout(taught, 0.99)
    encoded, problems = encoder.encode_all(held)
    assert problems == [] and len(encoded) == 1
    scorer = Scorer(model_path, None, n_ctx=512, n_threads=1)
    try:
        scores = score(scorer, encoded, encoder.tokens(canary_text()[:400], prompt=False))
    finally:
        scorer.close()
    assert scores.n_scored == 1 and scores.user_score is not None
    # The skill the words made gets this real reply as its worked example.
    assert write_back(db, taught) == 1
    (skill,) = SkillLibrary(db).list_skills()
    assert skill.examples == [(REQUEST, hinted.target.strip())]


def test_a_teacher_reply_cut_by_the_token_limit_teaches_only_its_finished_part(
    model_path: Path, tmp_path: Path
) -> None:
    # A reply cut short of the closing Summary: line the hint asks for still follows it (the
    # line goes after the cut), but only after the part of the answer that was finished:
    # not mid-sentence, nor inside a code block the cut left open.
    db = open_db()
    _corrected_in_words(db, "What is a list comprehension?", LONG_ANSWER)
    examples, _ = load_examples(db)
    config = TrainConfig(teacher_samples=1, teacher_tokens=24)
    taught, teacher = _teach(model_path, tmp_path, examples, config)
    assert teacher.report.samples >= 1 and teacher.report.checked == 1
    (hinted,) = taught
    assert follows(hinted.target, hint_terms(hinted.hint, examples[0].reply or ""))
    answer, label, line = hinted.target.rpartition("\n\nSummary:")
    assert answer and label and line.strip()
    assert answer.count("```") % 2 == 0, "the label line landed inside a cut code block"
    assert answer.rstrip()[-1] in ".!?)`", f"the answer was cut mid-sentence: {answer!r}"


def test_once_x_not_y_was_only_relabelled_the_teacher_stops_sampling_for_it(
    model_path: Path, tmp_path: Path
) -> None:
    # No sample of the 135M model names uv: after two examples relabelled with no unaided
    # try, the greedy try alone is asked before relabelling (one generation, not four).
    examples = []
    for i, name in enumerate(("requests", "numpy", "flask")):
        messages = [
            {"role": "system", "content": DEFAULT_SYSTEM_PROMPT},
            {"role": "user", "content": f"How do I install the {name} package?"},
        ]
        examples.append(
            Example(
                kind="hinted",
                prompt=render_chat(messages),
                reply=f"Run `pip install {name}`.",
                hint="no, I use uv, not pip" if i != 1 else "no, use uv instead of pip",
                id=i,
                dedup_key=f"k{i}",
            )
        )
    config = TrainConfig(teacher_samples=4, teacher_tokens=48)
    taught, teacher = _teach(model_path, tmp_path, examples, config)
    assert len(taught) == 3 and all("uv" in e.target for e in taught)
    # the tool's name is swapped, not its command line: uv has no `install` sub-command
    assert not any("uv install" in e.target for e in taught), [e.target for e in taught]
    logged = teacher.report.examples
    assert [e["how"] for e in logged] == ["relabelled"] * 3
    assert [e["tries"] for e in logged][2] == 1
    assert teacher.report.samples < 4 * 3


def test_a_hint_the_teacher_cannot_be_checked_against_teaches_nothing(
    model_path: Path, tmp_path: Path
) -> None:
    db = open_db()
    conversation = conv.create_conversation(db)
    user = conv.add_message(db, conversation, "user", REQUEST)
    reply = _reply(db, conversation, user, "Recursion is when a function calls itself.")
    said = conv.add_message(db, conversation, "user", "no, do it the way I said", reply)
    capture.after_user_message(db, said)
    examples, _ = load_examples(db)
    teacher = Teacher(
        model_path, None, Encoder(model_path, 384), TrainConfig(), tmp_path / "t.json", 1
    )
    try:
        assert [e.kind for e in examples] == ["hinted"]
        assert teacher.teach(examples) == []
    finally:
        teacher.close()
    assert teacher.report.unchecked_hint == 1 and teacher.report.samples == 0


def test_a_regeneration_the_user_kept_trains_a_preference(
    shared_base: Path, model_path: Path, base_sha: str, tmp_path: Path
) -> None:
    db = open_db()
    conversation = conv.create_conversation(db)
    user = conv.add_message(db, conversation, "user", "Name a colour of the sky.")
    first = _reply(db, conversation, user, "Green, mostly.")
    kept = _reply(db, conversation, user, "Blue, on a clear day.")
    capture.record_regenerate(db, first, kept)
    time.sleep(0.01)
    capture.after_user_message(
        db, conv.add_message(db, conversation, "user", "thanks, that's right", kept)
    )
    examples, _ = load_examples(db)
    (pair,) = [e for e in examples if e.kind == "pair"]
    assert pair.evaluative and pair.chosen == "Blue, on a clear day."
    config = TrainConfig(max_len=64, batch_size=1, steps=6, max_steps=6, checkpoint_every=100)
    assert objective_weight(pair, config) > 0, "kept regenerations are not left out"
    encoder = Encoder(model_path, config.max_len)
    item = encoder.encode(pair)
    torch.set_num_threads(1)
    model = lora(load_base(model_path, base_sha)[0], config)
    net = Stack(model)

    def margin() -> float:
        with torch.no_grad():
            return float(sequence_logp(net, item.main) - sequence_logp(net, item.other))

    before = margin()
    train(
        model,
        [item],
        config,
        guard=StopGuard(),
        checkpoint=tmp_path / "ckpt",
        fingerprint="f",
        meta={},
        on_event=lambda _: None,
    )
    assert margin() > before + 0.5


def test_words_that_belong_to_a_spoken_habit_are_relabelled_by_the_habit_s_swap(
    model_path: Path, tmp_path: Path
) -> None:
    # "trash-put, not rm" is said twice; the third correction only shows trash-put's code.
    # Its own words state no swap, so the 135M model's `rm` replies could not be relabelled.
    said = [("an old file", "old.txt", "no, I use trash-put, not rm"),
            ("a build folder", "-r build", "trash-put, not rm!"),
            ("my notes", "notes.txt", "use trash-put: `trash-put notes.txt`")]
    examples = []
    for i, (what, args, hint) in enumerate(said):
        messages = [
            {"role": "system", "content": DEFAULT_SYSTEM_PROMPT},
            {"role": "user", "content": f"How do I delete {what}?"},
        ]
        examples.append(Example(kind="hinted", prompt=render_chat(messages),
                                reply=f"Run `rm {args}`.", hint=hint, id=i, dedup_key=f"k{i}"))
    config = TrainConfig(teacher_samples=2, teacher_tokens=48)
    taught, teacher = _teach(model_path, tmp_path, examples, config)
    assert [e.id for e in taught] == [0, 1, 2], teacher.report.examples
    assert all("trash-put" in e.target and "rm " not in e.target for e in taught)
