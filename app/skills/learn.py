"""What new signals do to skills: judge the skills a reply used, and learn new lessons.

Every place that records signals (a turn, the feedback buttons, the terminal) hands the new
signal ids here, so skills react the same way whichever front end saw the event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlite_utils

from app.skills import outcomes, said_habit
from app.skills.directive import Directive, directive_from_signal
from app.skills.habit import lesson_of
from app.skills.library import SkillLibrary, SkillNotFoundError
from app.skills.skill import SkillFormatError
from app.skills.synthesize import synthesize
from app.store import skill_uses


def learn_from_signals(
    db: sqlite_utils.Database,
    signal_ids: Iterable[int],
    *,
    draft: Callable[[str], str] | None = None,
    word: Callable[[str], str] | None = None,
) -> list[str]:
    """Synthesize from negative signals that carry a directive, then judge the skills each
    signal's reply used. Returns the names of skills created or strengthened. ``word``:
    the served model, when the user says it is capable, to word new habits
    (:mod:`app.skills.lesson_words`).

    A correction that strengthens a skill the reply used (the user rewrote the reply the
    way that skill says: "Arr, matey! …" again) is no evidence against that skill, so its
    use is left unjudged; otherwise every correction would count as a failure of the very
    habit it confirms, and the habit would be retired after five lessons. The same holds
    for the other habits a corrected reply was given (see :func:`_not_contradicted`).
    """
    learned: list[str] = []
    for signal_id in signal_ids:
        directive = directive_from_signal(db, signal_id)
        result = None if directive is None else synthesize(db, directive, draft=draft, word=word)
        confirmed = {result.skill.id} if result is not None and result.merged else set()
        if directive is not None:
            confirmed |= _not_contradicted(db, signal_id, directive)
        outcomes.on_signal(db, signal_id, unjudged=confirmed - {None})
        if result is not None:
            learned.append(result.skill.name)
    return learned


def _not_contradicted(db: sqlite_utils.Database, signal_id: int, directive: Directive) -> set[int]:
    """The habit skills a corrected reply used that the correction does not go against.

    A correction says the reply was wrong, not which of its skills was. For a habit the
    text tells: the user went against it only when the reply showed it and the correction
    took it out. A correction that keeps the habit, or a reply that never showed it, says
    nothing about it; counting those as failures retired a standing preference ("In your
    fish shell …") while the user was teaching an unrelated one (measured: every habit
    taught earlier was retired after four lessons in a row). A habit said in words is
    spared the same way, by any correction that does not turn away from what it says
    (:func:`app.skills.said_habit.contradicted_by`).
    """
    rows = skill_uses.skills_of_signal(db, signal_id)
    if not rows:
        return set()
    library = SkillLibrary(db)
    spoken = {skill.name: origins for skill, origins in said_habit.spoken_habits(library)}
    spared: set[int] = set()
    for row in rows:
        if row["name"] in spoken:  # said in words: the same test, on what the words say
            if not said_habit.contradicted_by(spoken[row["name"]], directive):
                spared.add(row["id"])
            continue
        if directive.kind != "correction":
            continue
        try:
            found = lesson_of(db, library.get(row["name"]))
        except (SkillFormatError, SkillNotFoundError, OSError):
            continue
        if found is not None and not found.contradicted_by(directive.original, directive.corrected):
            spared.add(row["id"])
    return spared
