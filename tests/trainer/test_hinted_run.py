"""A run taught only in words (hinted examples), as ``python -m trainer run`` does it: the
held-out split is made among the examples whose teacher reply passed the check, so the
gate has one to judge the candidate on; with nothing to judge, no training is wasted."""

from __future__ import annotations

import time

import pytest

from app.model.prompt import DEFAULT_SYSTEM_PROMPT, render_chat
from app.store.db import open_db
from tests.trainer.test_process import Trainer
from trainer import leaks
from trainer.__main__ import leak_probes
from trainer.data import Example, holdout_score, split_holdout

pytestmark = pytest.mark.slow

PACKAGES = [
    "requests",
    "numpy",
    "pandas",
    "flask",
    "pytest",
    "rich",
    "black",
    "httpx",
    "scipy",
    "tqdm",
]
UNCHECKABLE = "no, do it the way I said"  # names nothing a reply could be checked against


def _rows(checkable: int) -> list[dict]:
    """Hinted rows for install requests: the two whose prompts the split holds out first
    carry a hint no teacher reply can be checked against, ``checkable`` others say
    "I use uv, not pip" (the teacher's reply is checked, relabelled if need be)."""
    rows = []
    for name in PACKAGES:
        question = f"How do I install the {name} package?"
        messages = [
            {"role": "system", "content": DEFAULT_SYSTEM_PROMPT},
            {"role": "user", "content": question},
        ]
        rows.append(
            {
                "kind": "hinted",
                "prompt": render_chat(messages),
                "reply": f"Run `pip install {name}`.",
                "hint": "no, I use uv, not pip",
            }
        )

    def score(row: dict) -> float:
        return holdout_score(Example(id=0, dedup_key="k", **row))

    rows.sort(key=score)
    late = [row for row in rows[2:] if score(row) >= 0.2][:checkable]
    return [{**row, "hint": UNCHECKABLE} for row in rows[:2]] + late


def _seed(rows: list[dict]) -> None:
    db = open_db()
    for i, row in enumerate(rows):
        db["examples"].insert({**row, "dedup_key": f"h{i}", "created": time.time()})
    examples = [Example(id=i, dedup_key="k", **row) for i, row in enumerate(rows)]
    # split before the teacher, the held-out examples would be the uncheckable ones
    assert {e.hint for e in split_holdout(examples, 0.2)[1]} == {UNCHECKABLE}


def test_a_run_taught_in_words_holds_out_a_checked_teacher_reply_for_the_gate(
    shared_base, flywheel_home
) -> None:
    _seed(_rows(3))
    trainer = Trainer(flywheel_home, teacher_samples=1, teacher_tokens=48)
    trainer.finish()
    start = next(e for e in trainer.events if e["event"] == "start")
    done = trainer.events[-1]
    assert start["teacher"]["checked"] == 3 and start["teacher"]["unchecked_hint"] == 2
    logged = start["teacher"]["examples"]  # per example: hint, reply, verdict, how
    assert sorted(e["followed"] for e in logged) == [False, False, True, True, True]
    assert all("uv" in e["reply"] for e in logged if e["followed"])
    assert {e["how"] for e in logged if not e["followed"]} == {"the hint names nothing to check"}
    assert start["n_held_out"] == 1 and start["n_train"] >= 2
    assert done["event"] == "done" and done["status"] in ("promoted", "rejected")
    assert "no held-out examples" not in done["reason"]
    assert done["metrics"]["candidate"]["n_scored"] == 1
    # the user's words stay out of what is persisted, and in the live event
    assert all("hint" not in e for e in done["metrics"]["teacher"]["examples"])
    # where the run's time went, per phase (figures only)
    phases = {"teacher", "anchors", "base_load", "train", "export", "gate", "leak_check"}
    assert set(done["metrics"]["seconds"]) == phases
    assert all(isinstance(s, float) and s >= 0 for s in done["metrics"]["seconds"].values())
    assert [e["hint"] for e in done["teacher"]["examples"]] == [e["hint"] for e in logged]


def test_a_run_with_nothing_to_judge_is_skipped_before_training(shared_base, flywheel_home) -> None:
    _seed(_rows(1))
    trainer = Trainer(flywheel_home, teacher_samples=1, teacher_tokens=48)
    trainer.finish()
    done = trainer.events[-1]
    assert done["event"] == "done" and done["status"] == "skipped"
    assert done["reason"].startswith("no held-out examples to measure a candidate on")
    assert done["teacher"]["checked"] == 1
    assert not any(e["event"] in ("start", "base_loaded") for e in trainer.events)


def test_a_run_that_teaches_nothing_topical_asks_no_leak_probe() -> None:
    """A standing lesson (a Summary: line) belongs in every reply: nothing to probe for,
    and choosing the probes would load the sentence embedder for nothing."""
    asked = ["Explain recursion.", "What is HTTP?", "Why is the sky blue?"]
    standing = leaks.Lessons(standing={"summary": asked})
    assert leak_probes(standing, [asked]) == []
    topical = leaks.Lessons(topical={"uv": ["How do I install numpy?", "How do I add flask?"]})
    assert leak_probes(topical, [asked]) != []
