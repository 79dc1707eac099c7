"""Skill synthesis from directive signals: template path, model drafts, merging."""

from __future__ import annotations

import time

import pytest
import sqlite_utils

from app.skills.directive import Directive, directive_from_signal
from app.skills.library import SkillLibrary
from app.skills.merge import similarity
from app.skills.redaction import find_secrets
from app.skills.retrieve import retrieve
from app.skills.skill import SECTION_EXAMPLE, SECTION_LESSON, read_skill
from app.skills.synthesize import attach_checked_reply, synthesize, synthesize_from_signal
from app.skills.template import template_skill
from app.store import conversations as conv
from app.store.db import open_db
from app.store.signals import record_signal


@pytest.fixture
def db() -> sqlite_utils.Database:
    return open_db()


def _turn(db: sqlite_utils.Database, request: str, reply: str) -> int:
    conversation = conv.create_conversation(db)
    conv.add_message(db, conversation, "user", request)
    return conv.add_message(db, conversation, "assistant", reply)


def _command(db: sqlite_utils.Database, message_id: int | None, command: str, **fields) -> int:
    cursor = db.execute(
        "INSERT INTO commands (message_id, command, origin, exit_code, output_tail, "
        "original_command, started) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            message_id,
            command,
            fields.get("origin", "assistant"),
            fields.get("exit_code"),
            fields.get("output_tail"),
            fields.get("original_command"),
            time.time(),
        ],
    )
    return int(cursor.lastrowid)


def test_click_correction_becomes_a_retrievable_skill(db: sqlite_utils.Database) -> None:
    reply_id = _turn(
        db,
        "Hi! How do I list the files in this folder sorted by size?",
        "Use `ls -l` to list the files with their sizes.",
    )
    corrected = "Use `ls -lhS` to list the files sorted by size, biggest first."
    conv.set_correction(db, reply_id, corrected)
    signal = record_signal(
        db,
        "correction",
        message_id=reply_id,
        score=-1,
        hint=corrected,
        detector="ui",
        provenance={"original": "Use `ls -l` to list the files with their sizes."},
    )

    result = synthesize_from_signal(db, signal)

    assert result is not None and not result.merged and not result.drafted
    skill = result.skill
    assert skill.name == "list-files-folder-sorted-size"
    assert skill.origin_signals == [signal]
    assert "Say `ls -lhS` instead of `ls -l`." in skill.section(SECTION_LESSON)
    assert "Replying with `ls -l`." in skill.section("Anti-pattern")
    assert corrected in skill.section(SECTION_EXAMPLE)
    assert "Hi!" not in skill.description and "sorted by size" in skill.description
    on_disk = read_skill(SkillLibrary(db).folder(skill.name))
    assert on_disk.description == skill.description
    found = retrieve(db, "list my files by size please")
    assert [s.name for s in found] == [skill.name]


def test_failed_then_fixed_command_becomes_a_skill(db: sqlite_utils.Database) -> None:
    reply_id = _turn(db, "install httpie for me", "Run `pip install httpie`.")
    failing = _command(
        db,
        reply_id,
        "pip install httpie",
        exit_code=1,
        output_tail="error: externally-managed-environment\n\n× This environment is externally "
        "managed\n",
    )
    fixed = _command(db, None, "pipx install httpie", origin="user", exit_code=0)
    signal = record_signal(
        db,
        "command_fix",
        command_id=failing,
        score=-1,
        detector="terminal",
        provenance={"fixed_command_id": fixed},
    )

    directive = directive_from_signal(db, signal)
    assert directive is not None
    assert (directive.original, directive.corrected) == (
        "pip install httpie",
        "pipx install httpie",
    )
    assert directive.request == "install httpie for me"
    result = synthesize(db, directive)

    skill = result.skill
    assert skill.category == "python"
    lesson = skill.section(SECTION_LESSON)
    assert "Run `pipx install httpie` instead of `pip install httpie`." in lesson
    assert "externally managed" in lesson
    assert "```bash\npipx install httpie\n```" in skill.section(SECTION_EXAMPLE)
    assert "Proposing `pip install httpie`, which fails with" in skill.section("Anti-pattern")


