"""Habits: one rewrite repeated across requests becomes one skill, standing or topical."""

from __future__ import annotations

import pytest
import sqlite_utils

from app.skills import habit
from app.skills.injection import demonstrations
from app.skills.library import SkillLibrary
from app.skills.retrieve import retrieve
from app.skills.skill import APPLIES_ALWAYS, APPLIES_RELEVANT, read_skill
from app.skills.synthesize import Directive, synthesize
from app.store.db import open_db

PIRATE = [
    ("How do I make a cup of tea?", "Arr, matey! Boil the water and let the tea steep."),
    ("What is the capital of France?", "Arr, matey! The capital of France be Paris."),
    ("How do I undo my last git commit?", "Arr, matey! Run `git reset --soft HEAD~1`."),
]
SEARCH = [
    ("How do I search for a word in all files?", "Use ripgrep: `rg word` searches them all."),
    ("Which files contain TODO?", "Use ripgrep: `rg -l TODO` lists those files."),
    ("Search my project files for parse_config.", "Use ripgrep: `rg parse_config` finds it."),
]


@pytest.fixture
def db() -> sqlite_utils.Database:
    return open_db()


def teach(db: sqlite_utils.Database, pairs: list[tuple[str, str]], first_id: int = 1) -> list:
    return [
        synthesize(db, Directive("correction", request, "A plain reply.", answer, signal_ids=(i,)))
        for i, (request, answer) in enumerate(pairs, start=first_id)
    ]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (
            "Arr, matey! Boil water.",
            "Arr, matey! Paris it be.",
            habit.Habit("opening", "Arr, matey!"),
        ),
        (
            "In your fish shell: `set x`.",
            "In your fish shell it is `y`.",
            habit.Habit("opening", "In your fish shell"),
        ),
        (
            "Tea is hot.\nSummary: hot tea.",
            "Git tracks code.\nsummary: history.",
            habit.Habit("closing", "Summary:"),
        ),
        ("You can run `ls`.", "You can type `pwd`.", None),
        ("Use `ls -lhS` to list.", "Use `ls -lhS` to list files.", None),
        ("Arr, matey!", "Arr, matey! Paris.", None),
        ("The capital is Paris.", "The answer is 42.", None),
    ],
)
def test_shared_habit(a: str, b: str, expected: habit.Habit | None) -> None:
    assert habit.shared_habit(a, b) == expected


def test_requests_without_a_common_topic_make_a_standing_habit() -> None:
    assert habit.applies([r for r, _ in PIRATE]) == APPLIES_ALWAYS
    assert habit.applies([r for r, _ in SEARCH]) == APPLIES_RELEVANT
    assert habit.applies([r for r, _ in PIRATE[:2]]) == APPLIES_RELEVANT  # too few to tell


def test_a_repeated_opening_becomes_one_standing_skill_with_examples(
    db: sqlite_utils.Database,
) -> None:
    results = teach(db, PIRATE)
    assert [r.merged for r in results] == [False, True, True]
    library = SkillLibrary(db)
    (skill,) = library.list_skills()
    assert skill.name == "start-with-arr-matey" and skill.applies == APPLIES_ALWAYS
    assert skill.origin_signals == [1, 2, 3]
    on_disk = read_skill(library.folder(skill.name))
    assert on_disk.applies == APPLIES_ALWAYS
    assert on_disk.examples == PIRATE
    assert "Start the reply with “Arr, matey!”" in on_disk.body

    (used,) = retrieve(db, "How many minutes are there in a day?")
    assert used.name == skill.name
    turns = demonstrations([used])
    assert [t["role"] for t in turns] == ["user", "assistant"] * 3
    assert turns[-1]["content"] == PIRATE[-1][1]  # the newest example sits next to the request
    assert retrieve(db, "hi")  # standing: even a request with no informative word


def test_a_topical_habit_gathers_the_words_of_its_requests(db: sqlite_utils.Database) -> None:
    teach(db, SEARCH)
    (skill,) = SkillLibrary(db).list_skills()
    assert skill.name == "start-with-use-ripgrep" and skill.applies == APPLIES_RELEVANT
    assert all(word in skill.description for word in ("todo", "parse", "config", "project"))
    assert [s.name for s in retrieve(db, "which files mention TODO or FIXME?")] == [skill.name]
    assert retrieve(db, "What is the capital of Spain?") == []


