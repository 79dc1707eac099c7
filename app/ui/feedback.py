"""What the window's feedback buttons write: corrections and thumbs, as learning signals.

Each function is a database job (run on the store thread through ``AsyncStore``). The
signal, its training examples and what it teaches the skills are written by the same code
paths the terminal chat uses (:mod:`app.signals.capture`, :mod:`app.skills.learn`); while
learning is paused the user's edit is kept but nothing is learned from it.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from app.settings import Settings
from app.signals import capture


def save_correction(
    db: sqlite_utils.Database,
    message_id: int,
    corrected: str,
    settings: Settings,
    word: Callable[[str], str] | None = None,
) -> list[int]:
    """Keep the original reply, store the user's version, learn from it; the signal ids.
    ``word``: the served model, to word a new habit when the settings say it is capable."""
    from app.skills.learn import learn_from_signals  # skill synthesis: not needed at start-up

    signals = capture.record_correction(db, message_id, corrected, settings=settings)
    learn_from_signals(db, signals, word=word)
    return signals


def save_thumb(
    db: sqlite_utils.Database, message_id: int, up: bool, reason: str, settings: Settings
) -> list[int]:
    """A thumb (+1 or -1) with the user's optional reason as the directive hint."""
    from app.skills.learn import learn_from_signals

    signals = capture.record_thumb(db, message_id, up, reason, settings=settings)
    learn_from_signals(db, signals)
    return signals
