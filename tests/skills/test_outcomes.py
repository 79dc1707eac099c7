"""Skill outcomes: uses and successes from signals, automatic retirement, restore."""

from __future__ import annotations

import pytest
import sqlite_utils

from app.skills.library import SkillLibrary
from app.skills.outcomes import RetirePolicy, apply_signal, on_signal, record_uses
from app.skills.retrieve import retrieve
from app.skills.skill import Skill, compose_body, read_skill
from app.store import conversations as conv
from app.store.db import open_db
from app.store.signals import record_signal

REQUEST = "how do I force push after a rebase"


@pytest.fixture
def library() -> SkillLibrary:
    library = SkillLibrary(open_db())
    library.add(
        Skill(
            "git-force-push-with-lease",
            "Force push a branch after a rebase safely.",
            compose_body("Use `git push --force-with-lease`.", "`--force`.", "x"),
        )
    )
    return library


def _reply(db: sqlite_utils.Database, skill_ids: list[int]) -> int:
    conversation = conv.create_conversation(db)
    conv.add_message(db, conversation, "user", REQUEST)
    message_id = conv.add_message(db, conversation, "assistant", "git push --force-with-lease")
    record_uses(db, message_id, skill_ids)
    return message_id


def _counts(library: SkillLibrary) -> tuple[int, int, int]:
    row = library.db.execute(
        "SELECT uses, successes, retired FROM skills WHERE name = 'git-force-push-with-lease'"
    ).fetchone()
    return tuple(row)


def test_signals_update_uses_and_successes_once_per_use(library: SkillLibrary) -> None:
    skill_id = retrieve(library.db, REQUEST)[0].id
    message_id = _reply(library.db, [skill_id, skill_id])
    assert library.db.execute("SELECT count(*) FROM skill_uses").fetchone()[0] == 1

    assert apply_signal(library.db, message_id, 0.0) == []
    assert _counts(library) == (0, 0, 0), "a neutral signal is no evidence"
    apply_signal(library.db, message_id, 1.0)
    assert _counts(library) == (1, 1, 0)
    apply_signal(library.db, message_id, 0.3)
    assert _counts(library) == (1, 1, 0), "the same verdict again changes nothing"
    signal = record_signal(library.db, "requery", message_id=message_id, score=-1, detector="t")
    on_signal(library.db, signal)
    assert _counts(library) == (1, 0, 0), "a later verdict replaces the earlier one"
    outcome = library.db.execute("SELECT outcome FROM skill_uses").fetchone()[0]
    assert outcome == -1.0
    on_file = read_skill(library.folder("git-force-push-with-lease"))
    assert (on_file.uses, on_file.successes) == (1, 0), "the file keeps the record too"


def test_poor_skill_is_retired_and_can_be_restored(library: SkillLibrary) -> None:
    policy = RetirePolicy(min_uses=4, min_success_rate=0.3)
    skill_id = retrieve(library.db, REQUEST)[0].id
    verdicts = [1.0, -1.0, -1.0, -1.0]
    retired: list[str] = []
    for verdict in verdicts:
        message_id = _reply(library.db, [skill_id])
        retired += apply_signal(library.db, message_id, verdict, policy=policy)
        if verdict == 1.0:
            assert retired == []
    assert _counts(library) == (4, 1, 1)
    assert retired == ["git-force-push-with-lease"]
    assert retrieve(library.db, REQUEST) == []
    assert read_skill(library.folder("git-force-push-with-lease")).retired

    library.restore("git-force-push-with-lease")
    assert _counts(library) == (0, 0, 0)
    assert [s.name for s in retrieve(library.db, REQUEST)] == ["git-force-push-with-lease"]


def test_few_uses_never_retire(library: SkillLibrary) -> None:
    skill_id = retrieve(library.db, REQUEST)[0].id
    for _ in range(4):
        apply_signal(library.db, _reply(library.db, [skill_id]), -1.0)
    assert _counts(library) == (4, 0, 0), "the default policy waits for five judged uses"


def test_broken_file_keeps_counts_in_the_database(library: SkillLibrary) -> None:
    skill_id = retrieve(library.db, REQUEST)[0].id
    path = library.folder("git-force-push-with-lease") / "SKILL.md"
    path.write_text("hand-edited into a broken file", encoding="utf-8")
    apply_signal(library.db, _reply(library.db, [skill_id]), 1.0)
    assert _counts(library) == (1, 1, 0)
    assert path.read_text(encoding="utf-8") == "hand-edited into a broken file"


def test_signal_without_message_changes_nothing(library: SkillLibrary) -> None:
    signal = record_signal(library.db, "command_exit", score=-1, detector="terminal")
    assert on_signal(library.db, signal) == []
    assert on_signal(library.db, 999) == []
