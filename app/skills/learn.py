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
    """Apply each signal to the skills its reply used, then synthesize from negative ones
    that carry a directive. Returns the names of skills created or strengthened."""
    learned: list[str] = []
    for signal_id in signal_ids:
        outcomes.on_signal(db, signal_id)
        row = db.execute("SELECT score FROM signals WHERE id = ?", [signal_id]).fetchone()
        if row is None or row[0] >= 0:
            continue
        result = synthesize_from_signal(db, signal_id, draft=draft)
        if result is not None:
            learned.append(result.skill.name)
    return learned
