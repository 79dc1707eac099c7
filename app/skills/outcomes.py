"""Whether injected skills helped: uses, outcomes, and retiring the ones that do not.

A skill earns its place in the prompt by what follows the replies it shaped. When a reply is
generated with skills, :func:`record_uses` notes them against that message; when a signal
later arrives on the message (a thumb, a correction, a re-query, a thanks), :func:`apply_signal`
turns its sign into the outcome of each use and updates the skill's ``uses`` and ``successes``.
A skill whose success rate stays poor after enough uses is retired automatically (no longer
retrieved, still listed and restorable from the skills page), so a bad lesson cannot keep
steering replies. A later signal on the same message replaces the earlier verdict instead
of counting the use twice.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass

import sqlite_utils

from app.skills.library import SkillLibrary, SkillNotFoundError
from app.skills.skill import Skill, SkillFormatError
from app.store.db import transaction


@dataclass(frozen=True)
class RetirePolicy:
    """Retire a skill once it has ``min_uses`` judged uses and a success rate below
    ``min_success_rate``. Few uses say little, so nothing is retired before that."""

    min_uses: int = 5
    min_success_rate: float = 0.3


DEFAULT_POLICY = RetirePolicy()


def on_trial(skill: Skill, policy: RetirePolicy = DEFAULT_POLICY) -> bool:
    """A skill imported from a community hub is on trial until enough of its uses here were
    judged: its record elsewhere says nothing about how it does for this user, and it is
    retired like any other skill if it keeps failing here."""
    return bool(skill.community_origin) and not skill.retired and skill.uses < policy.min_uses


def trial_note(skill: Skill, policy: RetirePolicy = DEFAULT_POLICY) -> str:
    """``"on trial: 2 of 5 uses judged"`` for a skill on trial, ``""`` otherwise."""
    if not on_trial(skill, policy):
        return ""
    return f"on trial: {skill.uses} of {policy.min_uses} uses judged"


def record_uses(db: sqlite_utils.Database, message_id: int, skill_ids: list[int]) -> None:
    """Note that the reply ``message_id`` was generated with these skills in its prompt."""
    now = time.time()
    with transaction(db):
        for skill_id in dict.fromkeys(skill_ids):
            exists = db.execute(
                "SELECT 1 FROM skill_uses WHERE skill_id = ? AND message_id = ?",
                [skill_id, message_id],
            ).fetchone()
            if not exists:
                db.execute(
                    "INSERT INTO skill_uses (skill_id, message_id, created) VALUES (?, ?, ?)",
                    [skill_id, message_id, now],
                )


def apply_signal(
    db: sqlite_utils.Database,
    message_id: int,
    score: float,
    *,
    library: SkillLibrary | None = None,
    policy: RetirePolicy = DEFAULT_POLICY,
    unjudged: Collection[int] = (),
) -> list[str]:
    """Judge the skill uses of a message by a signal's score; returns the skills retired.

    A positive score is a success, a negative one a failure, zero is no evidence; the uses
    of ``unjudged`` skills are left as they are.
    """
    if score == 0:
        return []
    success = score > 0
    changed: list[int] = []
    with transaction(db):
        uses = list(
            db.query(
                "SELECT id, skill_id, outcome FROM skill_uses WHERE message_id = ?", [message_id]
            )
        )
        for use in uses:
            if use["skill_id"] in unjudged:
                continue
            before = use["outcome"]
            if before is not None and (before > 0) == success:
                continue
            db.execute(
                "UPDATE skill_uses SET outcome = ? WHERE id = ?",
                [1.0 if success else -1.0, use["id"]],
            )
            db.execute(
                "UPDATE skills SET uses = uses + ?, successes = max(0, successes + ?), "
                "updated = ? WHERE id = ?",
                [
                    0 if before is not None else 1,
                    int(success) - int(before is not None and before > 0),
                    time.time(),
                    use["skill_id"],
                ],
            )
            changed.append(use["skill_id"])
        retired = _retire_poor(db, changed, policy)
    _write_back(db, library or SkillLibrary(db), changed)
    return retired


def _retire_poor(
    db: sqlite_utils.Database, skill_ids: list[int], policy: RetirePolicy
) -> list[str]:
    retired = []
    for skill_id in skill_ids:
        row = db.execute(
            "SELECT name, uses, successes, retired FROM skills WHERE id = ?", [skill_id]
        ).fetchone()
        if row is None or row[3]:
            continue
        name, uses, successes = row[0], row[1], row[2]
        if uses >= policy.min_uses and successes / uses < policy.min_success_rate:
            db.execute("UPDATE skills SET retired = 1 WHERE id = ?", [skill_id])
            retired.append(name)
    return retired


def _write_back(db: sqlite_utils.Database, library: SkillLibrary, skill_ids: list[int]) -> None:
    """Copy the new counters into each SKILL.md so the file stays the full record.

    A file that is missing or was broken by a hand edit keeps its content; the database
    still holds the counts and the next save of that skill writes them.
    """
    for skill_id in dict.fromkeys(skill_ids):
        row = db.execute(
            "SELECT name, uses, successes, retired FROM skills WHERE id = ?", [skill_id]
        ).fetchone()
        if row is None:
            continue
        try:
            library.update_state(row[0], uses=row[1], successes=row[2], retired=bool(row[3]))
        except (SkillFormatError, SkillNotFoundError, OSError):
            continue


def on_signal(
    db: sqlite_utils.Database,
    signal_id: int,
    *,
    library: SkillLibrary | None = None,
    policy: RetirePolicy = DEFAULT_POLICY,
    unjudged: Collection[int] = (),
) -> list[str]:
    """Apply a stored signal to the skills its message used; returns the skills retired."""
    row = db.execute("SELECT message_id, score FROM signals WHERE id = ?", [signal_id]).fetchone()
    if row is None or row[0] is None:
        return []
    return apply_signal(db, row[0], row[1], library=library, policy=policy, unjudged=unjudged)