def test_signals_without_a_directive_make_no_skill(db: sqlite_utils.Database) -> None:
    reply_id = _turn(db, "hello", "Hi there")
    thumb_up = record_signal(db, "thumb", message_id=reply_id, score=1, detector="ui")
    bare_down = record_signal(db, "thumb", message_id=reply_id, score=-1, detector="ui")
    assert synthesize_from_signal(db, thumb_up) is None
    assert synthesize_from_signal(db, bare_down) is None
    reason = record_signal(
        db, "thumb", message_id=reply_id, score=-1, hint="answer in German", detector="ui"
    )
    directive = directive_from_signal(db, reason)
    assert directive is not None and directive.kind == "verbal_correction"
    assert directive.hint == "answer in German" and directive.request == "hello"


def test_near_duplicates_merge_instead_of_piling_up(db: sqlite_utils.Database) -> None:
    first = Directive(
        "correction",
        "How do I list the files in this folder sorted by size?",
        "Use `ls -l` to list the files with their sizes.",
        "Use `ls -lhS` to list the files sorted by size, biggest first.",
        signal_ids=(1,),
    )
    again = Directive(
        "correction",
        "show me which files here are biggest",
        "You can run `du -a`.",
        "Use `ls -lhS` to list files sorted by size, biggest first.",
        signal_ids=(2,),
    )
    other = Directive(
        "correction",
        "how do I list files by date?",
        "Use `ls -l`.",
        "Use `ls -lt` to list files sorted by modification time, newest first.",
        signal_ids=(3,),
    )
    created = synthesize(db, first)
    merged = synthesize(db, again)
    separate = synthesize(db, other)

    assert merged.merged and merged.skill.name == created.skill.name
    assert merged.skill.origin_signals == [1, 2]
    assert not separate.merged and separate.skill.name != created.skill.name
    library = SkillLibrary(db)
    assert len(library.list_skills()) == 2
    assert read_skill(library.folder(created.skill.name)).origin_signals == [1, 2]


def test_opposite_lessons_do_not_merge() -> None:
    rebase = template_skill(
        Directive("verbal_correction", "update my branch with main", hint="use rebase, not merge")
    )
    merge = template_skill(
        Directive(
            "verbal_correction",
            "update the shared release branch",
            hint="use merge, not rebase, on shared branches",
        )
    )
    same = template_skill(
        Directive(
            "verbal_correction",
            "bring my feature branch up to date",
            hint="please rebase instead of merging",
        )
    )
    assert similarity(rebase, same) > similarity(rebase, merge)
    assert similarity(rebase, merge) < 0.5


GOOD_DRAFT = """```markdown
---
name: whatever-the-model-says
description: Sort file listings by size with ls -lhS when the user asks for the biggest files.
---

## Lesson

Use `ls -lhS`; it sorts by size and prints human-readable sizes.

## Anti-pattern

Plain `ls -l`, which sorts by name.

## Example

`ls -lhS ~/Downloads | head`
```"""


def test_model_draft_is_used_when_valid(db: sqlite_utils.Database) -> None:
    prompts: list[str] = []

    def draft(prompt: str) -> str:
        prompts.append(prompt)
        return GOOD_DRAFT

    directive = Directive(
        "correction", "which files are biggest?", "Use `ls -l`.", "Use `ls -lhS`.", (5,)
    )
    result = synthesize(db, directive, draft=draft)
    assert result.drafted and result.draft_problem is None
    assert result.skill.name == "files-biggest", "the name stays the template's"
    assert result.skill.description.startswith("Sort file listings by size")
    assert "## Lesson" in prompts[0] and "which files are biggest?" in prompts[0]


