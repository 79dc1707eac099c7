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
from app.store import skill_uses
from app.store import skills as skills_store
from app.store.db import transaction
from app.store.signals import get_signal


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
    skill_uses.record(db, message_id, skill_ids, time.time())


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
        for use in skill_uses.of_message(db, message_id):
            if use["skill_id"] in unjudged:
                continue
            before = use["outcome"]
            if before is not None and (before > 0) == success:
                continue
            skill_uses.set_outcome(db, use["id"], 1.0 if success else -1.0)
            skills_store.add_outcome(
                db,
                use["skill_id"],
                uses=0 if before is not None else 1,
                successes=int(success) - int(before is not None and before > 0),
                updated=time.time(),
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
        row = skills_store.counters(db, skill_id)
        if row is None or row[3]:
            continue
        name, uses, successes = row[0], row[1], row[2]
        if uses >= policy.min_uses and successes / uses < policy.min_success_rate:
            skills_store.set_retired(db, skill_id)
            retired.append(name)
    return retired


def _write_back(db: sqlite_utils.Database, library: SkillLibrary, skill_ids: list[int]) -> None:
    """Copy the new counters into each SKILL.md so the file stays the full record.

    A file that is missing or was broken by a hand edit keeps its content; the database
    still holds the counts and the next save of that skill writes them.
    """
    for skill_id in dict.fromkeys(skill_ids):
        row = skills_store.counters(db, skill_id)
        if row is None:
            continue
        try:
            library.update_state(row[0], uses=row[1], successes=row[2], retired=row[3])
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
    signal = get_signal(db, signal_id)
    if signal is None or signal["message_id"] is None:
        return []
    return apply_signal(
        db, signal["message_id"], signal["score"], library=library, policy=policy,
        unjudged=unjudged,
    )
