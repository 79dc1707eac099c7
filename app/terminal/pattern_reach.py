"""Runs the readers that look at a command line's text as a whole, one class each.

Why a module of its own: these readers catch a class however it is spelt (wrappers,
variables, other languages), so they read the raw text rather than one parsed command.
"""

from __future__ import annotations

from app.terminal.account_rules import account_reasons
from app.terminal.code_vocab import code_vocab_reasons
from app.terminal.fetch_run import fetch_run_reasons
from app.terminal.home_deletes import home_delete_reasons
from app.terminal.key_leaks import key_leak_reasons
from app.terminal.runaway_work import built_runaway_reasons, runaway_reasons
from app.terminal.spoken_text import unspoken
from app.terminal.startup_writes import startup_reasons


def pattern_reasons(text: str) -> list[str]:
    """Reasons from every text reader, in order, for one command line; code and planted text
    are read with their quoted words, the rest without the words only shown."""
    run = unspoken(text)
    return (home_delete_reasons(run) + code_vocab_reasons(text) + fetch_run_reasons(run)
            + startup_reasons(text) + account_reasons(text) + key_leak_reasons(run)
            + runaway_reasons(run) + built_runaway_reasons(text))
