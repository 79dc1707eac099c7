"""What new signals do to skills: judge the skills a reply used, and learn new lessons.

Every place that records signals (a turn, the feedback buttons, the terminal) hands the new
signal ids here, so skills react the same way whichever front end saw the event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlite_utils

from app.skills import outcomes
from app.skills.synthesize import synthesize_from_signal


def learn_from_signals(
    db: sqlite_utils.Database,
    signal_ids: Iterable[int],
    *,
    draft: Callable[[str], str] | None = None,
) -> list[str]:
    """Synthesize from negative signals that carry a directive, then judge the skills each
    signal's reply used. Returns the names of skills created or strengthened.

    A correction that strengthens a skill the reply used (the user rewrote the reply the
    way that skill says: "Arr, matey! …" again) is no evidence against that skill, so its
    use is left unjudged; otherwise every correction would count as a failure of the very
    habit it confirms, and the habit would be retired after five lessons.
    """
    learned: list[str] = []
    for signal_id in signal_ids:
        row = db.execute("SELECT score FROM signals WHERE id = ?", [signal_id]).fetchone()
        result = None
        if row is not None and row[0] < 0:
            result = synthesize_from_signal(db, signal_id, draft=draft)
        confirmed = {result.skill.id} if result is not None and result.merged else set()
        outcomes.on_signal(db, signal_id, unjudged=confirmed - {None})
        if result is not None:
            learned.append(result.skill.name)
    return learned