def test_only_the_newest_examples_are_kept(db: sqlite_utils.Database) -> None:
    more = [(f"Tell me fact number {n}.", f"Arr, matey! Fact {n}.") for n in "ABCDE"]
    teach(db, PIRATE + more)
    (skill,) = SkillLibrary(db).list_skills()
    assert skill.examples == (PIRATE + more)[-habit.MAX_EXAMPLES :]
    assert skill.origin_signals == list(range(1, len(PIRATE + more) + 1))


def test_the_example_closest_to_the_request_sits_next_to_it(db: sqlite_utils.Database) -> None:
    teach(db, PIRATE)
    skills = retrieve(db, "Which is the capital of Spain?")
    turns = demonstrations(skills, "Which is the capital of Spain?")
    assert turns[-1]["content"] == PIRATE[1][1]
    assert demonstrations(skills, "Which is the capital of Spain?", limit=1) == turns[-2:]


def test_demonstrations_take_turns_between_skills_the_closest_last(
    db: sqlite_utils.Database,
) -> None:
    teach(db, PIRATE)
    teach(db, SEARCH, first_id=10)
    picked = retrieve(db, "how do I search all files for a word")
    assert [s.name for s in picked] == ["start-with-arr-matey", "start-with-use-ripgrep"]
    turns = demonstrations(picked, "how do I search all files for a word", limit=2)
    assert [t["content"] for t in turns if t["role"] == "assistant"] == [
        PIRATE[-1][1],  # a standing habit, retrieved first, but about something else
        SEARCH[0][1],  # the closest example of all, next to the request
    ]
    three = demonstrations(picked, "how do I search all files for a word", limit=3)
    answers = [t["content"] for t in three if t["role"] == "assistant"]
    assert sum(a.startswith("Use ripgrep") for a in answers) == 2, "the topical skill leads"
    assert demonstrations(picked, token_budget=10) == []


def test_corrections_that_keep_a_used_habit_do_not_count_against_it(
    db: sqlite_utils.Database,
) -> None:
    from app.settings import Settings
    from app.skills.outcomes import record_uses
    from app.store import conversations as conv
    from app.ui.feedback import save_correction

    lessons = [
        *PIRATE,
        *[(f"Tell me fact number {n}.", f"Arr, matey! Fact {n}.") for n in "ABCDEF"],
    ]
    for request, answer in lessons:
        conversation = conv.create_conversation(db)
        conv.add_message(db, conversation, "user", request)
        reply = conv.add_message(db, conversation, "assistant", "Arr, matey! Not quite that.")
        skills = retrieve(db, request)
        record_uses(db, reply, [s.id for s in skills])
        save_correction(db, reply, answer, Settings())
    (skill,) = SkillLibrary(db).list_skills()
    assert skill.name == "start-with-arr-matey" and not skill.retired
    assert skill.uses == 0 and len(skill.origin_signals) == len(lessons)


def correct_replies(db: sqlite_utils.Database, lessons: list[tuple[str, str, str]]) -> None:
    """Ask, answer with ``reply`` using the retrieved skills, correct: the Correct button."""
    from app.settings import Settings
    from app.skills.outcomes import record_uses
    from app.store import conversations as conv
    from app.ui.feedback import save_correction

    for request, reply_text, answer in lessons:
        conversation = conv.create_conversation(db)
        conv.add_message(db, conversation, "user", request)
        reply = conv.add_message(db, conversation, "assistant", reply_text)
        record_uses(db, reply, [s.id for s in retrieve(db, request)])
        save_correction(db, reply, answer, Settings())


def test_teaching_a_second_habit_does_not_retire_the_first(db: sqlite_utils.Database) -> None:
    correct_replies(db, [(q, "A plain reply.", a) for q, a in PIRATE])
    summaries = [
        (f"Explain topic {n}.", f"Topic {n} explained.", f"Topic {n} is this.\nSummary: {n}.")
        for n in "ABCDEFGH"
    ]
    correct_replies(db, summaries)
    pirate = SkillLibrary(db).get("start-with-arr-matey")
    assert pirate.applies == APPLIES_ALWAYS and not pirate.retired
    assert pirate.uses == 0


def test_a_correction_that_removes_a_habit_counts_against_it(db: sqlite_utils.Database) -> None:
    correct_replies(db, [(q, "A plain reply.", a) for q, a in PIRATE])
    refusals = [
        (f"Tell me fact number {n}.", f"Arr, matey! Fact {n}.", f"Fact {n}, plainly.")
        for n in "ABCDEF"
    ]
    correct_replies(db, refusals)
    pirate = SkillLibrary(db).get("start-with-arr-matey")
    assert pirate.retired and pirate.successes == 0 and pirate.uses >= 5