@pytest.mark.parametrize(
    ("output", "problem"),
    [
        ("Sure! Here is a skill about ls.", "no YAML front matter"),
        ("---\nname: a\ndescription: Sort files by size.\n---\n## Lesson\n\nx\n", "missing"),
        (
            GOOD_DRAFT.replace(
                "`ls -lhS ~/Downloads | head`", "token: sk-abcdefghijklmnopqrstuvwx"
            ),
            "secret",
        ),
        (GOOD_DRAFT.replace("Plain `ls -l`", "x" * 3000), "over 2500 characters"),
    ],
)
def test_invalid_model_draft_falls_back_to_template(
    db: sqlite_utils.Database, output: str, problem: str
) -> None:
    directive = Directive(
        "correction", "which files are biggest?", "Use `ls -l`.", "Use `ls -lhS`.", (5,)
    )
    result = synthesize(db, directive, draft=lambda _prompt: output)
    assert not result.drafted
    assert result.draft_problem is not None and problem in result.draft_problem
    assert result.skill.section(SECTION_LESSON) == template_skill(directive).section(SECTION_LESSON)


def test_a_crashing_model_falls_back_to_template(db: sqlite_utils.Database) -> None:
    def broken(_prompt: str) -> str:
        raise RuntimeError("model not loaded")

    directive = Directive("verbal_correction", "draft a tweet", "A long tweet", hint="shorter")
    result = synthesize(db, directive, draft=broken)
    assert not result.drafted and "model not loaded" in (result.draft_problem or "")
    assert result.skill.section(SECTION_LESSON) == "Shorter."


def test_secrets_in_corrections_are_redacted_from_template_skills() -> None:
    key = "AKIAABCDEFGHIJKLMNOP"
    skill = template_skill(
        Directive("correction", "set my aws key", "export KEY=x", f"export AWS_KEY={key}")
    )
    assert key not in skill.body and "<redacted>" in skill.body
    assert find_secrets(f"aws {key}") == [key]
    assert find_secrets("git cherry-pick 3f2a9c1 and ls -lhS") == []


def test_a_lesson_said_in_words_never_shows_the_users_words_as_an_answer(
    db: sqlite_utils.Database,
) -> None:
    request = "How do I install the requests package?"
    reply_id = _turn(db, request, "Run `pip install requests`.")
    signal = record_signal(
        db, "verbal_correction", message_id=reply_id, score=-1, hint="I use uv, not pip",
        detector="nextmsg",
    )
    result = synthesize_from_signal(db, signal)
    assert result is not None
    skill = result.skill
    assert "I use uv, not pip" in skill.section(SECTION_LESSON)
    assert "the user said" not in skill.body.lower()
    # its first worked reply is the corrected reply with pip swapped for uv, not the words
    assert skill.examples == [(request, "Run uv to install requests.")]
    # Replies that hand the words back, or do not follow them, are not made its example.
    for echo in ("The user said: I use uv, not pip", "I use uv, not pip.", "Run `pip install x`."):
        assert attach_checked_reply(db, signal, echo) is None
    real = "Use uv: `uv add requests` adds requests to your project."
    attached = attach_checked_reply(db, signal, real)
    assert attached is not None and attached.examples == [(request, real)]
    assert read_skill(SkillLibrary(db).folder(skill.name)).examples == [(request, real)]


def test_a_worked_example_from_words_does_not_open_by_agreeing_with_the_correction(
    db: sqlite_utils.Database,
) -> None:
    # The chat's answer to "no, I use the fish shell" opened "You're right, I'm using the
    # fish shell."; as the skill's worked example, the model then answered the next shell
    # question the same way, to a user who had corrected nothing.
    request = "How do I add a folder to my PATH?"
    reply_id = _turn(db, request, "Add `export PATH=$PATH:~/bin` to your ~/.bashrc.")
    signal = record_signal(
        db, "verbal_correction", message_id=reply_id, score=-1, hint="I use the fish shell",
        detector="nextmsg",
    )
    assert synthesize_from_signal(db, signal) is not None
    # its agreement alone named the fish shell: the answer itself does not follow the words
    agreeing = "You're right, I'm using the fish shell. Run `export PATH=$PATH:~/bin`."
    assert attach_checked_reply(db, signal, agreeing) is None
    answer = "You're right, I'm using the fish shell. In the fish shell, run `fish_add_path ~/bin`."
    attached = attach_checked_reply(db, signal, answer)
    assert attached is not None
    assert attached.examples == [(request, "In the fish shell, run `fish_add_path ~/bin`.")]
