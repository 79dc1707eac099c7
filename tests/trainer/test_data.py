"""Examples → tokens: the trainer must see exactly the tokens the serving runtime sees."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from app.model.prompt import render_chat
from app.store.db import open_db
from trainer.data import (
    DataError,
    Encoder,
    Example,
    end_of_turn,
    holdout_score,
    load_examples,
    split_holdout,
    with_plain_prompts,
    without_skills,
)


def prompt_for(question: str) -> str:
    return render_chat([{"role": "user", "content": question}])


@pytest.fixture(scope="module")
def encoder(model_path: Path) -> Encoder:
    return Encoder(model_path, max_len=128)


def example(kind: str = "sft", i: int = 1, **fields) -> Example:
    defaults = {"prompt": prompt_for("Cat?")}
    if kind == "sft":
        defaults["target"] = "Pixel."
    return Example(id=i, kind=kind, dedup_key=f"key-{i}", **{**defaults, **fields})


def test_prompt_plus_reply_tokenizes_like_the_whole_rendered_conversation(encoder) -> None:
    messages = [{"role": "user", "content": "What is my cat called?"}]
    prompt = render_chat(messages, template=encoder.template)
    assert prompt == prompt_for("What is my cat called?")  # the model's template is ChatML
    seq = encoder.sequence(prompt, "Your cat is called Pixel.")
    conversation = render_chat(
        [*messages, {"role": "assistant", "content": "Your cat is called Pixel."}],
        add_generation_prompt=False,
        template=encoder.template,
    )
    whole = encoder.tokens(conversation.rstrip("\n"), prompt=True)
    assert seq.ids[0].tolist() == whole
    assert seq.reply_start == len(encoder.tokens(prompt, prompt=True))
    assert encoder.eot == "<|im_end|>" == end_of_turn()
    assert seq.ids[0, -1].item() == encoder.tokens("<|im_end|>", prompt=False)[0]


def test_long_prompts_lose_their_beginning_not_the_reply(encoder) -> None:
    seq = encoder.sequence(prompt_for("word " * 400), "The reply survives.")
    reply = encoder.tokens("The reply survives.<|im_end|>", prompt=False)
    assert seq.ids.shape[1] == 128
    assert seq.ids[0, seq.reply_start :].tolist() == reply


def test_each_kind_encodes_what_its_objective_needs(encoder) -> None:
    pair = encoder.encode(example("pair", chosen="Pixel.", rejected="Rex."))
    assert pair.other is not None and pair.main.reply_start == pair.other.reply_start
    taught = example(
        "hinted", reply="Rex.", hint="it is Pixel", target="Pixel.", hint_context=prompt_for("P?")
    )
    hinted = encoder.encode(taught)
    assert hinted.other is not None and hinted.main.n_reply == hinted.other.n_reply
    assert hinted.other.ids[0, -hinted.other.n_reply :].tolist() == (
        hinted.main.ids[0, -hinted.main.n_reply :].tolist()
    )
    assert hinted.main.reply_start == len(encoder.tokens(prompt_for("Cat?"), prompt=True))
    assert encoder.encode(example("unpaired", reply="Rex.", label=-1.0)).other is None


def test_a_hinted_example_without_a_checked_teacher_reply_is_not_encoded(encoder) -> None:
    with pytest.raises(DataError, match="no checked teacher reply"):
        encoder.encode(example("hinted", reply="Rex.", hint="it is Pixel"))


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("sft", {"target": ""}, "lacks target"),
        ("pair", {"chosen": "a", "rejected": "a"}, "same text"),
        ("unpaired", {"reply": "a", "label": 0.0}, "label"),
        ("hinted", {"reply": "a"}, "lacks hint"),
        ("sft", {"weight": 0.0}, "weight"),
        ("essay", {}, "unknown kind"),
    ],
)
def test_unusable_examples_are_refused(kind, fields, message) -> None:
    with pytest.raises(DataError, match=message):
        example(kind, **fields)


def test_bad_rows_are_reported_and_skipped_not_fatal() -> None:
    db = open_db()
    now = time.time()
    db["examples"].insert_all(
        [
            {
                "kind": "sft",
                "dedup_key": "ok",
                "prompt": prompt_for("a"),
                "target": "b",
                "created": now,
            },
            {
                "kind": "pair",
                "dedup_key": "bad",
                "prompt": prompt_for("a"),
                "chosen": "x",
                "created": now,
            },
        ]
    )
    examples, skipped = load_examples(db)
    assert [e.dedup_key for e in examples] == ["ok"]
    assert len(skipped) == 1 and "lacks rejected" in skipped[0]


def test_holdout_split_is_stable_and_never_empty() -> None:
    examples = [example(i=i, prompt=prompt_for(f"Question {i}?")) for i in range(40)]
    train, held = split_holdout(examples, 0.2)
    assert {e.id for e in train}.isdisjoint({e.id for e in held})
    assert len(train) + len(held) == 40 and 2 <= len(held) <= 16
    # Adding examples never moves an old one across the split.
    more = [example(i=i, prompt=prompt_for(f"Question {i}?")) for i in range(40, 80)]
    _, held_more = split_holdout([*examples, *more], 0.2)
    assert {e.id for e in held} <= {e.id for e in held_more}
    assert len(split_holdout(examples[:2], 0.2)[1]) == 1
    assert split_holdout(examples[:2], 0.0)[1] == []


def test_a_correction_is_held_out_whole_never_half_trained() -> None:
    """A correction's sft and pair examples share the prompt and the desired reply: the gate
    must not measure one of them on an adapter trained on the other."""
    examples = []
    for n in range(12):
        question = prompt_for(f"Question {n}?")
        examples.append(example(i=2 * n, prompt=question, target=f"Answer {n}."))
        examples.append(
            example("pair", i=2 * n + 1, prompt=question, chosen=f"Answer {n}.", rejected="No.")
        )
    train, held = split_holdout(examples, 0.2)
    assert held and train
    assert {e.prompt for e in train}.isdisjoint({e.prompt for e in held})
    one_prompt = [e for e in examples if e.prompt == examples[0].prompt] + examples[2:4]
    assert len(split_holdout(one_prompt, 0.2)[1]) == 2  # the fallback holds out a whole prompt


def test_an_example_with_skills_in_its_prompt_is_also_trained_without_them() -> None:
    with_skills = prompt_for("Skills first. Cat?")
    taught = example(i=1, prompt=with_skills, prompt_plain=prompt_for("Cat?"))
    plain_only = example(i=2, prompt=prompt_for("Dog?"))
    out = with_plain_prompts([taught, plain_only])
    assert [(e.id, e.prompt) for e in out] == [
        (1, with_skills),
        (1, prompt_for("Cat?")),
        (2, prompt_for("Dog?")),
    ]
    assert out[1].target == taught.target and out[1].prompt_plain is None


def test_the_split_keys_an_example_by_its_prompt_without_skills() -> None:
    """The same request asked before its skill existed (recorded plain) and after (with
    skills; trained also plain) must fall on one side, or the gate scores a trained prompt."""
    for n in range(30):
        plain = prompt_for(f"Question {n}?")
        before = example(i=2 * n, prompt=plain)
        after = example(
            i=2 * n + 1, prompt=prompt_for(f"Skills. Question {n}?"), prompt_plain=plain
        )
        train, held = split_holdout([before, after], 0.5)
        assert len(train) in (0, 2) and len(held) in (0, 2)


def test_eight_corrections_hold_out_two_prompts_not_one() -> None:
    """One held-out correction made the gate refuse a clearly learned lesson (ripgrep):
    the share is held out even when the prompts' scores fall short of it by chance."""
    examples = [example(i=i, prompt=prompt_for(f"Question {i}?")) for i in range(8, 16)]
    assert sum(holdout_score(e) < 0.2 for e in examples) == 1  # by chance, one
    train, held = split_holdout(examples, 0.2)
    assert len(held) == 2 and len(train) == 6
    assert split_holdout(examples, 0.2) == (train, held)  # stable


