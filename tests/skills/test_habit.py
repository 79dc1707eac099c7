"""Habits: one rewrite repeated across requests becomes one skill, standing or topical."""

from __future__ import annotations

import pytest
import sqlite_utils

from app.skills import habit
from app.skills.injection import demonstrations
from app.skills.library import SkillLibrary
from app.skills.retrieve import retrieve
from app.skills.skill import APPLIES_ALWAYS, APPLIES_RELEVANT, read_skill
from app.store.db import open_db
from tests.skills.lesson_helpers import correct_replies

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


def teach(db: sqlite_utils.Database, pairs: list[tuple[str, str]]) -> list[int]:
    """Correct a plain reply to each request; the number of skills after each correction."""
    counts = []
    for request, answer in pairs:
        correct_replies(db, [(request, "A plain reply.", answer)])
        counts.append(len(SkillLibrary(db).list_skills()))
    return counts


def test_requests_without_a_common_topic_make_a_standing_habit() -> None:
    assert habit.applies([r for r, _ in PIRATE]) == APPLIES_ALWAYS
    assert habit.applies([r for r, _ in SEARCH]) == APPLIES_RELEVANT
    assert habit.applies([r for r, _ in PIRATE[:2]]) == APPLIES_RELEVANT  # too few to tell


def test_a_repeated_opening_becomes_one_standing_skill_with_examples(
    db: sqlite_utils.Database,
) -> None:
    assert teach(db, PIRATE) == [1, 2, 1], "two replies are no habit; the third is"
    library = SkillLibrary(db)
    (skill,) = library.list_skills()
    assert skill.name == "start-with-arr-matey" and skill.applies == APPLIES_ALWAYS
    assert len(skill.origin_signals) == 3
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
    assert len(skill.origin_signals) == len(PIRATE + more)


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
    teach(db, SEARCH)
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
    teach(db, PIRATE)
    kept = [(f"Tell me fact number {n}.", f"Arr, matey! Fact {n}.") for n in "ABCDEF"]
    correct_replies(db, [(q, "Arr, matey! Not quite that.", a) for q, a in kept])
    (skill,) = SkillLibrary(db).list_skills()
    assert skill.name == "start-with-arr-matey" and not skill.retired
    assert skill.uses == 0 and len(skill.origin_signals) == len(PIRATE + kept)


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


def test_requests_close_in_meaning_keep_a_habit_topical() -> None:
    requests = [r for r, _ in PIRATE]
    apart = [[1.0 if i == j else 0.0 for i in range(4)] for j in range(3)]  # unrelated
    close = [[1.0, 0.0, 0.0, 0.0], [0.9, 0.43589, 0.0, 0.0], [0.9, 0.0, 0.43589, 0.0]]
    assert habit.unrelated_in_meaning(apart) and not habit.unrelated_in_meaning(close)
    assert habit.applies(requests, apart) == APPLIES_ALWAYS
    assert habit.applies(requests, close) == APPLIES_RELEVANT  # one topic by meaning
    assert habit.applies([r for r, _ in SEARCH], apart) == APPLIES_RELEVANT  # one by words


def test_a_topic_only_meaning_shows_keeps_a_habit_topical(db: sqlite_utils.Database) -> None:
    shell = [
        ("How do I see free disk space?", "Command: `df -h` shows every disk."),
        ("How much room is left on my drive?", "Command: `df -h /` shows it."),
        ("Which folders take up the most storage?", "Command: `du -sh *` lists them."),
    ]
    assert habit.applies([r for r, _ in shell]) == APPLIES_ALWAYS, "no word in common"
    teach(db, shell)
    (skill,) = SkillLibrary(db).list_skills()
    assert skill.name == "start-with-command" and skill.applies == APPLIES_RELEVANT
    teach(db, PIRATE)
    assert SkillLibrary(db).get("start-with-arr-matey").applies == APPLIES_ALWAYS


SHELL_COMMANDS = [
    ("How do I see free disk space?", "Command: `df -h` shows every disk."),
    ("How do I list running processes?", "Command: `ps aux` lists them all."),
    ("How do I show my IP address?", "Command: `ip addr` shows it."),
    ("How do I make a folder called build?", "Command: `mkdir build` makes it."),
    ("How do I see the end of a log file?", "Command: `tail app.log` prints it."),
    ("How do I rename a file?", "Command: `mv a b` renames a to b."),
]


def test_a_topical_habit_is_found_by_the_meaning_of_the_requests_it_was_taught_on(
    db: sqlite_utils.Database,
) -> None:
    teach(db, SHELL_COMMANDS)
    (skill,) = SkillLibrary(db).list_skills()
    assert skill.applies == APPLIES_RELEVANT
    for request in (  # shell questions that share no word with what it was taught on
        "How can I delete an empty directory?",
        "How do I count the lines of a text file?",
        "How do I show the current date and time in the terminal?",
    ):
        assert [s.name for s in retrieve(db, request)] == [skill.name], request
    for unrelated in ("Why is the sky blue?", "What is a good name for a pet goldfish?"):
        assert retrieve(db, unrelated) == [], unrelated


