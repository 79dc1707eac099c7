"""Lessons of every shape: found from three corrections, not from two unrelated ones.

Each case corrects replies the way a user would with the Correct button (the reply as a
small model writes it, then the user's version) and checks the one habit skill it leaves.
"""

from __future__ import annotations

import pytest
import sqlite_utils

from app.skills.habit import CATEGORY as LESSON_CATEGORY
from app.skills.library import SkillLibrary
from app.skills.retrieve import retrieve
from app.skills.skill import APPLIES_RELEVANT, Skill
from app.store.db import open_db
from tests.skills.lesson_helpers import correct_replies

SHAPES: dict[str, tuple[str, str, list[tuple[str, str, str]]]] = {
    "word or phrase anywhere": (
        "include-back-up-your-files-first",
        "Include “back up your files first”",
        [
            (
                "How do I upgrade Ubuntu?",
                "Run the release upgrade tool and follow its questions.",
                "Back up your files first, then run `do-release-upgrade`.",
            ),
            (
                "How do I reinstall Windows?",
                "Boot from the installer and pick a custom install.",
                "Boot from the installer, but back up your files first.",
            ),
            (
                "How can I resize a disk partition?",
                "GParted can resize partitions from a live USB.",
                "GParted resizes it from a live USB; back up your files first.",
            ),
        ],
    ),
    "command substitution": (
        "use-rg-not-grep",
        "Use `rg` instead of `grep`",
        [
            (
                "How do I search for a word in all files?",
                "You can use grep: `grep -r word .` searches every file.",
                "`rg word` searches every file.",
            ),
            (
                "Which files contain TODO?",
                "Try `grep -l TODO *` to list them.",
                "Run `rg -l TODO` to list them.",
            ),
            (
                "Find parse_config in my project.",
                "Use grep: `grep -rn parse_config .` prints each match.",
                "With `rg parse_config` each match is printed.",
            ),
        ],
    ),
    "one-word leading label": (
        "start-with-command",
        "Start the reply with “Command:”",
        [
            (
                "How do I see free disk space?",
                "To see the free disk space, you can run df. It shows every disk.",
                "Command: `df -h` shows every disk.",
            ),
            (
                "How do I list running processes?",
                "You can list processes with ps. It shows them all.",
                "Command: `ps aux` lists them all.",
            ),
            (
                "How do I show my IP address?",
                "Your IP address is shown by the ip tool.",
                "Command: `ip addr` shows it.",
            ),
        ],
    ),
    "multi-word closing label": (
        "end-with-bottom-line",
        "End the reply with one line that starts with “Bottom line:”",
        [
            (
                "What is a virtual environment?",
                "A virtual environment is a folder with its own packages.",
                "A folder with its own Python packages.\nBottom line: one set per project.",
            ),
            (
                "Why use git branches?",
                "Branches let you work apart from the main line.",
                "They keep work apart from the main line.\nBottom line: safer changes.",
            ),
            (
                "What is SSH?",
                "SSH is a protocol for remote login.",
                "An encrypted remote shell.\nBottom line: secure remote login.",
            ),
        ],
    ),
    "unit": (
        "give-km-not-miles",
        "Give quantities in km instead of “miles”",
        [
            (
                "How far is Paris from London?",
                "Paris is about 210 miles from London.",
                "Paris is about 340 km from London.",
            ),
            (
                "How long is the Nile?",
                "The Nile is 4,130 miles long.",
                "The Nile is 6,650 km long.",
            ),
            ("How far is a marathon?", "A marathon is 26.2 miles.", "A marathon is 42.195 km."),
        ],
    ),
    "length": (
        "answer-in-one-sentence",
        "Answer in one sentence",
        [
            (
                "What does ephemeral mean?",
                "Ephemeral is an adjective. It means lasting a short time. Fame can be ephemeral.",
                "Ephemeral means lasting a very short time.",
            ),
            (
                "What does candid mean?",
                "Candid describes honesty. A candid photo is not posed. It is a common word.",
                "Candid means honest and direct.",
            ),
            (
                "What does frugal mean?",
                "Frugal is about money. A frugal person saves. They avoid waste.",
                "Frugal means careful not to spend much money.",
            ),
        ],
    ),
    "fact about the user": (
        "use-marmot",
        "Say “Marmot”: the user's own word",
        [
            (
                "Suggest a name for my note-taking project.",
                "How about NoteNest? It is short and easy to remember.",
                "Keep the name you use already: Marmot.",
            ),
            (
                "Write a title for the README.",
                "# My Project\nA simple tool for notes.",
                "# Marmot\nA simple tool for notes.",
            ),
            (
                "Write a commit message for the parser fix.",
                "Fix parser bug in the project.",
                "Fix the parser of Marmot notes.",
            ),
        ],
    ),
    "code style": (
        "code-style",
        'Use `"""`',
        [
            (
                "Write a Python function that adds two numbers.",
                "```python\ndef add(a, b):\n    return a + b\n```",
                '```python\ndef add(a, b):\n    """Return the sum."""\n    return a + b\n```',
            ),
            (
                "Write a Python function that reverses a string.",
                "Here:\n```python\ndef rev(t):\n    return t[::-1]\n```",
                '```python\ndef rev(t):\n    """Return t reversed."""\n    return t[::-1]\n```',
            ),
            (
                "Write a Python function that checks if a number is even.",
                "```python\ndef even(n):\n    return n % 2 == 0\n```\nThis works.",
                '```python\ndef even(n):\n    """Say if n is even."""\n    return n % 2 == 0\n```',
            ),
        ],
    ),
    "list form": (
        "answer-as-a-numbered-list",
        "Answer as a numbered list",
        [
            (
                "How do I set up a Python project?",
                "Make a folder, create a virtual environment and install your packages.",
                "1. Make a folder.\n2. Create a virtual environment.\n3. Install packages.",
            ),
            (
                "How do I publish a website?",
                "Build it, upload the files to a host, then point your domain at it.",
                "1. Build it.\n2. Upload the files.\n3. Point the domain at the host.",
            ),
            (
                "How do I bake bread?",
                "Mix flour, water, yeast and salt, let it rise, then bake it.",
                "1. Mix the dough.\n2. Let it rise.\n3. Bake for 40 minutes.",
            ),
        ],
    ),
    "sign-off phrase": (
        "end-with-stay-curious",
        "End the reply with “Stay curious!”",
        [
            (
                "Why do cats purr?",
                "Cats purr when they are content, and sometimes when they are hurt.",
                "Cats purr when they are content, and sometimes to soothe themselves.\n"
                "Stay curious!",
            ),
            (
                "How does a rainbow form?",
                "Sunlight is bent and split into colours by raindrops.",
                "Raindrops bend sunlight and split it into its colours. Stay curious!",
            ),
            (
                "What is a prime number?",
                "A prime number has exactly two divisors: one and itself.",
                "A number whose only divisors are one and itself.\nStay curious!",
            ),
        ],
    ),
    "word substitution": (
        "use-folder-not-directory",
        "Use “folder” instead of “directory”",
        [
            (
                "How do I make a new directory?",
                "Run `mkdir notes` to make a new directory called notes.",
                "Run `mkdir notes` to make a new folder called notes.",
            ),
            (
                "How do I go to my home directory?",
                "Type `cd ~` to go to your home directory.",
                "Type `cd ~` to go to your home folder.",
            ),
            (
                "How do I delete an empty directory?",
                "Run `rmdir old` to delete the empty directory.",
                "Run `rmdir old` to delete the empty folder.",
            ),
        ],
    ),
    "removal": (
        "leave-out-hope-this-helps",
        "Leave out “hope this helps”",
        [
            (
                "How do I list files?",
                "Run `ls -l` to list them with sizes. I hope this helps!",
                "Run `ls -l` to list them with sizes.",
            ),
            (
                "How do I print the working folder?",
                "Run `pwd` to print it. I hope this helps!",
                "Run `pwd` to print it.",
            ),
            (
                "How do I clear the terminal?",
                "Press Ctrl+L or run `clear`. Hope this helps.",
                "Press Ctrl+L or run `clear`.",
            ),
        ],
    ),
}