def test_held_out_examples_are_judged_without_skills() -> None:
    taught = example(prompt=prompt_for("Skills first. Cat?"), prompt_plain=prompt_for("Cat?"))
    plain = example(i=2, prompt=prompt_for("Dog?"))
    judged = without_skills([taught, plain])
    assert [e.prompt for e in judged] == [prompt_for("Cat?"), prompt_for("Dog?")]
    assert all(e.prompt_plain is None for e in judged)


def test_two_hinted_examples_among_many_corrections_hold_one_out() -> None:
    """A lesson said in words must decide promotion: when the share of all prompts falls on
    corrections only, one of the hinted examples (checked teacher replies) is held out too."""
    corrections = [
        example(i=i, prompt=prompt_for(f"Question {i}?"), target=f"Answer {i}.")
        for i in range(8, 16)
    ]
    _, held_corrections = split_holdout(corrections, 0.2)
    cut = {holdout_score(e) for e in held_corrections}
    hinted = [
        example("hinted", i=100 + n, prompt=prompt_for(f"Hint {n}?"), reply="Old.", hint="no")
        for n in range(40)
    ]
    # two hinted prompts whose scores would not be held out by the share of all prompts
    late = [e for e in hinted if holdout_score(e) > max(cut) and holdout_score(e) >= 0.2][:2]
    train, held = split_holdout([*corrections, *late], 0.2)
    assert [e.kind for e in held].count("hinted") == 1
    assert [e.kind for e in train].count("hinted") == 1
    assert split_holdout([*corrections, *late], 0.2) == (train, held)  # stable
    assert split_holdout([*corrections, late[0]], 0.2)[1] == held_corrections  # one: trained


def test_a_hinted_example_marks_the_reply_tokens_the_hint_changed(encoder) -> None:
    """The gate scores a hinted example where the hint made the teacher write differently:
    the rest is the current model's own wording, which the current model always wins on."""
    said = "Recursion is when a function calls itself."
    taught = example(
        "hinted",
        prompt=prompt_for("What is recursion?"),
        reply=said,
        hint="always end with a Summary: line",
        target=f"{said}\n\nSummary: a function calling itself.",
        hint_context=prompt_for("always end with a Summary: line. What is recursion?"),
    )
    item = encoder.encode(taught)
    reply = item.main.ids[0, item.main.reply_start :].tolist()
    changed = encoder._vocab.detokenize([reply[i] for i in item.changed]).decode()
    assert "Summary: a function calling itself." in changed
    assert "Recursion" not in changed and "function calls" not in changed
