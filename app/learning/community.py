"""Community lessons for the adapter: the worked examples of imported skills the user enabled.

They are derived from the library at the start of every training run, never copied into
the ``examples`` table. A copy would have to be found and deleted on every path that can
take a skill away (disabled or deleted on the Skills page or the Community page, retired
after failing, its folder removed by hand and dropped by ``SkillLibrary.sync``); derived
each time, a skill that is no longer enabled is simply not there at the next run, and a
disabled skill's lessons cannot linger in an adapter trained after it was disabled.

This module reads; :mod:`trainer.community` turns the lessons into weighted training
examples, and :mod:`app.learning.idle` counts newly imported ones as new material.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from app.community.screening import admissible, skill_text
from app.skills.library import SkillLibrary


@dataclass(frozen=True)
class CommunityLesson:
    """One worked example of an imported skill, with where it came from."""

    skill: str
    origin: str  # the hub and the skill's id there: ``https://hub.example#0123abcd…``
    request: str
    answer: str


def community_lessons(
    db: sqlite_utils.Database, *, imported_after: float | None = None
) -> list[CommunityLesson]:
    """The worked examples of every imported skill that is enabled, not retired and still
    passes the community content checks (:mod:`app.community.screening`), by skill name;
    with ``imported_after`` (epoch seconds), only skills imported since then."""
    library = SkillLibrary(db)
    recent = library.created_after(imported_after) if imported_after is not None else None
    lessons = []
    for skill in library.list_skills():
        if not skill.community_origin or not skill.enabled or skill.retired:
            continue
        if not admissible(skill_text(skill.description, skill.body)):
            continue  # fails the community checks (edited since its import, say)
        if recent is not None and skill.name not in recent:
            continue
        lessons += [
            CommunityLesson(skill.name, skill.community_origin, request, answer)
            for request, answer in skill.examples
            if request.strip() and answer.strip()
        ]
    return lessons