@pytest.fixture
def db() -> sqlite_utils.Database:
    return open_db()


def habits(db: sqlite_utils.Database) -> list[Skill]:
    return [s for s in SkillLibrary(db).list_skills() if s.category == LESSON_CATEGORY]


@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_lesson_of_each_shape_is_found_from_three_corrections(
    db: sqlite_utils.Database, shape: str
) -> None:
    name, words, corrections = SHAPES[shape]
    correct_replies(db, corrections[:2])
    assert habits(db) == [], "two corrections are no lesson yet"
    correct_replies(db, corrections[2:])
    (skill,) = SkillLibrary(db).list_skills()  # the one-reply skills are folded into it
    assert skill.name == name and skill.category == LESSON_CATEGORY
    full = SkillLibrary(db).get(name)
    assert f"- {words}" in full.body
    assert full.examples == [(request, answer) for request, _, answer in corrections]
    assert full.habit["kind"], "the lesson is kept with the skill"


@pytest.mark.parametrize("shape", list(SHAPES))
def test_two_unrelated_corrections_teach_no_lesson(db: sqlite_utils.Database, shape: str) -> None:
    others = [s for s in SHAPES if s != shape]
    unrelated = SHAPES[others[len(shape) % len(others)]][2][0]
    correct_replies(db, [SHAPES[shape][2][0], unrelated])
    assert habits(db) == []
    assert len(SkillLibrary(db).list_skills()) == 2