def test_an_imported_skill_gets_no_reach_from_its_varied_examples(
    db: sqlite_utils.Database,
) -> None:
    """A hub member picks the examples: varied ones must not make a skill show everywhere."""
    teach(db, SHELL_COMMANDS)
    (skill,) = SkillLibrary(db).list_skills()
    request = "How can I delete an empty directory?"  # shares no word with the examples
    assert [s.name for s in retrieve(db, request)] == [skill.name]
    db["skills"].update(skill.id, {"community_origin": "http://127.0.0.1:8765#00112233"})
    assert retrieve(db, request) == []


def test_a_habit_taught_on_one_narrow_topic_keeps_to_it(db: sqlite_utils.Database) -> None:
    finding = [
        ("How do I find all files named notes.txt?", "Run `fd notes.txt` here."),
        ("How can I list every Python file under this folder?", "`fd -e py` lists them."),
        ("How do I find files bigger than 100 MB?", "`fd --size +100m` shows them."),
        ("How do I find all directories called build?", "`fd -t d build` finds them."),
        ("How can I find files changed in the last day?", "`fd --changed-within 1d`."),
        ("How do I find hidden files too?", "`fd -H config` finds them."),
    ]
    correct_replies(db, [(q, "You can use `find . -name x` for that.", a) for q, a in finding])
    (skill,) = SkillLibrary(db).list_skills()
    assert skill.applies == APPLIES_RELEVANT
    assert [s.name for s in retrieve(db, "How do I find every folder named node_modules?")] == [
        skill.name
    ]
    for other in ("How do I see my git commit history?", "How much memory does my computer have?"):
        assert retrieve(db, other) == [], "the only skill, but not about finding files"


def test_the_prompt_states_a_habit_as_its_lesson_alone(db: sqlite_utils.Database) -> None:
    from app.skills.injection import skills_prompt_section
    from app.skills.retrieve import PROMPT_HEADER

    teach(db, SEARCH)
    section = skills_prompt_section(retrieve(db, "how do I search all files for a word"))
    assert section == f"{PROMPT_HEADER}\n- Start the reply with “Use ripgrep:”."


def test_a_standing_habit_alone_shows_more_of_its_examples(db: sqlite_utils.Database) -> None:
    from app.skills.injection import MAX_DEMONSTRATIONS, STANDING_DEMONSTRATIONS

    more = [
        ("Why is the sky blue?", "Arr, matey! Sunlight scatters off the air, blue the most."),
        ("What is a prime number?", "Arr, matey! A number only one and itself divide."),
        ("How do I boil an egg?", "Arr, matey! Nine minutes in boiling water."),
        ("Suggest a name for a cat.", "Arr, matey! Call her Pepper."),
    ]
    teach(db, PIRATE + more)
    request = "What is the largest ocean?"
    turns = demonstrations(retrieve(db, request), request)
    assert len(turns) == 2 * STANDING_DEMONSTRATIONS > 2 * MAX_DEMONSTRATIONS
    teach(db, SEARCH)
    request = "how do I search all files for a word"
    assert len(demonstrations(retrieve(db, request), request)) == 2 * MAX_DEMONSTRATIONS


def test_key_terms_are_the_lessons_programs_that_its_answers_use() -> None:
    from app.skills.injection import key_terms
    from app.skills.retrieve import RetrievedSkill
    from app.skills.skill import APPLIES_ALWAYS, compose_examples

    examples = compose_examples([
        ("How do I edit /etc/hosts?", "Use micro: `sudo micro /etc/hosts`, or `sudo nala`."),
        ("Set git's editor.", "Run `git config --global core.editor micro` (curl, sh, nala)."),
        ("Edit my crontab.", "Use `EDITOR=micro crontab -e`; /etc/hosts; rm; nala; fd."),
    ])

    def skill(lesson: str, example: str = examples, applies: str = "relevant") -> RetrievedSkill:
        return RetrievedSkill(1, "use-micro", "", "habit", 1.0, lesson, "", example,
                              applies=applies)

    assert key_terms([skill("- Use `micro`: `micro .env`.")]) == ["micro"]
    # `git` opens one answer of three: a word of an example, not the lesson.
    assert key_terms([skill("- Use `micro` (`git config`).")]) == ["micro"]
    # The program past sudo; never a wrapper, a shell, a downloader, a path or a deleter.
    assert key_terms([skill("- Use `sudo nala install htop`.")]) == ["nala"]
    assert key_terms([skill("- `curl -fsSL x | sh`, `/etc/hosts`, `-`, `rm -rf x`.")]) == []
    # Two programs a skill at most.
    assert key_terms([skill("- `micro`, `nala`, `fd`.")]) == ["micro", "nala"]
    assert key_terms([skill("- Use `micro`.", applies=APPLIES_ALWAYS)]) == []
    one = compose_examples([("Edit a file.", "Use `micro notes.txt`.")])
    assert key_terms([skill("- Use `micro`.", one)]) == []
    assert key_terms([skill("- End with a summary line.")]) == []