def test_a_topical_lesson_stays_out_of_unrelated_requests(db: sqlite_utils.Database) -> None:
    correct_replies(db, SHAPES["unit"][2])
    (skill,) = habits(db)
    assert skill.applies == APPLIES_RELEVANT
    assert [s.name for s in retrieve(db, "How far is Paris from Berlin?")] == [skill.name]
    assert retrieve(db, "How do I boil an egg?") == []


def test_a_later_correction_that_keeps_the_lesson_joins_it(db: sqlite_utils.Database) -> None:
    correct_replies(db, SHAPES["unit"][2])
    correct_replies(db, [("How far is Rome from Milan?", "About 480 km.", "It is about 480 km.")])
    (skill,) = SkillLibrary(db).list_skills()
    assert len(skill.origin_signals) == 4
    assert SkillLibrary(db).get(skill.name).examples[-1][0] == "How far is Rome from Milan?"


def test_edits_the_same_corrections_make_are_said_together(db: sqlite_utils.Database) -> None:
    wordy = "It is about {} miles by road. The exact figure depends on the route."
    corrections = [(q, wordy.format(n), a) for n, (q, _, a) in enumerate(SHAPES["unit"][2])]
    correct_replies(db, corrections)
    (skill,) = habits(db)
    lesson = SkillLibrary(db).get(skill.name).section("Lesson")
    assert lesson.splitlines() == [
        "- Give quantities in km instead of “miles”.",
        "- Answer in one sentence.",
    ]


def test_a_unit_replaces_a_unit_not_a_word_the_rewrite_also_dropped(
    db: sqlite_utils.Database,
) -> None:
    wordy = "Approximately {} miles, roughly."
    corrections = [(q, wordy.format(n + 200), a) for n, (q, _, a) in enumerate(SHAPES["unit"][2])]
    correct_replies(db, corrections)
    (skill,) = habits(db)
    assert SkillLibrary(db).get(skill.name).section("Lesson").splitlines()[0] == (
        "- Give quantities in km instead of “miles”."
    )


def test_a_command_substitution_is_about_the_command_not_the_word(
    db: sqlite_utils.Database,
) -> None:
    wordy = "You can use the find command: `find . -name {}` lists them. It searches every folder."
    corrections = [
        ("How do I find files named notes.txt?", "notes.txt", "Run `fd notes.txt` here."),
        ("How do I list every Python file?", "'*.py'", "`fd -e py` lists every Python file."),
        ("How do I find big files?", "big", "With fd: `fd --size +100m` shows them."),
        ("How do I find folders called build?", "build", "To find them, run `fd -t d build`."),
    ]
    correct_replies(db, [(q, wordy.format(arg), a) for q, arg, a in corrections])
    (skill,) = SkillLibrary(db).list_skills()
    assert skill.name == "use-fd-not-find", "`find`, not the word “command” around it"
    assert len(skill.origin_signals) == 4, "“to find them” in prose still follows the lesson"


def test_a_command_habit_shows_a_command_and_keeps_every_example(
    db: sqlite_utils.Database,
) -> None:
    from app.skills.injection import demonstrations

    wordy = "You can use the find command: `find . -name x` lists them. It searches everywhere."
    requests = [
        ("How can I list every Python file under this folder?", "`fd -e py` lists them."),
        ("How do I find files named notes.txt?", "Run `fd notes.txt` here."),
        ("How do I find big files?", "With fd: `fd --size +100m` shows them."),
        ("How do I find folders called build?", "To find them, run `fd -t d build`."),
        ("How do I find files changed today?", "`fd --changed-within 1d` lists them."),
        ("How do I delete all .tmp files?", "`fd -e tmp -x rm` deletes them."),
        ("How do I find files starting with test?", "Run `fd '^test'` for that."),
        ("How do I find hidden files by name?", "Add `-H`: `fd -H config` finds them."),
    ]
    correct_replies(db, [(q, wordy, a) for q, a in requests])
    (skill,) = SkillLibrary(db).list_skills()
    full = SkillLibrary(db).get(skill.name)
    assert "- Use `fd` instead of `find`: `fd -e py`." in full.body
    assert len(full.examples) == len(requests), "the oldest example may be the closest one"
    request = "How can I list all JavaScript files in a project?"
    turns = demonstrations(retrieve(db, request), request)
    assert turns[-1]["content"] == "`fd -e py` lists them."


def test_a_reply_that_copied_the_lesson_from_its_skill_still_teaches_it(
    db: sqlite_utils.Database,
) -> None:
    corrections = [
        ("How do I see free disk space?", "You can run df.", "Command: `df -h` shows every disk."),
        (
            "How do I list processes?",
            "Command: `ls -l` lists them.",
            "Command: `ps aux` lists them.",
        ),
        ("How do I show my IP address?", "Command: `ip` shows it.", "Command: `ip addr` shows it."),
    ]
    correct_replies(db, corrections)
    (skill,) = habits(db)
    assert skill.name == "start-with-command" and len(skill.origin_signals) == 3
